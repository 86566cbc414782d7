"""Charts of indicators: the drill-down treemap, one indicator across years, the low-score watchlist."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.theme import (
    FONT_FAMILY,
    GRADE_COLORS,
    MUTED_COLOR,
    empty_figure,
    figure,
    grade_legend,
    hover_texts,
    rate_grades,
)
from dashboard.labels import (
    STATUS_LABELS,
    fmt_number,
    fmt_score,
    fmt_value,
    is_missing,
    short,
)


# -- drill-down ----------------------------------------------------------------------------------------------------
def drill_treemap(df: pd.DataFrame, note: str | None = None, title: str | None = None) -> go.Figure:
    """drilldown rows -> treemap: area = weight, colour = the grade of the 得分率 (the one grade scale); the hover
    shows weight, score, points lost and the status."""
    title = title or "分值结构与扣分"
    rows = df[df["depth"] >= 0].copy()
    if rows.empty:
        return empty_figure("没有可下钻的自评表", title)
    # Leaves carry their weight; inner nodes 0, so with branchvalues "remainder" a node's area is exactly the
    # sum of its leaves (no float drift between SQL sums and plotly's own).
    weights = (
        pd.to_numeric(rows["weight"], errors="coerce").fillna(0).clip(lower=0).where(rows["depth"] == 4, 0)
    )
    fig = figure(title, note, 560)
    labels = [f"{lbl}" for lbl in rows["label"]]
    grades = rate_grades(rows["score"], rows["weight"])
    fig.add_trace(
        go.Treemap(
            ids=rows["node_id"],
            parents=rows["parent_id"].fillna(""),
            labels=labels,
            values=weights,
            branchvalues="remainder",
            sort=False,
            maxdepth=4,
            marker=dict(
                colors=[GRADE_COLORS[g] for g in grades],
                line=dict(width=1, color="#ffffff"),
            ),
            texttemplate="%{label}<br>%{customdata[0]}",
            textfont=dict(family=FONT_FAMILY, size=13),
            customdata=[
                [f"{fmt_number(s)}/{fmt_number(w)}分"] for s, w in zip(rows["score"], rows["weight"])
            ],
            hovertext=hover_texts(
                [
                    [
                        ("", lbl),
                        ("分值", fmt_score(w, 4)),
                        ("得分", fmt_score(s, 4)),
                        ("扣分", fmt_score(p, 4)),
                        ("状态", STATUS_LABELS.get(st, st)),
                    ]
                    for lbl, w, s, p, st in zip(
                        rows["label"], rows["weight"], rows["score"], rows["points_lost"], rows["status"]
                    )
                ]
            ),
            hoverinfo="text",
            pathbar=dict(visible=True, textfont=dict(family=FONT_FAMILY)),
        )
    )
    grade_legend(fig, grades, "得分率")
    fig.update_layout(margin=dict(l=8, r=8, b=8), xaxis=dict(visible=False), yaxis=dict(visible=False))
    return fig


def indicator_chart(df: pd.DataFrame, note: str | None = None, title: str | None = None) -> go.Figure:
    """indicator_history rows of one series (one unit's indicator over years) -> actual vs target per year;
    qualitative indicators (no numeric actual) show score vs weight instead."""
    if df.empty:
        return empty_figure("没有该指标的数据", title or "指标")
    name = str(df["indicator"].iloc[0])
    rows = df.sort_values("year")
    years = [f"{int(y)}年" for y in rows["year"]]
    numeric = rows["actual_value"].notna().any() and rows["target_value"].notna().any()
    unit = next(
        (u for u in list(rows["actual_unit"]) + list(rows["target_unit"]) if isinstance(u, str) and u), ""
    )
    statuses = [s if s in STATUS_LABELS else "no_score" for s in rows["status"]]
    grades = rate_grades(rows["score"], rows["weight"])
    title = title or f"{name}：{'实际值与目标值' if numeric else '得分与分值'}"
    fig = figure(title, note, 420)
    if numeric:
        fig.add_trace(
            go.Bar(
                x=years,
                y=rows["target_value"],
                name="目标值",
                marker=dict(color="#dfe6ee", line=dict(color="#8a99ab", width=1)),
                text=[t or "" for t in rows["target_text"]],
                textposition="outside",
                cliponaxis=False,
                hovertext=hover_texts(
                    [
                        [("", f"{y} 目标值"), ("填写", t or "—"), ("数值", fmt_value(v, unit, 4))]
                        for y, t, v in zip(years, rows["target_text"], rows["target_value"])
                    ]
                ),
                hoverinfo="text",
            )
        )
        fig.add_trace(
            go.Bar(
                x=years,
                y=rows["actual_value"],
                name="实际值",
                showlegend=False,
                marker=dict(color=[GRADE_COLORS[g] for g in grades]),
                text=[t or "" for t in rows["actual_text"]],
                textposition="outside",
                cliponaxis=False,
                hovertext=hover_texts(
                    [
                        [
                            ("", f"{y} 实际值"),
                            ("填写", t or "—"),
                            ("数值", fmt_value(v, unit, 4)),
                            ("得分", f"{fmt_number(s, 4)}/{fmt_number(w, 4)}分"),
                            ("状态", STATUS_LABELS[st]),
                        ]
                        for y, t, v, s, w, st in zip(
                            years,
                            rows["actual_text"],
                            rows["actual_value"],
                            rows["score"],
                            rows["weight"],
                            statuses,
                        )
                    ]
                ),
                hoverinfo="text",
            )
        )
        top = float(pd.concat([rows["actual_value"], rows["target_value"]]).max())
        fig.update_layout(
            yaxis=dict(
                title_text=f"（{unit}）" if unit else "",
                ticksuffix="%" if unit == "%" else "",
                range=[0, top * 1.15 if top > 0 else 1],
            )
        )
    else:
        fig.add_trace(
            go.Bar(
                x=years,
                y=rows["weight"],
                name="分值",
                marker_color="#dfe6ee",
                text=[fmt_score(w) for w in rows["weight"]],
                textposition="outside",
                cliponaxis=False,
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Bar(
                x=years,
                y=rows["score"],
                name="得分",
                showlegend=False,
                marker=dict(color=[GRADE_COLORS[g] for g in grades]),
                text=[fmt_score(s) for s in rows["score"]],
                textposition="outside",
                cliponaxis=False,
                hovertext=hover_texts(
                    [
                        [
                            ("", y),
                            ("目标", t or "—"),
                            ("实际", a or "—"),
                            ("得分", fmt_score(s, 4)),
                            ("分值", fmt_score(w, 4)),
                            ("状态", STATUS_LABELS[st]),
                        ]
                        for y, t, a, s, w, st in zip(
                            years,
                            rows["target_text"],
                            rows["actual_text"],
                            rows["score"],
                            rows["weight"],
                            statuses,
                        )
                    ]
                ),
                hoverinfo="text",
            )
        )
        fig.update_layout(yaxis=dict(title_text="（分）", rangemode="tozero"))
    grade_legend(fig, grades, "得分率")
    fig.update_layout(barmode="group", bargap=0.35, xaxis=dict(title_text="", type="category"))
    return fig


# -- low-score watchlist -------------------------------------------------------------------------------------------
def watchlist_chart(
    df: pd.DataFrame, top: int = 15, note: str | None = None, title: str | None = None
) -> go.Figure:
    """low_scoring_indicators rows -> the indicators that lost most points, as horizontal bars."""
    title = title or f"扣分最多的指标（前{top}项）"
    rows = df.head(top)
    if rows.empty:
        return empty_figure("没有扣分或未达目标的指标", title)
    fig = figure(title, note, max(300, 110 + 44 * len(rows)))
    labels = [
        f"{i + 1}. {short(n or '（未命名指标）', 16)}<br>"
        f"<span style='font-size:11px;color:{MUTED_COLOR}'>{short(f'{u}｜{f}', 24)}</span>"
        for i, (u, n, f) in enumerate(zip(rows["unit"], rows["level3"], rows["form"]))
    ]
    grades = rate_grades(rows["score"], rows["weight"])
    fig.add_trace(
        go.Bar(
            x=rows["points_lost"].fillna(0),
            y=labels,
            orientation="h",
            showlegend=False,
            marker=dict(color=[GRADE_COLORS[g] for g in grades]),
            text=[fmt_score(p) for p in rows["points_lost"]],
            textposition="outside",
            cliponaxis=False,
            customdata=list(zip(rows["indicator_id"], rows["report_id"], rows["unit"])),
            hovertext=hover_texts(
                [
                    [
                        ("", n or "（未命名指标）"),
                        ("单位", u),
                        ("年度", str(int(y)) if not is_missing(y) else "—"),
                        ("表格", f),
                        ("目标", t or "—"),
                        ("实际", a or "—"),
                        ("得分", f"{fmt_number(s, 4)}/{fmt_number(w, 4)}分"),
                        ("扣分", fmt_score(p, 4)),
                    ]
                    for n, u, y, f, t, a, s, w, p in zip(
                        rows["level3"],
                        rows["unit"],
                        rows["year"],
                        rows["form"],
                        rows["target_text"],
                        rows["actual_text"],
                        rows["score"],
                        rows["weight"],
                        rows["points_lost"],
                    )
                ]
            ),
            hoverinfo="text",
        )
    )
    grade_legend(fig, grades, "得分率")
    top_value = float(rows["points_lost"].fillna(0).max()) or 1.0
    fig.update_layout(
        xaxis=dict(title_text="扣分（分）", range=[0, top_value * 1.18]),
        yaxis=dict(autorange="reversed", title_text="", tickfont=dict(size=12)),
    )
    return fig
