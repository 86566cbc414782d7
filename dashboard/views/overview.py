"""总览: the year's headline figures with changes vs the previous year, grades, and the points lost most."""

import streamlit as st

from dashboard import charts, labels, ui

sel, options = ui.current()

st.title(f"总览 · {sel.year}年" if sel.year else "总览")
st.caption(f"口径：{ui.md_text(sel.describe())}。{labels.SCORE_NOTE}")  # a unit's or class's name
ui.report_button(sel)  # 绩效分析报告 of this view: Word and PDF, with a progress bar

if options.has_real and options.has_demo and sel.dataset != "real":
    real_year = ui.load_options("real", None).latest_year

    def _only_real() -> None:
        st.session_state["dataset"] = "real"
        st.session_state["year"] = real_year
        st.session_state["units"] = []

    c1, c2 = st.columns([5, 1], vertical_alignment="center")
    c1.info(
        f"真实样本：{real_year}年的真实自评表（其余为示例数据）。只看真实数据，可查看其扣分指标，如 12345 热线接听率。",
        icon=":material/verified:",
    )
    c2.button("只看真实数据", on_click=_only_real, type="primary", width="stretch")

kpis = ui.query("overview_kpis", sel).set_index("kpi")


def show(col, kpi: str, *, digits: int = 2) -> None:
    if kpi not in kpis.index:
        col.metric("—", "—")
        return
    row = kpis.loc[kpi]
    unit = row["value_unit"]
    value = (
        labels.fmt_value(row["value"], unit, digits)
        if unit in ("分", "%")
        else f"{labels.fmt_number(row['value'], digits)}{unit}"
    )
    ui.metric(
        col,
        row["label"],
        value,
        row["delta"],
        inverse=not bool(row["is_higher_better"]),
        description=f"较{int(row['prev_year'])}年" if not labels.is_missing(row["delta"]) else None,
    )


cols = st.columns(6)
for col, kpi in zip(
    cols,
    ("mean_total", "mean_recomputed_score", "n_units", "n_forms", "mean_execution_rate_pct", "n_findings"),
):
    show(col, kpi)
cols = st.columns(6)
for col, kpi in zip(
    cols,
    ("n_grade_excellent", "n_grade_good", "n_grade_fair", "n_grade_poor", "n_grade_changed", "n_lost_points"),
):
    show(col, kpi)
if "n_forms_without_stated" in kpis.index and labels.as_int(kpis.loc["n_forms_without_stated", "value"]):
    st.caption(
        f"其中{labels.as_int(kpis.loc['n_forms_without_stated', 'value'])}张表未填报总分，按核算得分计入平均分与等级。"
    )
if "n_score_gap_flagged" in kpis.index and labels.as_int(kpis.loc["n_score_gap_flagged", "value"]):
    st.caption(
        f"⚑ {labels.as_int(kpis.loc['n_score_gap_flagged', 'value'])}张表的自评得分与核算得分相差超过0.5分，"
        "明细见“数据质量”页。"
    )

left, right = st.columns([2, 3], gap="large")
with left:
    grades = ui.query("grade_distribution", sel)
    ui.chart(
        charts.grade_chart(grades, note=ui.note(sel, options)), f"等级分布_{sel.year}", key="overview-grades"
    )
with right:
    lost = ui.query("low_scoring_indicators", sel)
    event = ui.chart(
        charts.watchlist_chart(lost, top=10, note=ui.note(sel, options, lost)),
        f"扣分最多的指标_{sel.year}",
        key="overview-lost",
        on_select="rerun",
    )
    st.caption("点击条形可打开该指标的下钻页。")
    points = ui.selected_points(event)
    if points and points[0].get("customdata"):
        indicator_id, report_id, unit = points[0]["customdata"][:3]
        ui.go_to("drilldown", unit=unit, form=int(report_id), indicator=int(indicator_id))
