"""数据质量: validation findings by rule and unit, stated vs recomputed totals and grades, and the gap between
the self-given scores and the scores the forms' own rules give."""

import streamlit as st

from dashboard import charts, labels, ui

sel, options = ui.current()
note = ui.note(sel, options)  # for the charts whose rows carry no dataset column

st.title(f"数据质量 · {sel.year}年" if sel.year else "数据质量")
st.caption("核查发现是导入时按规则自动检查出的问题，原表不作任何修改。" + labels.SCORE_NOTE)

tab_findings, tab_totals, tab_scores, tab_parser = st.tabs(
    ["核查发现", "自评得分与核算得分", "自评分核对", "解析说明"]
)

with tab_findings:
    summary_all = ui.query("findings_summary", sel)
    by_rule_all = ui.query("findings_by_rule", sel)
    summary = summary_all[~summary_all["rule"].isin(labels.PARSER_RULES)]
    by_rule = by_rule_all[~by_rule_all["rule"].isin(labels.PARSER_RULES)].assign(
        advice=lambda d: d["rule"].map(labels.RULE_ADVICE)
    )
    st.markdown("**按问题汇总**（解析过程的说明另见“解析说明”）")
    ui.table(
        by_rule,
        {
            "description": ("问题", "text"),
            "advice": ("建议处理", "long"),
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
    details = details[~details["rule"].isin(labels.PARSER_RULES)]
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
                gaps, note=ui.note(sel, options, gaps), title=f"{sel.year}年 自评得分与核算得分"
            ),
            f"总分核对_{sel.year}",
            key="quality-gap",
        )
    with c2:
        grades = ui.query("grade_distribution", sel)
        ui.chart(charts.grade_chart(grades, note=note), f"等级分布_{sel.year}", key="quality-grades")
    st.markdown("**各表自评得分与核算得分**（差异 = 自评 − 核算；⚑ 相差超过0.5分）")
    gaps = gaps.assign(
        _abs=gaps["score_gap"].abs(),
        gap_text=[
            labels.fmt_signed(g) + (" ⚑" if f else "")
            for g, f in zip(gaps["score_gap"], gaps["is_score_gap_flagged"])
        ],
        change_text=[
            f"{a}→{b}"
            if isinstance(a, str) and isinstance(b, str) and a != b
            else ("不变" if a == b else labels.MISSING)
            for a, b in zip(gaps["stated_grade"], gaps["computed_grade"])
        ],
    ).sort_values("_abs", ascending=False, kind="stable")
    gaps["link"] = [
        ui.page_link("drilldown", sel, options, unit=u, form=r)
        for u, r in zip(gaps["unit"], gaps["report_id"])
    ]
    ui.table(
        gaps,
        {
            "unit": ("单位", "name"),
            "form": ("自评表", "text"),
            "stated_total": (labels.SCORE_LABEL, "score"),
            "recomputed_score": (labels.RECOMPUTED_LABEL, "score"),
            "gap_text": (labels.SCORE_GAP_LABEL, "text"),
            "stated_grade": ("自评等级", "text"),
            "computed_grade": (labels.RECOMPUTED_GRADE_LABEL, "text"),
            "change_text": ("等级变化", "text"),
            "computed_total": (labels.RAW_SUM_LABEL, "score"),
            "weight_total": ("分值合计", "score"),
            "total_gap": ("填报−Σ得分", "score"),
            "link": ("表格", "link"),
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

with tab_parser:
    st.caption(
        "解析说明记录导入时程序如何读取原表（如多余的单元格、粘连的文字、取自标题行的项目名称），"
        "供数据管理员核对原文件，不代表单位的绩效问题。"
    )
    parser = by_rule_all[by_rule_all["rule"].isin(labels.PARSER_RULES)]
    ui.table(
        parser,
        {
            "description": ("说明", "text"),
            "n_findings": ("条数", "int"),
            "n_forms": ("涉及表格", "int"),
            "n_units": ("涉及单位", "int"),
        },
        f"解析说明_{sel.year}",
        key="quality-parser",
    )
