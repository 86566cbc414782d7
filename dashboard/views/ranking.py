"""部门排名: units ranked by a chosen metric with the change of rank vs the previous year; a click drills down."""

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
    "单位得分：有部门整体自评表的取其总分，否则取各项目自评表总分的平均值。名次相同者并列，"
    "名次变化与上年同口径排名相比（↑ 上升，↓ 下降）。点击条形打开该单位的指标下钻。"
)

ranking = ui.query("department_ranking", sel, metric=metric)
title = f"{sel.year}年 单位排名：{labels.METRICS[metric]}"
event = ui.chart(
    charts.ranking_chart(ranking, metric, note=ui.note(sel, options, ranking), title=title),
    f"单位排名_{sel.year}_{metric}",
    key="ranking-chart",
    on_select="rerun",
)
points = ui.selected_points(event)
if points and points[0].get("customdata"):
    ui.go_to("drilldown", unit=points[0]["customdata"][0])

ui.table(
    ranking,
    {
        "rank": ("名次", "int"),
        "unit": ("单位", "text"),
        "metric_value": (labels.METRICS[metric], "score"),
        "prev_rank": ("上年名次", "int"),
        "rank_change": ("名次变化", "int"),
        "grade": ("等级", "text"),
        "unit_total": ("自评得分", "score"),
        "unit_stated_total": ("填报总分", "score"),
        "execution_rate_pct": ("预算执行率", "pct"),
        "points_lost": ("扣分", "score"),
        "points_lost_share_pct": ("扣分占比", "pct"),
        "n_findings": ("核查发现", "int"),
        "n_projects": ("项目表数", "int"),
    },
    f"单位排名_{sel.year}_{metric}",
    key="ranking-table",
)
