"""What the report says for a selection: figures, tables, charts and sentences, all gathered through queries/*.sql.

Every number comes from a query; every sentence is a template filled with those numbers (nothing is written
that the figures do not say). Charts are built by dashboard/charts.py, the same functions the app draws with,
and rendered to PNG later (build.py), once their printed size is known. Formats follow the app: 万元 / 亿元,
percentages with %, changes of a rate in 个百分点.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard import charts, labels
from dashboard.db import QueryRunner, connect, query_runner
from dashboard.labels import DATASET_LABELS, SEVERITY_LABELS
from dashboard.labels import KIND_FORM_LABELS as KIND_LABELS
from dashboard.selection import Selection

LOW_SCORING_ROWS = 20  # the main low-scoring table; every unit's own list is in the appendix
UNIT_LOST_ROWS = 6  # lost indicators on a unit's summary page
UNIT_RULE_ROWS = 5  # finding rules on a unit's summary page
TOTALS_ROWS = 25  # forms whose stated total differs from the recomputed one
NOTE_CHARS = 180  # deviation notes are cut after this many characters
COVER_SOURCES = 5  # source files named on the cover; all of them are listed in the appendix
EXECUTION_CHART_PROJECTS = 15  # up to this many units the execution chart also shows the projects' rate
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

    @property
    def subtitle(self) -> str:
        return f"{self.year}年度预算绩效自评分析"

    @property
    def charts(self) -> list[Chart]:
        return [self.ranking_chart, self.distribution_chart, self.execution_chart, self.findings_chart]


# -- formats -------------------------------------------------------------------------------------------------------
def _int(x: Any) -> int:
    return 0 if labels.is_missing(x) else int(x)


def _count(x: Any, unit: str) -> str:
    return "—" if labels.is_missing(x) else f"{int(x)}{unit}"


def _score(x: Any) -> str:
    return labels.fmt_score(x)


def _pct_change(x: Any) -> str:
    """A change of a rate: '+0.6个百分点'."""
    return labels.fmt_signed(x, "个百分点", 1)


def _money(x: Any) -> str:
    """An amount in 万元 for a table column headed （万元）: '13,577.40'."""
    return "—" if labels.is_missing(x) else f"{float(x):,.2f}"


def _plain(x: Any, digits: int = 2) -> str:
    return labels.fmt_number(x, digits)


def _text(x: Any) -> str:
    if labels.is_missing(x):
        return "—"
    text = " ".join(str(x).split())
    return text or "—"


def _cut(x: Any, limit: int = NOTE_CHARS) -> str:
    text = _text(x)
    return text if len(text) <= limit else text[: limit - 1].rstrip("，,；; ") + "…"


def _rank_text(rank: Any, n: Any, tied: Any = False) -> str:
    if labels.is_missing(rank):
        return "未排名"
    return f"第{int(rank)}名" + ("（并列）" if bool(tied) and not labels.is_missing(tied) else "")


def _grade_pair(stated: Any, computed: Any) -> str:
    s, c = _text(stated), _text(computed)
    return s if s == c else f"{s}→{c}"


# -- queries -------------------------------------------------------------------------------------------------------
def gather(
    selection: Selection,
    *,
    run: QueryRunner | None = None,
    db_path: str | Path | None = None,
    today: dt.date | None = None,
    step: Callable[[str], None] | None = None,
) -> ReportContent:
    """Everything the report shows for `selection`. Reads through `run(name, selection, **params)` (the app's
    cached query path), or opens `db_path` (default: the project database) read-only for the time it reads."""
    if run is not None:
        return _gather(selection, run, today or dt.date.today(), step or (lambda _m: None))
    con = connect(db_path)
    try:
        return _gather(selection, query_runner(con), today or dt.date.today(), step or (lambda _m: None))
    finally:
        con.close()


def _gather(s: Selection, run: QueryRunner, today: dt.date, step: Callable[[str], None]) -> ReportContent:
    summary_rows = run("selection_summary", s)
    current = summary_rows[summary_rows["is_selected_year"]]
    if current.empty:
        raise ReportError(_no_data_message(s))
    cur = current.iloc[0]
    year = int(cur["year"])
    s_year = s.replace(year=year)
    prev_rows = summary_rows[~summary_rows["is_selected_year"]]
    prev = prev_rows.iloc[0] if len(prev_rows) else None
    step("排名与执行率")

    ranking_all = run("department_ranking", s_year, units=None)  # every unit: ranks are among all of them
    missing = [u for u in s.units if u not in set(ranking_all["unit"])]
    if missing:
        raise ReportError(f"以下单位在{year}年没有自评表：{'、'.join(missing)}")
    ranking = run("department_ranking", s_year) if s.units else ranking_all
    n_all_ranked = _int(ranking_all["n_ranked"].max()) if len(ranking_all) else 0
    yoy = run("year_over_year", s_year)
    execution = run("execution_rates", s_year)
    step("得分分布与低分指标")
    if len(s.units) > 1:  # one series per selected unit
        distribution = run("score_distribution", s_year, group_by="unit")
        distribution_groups, distribution_by = distribution, "单位"
    else:
        distribution = run("score_distribution", s_year, group_by="all")
        distribution_groups, distribution_by = (
            run("score_distribution", s_year, group_by="level1"),
            "一级指标",
        )
    low = run("low_scoring_indicators", s_year)
    step("数据质量")
    totals = run("total_gap", s_year)
    findings = run("findings_summary", s_year)  # per unit, whatever the form kind
    sources = run("selection_sources", s_year)

    is_synthetic = _int(cur["n_synthetic_forms"]) > 0
    note = labels.SYNTHETIC_NOTE if is_synthetic else None
    scope = _scope_text(s, ranking)
    dataset_label = DATASET_LABELS.get(s.dataset or "", "全部（真实数据与示例数据）")
    if s.dataset is None:
        dataset_label = (
            "示例数据"
            if _int(cur["n_synthetic_forms"]) == _int(cur["n_forms"])
            else ("真实数据与示例数据" if is_synthetic else "真实数据")
        )
    filters = [
        KIND_LABELS[s.kind] + "自评表" if s.kind else None,
        f"一级指标：{s.level1}" if s.level1 else None,
    ]
    scope_line = scope + "".join(f"；{x}" for x in filters if x)

    unit_pages = _unit_pages(year, ranking, yoy, totals, low, findings, n_all_ranked)
    return ReportContent(
        selection=s,
        year=year,
        generated_on=today,
        is_synthetic=is_synthetic,
        scope=scope,
        dataset_label=dataset_label,
        cover_facts=_cover_facts(year, scope_line, dataset_label, today, cur, sources),
        sources=_sources_table(sources),
        summary=_summary(year, cur, prev, ranking, n_all_ranked, low, totals, sources, s),
        kpis=_kpi_table(year, cur, prev),
        ranking_intro=(
            "单位得分：有部门整体自评表的取其重新计算的总分（预算执行得分＋各指标得分），否则取各项目自评表总分的"
            "平均值。名次相同者并列；名次变化与上年同口径排名相比（↑上升，↓下降）。"
            + (f"名次为在全部{n_all_ranked}个单位中的名次。" if s.units else "")
        ),
        ranking_chart=Chart(
            "ranking",
            f"{year}年各单位自评得分排名",
            charts.ranking_chart(
                ranking, "computed_total", note=note, title=f"{year}年 单位排名：重新计算总分"
            ),
        ),
        ranking=_ranking_table(year, ranking, n_all_ranked),
        distribution_intro=(
            "指标得分率 = 指标得分 ÷ 分值；柱高为落在各区间的指标所占比例，得分率集中在90%以上的，"
            "扣分少。" + ("每个单位一组。" if len(s.units) > 1 else "")
        ),
        distribution_chart=Chart(
            "distribution",
            f"{year}年指标得分率分布" + ("（按单位）" if len(s.units) > 1 else ""),
            charts.histogram_chart(
                distribution,
                note=note,
                title=f"{year}年 指标得分率分布" + ("（按单位）" if len(s.units) > 1 else ""),
            ),
        ),
        distribution=_distribution_table(year, distribution_groups, distribution_by),
        execution_intro=(
            "预算执行率 = 执行数 ÷ 全年预算数。部门整体取部门整体自评表的执行率（能重新计算的按执行数与"
            "全年预算数重新计算，否则取填报值），项目为各项目自评表执行数合计 ÷ 全年预算合计。"
            + ("图中为部门整体执行率，项目执行率见表。" if len(execution) > EXECUTION_CHART_PROJECTS else "")
        ),
        execution_chart=Chart(
            "execution",
            f"{year}年各单位预算执行率",
            charts.execution_rate_chart(
                execution,
                note=note,
                title=f"{year}年 各单位预算执行率",
                projects=len(execution) <= EXECUTION_CHART_PROJECTS,
            ),
        ),
        execution=_execution_table(year, execution),
        low_scoring_intro=(
            "列出扣分（得分低于分值）或实际值未达到目标值的指标，按扣分从多到少排列；扣分相同时，"
            "12345 热线等群众来电类指标（接听率、接通率）排在前面。"
        ),
        low_scoring=_low_scoring_table(year, low),
        quality_intro=(
            "“重新计算”为按表内预算执行得分与各指标得分加总的结果；核查发现是导入时按规则自动检查出的问题，"
            "原表不作任何修改。"
        ),
        totals=_totals_table(year, totals),
        findings_chart=Chart(
            "findings",
            f"{year}年核查发现（按问题类型）",
            charts.findings_rule_chart(findings, note=note, title=f"{year}年 核查发现：按问题类型"),
        ),
        findings=_findings_table(year, findings),
        unit_pages=unit_pages,
        definitions=_definitions(),
    )


def _no_data_message(s: Selection) -> str:
    parts = [f"{s.year}年" if s.year else "任何年度"]
    if s.dataset:
        parts.append(DATASET_LABELS.get(s.dataset, s.dataset))
    if s.units:
        parts.append("、".join(s.units))
    return f"所选范围（{' · '.join(parts)}）没有自评表，无法生成报告。"


def _scope_text(s: Selection, ranking: pd.DataFrame) -> str:
    units = list(dict.fromkeys(ranking["unit"]))
    if len(units) == 1:
        return units[0]
    if s.units:
        return f"{len(units)}个单位：" + "、".join(units)
    return f"全部{len(units)}个单位"


# -- cover and sources ---------------------------------------------------------------------------------------------
def _cover_facts(
    year: int, scope: str, dataset_label: str, today: dt.date, cur: pd.Series, sources: pd.DataFrame
) -> list[tuple[str, str]]:
    names = list(sources["file_name"])
    shown = "\n".join(names[:COVER_SOURCES])
    if len(names) > COVER_SOURCES:
        shown += f"\n等共{len(names)}个文件（完整清单见附录二）"
    forms = (
        f"{_int(cur['n_forms'])}张（部门整体支出{_int(cur['n_department_forms'])}张、"
        f"项目支出{_int(cur['n_project_forms'])}张）"
    )
    return [
        ("年度", f"{year}年"),
        ("范围", scope),
        ("自评表", forms),
        ("数据集", dataset_label),
        ("生成日期", f"{today.year}年{today.month}月{today.day}日"),
        ("数据来源", shown or "—"),
    ]


def _sources_table(sources: pd.DataFrame) -> Table:
    rows = [
        [
            str(i + 1),
            _text(r.file_name),
            DATASET_LABELS.get(r.dataset, r.dataset),
            _count(r.n_forms, "张"),
            _cut(r.units, 60),
        ]
        for i, r in enumerate(sources.itertuples(index=False))
    ]
    return Table(
        "数据来源文件",
        [
            Column("序号", 1.1, "center"),
            Column("文件", 7.0),
            Column("数据集", 1.8, "center"),
            Column("自评表", 1.5, "right"),
            Column("单位", 5.2),
        ],
        rows,
        font_pt=8.5,
    )


# -- summary -------------------------------------------------------------------------------------------------------
def _summary(
    year: int,
    cur: pd.Series,
    prev: pd.Series | None,
    ranking: pd.DataFrame,
    n_all_ranked: int,
    low: pd.DataFrame,
    totals: pd.DataFrame,
    sources: pd.DataFrame,
    s: Selection,
) -> list[str]:
    n_units = _int(cur["n_units"])
    paragraphs = [
        f"本报告分析{year}年度{n_units}个单位的预算绩效自评情况，共{_int(cur['n_forms'])}张自评表（部门整体支出自评表"
        f"{_int(cur['n_department_forms'])}张、项目支出自评表{_int(cur['n_project_forms'])}张），"
        f"数据取自{len(sources)}个源文件。"
    ]

    ranked = ranking[ranking["rank"].notna()].sort_values("rank", kind="stable")
    scores = (
        f"按重新计算的总分，自评表平均得分{_score(cur['mean_total'])}"
        f"（填报平均{_score(cur['mean_stated_total'])}）"
    )
    if len(ranked) == 1:
        r = ranked.iloc[0]
        scores += (
            f"；{r['unit']}自评得分{_score(r['unit_total'])}，等级为{_text(r['grade'])}"
            + (f"，在全部{n_all_ranked}个单位中排第{int(r['rank'])}名" if n_all_ranked > 1 else "")
            + "。"
        )
    elif len(ranked) > 1:
        top, bottom = ranked.iloc[0], ranked.iloc[-1]
        scores += (
            f"；{len(ranked)}个单位参与排名，{top['unit']}以{_score(top['unit_total'])}居首，"
            f"{bottom['unit']}以{_score(bottom['unit_total'])}居末。"
        )
    else:
        scores += "。"
    grades = [
        (g, _int(cur[k]))
        for g, k in (
            ("优", "n_grade_excellent"),
            ("良", "n_grade_good"),
            ("中", "n_grade_fair"),
            ("差", "n_grade_poor"),
        )
    ]
    scores += "自评表等级：" + "、".join(f"{g}{n}张" for g, n in grades if n) + "。"
    scores += f"平均预算执行率{labels.fmt_pct(cur['mean_execution_rate_pct'])}"
    if _int(cur["n_dept_budgets"]):
        scores += (
            f"，{_int(cur['n_dept_budgets'])}张部门整体自评表的全年预算合计"
            f"{labels.fmt_wan(cur['dept_budget_full_year_wan'])}"
        )
    paragraphs.append(scores + "。")

    def where(unit: str) -> str:  # the unit is named unless the report is about that one unit
        return "" if n_units == 1 else unit

    lost = (
        f"{_int(cur['n_indicators'])}个绩效指标中，{_int(cur['n_lost_points'])}个扣分，合计扣"
        f"{_score(cur['points_lost'])}；{_int(cur['n_target_missed'])}个指标的实际值未达到目标值。"
    )
    top_lost = low[low["points_lost"].fillna(0) > 0]
    named: set[int] = set()
    if len(top_lost):
        most = float(top_lost["points_lost"].max())
        leaders = top_lost[top_lost["points_lost"] == most]
        names = "、".join(
            f"{where(r.unit)}“{r.form}”的“{_text(r.level3)}”" for r in leaders.head(3).itertuples()
        )
        named = set(leaders.head(3)["indicator_id"])
        more = f"等{len(leaders)}项" if len(leaders) > 3 else ""
        lost += f"扣分最多的是{names}{more}，{'各' if len(leaders) > 1 else ''}扣{_score(most)}。"
    hotline = low[low["is_hotline"].fillna(False).astype(bool) & (low["points_lost"].fillna(0) > 0)]
    if len(hotline):
        h = hotline.iloc[0]
        facts = f"目标{_text(h['target_text'])}，实际{_text(h['actual_text'])}"
        lost += f"12345热线等群众来电类指标扣分{len(hotline)}项，"
        if h["indicator_id"] in named:  # already named as a top loser: say so instead of naming it twice
            lost += f"上述“{_text(h['level3'])}”即为其一（{facts}）。"
        else:
            lost += (
                ("扣分最多的是" if len(hotline) > 1 else "即")
                + f"{where(h['unit'])}“{h['form']}”的“{_text(h['level3'])}”：{facts}，扣{_score(h['points_lost'])}。"
            )
    paragraphs.append(lost)

    gaps = totals[totals["abs_total_gap"].fillna(0) > 0.005]
    quality = (
        f"导入核查共发现问题{_int(cur['n_findings'])}条，其中错误{_int(cur['n_error_findings'])}条；"
        f"{len(gaps)}张自评表的填报总分与重新计算的总分不一致"
    )
    if _int(cur["n_grade_changed"]):
        quality += f"，其中{_int(cur['n_grade_changed'])}张重新计算后等级发生变化"
    paragraphs.append(quality + "。")

    if prev is not None:
        paragraphs.append(
            f"与{int(prev['year'])}年同口径相比（{_int(prev['n_units'])}个单位、{_int(prev['n_forms'])}张自评表），"
            f"平均得分{_change_words(cur['mean_total'] - prev['mean_total'], '分', ('提高', '下降'))}，"
            f"平均预算执行率{_change_words(cur['mean_execution_rate_pct'] - prev['mean_execution_rate_pct'], '个百分点', ('提高', '下降'), 1)}，"
            f"扣分指标{_change_words(_int(cur['n_lost_points']) - _int(prev['n_lost_points']), '个')}，"
            f"核查发现{_change_words(_int(cur['n_findings']) - _int(prev['n_findings']), '条')}。"
        )
    return paragraphs


def _change_words(delta: Any, unit: str, words: tuple[str, str] = ("增加", "减少"), digits: int = 2) -> str:
    """A change in words: '提高0.07分', '减少26个', '持平'."""
    if labels.is_missing(delta):
        return "无法比较"
    v = float(delta)
    if abs(v) < 10 ** -(digits + 1) or labels.fmt_number(abs(v), digits) == "0":
        return "持平"
    return f"{words[0] if v > 0 else words[1]}{labels.fmt_number(abs(v), digits)}{unit}"


def _kpi_table(year: int, cur: pd.Series, prev: pd.Series | None) -> Table:
    items = [
        ("单位数", "n_units", "个"),
        ("自评表数", "n_forms", "张"),
        ("平均得分（重新计算）", "mean_total", "分"),
        ("平均得分（填报）", "mean_stated_total", "分"),
        ("平均预算执行率", "mean_execution_rate_pct", "%"),
        ("指标数", "n_indicators", "个"),
        ("扣分指标", "n_lost_points", "个"),
        ("扣分合计", "points_lost", "分"),
        ("未达目标指标", "n_target_missed", "个"),
        ("核查发现", "n_findings", "条"),
        ("其中错误级", "n_error_findings", "条"),
        ("重算后等级变化", "n_grade_changed", "张"),
    ]

    def value(row: pd.Series | None, key: str, unit: str) -> str:
        if row is None:
            return "—"
        if unit == "%":
            return labels.fmt_pct(row[key])
        if unit == "分":
            return labels.fmt_score(row[key])
        return _count(row[key], unit)

    def change(key: str, unit: str) -> str:
        if prev is None or labels.is_missing(prev[key]) or labels.is_missing(cur[key]):
            return "—"
        delta = float(cur[key]) - float(prev[key])
        if unit == "%":
            return _pct_change(delta)
        return labels.fmt_signed(delta, unit, 2 if unit == "分" else 0)

    prev_year = int(prev["year"]) if prev is not None else year - 1
    rows = [
        [label, value(cur, key, unit), value(prev, key, unit), change(key, unit)]
        for label, key, unit in items
    ]
    return Table(
        f"{year}年主要指标",
        [
            Column("指标", 5.6),
            Column(f"{year}年", 3.6, "right"),
            Column(f"{prev_year}年", 3.6, "right"),
            Column("变化", 3.8, "right"),
        ],
        rows,
        note=None if prev is not None else f"{prev_year}年没有同口径的自评表，不作比较。",
    )


# -- sections ------------------------------------------------------------------------------------------------------
def _ranking_table(year: int, ranking: pd.DataFrame, n_all_ranked: int) -> Table:
    rows = []
    for r in ranking.itertuples(index=False):
        rows.append(
            [
                "—" if labels.is_missing(r.rank) else str(int(r.rank)) + ("=" if r.is_tied else ""),
                r.unit,
                _score(r.unit_total),
                _score(r.unit_stated_total),
                _text(r.grade),
                labels.fmt_pct(r.execution_rate_pct),
                _score(r.points_lost),
                _count(r.n_findings, "条"),
                labels.fmt_rank_change(r.rank_change),
            ]
        )
    return Table(
        f"{year}年单位排名",
        [
            Column("名次", 1.1, "center"),
            Column("单位", 4.6),
            Column("自评得分", 1.7, "right"),
            Column("填报总分", 1.7, "right"),
            Column("等级", 1.0, "center"),
            Column("执行率", 1.6, "right"),
            Column("扣分", 1.4, "right"),
            Column("核查发现", 1.6, "right"),
            Column("名次变化", 1.5, "center"),
        ],
        rows,
        note=(
            "名次后的“=”表示并列；自评得分为重新计算值。"
            + (f"名次为在全部{n_all_ranked}个单位中的名次。" if len(ranking) < n_all_ranked else "")
        ),
        font_pt=8.5,
    )


def _distribution_table(year: int, dist: pd.DataFrame, group_label: str) -> Table:
    rows = []
    for group, part in dist.groupby("group_value", sort=False):
        g = part.iloc[0]
        if _int(g["n_in_group"]) == 0:
            continue
        high = int(part.loc[part["bin_lower"] >= 90, "n_in_bin"].sum())
        rows.append(
            (
                -high / g["n_in_group"],
                str(group),
                [
                    str(group),
                    _count(g["n_in_group"], "个"),
                    labels.fmt_pct(g["mean_value"]),
                    labels.fmt_pct(g["median_value"]),
                    labels.fmt_pct(g["min_value"]),
                    labels.fmt_pct(high / g["n_in_group"] * 100),
                ],
            )
        )
    rows.sort(key=lambda t: (t[0], t[1]))
    return Table(
        f"{year}年指标得分率（按{group_label}）",
        [
            Column(group_label, 5.0),
            Column("指标数", 2.0, "right"),
            Column("平均得分率", 2.4, "right"),
            Column("中位数", 2.2, "right"),
            Column("最低", 2.2, "right"),
            Column("90%以上占比", 2.8, "right"),
        ],
        [r for _, _, r in rows],
        note="“90%以上占比”：得分率不低于90%的指标所占比例。",
        font_pt=8.5,
    )


def _execution_table(year: int, execution: pd.DataFrame) -> Table:
    rows = []
    rate_order = execution.assign(_r=execution["dept_rate_pct"].fillna(execution["projects_rate_pct"]))
    for r in rate_order.sort_values(["_r", "unit"], ascending=[False, True], kind="stable").itertuples(
        index=False
    ):
        basis = {"computed": "重新计算", "stated": "填报值"}.get(r.dept_rate_basis, "—")
        rows.append(
            [
                r.unit,
                _money(r.dept_full_year_wan),
                _money(r.dept_executed_wan),
                labels.fmt_pct(r.dept_rate_pct),
                basis,
                _count(r.n_projects, "个"),
                _money(r.projects_full_year_wan),
                labels.fmt_pct(r.projects_rate_pct),
            ]
        )
    return Table(
        f"{year}年各单位预算执行情况",
        [
            Column("单位", 4.4),
            Column("部门预算\n（万元）", 1.9, "right"),
            Column("部门执行数\n（万元）", 1.9, "right"),
            Column("部门执行率", 1.8, "right"),
            Column("口径", 1.4, "center"),
            Column("项目表", 1.2, "right"),
            Column("项目预算\n（万元）", 1.9, "right"),
            Column("项目执行率", 1.8, "right"),
        ],
        rows,
        note="金额单位：万元；预算为全年预算数。“口径”指部门执行率取重新计算值还是填报值；“—”表示原表未填写该数。",
        font_pt=8.5,
    )


def _low_scoring_table(year: int, low: pd.DataFrame) -> Table:
    shown = low.head(LOW_SCORING_ROWS)
    rows, emphasis = [], set()
    for i, r in enumerate(shown.itertuples(index=False)):
        rows.append(
            [
                str(i + 1),
                r.unit,
                r.form,
                _text(r.level3),
                _text(r.target_text),
                _text(r.actual_text),
                _plain(r.weight),
                _plain(r.score),
                _cut(r.note),
                _text(r.source_ref),
            ]
        )
        if bool(r.is_hotline) and not labels.is_missing(r.is_hotline):
            emphasis.add(i)
    n_lost = int((low["points_lost"].fillna(0) > 0).sum())
    n_missed = len(low) - n_lost
    note = f"共{len(low)}项（扣分{n_lost}项" + (f"，未达目标但未扣分{n_missed}项" if n_missed else "") + "）"
    note += f"，列出扣分最多的{len(shown)}项，各单位的扣分指标见附录一。" if len(low) > len(shown) else "。"
    note += "加粗的为 12345 热线等群众来电类指标。" if emphasis else ""
    return Table(
        f"{year}年扣分及未达目标指标",
        [
            Column("序号", 0.9, "center"),
            Column("单位", 2.9),
            Column("自评表", 2.9),
            Column("指标", 3.0),
            Column("目标", 2.0),
            Column("实际", 2.0),
            Column("分值", 1.1, "right"),
            Column("得分", 1.1, "right"),
            Column("偏差说明", 8.0),
            Column("来源", 1.4, "center"),
        ],
        rows,
        note=note if len(low) else "没有扣分或未达目标的指标。",
        font_pt=8.0,
        emphasis=emphasis,
    )


def _totals_table(year: int, totals: pd.DataFrame) -> Table:
    gaps = totals[totals["abs_total_gap"].fillna(0) > 0.005]
    shown = gaps.head(TOTALS_ROWS)
    rows = [
        [
            r.unit,
            r.form,
            _score(r.stated_total),
            _score(r.computed_total),
            labels.fmt_signed(r.total_gap, "分"),
            _grade_pair(r.stated_grade, r.computed_grade),
        ]
        for r in shown.itertuples(index=False)
    ]
    note = (
        f"共{len(totals)}张自评表，{len(gaps)}张填报总分与重新计算总分不一致"
        + (f"，列出差值最大的{len(shown)}张" if len(gaps) > len(shown) else "")
        + "。差值 = 填报 − 重新计算；等级“良→优”表示按填报总分为良、按重新计算总分为优。"
    )
    return Table(
        f"{year}年填报总分与重新计算总分",
        [
            Column("单位", 4.0),
            Column("自评表", 4.6),
            Column("填报总分", 1.9, "right"),
            Column("重算总分", 1.9, "right"),
            Column("差值", 1.8, "right"),
            Column("等级", 2.4, "center"),
        ],
        rows,
        note=note,
        font_pt=8.5,
    )


def _findings_by_unit(findings: pd.DataFrame) -> list[tuple[str, int, dict[str, int], str]]:
    out = []
    for unit, part in findings.groupby("unit", sort=False):
        by_severity = part.groupby("severity")["n_findings"].sum().to_dict()
        order = part["severity"].map({"error": 0, "warning": 1, "info": 2}).fillna(3)
        main = (
            part.assign(_s=order)
            .sort_values(["_s", "n_findings"], ascending=[True, False], kind="stable")
            .iloc[0]
        )
        out.append(
            (
                str(unit),
                int(part["n_findings"].sum()),
                by_severity,
                f"{_text(main['description'])}（{int(main['n_findings'])}条）",
            )
        )
    return sorted(out, key=lambda t: (-t[1], t[0]))


def _findings_table(year: int, findings: pd.DataFrame) -> Table:
    rows = [
        [unit, str(n), str(sev.get("error", 0)), str(sev.get("warning", 0)), str(sev.get("info", 0)), main]
        for unit, n, sev, main in _findings_by_unit(findings)
    ]
    return Table(
        f"{year}年各单位核查发现",
        [
            Column("单位", 4.3),
            Column("发现", 1.3, "right"),
            Column("错误", 1.3, "right"),
            Column("警告", 1.3, "right"),
            Column("提示", 1.3, "right"),
            Column("主要问题（最严重级别中最多的）", 7.1),
        ],
        rows,
        note="错误：数字不一致（如总分、分值合计）；警告：可能影响得分的问题；提示：格式问题，已按规则读取。",
        font_pt=8.5,
    )


# -- appendix: one page per unit -----------------------------------------------------------------------------------
def _unit_pages(
    year: int,
    ranking: pd.DataFrame,
    yoy: pd.DataFrame,
    totals: pd.DataFrame,
    low: pd.DataFrame,
    findings: pd.DataFrame,
    n_all_ranked: int,
) -> list[UnitPage]:
    pages = []
    yoy_by_unit = {r["unit"]: r for r in yoy.to_dict(orient="records")}
    for r in ranking.to_dict(orient="records"):
        unit = r["unit"]
        y = yoy_by_unit.get(unit, {})
        forms = totals[totals["unit"] == unit]
        lost = low[low["unit"] == unit]
        unit_findings = findings[findings["unit"] == unit]
        pages.append(_unit_page(year, unit, r, y, forms, lost, unit_findings, n_all_ranked))
    return pages


def _unit_page(
    year: int,
    unit: str,
    r: dict,
    y: dict,
    forms: pd.DataFrame,
    lost: pd.DataFrame,
    findings: pd.DataFrame,
    n_all_ranked: int,
) -> UnitPage:
    n_dept = int((forms["kind"] == "department").sum())
    n_proj = int((forms["kind"] == "project").sum())
    n_lost = int((lost["points_lost"].fillna(0) > 0).sum())
    n_findings = int(findings["n_findings"].sum()) if len(findings) else 0
    n_errors = int(findings.loc[findings["severity"] == "error", "n_findings"].sum()) if len(findings) else 0
    basis = "部门整体自评表总分" if r.get("score_basis") == "department" else "各项目自评表总分的平均值"
    paragraph = (
        f"{year}年，{unit}共有自评表{len(forms)}张（部门整体支出{n_dept}张、项目支出{n_proj}张），"
        f"单位得分取{basis}。"
    )
    prev_rank = r.get("prev_rank")
    facts = [
        ("自评得分", f"{_score(r['unit_total'])}（填报{_score(r['unit_stated_total'])}）"),
        ("等级", _text(r["grade"])),
        ("名次", f"{_rank_text(r['rank'], n_all_ranked, r['is_tied'])}（共{n_all_ranked}个单位）"),
        (
            "上年名次",
            "—"
            if labels.is_missing(prev_rank)
            else f"第{int(prev_rank)}名（{labels.fmt_rank_change(r['rank_change'])}）",
        ),
        ("预算执行率", labels.fmt_pct(r["execution_rate_pct"])),
        ("全年预算", labels.fmt_wan(y.get("budget_full_year_wan"))),
        ("扣分", f"{n_lost}个指标，合计{_score(r['points_lost'])}"),
        ("核查发现", f"{n_findings}条（错误{n_errors}条）"),
    ]
    form_rows = [
        [
            f.form,
            "部门整体" if f.kind == "department" else "项目",
            _score(f.stated_total),
            _score(f.computed_total),
            labels.fmt_signed(f.total_gap, "分"),
            _grade_pair(f.stated_grade, f.computed_grade),
        ]
        for f in forms.sort_values(["kind", "form"], kind="stable").itertuples(index=False)
    ]
    forms_table = Table(
        "自评表",
        [
            Column("自评表", 6.0),
            Column("类型", 1.8, "center"),
            Column("填报总分", 2.0, "right"),
            Column("重算总分", 2.0, "right"),
            Column("差值", 2.0, "right"),
            Column("等级", 2.8, "center"),
        ],
        form_rows,
        font_pt=8.5,
    )
    shown = lost.head(UNIT_LOST_ROWS)
    lost_rows = [
        [
            _text(x.level3),
            x.form,
            _text(x.target_text),
            _text(x.actual_text),
            f"{_plain(x.score)}/{_plain(x.weight)}",
            _text(x.source_ref),
        ]
        for x in shown.itertuples(index=False)
    ]
    lost_table = Table(
        "扣分及未达目标指标",
        [
            Column("指标", 4.2),
            Column("自评表", 4.2),
            Column("目标", 2.4),
            Column("实际", 2.4),
            Column("得分/分值", 1.8, "center"),
            Column("来源", 1.6, "center"),
        ],
        lost_rows,
        font_pt=8.5,
        emphasis={i for i, h in enumerate(shown["is_hotline"]) if bool(h) and not labels.is_missing(h)},
        note=(f"另有{len(lost) - len(shown)}项未列出。" if len(lost) > len(shown) else None)
        if len(lost)
        else "没有扣分或未达目标的指标。",
    )
    severity_order = findings["severity"].map({"error": 0, "warning": 1, "info": 2}).fillna(3)
    rules = findings.assign(_s=severity_order).sort_values(
        ["_s", "n_findings", "rule"], ascending=[True, False, True], kind="stable"
    )
    shown_rules = rules.head(UNIT_RULE_ROWS)
    finding_rows = [
        [
            _text(f.description),
            SEVERITY_LABELS.get(f.severity, f.severity),
            str(int(f.n_findings)),
            _cut(f.example_message, 48),
        ]
        for f in shown_rules.itertuples(index=False)
    ]
    findings_table = Table(
        "核查发现",
        [
            Column("问题", 5.0),
            Column("级别", 1.2, "center"),
            Column("条数", 1.2, "right"),
            Column("示例", 9.2),
        ],
        finding_rows,
        font_pt=8.0,
        note=(f"另有{len(rules) - len(shown_rules)}类问题未列出。" if len(rules) > len(shown_rules) else None)
        if len(rules)
        else "没有核查发现。",
    )
    return UnitPage(unit, paragraph, facts, forms_table, lost_table, findings_table)


def _definitions() -> list[str]:
    return [
        "自评得分（重新计算）：预算执行得分与各指标得分之和；填报总分为自评表中填写的总分。两者不一致时以重新计算值排名，"
        "差异列入数据质量部分。",
        "单位得分：有部门整体自评表的取其总分，否则取该单位各项目自评表总分的平均值。",
        "等级：按财政部评价等级，90分（含）以上为优，80分（含）至90分为良，60分（含）至80分为中，60分以下为差。",
        "扣分：指标分值减得分；未达目标：实际值为数值且未达到目标值（可能未扣分）。",
        "预算执行率：执行数 ÷ 全年预算数 × 100%；执行数缺失时取自评表填报的执行率。",
        "金额单位为万元，1亿元及以上以亿元表示；比率的变化以“个百分点”表示。",
    ]
