"""部门排名: units ranked by a chosen metric (the reported 自评得分 by default) with 核算得分 and the gap beside it,
the change of rank vs the previous year; a click drills down."""

import streamlit as st

from dashboard import charts, labels, ui

sel, options = ui.current()

st.title(f"部门排名 · {sel.year}年" if sel.year else "部门排名")
metric = ui.url_selectbox(
    "排名依据",
    list(labels.METRICS),
    key="ranking_metric",
    param="metric",
    format_func=lambda m: labels.METRICS[m],
    url_format=str,
)
st.caption(
    "单位得分：有部门整体自评表的取该表，否则取各项目自评表的平均值；同一行的得分、扣分与核查发现均来自这组表"
    "（“计分表格”列）。" + labels.SCORE_NOTE + "颜色为单位自评得分的等级（优 / 良 / 中 / 差）。"
    "名次相同者并列，名次变化与上年同口径排名相比（↑ 上升，↓ 下降）。点击条形打开该单位的指标下钻。"
)

ranking = ui.query("department_ranking", sel, metric=metric)
title = f"{sel.year}年 单位排名：{labels.METRICS[metric]}"
event = ui.chart(
    charts.ranking_chart(ranking, metric, note=ui.note(sel, options, ranking), title=title),
    f"单位排名_{sel.year}_{labels.METRICS[metric]}",
    key="ranking-chart",
    on_select="rerun",
)
points = ui.selected_points(event)
if points and points[0].get("customdata"):
    ui.go_to("drilldown", unit=points[0]["customdata"][0])

ranking = ranking.assign(
    prev_rank_text=[labels.first_year_text(r) for r in ranking["prev_rank"]],
    rank_change_text=[
        "首年" if labels.is_missing(p) else labels.fmt_rank_change(c)
        for p, c in zip(ranking["prev_rank"], ranking["rank_change"])
    ],
    gap_text=[
        labels.fmt_signed(g) + (" ⚑" if f else "")
        for g, f in zip(ranking["score_gap"], ranking["is_score_gap_flagged"])
    ],
    basis_text=[
        labels.SCORE_BASIS_LABELS.get(b, labels.MISSING) + (f"（{int(n)}张）" if b == "projects_mean" else "")
        for b, n in zip(ranking["score_basis"], ranking["n_score_forms"])
    ],
)
ui.table(
    ranking,
    {
        "rank": ("名次", "int"),
        "unit": ("单位", "name"),
        "unit_total": (labels.SCORE_LABEL, "score"),
        "unit_recomputed_score": (labels.RECOMPUTED_LABEL, "score"),
        "gap_text": (labels.SCORE_GAP_LABEL, "text"),
        "grade": ("等级", "text"),
        "recomputed_grade": (labels.RECOMPUTED_GRADE_LABEL, "text"),
        "prev_rank_text": ("上年名次", "text"),
        "rank_change_text": ("名次变化", "text"),
        "execution_rate_pct": ("预算执行率", "pct"),
        "points_lost": ("扣分", "score"),
        "points_lost_share_pct": ("扣分占比", "pct"),
        "n_findings": ("核查发现", "int"),
        "basis_text": ("计分表格", "text"),
        "unit_computed_total": (labels.RAW_SUM_LABEL, "score"),
    },
    f"单位排名_{sel.year}_{labels.METRICS[metric]}",
    key="ranking-table",
)
