"""The report's tables (and the cover's facts), each from the rows of one query: which rows, in which order,
formatted how. Numbers are formatted with dashboard/labels.py, as in the app."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from dashboard.labels import (
    DATASET_LABELS,
    SCORE_GAP_FLAG,
    SEVERITY_LABELS,
    SEVERITY_ORDER,
    as_int,
    fmt_count,
    fmt_cut,
    fmt_money,
    fmt_number,
    fmt_pct,
    fmt_pct_change,
    fmt_rank_change,
    fmt_score,
    fmt_signed,
    fmt_text,
    fmt_wan,
    is_missing,
)
from dashboard.report import sentences
from dashboard.report.model import Column, Table, UnitPage

LOW_SCORING_ROWS = 20  # the main low-scoring table; every unit's own list is in the appendix
UNIT_LOST_ROWS = 6  # lost indicators on a unit's summary page
UNIT_RULE_ROWS = 5  # finding rules on a unit's summary page
TOTALS_ROWS = 25  # forms whose stated total differs from the recomputed one
NOTE_CHARS = 180  # deviation notes are cut after this many characters
COVER_SOURCES = 5  # source files named on the cover; all of them are listed in the appendix
EXECUTION_CHART_PROJECTS = 15  # up to this many units the execution chart also shows the projects' rate


def cover_facts(
    year: int, scope: str, dataset_label: str, today: dt.date, cur: pd.Series, sources: pd.DataFrame
) -> list[tuple[str, str]]:
    names = list(sources["file_name"])
    shown = "\n".join(names[:COVER_SOURCES])
    if len(names) > COVER_SOURCES:
        shown += f"\n等共{len(names)}个文件（完整清单见附录二）"
    forms = (
        f"{as_int(cur['n_forms'])}张（部门整体支出{as_int(cur['n_department_forms'])}张、"
        f"项目支出{as_int(cur['n_project_forms'])}张）"
    )
    return [
        ("年度", f"{year}年"),
        ("范围", scope),
        ("自评表", forms),
        ("数据集", dataset_label),
        ("生成日期", f"{today.year}年{today.month}月{today.day}日"),
        ("数据来源", shown or "—"),
    ]


def sources_table(sources: pd.DataFrame) -> Table:
    rows = [
        [
            str(i + 1),
            fmt_text(r.file_name),
            DATASET_LABELS.get(r.dataset, r.dataset),
            fmt_count(r.n_forms, "张"),
            fmt_cut(r.units, 60),
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


def kpi_table(year: int, cur: pd.Series, prev: pd.Series | None) -> Table:
    items = [
        ("单位数", "n_units", "个"),
        ("自评表数", "n_forms", "张"),
        ("平均自评得分", "mean_total", "分"),
        ("平均核算得分", "mean_recomputed_score", "分"),
        ("平均预算执行率", "mean_execution_rate_pct", "%"),
        ("指标数", "n_indicators", "个"),
        ("扣分指标", "n_lost_points", "个"),
        ("扣分合计", "points_lost", "分"),
        ("未达目标指标", "n_target_missed", "个"),
        ("核查发现", "n_findings", "条"),
        ("其中错误级", "n_error_findings", "条"),
        ("核算后等级变化", "n_grade_changed", "张"),
    ]

    def value(row: pd.Series | None, key: str, unit: str) -> str:
        if row is None:
            return "—"
        if unit == "%":
            return fmt_pct(row[key])
        if unit == "分":
            return fmt_score(row[key])
        return fmt_count(row[key], unit)

    def change(key: str, unit: str) -> str:
        if prev is None or is_missing(prev[key]) or is_missing(cur[key]):
            return "—"
        delta = float(cur[key]) - float(prev[key])
        if unit == "%":
            return fmt_pct_change(delta)
        return fmt_signed(delta, unit, 2 if unit == "分" else 0)

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


def ranking_table(year: int, ranking: pd.DataFrame, n_all_ranked: int) -> Table:
    rows = []
    for r in ranking.itertuples(index=False):
        rows.append(
            [
                "—" if is_missing(r.rank) else str(int(r.rank)) + ("=" if r.is_tied else ""),
                r.unit,
                fmt_score(r.unit_total),
                fmt_score(getattr(r, "unit_recomputed_score", None)),
                fmt_text(r.grade),
                fmt_pct(r.execution_rate_pct),
                fmt_score(r.points_lost),
                fmt_count(r.n_findings, "条"),
                "首年" if is_missing(r.prev_rank) else fmt_rank_change(r.rank_change),
            ]
        )
    return Table(
        f"{year}年单位排名",
        [
            Column("名次", 1.1, "center"),
            Column("单位", 4.6),
            Column("自评得分", 1.7, "right"),
            Column("核算得分", 1.7, "right"),
            Column("等级", 1.0, "center"),
            Column("执行率", 1.6, "right"),
            Column("扣分", 1.4, "right"),
            Column("核查发现", 1.6, "right"),
            Column("名次变化", 1.5, "center"),
        ],
        rows,
        note=(
            "名次后的“=”表示并列；自评得分为填报的总分（正式得分），核算得分 = 各项得分之和 ÷ 分值之和 × 100；"
            "扣分与核查发现取自计分的同一组表。"
            + (f"名次为在全部{n_all_ranked}个单位中的名次。" if len(ranking) < n_all_ranked else "")
        ),
        font_pt=8.5,
    )


def distribution_table(year: int, dist: pd.DataFrame, group_label: str) -> Table:
    rows = []
    for group, part in dist.groupby("group_value", sort=False):
        g = part.iloc[0]
        if as_int(g["n_in_group"]) == 0:
            continue
        high = int(part.loc[part["bin_lower"] >= 90, "n_in_bin"].sum())
        rows.append(
            (
                -high / g["n_in_group"],
                str(group),
                [
                    str(group),
                    fmt_count(g["n_in_group"], "个"),
                    fmt_pct(g["mean_value"]),
                    fmt_pct(g["median_value"]),
                    fmt_pct(g["min_value"]),
                    fmt_pct(high / g["n_in_group"] * 100),
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


def execution_table(year: int, execution: pd.DataFrame) -> Table:
    rows = []
    rate_order = execution.assign(_r=execution["dept_rate_pct"].fillna(execution["projects_rate_pct"]))
    for r in rate_order.sort_values(["_r", "unit"], ascending=[False, True], kind="stable").itertuples(
        index=False
    ):
        basis = {"computed": "重新计算", "stated": "填报值"}.get(r.dept_rate_basis, "—")
        rows.append(
            [
                r.unit,
                fmt_money(r.dept_full_year_wan),
                fmt_money(r.dept_executed_wan),
                fmt_pct(r.dept_rate_pct),
                basis,
                fmt_count(r.n_projects, "个"),
                fmt_money(r.projects_full_year_wan),
                fmt_pct(r.projects_rate_pct),
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


def low_scoring_table(year: int, low: pd.DataFrame) -> Table:
    shown = low.head(LOW_SCORING_ROWS)
    rows, emphasis = [], set()
    for i, r in enumerate(shown.itertuples(index=False)):
        rows.append(
            [
                str(i + 1),
                r.unit,
                r.form,
                fmt_text(r.level3),
                fmt_text(r.target_text),
                fmt_text(r.actual_text),
                fmt_number(r.weight),
                fmt_number(r.score),
                fmt_cut(r.note, NOTE_CHARS),
                fmt_text(r.source_ref),
            ]
        )
        if bool(r.is_hotline) and not is_missing(r.is_hotline):
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


def totals_table(year: int, totals: pd.DataFrame) -> Table:
    gaps = totals[totals["score_gap"].abs().fillna(0) > SCORE_GAP_FLAG]
    gaps = gaps.assign(_abs=gaps["score_gap"].abs()).sort_values("_abs", ascending=False, kind="stable")
    shown = gaps.head(TOTALS_ROWS)
    rows = [
        [
            r.unit,
            r.form,
            fmt_score(r.stated_total),
            fmt_score(r.recomputed_score),
            fmt_signed(r.score_gap, "分"),
            _grade_pair(r.stated_grade, r.computed_grade),
        ]
        for r in shown.itertuples(index=False)
    ]
    note = (
        f"共{len(totals)}张自评表，{len(gaps)}张自评得分与核算得分相差超过{fmt_number(SCORE_GAP_FLAG)}分"
        + (f"，列出差值最大的{len(shown)}张" if len(gaps) > len(shown) else "")
        + "。差值 = 自评 − 核算；等级“良→优”表示按自评得分为良、按核算得分为优。"
    )
    return Table(
        f"{year}年自评得分与核算得分",
        [
            Column("单位", 4.0),
            Column("自评表", 4.6),
            Column("自评得分", 1.9, "right"),
            Column("核算得分", 1.9, "right"),
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
        order = part["severity"].map(SEVERITY_ORDER).fillna(3)
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
                f"{fmt_text(main['description'])}（{int(main['n_findings'])}条）",
            )
        )
    return sorted(out, key=lambda t: (-t[1], t[0]))


def findings_table(year: int, findings: pd.DataFrame) -> Table:
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


def unit_pages(
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
    paragraph = sentences.unit_paragraph(year, unit, len(forms), n_dept, n_proj, r.get("score_basis"))
    prev_rank = r.get("prev_rank")
    facts = [
        ("自评得分", f"{fmt_score(r['unit_total'])}（核算得分{fmt_score(r.get('unit_recomputed_score'))}）"),
        ("等级", fmt_text(r["grade"])),
        ("名次", f"{_rank_text(r['rank'], n_all_ranked, r['is_tied'])}（共{n_all_ranked}个单位）"),
        (
            "上年名次",
            "—"
            if prev_rank is None or is_missing(prev_rank)
            else f"第{int(prev_rank)}名（{fmt_rank_change(r['rank_change'])}）",
        ),
        ("预算执行率", fmt_pct(r["execution_rate_pct"])),
        ("全年预算", fmt_wan(y.get("budget_full_year_wan"))),
        ("扣分", f"{n_lost}个指标，合计{fmt_score(r['points_lost'])}"),
        ("核查发现", f"{n_findings}条（错误{n_errors}条）"),
    ]
    form_rows = [
        [
            f.form,
            "部门整体" if f.kind == "department" else "项目",
            fmt_score(f.stated_total),
            fmt_score(f.recomputed_score),
            fmt_signed(f.score_gap, "分"),
            _grade_pair(f.stated_grade, f.computed_grade),
        ]
        for f in forms.sort_values(["kind", "form"], kind="stable").itertuples(index=False)
    ]
    forms_table = Table(
        "自评表",
        [
            Column("自评表", 6.0),
            Column("类型", 1.8, "center"),
            Column("自评得分", 2.0, "right"),
            Column("核算得分", 2.0, "right"),
            Column("差值", 2.0, "right"),
            Column("等级", 2.8, "center"),
        ],
        form_rows,
        font_pt=8.5,
    )
    shown = lost.head(UNIT_LOST_ROWS)
    lost_rows = [
        [
            fmt_text(x.level3),
            x.form,
            fmt_text(x.target_text),
            fmt_text(x.actual_text),
            f"{fmt_number(x.score)}/{fmt_number(x.weight)}",
            fmt_text(x.source_ref),
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
        emphasis={i for i, h in enumerate(shown["is_hotline"]) if bool(h) and not is_missing(h)},
        note=(f"另有{len(lost) - len(shown)}项未列出。" if len(lost) > len(shown) else None)
        if len(lost)
        else "没有扣分或未达目标的指标。",
    )
    severity_order = findings["severity"].map(SEVERITY_ORDER).fillna(3)
    rules = findings.assign(_s=severity_order).sort_values(
        ["_s", "n_findings", "rule"], ascending=[True, False, True], kind="stable"
    )
    shown_rules = rules.head(UNIT_RULE_ROWS)
    finding_rows = [
        [
            fmt_text(f.description),
            SEVERITY_LABELS.get(f.severity, f.severity),
            str(int(f.n_findings)),
            fmt_cut(f.example_message, 48),
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


def _rank_text(rank: Any, n: Any, tied: Any = False) -> str:
    if is_missing(rank):
        return "未排名"
    return f"第{int(rank)}名" + ("（并列）" if bool(tied) and not is_missing(tied) else "")


def _grade_pair(stated: Any, computed: Any) -> str:
    s, c = fmt_text(stated), fmt_text(computed)
    return s if s == c else f"{s}→{c}"
