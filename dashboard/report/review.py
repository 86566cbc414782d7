"""The report's 复核建议 section (issue 16): the forms to re-check first with their reasons, and the most common
weaknesses per unit, from queries/review_priority.sql and review_signals.sql (dashboard/review/signals.py)."""

from __future__ import annotations

import pandas as pd

from dashboard.db import QueryRunner
from dashboard.labels import fmt_cut, fmt_number, fmt_text
from dashboard.report.model import Column, Table
from dashboard.review import signals as review
from dashboard.selection import Selection

TOP_FORMS = 15  # forms listed in the section
TOP_UNITS = 20  # units listed with their weaknesses
REASON_CHARS = 120


def gather_review(s: Selection, run: QueryRunner) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the flagged forms in priority order, every fired signal row) for the selection (year already fixed)."""
    groups = review.note_groups(run, s.dataset)
    top = review.priority(run, s, groups, min_score=0.0001)
    rows = review.signals(run, s, groups)
    return top, rows[rows["report_id"].isin(top["report_id"])]


def review_intro(year: int, top: pd.DataFrame, n_forms: int) -> str:
    if top.empty:
        return f"{year}年所选范围内的自评表均未触发复核信号。"
    return (
        f"按复核信号（自评宽松、目标设置、偏差说明、预算执行，每项为一条写明的规则）加权排序，"
        f"{year}年{n_forms}张自评表中有{len(top)}张触发了至少一项信号。建议绩效科优先复核下列自评表；"
        "每条理由都可在看板“复核清单”页追到触发它的指标和原表行号。"
    )


def top_forms_table(year: int, top: pd.DataFrame) -> Table:
    shown = top.head(TOP_FORMS)
    rows = [
        [
            str(int(r.rank)),
            fmt_text(r.unit),
            fmt_text(r.form),
            fmt_number(r.priority_score),
            fmt_cut(r.reasons, REASON_CHARS),
            fmt_text(r.review_status),
        ]
        for r in shown.itertuples(index=False)
    ]
    note = (
        f"共{len(top)}张表触发复核信号，列出优先分最高的{len(shown)}张。" if len(top) > len(shown) else None
    )
    return Table(
        f"{year}年建议优先复核的自评表",
        [
            Column("顺序", 1.0, "center"),
            Column("单位", 3.0),
            Column("自评表", 3.0),
            Column("优先分", 1.3, "right"),
            Column("复核理由", 6.2),
            Column("状态", 1.3, "center"),
        ],
        rows,
        note=note,
        font_pt=8.5,
    )


def weaknesses_table(year: int, signal_rows: pd.DataFrame) -> Table:
    summary = review.weakness_summary(signal_rows)
    shown = summary.head(TOP_UNITS)
    rows = [
        [fmt_text(r.unit), str(int(r.n_forms)), fmt_text(r.weaknesses)] for r in shown.itertuples(index=False)
    ]
    note = (
        f"共{len(summary)}个单位，列出触发信号的表最多的{len(shown)}个。"
        if len(summary) > len(shown)
        else None
    )
    return Table(
        f"{year}年各单位最常见的问题",
        [Column("单位", 3.6), Column("触发信号的表", 2.2, "right"), Column("最常见的问题（涉及表数）", 10.0)],
        rows,
        note=note,
        font_pt=8.5,
    )
