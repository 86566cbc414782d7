"""数据质量: validation findings by rule and unit, stated vs recomputed totals and grades, and the gap between
the self-given scores and the scores the forms' own rules give."""

import streamlit as st

from dashboard import charts, labels, ui

sel, options = ui.current()
note = ui.note(sel, options)  # for the charts whose rows carry no dataset column

st.title(f"数据质量 · {sel.year}年" if sel.year else "数据质量")
st.caption("核查发现是导入时按规则自动检查出的问题，原表不作任何修改；“重新计算”为按表内各项得分加总的结果。")

tab_findings, tab_totals, tab_scores = st.tabs(["核查发现", "填报与重算总分", "自评分核对"])

with tab_findings:
    summary = ui.query("findings_summary", sel)
    by_rule = ui.query("findings_by_rule", sel)
    st.markdown("**按规则汇总**")
    ui.table(
        by_rule,
        {
            "description": ("规则", "text"),
            "n_findings": ("发现（条）", "int"),
            "n_forms": ("涉及表格", "int"),
            "n_units": ("涉及单位", "int"),
            "share_pct": ("占比", "pct"),
        },
        f"核查发现_按规则_{sel.year}",
        key="quality-rules",
    )
    ui.chart(
        charts.findings_chart(summary, note=note, title=f"{sel.year}年 核查发现：按单位与规则（前15个单位）"),
        f"核查发现_{sel.year}",
        key="quality-findings",
    )
    st.markdown("**发现明细**（“表格”列链接到该表的下钻页）")
    rules = [None, *by_rule["rule"]]
    descriptions = dict(zip(by_rule["rule"], by_rule["description"]))
    rule = ui.url_selectbox(
        "规则",
        rules,
        key="quality_rule",
        param="rule",
        format_func=lambda r: "全部规则" if r is None else descriptions.get(r) or r,
        url_format=lambda r: "" if r is None else r,
    )
    details = ui.query("findings_list", sel, rule=rule)
    details["link"] = [
        ui.page_link("drilldown", sel, options, unit=u, form=r)
        for u, r in zip(details["unit"], details["report_id"])
    ]
    details["source"] = [ui.source_text(p, ln) for p, ln in zip(details["path"], details["source_line"])]
    details["severity_label"] = details["severity"].map(labels.severity_label)
    ui.table(
        details,
        {
            "link": ("表格", "link"),
            "unit": ("单位", "text"),
            "form": ("自评表", "text"),
            "severity_label": ("级别", "text"),
            "description": ("规则", "text"),
            "message": ("说明", "long"),
            "indicator": ("指标", "text"),
            "source": ("来源", "text"),
        },
        f"核查发现明细_{sel.year}",
        key="quality-details",
        height=420,
    )

with tab_totals:
    gaps = ui.query("total_gap", sel)
    c1, c2 = st.columns(2, gap="large")
    with c1:
        ui.chart(
            charts.total_gap_chart(
                gaps, note=ui.note(sel, options, gaps), title=f"{sel.year}年 填报总分与重新计算总分"
            ),
            f"总分核对_{sel.year}",
            key="quality-gap",
        )
    with c2:
        grades = ui.query("grade_distribution", sel)
        ui.chart(charts.grade_chart(grades, note=note), f"等级分布_{sel.year}", key="quality-grades")
    st.markdown("**各表总分与等级**（差值 = 填报 − 重新计算；先列差值最大的）")
    gaps["link"] = [
        ui.page_link("drilldown", sel, options, unit=u, form=r)
        for u, r in zip(gaps["unit"], gaps["report_id"])
    ]
    ui.table(
        gaps,
        {
            "link": ("表格", "link"),
            "unit": ("单位", "text"),
            "form": ("自评表", "text"),
            "stated_total": ("填报总分", "score"),
            "computed_total": ("重新计算", "score"),
            "total_gap": ("差值", "score"),
            "stated_grade": ("填报等级", "text"),
            "computed_grade": ("重算等级", "text"),
            "is_grade_changed": ("等级变化", "bool"),
            "weight_total": ("分值合计", "score"),
        },
        f"总分核对_{sel.year}",
        key="quality-gap-table",
        height=420,
    )

with tab_scores:
    st.caption(
        "定量指标按表内评分规则应得的分数：“≥目标”得 min(实际 ÷ 目标, 1) × 分值，“≤目标”得 min(目标 ÷ 实际, 1) × 分值。"
        "差值为正表示自评分高于自身数据所支持的分数。"
    )
    check = ui.query("score_check", sel, level="unit")
    ui.chart(
        charts.leniency_chart(check, note=note, title=f"{sel.year}年 自评分高于按规则应得分的单位"),
        f"自评分核对_{sel.year}",
        key="quality-leniency",
    )
    ui.table(
        check.sort_values("leniency_points", ascending=False),
        {
            "unit": ("单位", "text"),
            "n_quantitative": ("定量指标", "int"),
            "n_lenient": ("自评偏高指标", "int"),
            "weight": ("分值", "score"),
            "self_score": ("自评分", "score"),
            "rule_score": ("按规则应得", "score"),
            "leniency_points": ("差值", "score"),
        },
        f"自评分核对_{sel.year}",
        key="quality-leniency-table",
    )
