"""年度对比: units side by side across years, or one indicator across years and units."""

import streamlit as st

from dashboard import charts, labels, ui

sel, options = ui.current()

st.title("年度对比")
mode = ui.url_selectbox(
    "对比对象",
    ["units", "indicator"],
    key="cmp_mode",
    param="mode",
    format_func=lambda m: {"units": "单位", "indicator": "指标"}[m],
    url_format=str,
)

VALUES = {
    "unit_total": (labels.SCORE_LABEL, "分"),
    "unit_recomputed_score": (labels.RECOMPUTED_LABEL, "分"),
    "execution_rate_pct": ("预算执行率", "%"),
    "points_lost_share_pct": ("扣分占比", "%"),
    "n_lost_points": ("扣分指标数", "个"),
    "n_findings": ("核查发现数", "条"),
    "budget_full_year_wan": ("全年预算", "万元"),
}

if mode == "units":
    history = ui.query("year_over_year", sel, year=None, units=None)  # every unit: the picker below chooses
    if history["year"].nunique() < 2:
        only = f"{int(history['year'].iloc[0])}年" if len(history) else "任何年度"
        st.info(f"所选数据集只有{only}的自评表，没有可对比的年度。导入其他年度的自评表后可在此比较。")
        st.stop()
    all_units = sorted(history["unit"].dropna().unique())
    # Default: the units chosen in the sidebar, else the three whose score fell most in the selected year.
    this_year = history[history["year"] == sel.year].sort_values("unit_total_change")
    default = list(sel.units) or list(this_year["unit"].head(3))
    c1, c2 = st.columns([3, 1])
    picked = c1.multiselect(
        "单位（可多选）",
        all_units,
        default=[u for u in default if u in all_units],
        key="cmp_units",
        max_selections=10,
    )
    value = c2.selectbox("数值", list(VALUES), format_func=lambda v: VALUES[v][0], key="cmp_value")
    label, unit = VALUES[value]
    shown = history[history["unit"].isin(picked)].assign(
        change_text=lambda d: [
            "首年" if labels.is_missing(p) else labels.fmt_signed(c)
            for p, c in zip(d["prev_unit_total"], d["unit_total_change"])
        ],
        rate_change_text=lambda d: [
            "首年" if labels.is_missing(p) else labels.fmt_signed(c, "", 1)
            for p, c in zip(d["prev_execution_rate_pct"], d["execution_rate_change_pct"])
        ],
    )
    ui.chart(
        charts.year_trend_chart(
            shown, value, unit, f"各单位历年{label}", note=ui.note(sel, options, shown), highlight=picked
        ),
        f"年度对比_{label}",
        key="cmp-units",
    )
    if not sel.units:
        st.caption(f"默认显示{sel.year}年得分较上年下降最多的三个单位；可在上方或侧栏选择单位。")
    ui.table(
        shown.sort_values(["unit", "year"]),
        {
            "unit": ("单位", "name"),
            "year": ("年度", "int"),
            "unit_total": (labels.SCORE_LABEL, "score"),
            "unit_recomputed_score": (labels.RECOMPUTED_LABEL, "score"),
            "change_text": ("得分变化（分）", "text"),
            "execution_rate_pct": ("预算执行率", "pct"),
            "rate_change_text": ("执行率变化（个百分点）", "text"),
            "budget_full_year_wan": ("全年预算", "wan"),
            "points_lost": ("扣分", "score"),
            "n_lost_points": ("扣分指标数", "int"),
            "n_findings": ("核查发现", "int"),
        },
        f"年度对比_{label}",
        key="cmp-units-table",
    )
else:
    keyword = ui.url_text_input("指标关键词", key="cmp_keyword", param="q", placeholder="如：接听率、满意度")
    found = ui.query("indicator_search", sel, keyword=keyword or None, year=None, level1=None)
    if found.empty:
        st.info("没有找到名称匹配的指标。")
        st.stop()
    names = list(found["indicator"])
    counts = dict(zip(found["indicator"], found["n_forms"]))
    name = ui.url_selectbox(
        "指标",
        names,
        key="cmp_indicator",
        param="indicator",
        format_func=lambda n: f"{n}（{counts.get(n, 0)}张表）",
        url_format=str,
    )
    history = ui.query("indicator_history", sel, indicator=name)
    measure = st.radio(
        "数值",
        ["actual_value", "score_pct"],
        horizontal=True,
        key="cmp_ind_value",
        format_func={"actual_value": "实际值", "score_pct": "得分率"}.get,
    )
    unit = "%" if measure == "score_pct" else next((u for u in history["actual_unit"].dropna()), "")
    history["series"] = history["unit"] + "｜" + history["form"]
    ui.chart(
        charts.year_trend_chart(
            history,
            measure,
            unit,
            f"{name}：历年" + ("得分率" if measure == "score_pct" else "实际值"),
            note=ui.note(sel, options, history),
            series="series",
        ),
        f"指标历年_{name}",
        key="cmp-indicator",
    )
    history["status_label"] = history["status"].map(labels.STATUS_LABELS)
    ui.table(
        history,
        {
            "unit": ("单位", "name"),
            "form": ("自评表", "text"),
            "year": ("年度", "int"),
            "target_text": ("目标值", "text"),
            "actual_text": ("实际值", "text"),
            "weight": ("分值", "score"),
            "score": ("得分", "score"),
            "score_pct_change": ("得分率变化", "score"),
            "status_label": ("状态", "text"),
            "note": ("偏差原因", "long"),
        },
        f"指标历年_{name}",
        key="cmp-indicator-table",
    )
