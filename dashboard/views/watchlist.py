"""低分预警: every indicator that lost points or missed its target, searchable by keyword (with synonyms:
热线 finds 接通率 / 接听率 / 12345), with thresholds; each row opens its drill-down."""

import streamlit as st

from dashboard import charts, labels, ui

sel, options = ui.current()

st.title(f"低分预警 · {sel.year}年" if sel.year else "低分预警")
c1, c2, c3 = st.columns([3, 2, 2])
with c1:
    keyword = ui.url_text_input(
        "关键词",
        key="watch_keyword",
        param="q",
        placeholder="如：热线、接通率、满意度",
        help="在指标名称、目标值和偏差说明中查找；同义词一并查找（热线 ↔ 接通率、接听率、12345）",
    )
with c2:
    thresholds = [None, 0.5, 1.0, 2.0, 5.0]
    min_lost = ui.url_selectbox(
        "扣分不少于",
        thresholds,
        key="watch_min",
        param="min",
        format_func=lambda v: "不限（含未达目标未扣分）" if v is None else f"{labels.fmt_number(v)}分",
        url_format=lambda v: "" if v is None else labels.fmt_number(v),
    )
with c3:
    kinds = ui.url_selectbox(
        "范围",
        ["all", "lost", "missed"],
        key="watch_scope",
        param="scope",
        format_func=lambda s: {"all": "扣分或未达目标", "lost": "只看扣分", "missed": "只看未达目标"}[s],
        url_format=str,
    )

rows = ui.query("low_scoring_indicators", sel, keyword=keyword or None, min_points_lost=min_lost)
if kinds == "lost":
    rows = rows[rows["is_lost_points"]]
elif kinds == "missed":
    rows = rows[rows["is_target_met"].eq(False)]
rows = rows.reset_index(drop=True)

lost_total = rows["points_lost"].clip(lower=0).sum()
m = st.columns(4)
ui.metric(m[0], "预警指标", f"{len(rows)}个")
ui.metric(m[1], "扣分合计", labels.fmt_score(lost_total))
ui.metric(m[2], "涉及单位", f"{rows['unit'].nunique()}个")
ui.metric(
    m[3],
    "热线类指标",
    f"{int(rows['is_hotline'].sum())}个",
    help="名称、目标或说明中含 热线 / 12345 / 接通率 / 接听率",
)

title = f"{sel.year}年 扣分最多的指标" + (f"（关键词：{keyword}）" if keyword else "")
event = ui.chart(
    charts.watchlist_chart(rows, top=15, note=ui.note(sel, options, rows), title=title),
    f"低分预警_{sel.year}",
    key="watch-chart",
    on_select="rerun",
)
points = ui.selected_points(event)
if points and points[0].get("customdata"):
    indicator_id, report_id, unit = points[0]["customdata"][:3]
    ui.go_to("drilldown", unit=unit, form=int(report_id), indicator=int(indicator_id))

rows["link"] = [
    ui.page_link("drilldown", sel, options, unit=u, form=r, indicator=i)
    for u, r, i in zip(rows["unit"], rows["report_id"], rows["indicator_id"])
]
rows["status_label"] = rows["status"].map(labels.STATUS_LABELS)
st.caption("选中一行打开该指标的下钻页；“下钻”列是可复制的链接。")
event = ui.table(
    rows,
    {
        "level3": ("指标", "name"),
        "unit": ("单位", "text"),
        "weight": ("分值", "score"),
        "score": ("得分", "score"),
        "points_lost": ("扣分", "score"),
        "status_label": ("状态", "text"),
        "note": ("偏差原因", "long"),
        "target_text": ("目标值", "text"),
        "actual_text": ("实际值", "text"),
        "form": ("自评表", "text"),
        "level_path": ("指标层级", "text"),
        "year": ("年度", "int"),
        "is_hotline": ("热线类", "bool"),
        "link": ("下钻", "link"),
    },
    f"低分预警_{sel.year}",
    key="watch-table",
    on_select="rerun",
)
picked = ui.selected_row(event)
if picked is not None:
    r = rows.loc[picked]
    ui.go_to("drilldown", unit=r["unit"], form=int(r["report_id"]), indicator=int(r["indicator_id"]))
