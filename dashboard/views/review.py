"""复核清单: the forms the 绩效科 should re-check first, with the reasons in plain Chinese (a weighted sum of
documented signals, weights adjustable), the rows that triggered each reason, the similar-note groups, and
the list as an Excel workbook for the review team."""

import pandas as pd
import streamlit as st

from dashboard import labels, ui

sel, options = ui.current()

st.title(f"复核清单 · {sel.year}年" if sel.year else "复核清单")
st.caption(
    "按复核优先分排序：每项信号是一条写明的规则（自评宽松、目标设置、偏差说明、预算执行），"
    "优先分为触发信号的权重之和；每条理由都能追到触发它的指标或预算行及原表行号。"
)

rules = ui.review.rules()
with st.expander("信号与权重（可调整）", icon=":material/tune:"):
    st.caption("权重为 0 的信号不计入优先分，也不出现在理由中。")
    edited = st.data_editor(
        rules[["signal", "group_label", "signal_label", "default_weight", "rule"]].rename(
            columns={"default_weight": "weight"}
        ),
        column_config={
            "signal": None,
            "group_label": st.column_config.TextColumn("类别", disabled=True),
            "signal_label": st.column_config.TextColumn("信号", disabled=True),
            "weight": st.column_config.NumberColumn("权重", min_value=0.0, max_value=20.0, step=0.5),
            "rule": st.column_config.TextColumn("判定规则", disabled=True, width="large"),
        },
        hide_index=True,
        key="review_weights",
    )
weights = {s: 0.0 if pd.isna(w) else float(w) for s, w in zip(edited["signal"], edited["weight"])}

signal_names = dict(zip(rules["signal"], rules["signal_label"]))
c1, c2, c3 = st.columns([3, 2, 2])
with c1:
    signal = ui.url_selectbox(
        "只看触发此信号的表",
        [None, *rules["signal"]],
        key="review_signal",
        param="signal",
        format_func=lambda s: "全部信号" if s is None else signal_names.get(s, s),
        url_format=lambda s: "" if s is None else str(s),
    )
with c2:
    status = ui.url_selectbox(
        "复核状态",
        [None, *ui.review.STATUSES],
        key="review_status",
        param="status",
        format_func=lambda s: "全部状态" if s is None else s,
        url_format=lambda s: "" if s is None else str(s),
    )
with c3:
    only_flagged = st.toggle("只列出有信号的表", value=True, key="review_flagged")

rows = ui.review.priority(
    sel, weights, signal=signal, status=status, min_score=0.0001 if only_flagged else None
)
signal_frame = ui.review.signal_rows(sel)
signal_frame = signal_frame[signal_frame["report_id"].isin(rows["report_id"])].reset_index(drop=True)

m = st.columns(4)
flagged = rows[rows["priority_score"] > 0]
ui.metric(m[0], "待复核自评表", f"{len(flagged)}张")
ui.metric(m[1], "涉及单位", f"{flagged['unit'].nunique()}个")
ui.metric(m[2], "最高优先分", labels.fmt_number(rows["priority_score"].max()) if len(rows) else "—")
ui.metric(m[3], "已复核", f"{int((rows['review_status'] != '待复核').sum())}张")
common = signal_frame.groupby("signal_label")["report_id"].nunique().sort_values(ascending=False).head(3)
if len(common):
    st.caption(
        ui.md_text("最常见的信号：" + "；".join(f"{name}（{int(n)}张表）" for name, n in common.items()))
    )

if rows.empty:
    st.info("所选范围内没有触发复核信号的自评表。")
    st.stop()

rows["link"] = [
    ui.page_link("drilldown", sel, options, unit=u, form=r, indicator=None if pd.isna(i) else int(i))
    for u, r, i in zip(rows["unit"], rows["report_id"], rows["first_indicator_id"])
]
rows["kind_label"] = rows["kind"].map(labels.kind_label)
st.caption("选中一行查看触发它的指标与原表行号；“下钻”列打开该表的指标下钻（定位到首个触发的指标）。")
event = ui.table(
    rows,
    {
        "rank": ("顺序", "int"),
        "unit": ("单位", "text"),
        "year": ("年度", "int"),
        "kind_label": ("类型", "text"),
        "form": ("自评表", "text"),
        "priority_score": ("优先分", "score"),
        "reasons": ("复核理由", "long"),
        "review_status": ("复核状态", "text"),
        "link": ("下钻", "link"),
    },
    f"复核清单_{sel.year}",
    key="review-table",
    on_select="rerun",
)
st.download_button(
    "导出复核清单（Excel，含触发明细与雷同说明）",
    data=lambda: ui.review.workbook(rows, signal_frame, sel, weights),
    file_name=f"复核清单_{sel.year or '全部年度'}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click="ignore",
    icon=":material/download:",
    key="review-xlsx",
)

picked = ui.selected_row(event)
chosen = rows.loc[picked] if picked is not None else rows.iloc[0]
report_id = int(chosen["report_id"])
st.subheader(ui.md_text(f"触发明细：{chosen['unit']} {chosen['year']}年｜{chosen['form']}"))
st.text(str(chosen["reasons"]))

with st.form(key=f"review-mark-{report_id}", border=True):
    st.markdown("**复核状态**")
    if isinstance(chosen["reviewed_by"], str) and chosen["reviewed_by"]:
        when = chosen["reviewed_at"]
        st.text(
            f"当前：{chosen['review_status']}（{chosen['reviewed_by']}，"
            f"{when.strftime('%Y-%m-%d %H:%M') if hasattr(when, 'strftime') else when}）"
            + (f"　备注：{chosen['review_comment']}" if chosen["review_comment"] else "")
        )
    f1, f2, f3 = st.columns([3, 2, 4])
    new_status = f1.radio(
        "状态",
        ui.review.STATUSES,
        index=ui.review.STATUSES.index(chosen["review_status"]),
        horizontal=True,
        key="review_mark_status",
    )
    reviewer = f2.text_input("复核人（财政局）", key="review_mark_who", placeholder="姓名")
    comment = f3.text_input("备注", key="review_mark_comment", placeholder="可不填")
    if st.form_submit_button("保存复核状态", icon=":material/save:"):
        problem = ui.review.set_status(chosen, new_status, reviewer, comment)
        if problem:
            st.error(ui.md_text(problem))
        else:
            st.toast(ui.md_text(f"已保存：{chosen['form']} {new_status}"))
            st.rerun()
mine = signal_frame[signal_frame["report_id"] == report_id].reset_index(drop=True)
mine["source"] = [ui.source_text(p, ln) for p, ln in zip(mine["path"], mine["source_line"])]
mine["link"] = [
    ui.page_link("drilldown", sel, options, unit=chosen["unit"], form=report_id, indicator=int(i))
    if not pd.isna(i)
    else ui.page_link("drilldown", sel, options, unit=chosen["unit"], form=report_id)
    for i in mine["indicator_id"]
]
ui.table(
    mine,
    {
        "group_label": ("类别", "text"),
        "signal_label": ("信号", "text"),
        "indicator": ("指标", "text"),
        "budget_line": ("预算行", "text"),
        "detail": ("触发情况", "long"),
        "source": ("来源", "text"),
        "link": ("下钻", "link"),
    },
    f"复核明细_{chosen['unit']}_{chosen['year']}",
    key="review-rows",
)

similar_ids = [int(i) for i in mine.loc[mine["signal"] == "similar_note", "indicator_id"].dropna()]
if similar_ids:
    st.subheader("雷同的偏差说明")
    cluster = ui.review.groups_of(sel, similar_ids)
    cluster["mine"] = cluster["report_id"] == report_id
    st.caption("同组说明相同或几乎相同（编辑相似度不低于词表设定值）；勾选的是本表的说明。")
    ui.table(
        cluster,
        {
            "group_id": ("雷同组", "int"),
            "mine": ("本表", "bool"),
            "unit": ("单位", "text"),
            "year": ("年度", "int"),
            "form": ("自评表", "text"),
            "indicator": ("指标", "text"),
            "note": ("偏差说明", "long"),
        },
        f"雷同说明_{chosen['unit']}_{chosen['year']}",
        key="review-cluster",
    )
