"""得分分布: histograms and quantile boxes of indicator score rates or form totals, by level-1 class, unit, year
or kind; budget execution vs score per unit."""

import streamlit as st

from dashboard import charts, labels, ui

sel, options = ui.current()
note = ui.note(sel, options)  # the distributions carry no dataset column

st.title(f"得分分布 · {sel.year}年" if sel.year else "得分分布")
c1, c2 = st.columns(2)
with c1:
    measure = ui.url_selectbox(
        "指标",
        list(labels.MEASURES),
        key="dist_measure",
        param="measure",
        format_func=lambda m: labels.MEASURES[m][0],
        url_format=str,
        help="指标得分率 = 得分 ÷ 分值 × 100%；自评得分为每张自评表填报的总分，核算得分 = 各项得分之和 ÷ 分值之和 × 100",
    )
with c2:
    groups = ["level1", "unit", "year", "kind"] if measure == "score_pct" else ["unit", "year", "kind", "all"]
    group_by = ui.url_selectbox(
        "分组",
        groups,
        key="dist_group",
        param="group",
        format_func=lambda g: labels.GROUPS[g],
        url_format=str,
    )

# Across years when grouped by year; grouped by unit, the selected units are the groups.
year = None if group_by == "year" else sel.year
dist = ui.query("score_distribution", sel, measure=measure, group_by=group_by, year=year)
mlabel = labels.MEASURES[measure][0]
scope = f"{year}年" if year else "历年"
file_tail = f"{scope}_{mlabel}_按{labels.GROUPS[group_by]}"  # download names in words, never internal codes

left, right = st.columns([3, 2], gap="large")
with left:
    ui.chart(
        charts.histogram_chart(dist, note=note, title=f"{scope} {mlabel}分布（按{labels.GROUPS[group_by]}）"),
        f"得分分布_{file_tail}",
        key="dist-hist",
    )
with right:
    ui.chart(
        charts.box_chart(dist, note=note, title=f"{scope} {mlabel}分位数"),
        f"得分分位数_{file_tail}",
        key="dist-box",
    )

st.subheader("预算执行率与自评得分")
units = ui.query("year_over_year", sel)
ui.chart(
    charts.execution_scatter(
        units,
        note=ui.note(sel, options, units),
        title=f"{sel.year}年 各单位预算执行率与自评得分（点的大小：全年预算）",
    ),
    f"执行率与得分_{sel.year}",
    key="dist-scatter",
)

quantiles = dist.drop_duplicates("group_value").sort_values("below_full_share_pct", ascending=False)
st.caption("多数指标得满分，四分位数常为100：按“未满分占比”排序，看哪一组失分面最广。")
vkind = "pct" if labels.MEASURES[measure][1] == "%" else "score"
ui.table(
    quantiles,
    {
        "group_value": (labels.GROUPS[group_by], "name"),
        "n_in_group": ("个数", "int"),
        "n_below_full": ("未满分个数", "int"),
        "below_full_share_pct": ("未满分占比", "pct"),
        "p10_value": ("10%分位", vkind),
        "min_value": ("最小值", vkind),
        "p25_value": ("下四分位", vkind),
        "median_value": ("中位数", vkind),
        "p75_value": ("上四分位", vkind),
        "max_value": ("最大值", vkind),
        "mean_value": ("平均值", vkind),
    },
    f"得分分位数_{file_tail}",
    key="dist-table",
)
