"""指标下钻: unit → form → level-1 → level-2 → indicator; each indicator with its target, actual, weight, score,
deviation note and source (file and line), and its history across years."""

import streamlit as st

from dashboard import charts, labels, ui

sel, options = ui.current()

st.title(f"指标下钻 · {sel.year}年" if sel.year else "指标下钻")
if not options.units:
    st.info("所选范围内没有自评表。")
    st.stop()

# The first unit selected in the sidebar comes first (the default); a link or a click may bring another.
units = list(dict.fromkeys([*[u for u in sel.units if u in options.units], *options.units]))
c1, c2, c3 = st.columns([2, 2, 3])
with c1:
    unit = ui.url_selectbox("单位", units, key="drill_unit", param="unit", pinned=True)
forms = ui.query("grades", sel, units=[unit])
form_names = dict(zip(forms["report_id"], forms["form"]))
form_kinds = dict(zip(forms["report_id"], forms["kind"]))


def form_label(report_id: int | None) -> str:
    if report_id is None:
        return f"全部自评表（{len(form_names)}张）"
    return f"{labels.kind_label(form_kinds.get(report_id))}｜{form_names.get(report_id, report_id)}"


with c2:
    report_id = ui.url_selectbox(
        "自评表",
        [None, *[int(r) for r in forms["report_id"]]],
        key="drill_form",
        param="form",
        format_func=form_label,
        url_format=lambda r: "" if r is None else str(r),
    )

tree = ui.query("drilldown", sel, units=[unit], report_id=report_id)
leaves = tree[(tree["level"] == "indicator") & tree["indicator_id"].notna()].reset_index(drop=True)
indicator_labels = {
    int(i): (f"{n}｜{fm}" if report_id is None else str(n))
    + (f"（扣{labels.fmt_number(p)}分）" if p and p > 0 else "")
    for i, n, fm, p in zip(leaves["indicator_id"], leaves["indicator"], leaves["form"], leaves["points_lost"])
}


def indicator_label(indicator_id: int | None) -> str:
    return (
        "（未选择：查看整体结构）"
        if indicator_id is None
        else indicator_labels.get(indicator_id, str(indicator_id))
    )


with c3:
    indicator_id = ui.url_selectbox(
        "指标",
        [None, *indicator_labels],
        key="drill_indicator",
        param="indicator",
        format_func=indicator_label,
        url_format=lambda i: "" if i is None else str(i),
    )

scope = f"{unit} {sel.year}年" + (f"｜{form_names.get(report_id)}" if report_id is not None else "")
if indicator_id is None:
    ui.chart(
        charts.drill_treemap(tree, note=ui.note(sel, options, forms), title=f"{scope}：分值结构与扣分"),
        f"下钻_{unit}_{sel.year}",
        key="drill-tree",
    )
    st.caption("面积为分值，颜色为状态：绿色达标，橙色未达目标但未扣分，红色扣分。点击方块逐级展开。")
else:
    row = leaves[leaves["indicator_id"] == indicator_id].iloc[0]
    st.subheader(ui.md_text(row["indicator"]))
    st.text(f"{row['form']} › {row['level1']} › {row['level2']}")
    m = st.columns(5)
    ui.metric(m[0], "目标", str(row["target_text"] or "—"))
    ui.metric(m[1], "实际", str(row["actual_text"] or "—"))
    ui.metric(m[2], "分值", labels.fmt_score(row["weight"]))
    ui.metric(m[3], "得分", labels.fmt_score(row["score"]))
    ui.metric(
        m[4],
        "扣分",
        labels.fmt_score(row["points_lost"]),
        help=labels.STATUS_LABELS.get(row["status"], row["status"]),
    )
    st.markdown(
        f"**状态**：{labels.STATUS_LABELS.get(row['status'], row['status'])}　　"
        f"**来源**：{ui.md_code(ui.source_text(row['path'], row['source_line']))}"
    )
    st.markdown("**偏差原因及改进措施**")
    st.text(str(row["note"]) if isinstance(row["note"], str) and row["note"] else "（未填写）")
    history = ui.query("indicator_history", sel, indicator=str(row["indicator"]), units=[unit])
    series = history[history["form"] == row["form"]]
    ui.chart(
        charts.indicator_chart(
            series,
            note=ui.note(sel, options, series),
            title=f"{unit}｜{row['indicator']}：历年实际值与目标值"
            if series["actual_value"].notna().any()
            else None,
        ),
        f"指标_{unit}_{row['indicator']}",
        key="drill-indicator",
    )

st.subheader("指标明细")
st.caption("选中一行可查看该指标的详情与历年变化。")


def _pick() -> None:
    picked = ui.selected_row(st.session_state.get("drill-table"))
    if picked is not None and picked < len(leaves):
        st.session_state["drill_indicator"] = int(leaves.loc[picked, "indicator_id"])


leaves["status_label"] = leaves["status"].map(labels.STATUS_LABELS)
leaves["source"] = [ui.source_text(p, ln) for p, ln in zip(leaves["path"], leaves["source_line"])]
ui.table(
    leaves,
    {
        "form": ("自评表", "text"),
        "level1": ("一级指标", "text"),
        "level2": ("二级指标", "text"),
        "indicator": ("三级指标", "text"),
        "target_text": ("目标值", "text"),
        "actual_text": ("实际值", "text"),
        "weight": ("分值", "score"),
        "score": ("得分", "score"),
        "points_lost": ("扣分", "score"),
        "status_label": ("状态", "text"),
        "note": ("偏差原因", "long"),
        "source": ("来源", "text"),
    },
    f"指标明细_{unit}_{sel.year}",
    key="drill-table",
    on_select=_pick,
)
