"""The report's sentences: each a template filled with figures from the queries, so nothing is written that
the figures do not say (the summary, the section intros, the definitions, the scope)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.labels import (
    DATASET_LABELS,
    KIND_FORM_LABELS,
    SCORE_GAP_FLAG,
    as_int,
    fmt_number,
    fmt_pct,
    fmt_score,
    fmt_text,
    fmt_wan,
    is_missing,
)
from dashboard.selection import Selection


def no_data_message(s: Selection) -> str:
    parts = [f"{s.year}年" if s.year else "任何年度"]
    if s.dataset:
        parts.append(DATASET_LABELS.get(s.dataset, s.dataset))
    if s.units:
        parts.append("、".join(s.units))
    return f"所选范围（{' · '.join(parts)}）没有自评表，无法生成报告。"


def scope_text(s: Selection, ranking: pd.DataFrame) -> str:
    units = list(dict.fromkeys(ranking["unit"]))
    if len(units) == 1:
        return units[0]
    if s.units:
        return f"{len(units)}个单位：" + "、".join(units)
    return f"全部{len(units)}个单位"


def summary(
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
    n_units = as_int(cur["n_units"])
    paragraphs = [
        f"本报告分析{year}年度{n_units}个单位的预算绩效自评情况，共{as_int(cur['n_forms'])}张自评表（部门整体支出自评表"
        f"{as_int(cur['n_department_forms'])}张、项目支出自评表{as_int(cur['n_project_forms'])}张），"
        f"数据取自{len(sources)}个源文件。"
    ]

    ranked = ranking[ranking["rank"].notna()].sort_values("rank", kind="stable")
    scores = (
        f"按自评表填报的总分，平均自评得分{fmt_score(cur['mean_total'])}"
        f"（按各项得分与分值核算为{fmt_score(cur.get('mean_recomputed_score'))}）"
    )
    if len(ranked) == 1:
        r = ranked.iloc[0]
        scores += (
            f"；{r['unit']}自评得分{fmt_score(r['unit_total'])}，等级为{fmt_text(r['grade'])}"
            + (f"，在全部{n_all_ranked}个单位中排第{int(r['rank'])}名" if n_all_ranked > 1 else "")
            + "。"
        )
    elif len(ranked) > 1:
        top, bottom = ranked.iloc[0], ranked.iloc[-1]
        scores += (
            f"；{len(ranked)}个单位参与排名，{top['unit']}以{fmt_score(top['unit_total'])}居首，"
            f"{bottom['unit']}以{fmt_score(bottom['unit_total'])}居末。"
        )
    else:
        scores += "。"
    grades = [
        (g, as_int(cur[k]))
        for g, k in (
            ("优", "n_grade_excellent"),
            ("良", "n_grade_good"),
            ("中", "n_grade_fair"),
            ("差", "n_grade_poor"),
        )
    ]
    scores += "自评表等级：" + "、".join(f"{g}{n}张" for g, n in grades if n) + "。"
    scores += f"平均预算执行率{fmt_pct(cur['mean_execution_rate_pct'])}"
    if as_int(cur["n_dept_budgets"]):
        scores += (
            f"，{as_int(cur['n_dept_budgets'])}张部门整体自评表的全年预算合计"
            f"{fmt_wan(cur['dept_budget_full_year_wan'])}"
        )
    paragraphs.append(scores + "。")

    def where(unit: str) -> str:  # the unit is named unless the report is about that one unit
        return "" if n_units == 1 else unit

    lost = (
        f"{as_int(cur['n_indicators'])}个绩效指标中，{as_int(cur['n_lost_points'])}个扣分，合计扣"
        f"{fmt_score(cur['points_lost'])}；{as_int(cur['n_target_missed'])}个指标的实际值未达到目标值。"
    )
    top_lost = low[low["points_lost"].fillna(0) > 0]
    named: set[int] = set()
    if len(top_lost):
        most = float(top_lost["points_lost"].max())
        leaders = top_lost[top_lost["points_lost"] == most]
        names = "、".join(
            f"{where(r.unit)}“{r.form}”的“{fmt_text(r.level3)}”" for r in leaders.head(3).itertuples()
        )
        named = set(leaders.head(3)["indicator_id"])
        more = f"等{len(leaders)}项" if len(leaders) > 3 else ""
        lost += f"扣分最多的是{names}{more}，{'各' if len(leaders) > 1 else ''}扣{fmt_score(most)}。"
    hotline = low[low["is_hotline"].fillna(False).astype(bool) & (low["points_lost"].fillna(0) > 0)]
    if len(hotline):
        h = hotline.iloc[0]
        facts = f"目标{fmt_text(h['target_text'])}，实际{fmt_text(h['actual_text'])}"
        lost += f"12345热线等群众来电类指标扣分{len(hotline)}项，"
        if h["indicator_id"] in named:  # already named as a top loser: say so instead of naming it twice
            lost += f"上述“{fmt_text(h['level3'])}”即为其一（{facts}）。"
        else:
            lost += (
                ("扣分最多的是" if len(hotline) > 1 else "即")
                + f"{where(h['unit'])}“{h['form']}”的“{fmt_text(h['level3'])}”：{facts}，扣{fmt_score(h['points_lost'])}。"
            )
    paragraphs.append(lost)

    gaps = totals[totals["score_gap"].abs().fillna(0) > SCORE_GAP_FLAG]
    quality = (
        f"导入核查共发现问题{as_int(cur['n_findings'])}条，其中错误{as_int(cur['n_error_findings'])}条；"
        f"{len(gaps)}张自评表的自评得分与核算得分相差超过{fmt_number(SCORE_GAP_FLAG)}分"
    )
    if as_int(cur["n_grade_changed"]):
        quality += f"，其中{as_int(cur['n_grade_changed'])}张核算后等级发生变化"
    paragraphs.append(quality + "。")

    if prev is not None:
        paragraphs.append(
            f"与{int(prev['year'])}年同口径相比（{as_int(prev['n_units'])}个单位、{as_int(prev['n_forms'])}张自评表），"
            f"平均得分{change_words(cur['mean_total'] - prev['mean_total'], '分', ('提高', '下降'))}，"
            f"平均预算执行率{change_words(cur['mean_execution_rate_pct'] - prev['mean_execution_rate_pct'], '个百分点', ('提高', '下降'), 1)}，"
            f"扣分指标{change_words(as_int(cur['n_lost_points']) - as_int(prev['n_lost_points']), '个')}，"
            f"核查发现{change_words(as_int(cur['n_findings']) - as_int(prev['n_findings']), '条')}。"
        )
    return paragraphs


def change_words(delta: Any, unit: str, words: tuple[str, str] = ("增加", "减少"), digits: int = 2) -> str:
    """A change in words: '提高0.07分', '减少26个', '持平'."""
    if is_missing(delta):
        return "无法比较"
    v = float(delta)
    if abs(v) < 10 ** -(digits + 1) or fmt_number(abs(v), digits) == "0":
        return "持平"
    return f"{words[0] if v > 0 else words[1]}{fmt_number(abs(v), digits)}{unit}"


def definitions() -> list[str]:
    return [
        "自评得分：自评表填报的总分，为正式得分，排名、等级与平均分均以此为准；未填报总分的表按核算得分计。",
        "核算得分：各项得分之和 ÷ 各项分值之和 × 100（含预算执行率），即按百分制折算的重算总分；与自评得分相差"
        "超过0.5分的列入数据质量部分。",
        "单位得分：有部门整体自评表的取该表，否则取该单位各项目自评表的平均值；单位的扣分与核查发现取自同一组表。",
        "等级：按财政部评价等级，90分（含）以上为优，80分（含）至90分为良，60分（含）至80分为中，60分以下为差。",
        "扣分：指标分值减得分；未达目标：实际值为数值且未达到目标值（可能未扣分）。",
        "预算执行率：执行数 ÷ 全年预算数 × 100%；执行数缺失时取自评表填报的执行率。",
        "金额单位为万元，1亿元及以上以亿元表示；比率的变化以“个百分点”表示。",
    ]


def unit_paragraph(year: int, unit: str, n_forms: int, n_dept: int, n_proj: int, score_basis: Any) -> str:
    basis = "部门整体自评表的自评得分" if score_basis == "department" else "各项目自评表自评得分的平均值"
    return (
        f"{year}年，{unit}共有自评表{n_forms}张（部门整体支出{n_dept}张、项目支出{n_proj}张），"
        f"单位得分取{basis}。"
    )


def ranking_intro(n_all_ranked: int, some_units: bool) -> str:
    return (
        "单位得分：有部门整体自评表的取其自评得分（填报的总分），否则取各项目自评表自评得分的平均值；"
        "核算得分（各项得分之和 ÷ 分值之和 × 100）列在旁边。颜色为等级（优、良、中、差）。"
        "名次相同者并列；名次变化与上年同口径排名相比（↑上升，↓下降）。"
        + (f"名次为在全部{n_all_ranked}个单位中的名次。" if some_units else "")
    )


def distribution_intro(by_unit: bool) -> str:
    return "指标得分率 = 指标得分 ÷ 分值；柱高为落在各区间的指标所占比例，得分率集中在90%以上的，扣分少。" + (
        "每个单位一组。" if by_unit else ""
    )


def execution_intro(projects_in_table_only: bool) -> str:
    return (
        "预算执行率 = 执行数 ÷ 全年预算数。部门整体取部门整体自评表的执行率（能重新计算的按执行数与"
        "全年预算数重新计算，否则取填报值），项目为各项目自评表执行数合计 ÷ 全年预算合计。"
        + ("图中为部门整体执行率，项目执行率见表。" if projects_in_table_only else "")
    )


LOW_SCORING_INTRO = (
    "列出扣分（得分低于分值）或实际值未达到目标值的指标，按扣分从多到少排列；扣分相同时，"
    "12345 热线等群众来电类指标（接听率、接通率）排在前面。"
)
QUALITY_INTRO = (
    "核算得分为按表内各项得分与分值折算的百分制得分（各项得分之和 ÷ 分值之和 × 100）；核查发现是导入时按规则"
    "自动检查出的问题，原表不作任何修改。"
)


def dataset_text(dataset: str | None, n_synthetic_forms: int, n_forms: int) -> str:
    """Which data the report is on: the dataset asked for, else what the forms in it are."""
    if dataset is not None:
        return DATASET_LABELS.get(dataset, dataset)
    if n_synthetic_forms == n_forms:
        return "示例数据"
    return "真实数据与示例数据" if n_synthetic_forms else "真实数据"


def scope_line(scope: str, kind: str | None, level1: str | None) -> str:
    """The cover's 范围: the units, then the form kind and level-1 class when the selection narrows them."""
    narrowed = [
        KIND_FORM_LABELS[kind] + "自评表" if kind else None,
        f"一级指标：{level1}" if level1 else None,
    ]
    return scope + "".join(f"；{x}" for x in narrowed if x)
