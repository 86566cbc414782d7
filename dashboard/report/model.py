"""What a report is made of: tables, charts, a page per unit, and the whole content of one report. Plain records,
filled by gather.py and written by docx.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import plotly.graph_objects as go

from dashboard.selection import Selection

FIG_CSS_WIDTH = 700  # figure width in CSS pixels for the full text width (13 px fonts print at ≈8.7 pt)


class ReportError(Exception):
    """The report cannot be made as asked (no data for the selection, unknown unit, no LibreOffice …)."""


# -- what the document is made of ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    header: str
    width_cm: float
    align: str = "left"  # left | right | center


@dataclass
class Table:
    caption: str
    columns: list[Column]
    rows: list[list[str]]
    note: str | None = None  # a line under the table (what was left out, how a column is computed)
    font_pt: float = 9.0
    emphasis: set[int] = field(default_factory=set)  # row indexes to set in bold (e.g. the hotline items)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


@dataclass
class Chart:
    name: str  # a file-safe key
    caption: str
    figure: go.Figure
    landscape: bool = False
    png: bytes = b""
    width_in: float = 0.0  # printed size, set when rendered
    height_in: float = 0.0
    pixels: tuple[int, int] = (0, 0)

    @property
    def dpi(self) -> float:
        return self.pixels[0] / self.width_in if self.width_in else 0.0


@dataclass
class UnitPage:
    unit: str
    paragraph: str
    facts: list[tuple[str, str]]
    forms: Table
    lost: Table
    findings: Table


@dataclass
class ReportContent:
    selection: Selection
    year: int
    generated_on: dt.date
    is_synthetic: bool
    scope: str  # 武威市政府政务服务中心 | 全部41个单位 | 3个单位：甲、乙、丙
    dataset_label: str
    cover_facts: list[tuple[str, str]]
    sources: Table
    summary: list[str]
    kpis: Table
    ranking_intro: str
    ranking_chart: Chart
    ranking: Table
    distribution_intro: str
    distribution_chart: Chart
    distribution: Table
    execution_intro: str
    execution_chart: Chart
    execution: Table
    low_scoring_intro: str
    low_scoring: Table
    quality_intro: str
    totals: Table
    findings_chart: Chart
    findings: Table
    unit_pages: list[UnitPage]
    definitions: list[str]
    title: str = "绩效分析报告"
    # 复核建议 (issue 16): the forms to re-check first and the most common weaknesses per unit
    review_intro: str = ""
    review_forms: Table | None = None
    review_units: Table | None = None

    @property
    def subtitle(self) -> str:
        return f"{self.year}年度预算绩效自评分析"

    @property
    def charts(self) -> list[Chart]:
        return [self.ranking_chart, self.distribution_chart, self.execution_chart, self.findings_chart]
