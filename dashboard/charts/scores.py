"""Charts of scores and ranks: the ranking bars, the grade distribution, units' figures across years."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.theme import (
    GRADE_COLORS,
    MUTED_COLOR,
    SERIES_COLORS,
    TEXT_COLOR,
    axis_floor,
    empty_figure,
    figure,
    grade_legend,
    hover_texts,
)
from dashboard.labels import (
    GRADE_BANDS,
    GRADE_ORDER,
    METRIC_UNITS,
    METRICS,
    NO_GRADE,
    RECOMPUTED_LABEL,
    SCORE_LABEL,
    fmt_exact,
    fmt_number,
    fmt_pct,
    fmt_rank_change,
    fmt_score,
    fmt_value,
    is_missing,
    metric_value_text,
)


# -- ranking -------------------------------------------------------------------------------------------------------
def ranking_chart(
    df: pd.DataFrame, metric: str = "total", note: str | None = None, title: str | None = None
) -> go.Figure:
    """department_ranking rows -> horizontal bars, rank 1 on top, coloured by the unit's grade (优/良/中/差 of its
    自评得分, the one grade scale), rank change as text.
    Each bar's customdata[0] is the unit name (the page turns a click into a drill-down)."""
    label = METRICS.get(metric, metric)
    unit = METRIC_UNITS.get(metric, "")
    year = int(df["year"].iloc[0]) if len(df) and not is_missing(df["year"].iloc[0]) else None
    title = title or f"{year or ''}年 单位排名：{label}".strip()
    rows = df[df["metric_value"].notna()].sort_values("rank", kind="stable")
    if rows.empty:
        return empty_figure("所选范围内没有可排名的单位", title)
    height = max(320, 96 + 26 * len(rows))
    fig = figure(title, note, height)
    grades = [g if isinstance(g, str) and g in GRADE_COLORS else NO_GRADE for g in rows["grade"]]
    texts = [
        f"{metric_value_text(metric, v)}  {fmt_rank_change(c) if not is_missing(c) else ''}".rstrip()
        for v, c in zip(rows["metric_value"], rows["rank_change"])
    ]
    hover = hover_texts(
        [
            [
                ("", u),
                ("名次", f"第{int(r)}名（共{int(n)}个）" + ("，并列" if t else "")),
                (label, fmt_exact(v) + unit),
                ("上年名次", "—" if is_missing(pr) else f"第{int(pr)}名"),
                ("名次变化", "首年" if is_missing(pr) else fmt_rank_change(c)),
                (SCORE_LABEL, fmt_score(s)),
                (RECOMPUTED_LABEL, fmt_score(k)),
                ("等级", g),
                ("扣分（同一组表）", fmt_score(p)),
            ]
            for u, r, n, t, v, pr, c, g, p, s, k in zip(
                rows["unit"],
                rows["rank"],
                rows["n_ranked"],
                rows["is_tied"],
                rows["metric_value"],
                rows["prev_rank"],
                rows["rank_change"],
                grades,
                rows["points_lost"],
                rows["unit_total"],
                rows["unit_recomputed_score"] if "unit_recomputed_score" in rows else [None] * len(rows),
            )
        ]
    )
    labels = [f"{int(r)}. {u}" for r, u in zip(rows["rank"], rows["unit"])]
    fig.add_trace(
        go.Bar(
            x=rows["metric_value"],
            y=labels,
            orientation="h",
            name=label,
            showlegend=False,
            marker=dict(color=[GRADE_COLORS[g] for g in grades]),
            text=texts,
            textposition="outside",
            cliponaxis=False,
            textfont=dict(size=12, color=TEXT_COLOR),
            customdata=list(zip(rows["unit"], rows["rank"])),
            hovertext=hover,
            hoverinfo="text",
        )
    )
    grade_legend(fig, grades)
    floor = axis_floor(rows["metric_value"], unit)
    top = float(rows["metric_value"].max())
    xaxis: dict[str, Any] = dict(
        title_text=f"{label}（{unit}）" + (f"，横轴自{fmt_number(floor)}起" if floor else ""),
        ticksuffix="%" if unit == "%" else "",
    )
    span = top - (floor or 0)
    xaxis["range"] = [floor or 0, top + max(span * 0.18, 0.5)]
    fig.update_layout(
        xaxis=xaxis,
        yaxis=dict(autorange="reversed", title_text="", tickfont=dict(size=12)),
        bargap=0.22,
        margin=dict(l=16, r=40, b=48),
    )
    return fig


# -- overview ------------------------------------------------------------------------------------------------------
def grade_chart(df: pd.DataFrame, note: str | None = None, title: str | None = None) -> go.Figure:
    """grade_distribution rows (one year) -> grouped bars: forms per grade, stated beside recomputed."""
    year = int(df["year"].iloc[0]) if len(df) else None
    title = title or f"{year or ''}年 自评等级分布：自评得分与核算得分".strip()
    if df.empty or df["n_forms"].sum() == 0:
        return empty_figure("没有可评定等级的自评表", title)
    fig = figure(title, note, 380)
    for basis, name, pattern in (("stated", "按自评得分", ""), ("computed", "按核算得分（斜线）", "/")):
        part = df[df["basis"] == basis].set_index("grade").reindex(list(GRADE_ORDER))
        n = part["n_forms"].fillna(0).astype(int)
        share = part["share_pct"]
        fig.add_trace(
            go.Bar(
                x=[
                    f"{g}<br><span style='font-size:11px;color:{MUTED_COLOR}'>{b}</span>"
                    for g, b in zip(GRADE_ORDER, GRADE_BANDS.values())
                ],
                y=n,
                name=name,
                offsetgroup=basis,
                marker=dict(
                    color=[GRADE_COLORS[g] for g in GRADE_ORDER],
                    opacity=1.0 if not pattern else 0.55,
                    pattern=dict(shape=pattern, fgcolor="#ffffff", solidity=0.35),
                ),
                text=[str(v) for v in n],
                textposition="outside",
                cliponaxis=False,
                hovertext=hover_texts(
                    [
                        [("", f"{g} · {name}"), ("表格数", f"{v}张"), ("占比", fmt_pct(s))]
                        for g, v, s in zip(GRADE_ORDER, n, share)
                    ]
                ),
                hoverinfo="text",
                showlegend=False,  # its swatch would take the first bar's grade colour (优's green)
            )
        )
        # The legend tells the two bases apart, not grades (the bars' colours are the grade scale): a neutral
        # swatch, solid or hatched like the bars.
        fig.add_trace(
            go.Bar(
                x=[None],
                y=[None],
                name=name,
                offsetgroup=basis,  # shares the bars' slot, so the groups keep their width
                marker=dict(
                    color=MUTED_COLOR,
                    opacity=1.0 if not pattern else 0.55,
                    pattern=dict(shape=pattern, fgcolor="#ffffff", solidity=0.35),
                ),
                hoverinfo="skip",
                showlegend=True,
            )
        )
    fig.update_layout(
        barmode="group", yaxis=dict(title_text="自评表（张）", rangemode="tozero"), xaxis=dict(title_text="")
    )
    return fig


def year_trend_chart(
    df: pd.DataFrame,
    value: str,
    unit: str,
    title: str,
    note: str | None = None,
    series: str = "unit",
    highlight: Sequence[str] = (),
) -> go.Figure:
    """year_over_year rows -> one line per unit (or other series column) across years."""
    if df.empty or df[value].notna().sum() == 0:
        return empty_figure("没有可比较的年度数据", title)
    fig = figure(title, note, 440)
    for i, (name, part) in enumerate(df.sort_values("year").groupby(series, sort=False)):
        bold = not highlight or name in highlight
        fig.add_trace(
            go.Scatter(
                x=part["year"].astype(int).astype(str),
                y=part[value],
                name=str(name),
                mode="lines+markers",
                line=dict(width=2.6 if bold else 1.2, color=SERIES_COLORS[i % len(SERIES_COLORS)]),
                marker=dict(size=8 if bold else 5),
                opacity=1.0 if bold else 0.45,
                hovertext=hover_texts(
                    [
                        [("", f"{name} · {int(y)}年"), (title.split("：")[-1], fmt_value(v, unit, 4))]
                        for y, v in zip(part["year"], part[value])
                    ]
                ),
                hoverinfo="text",
            )
        )
    fig.update_layout(
        xaxis=dict(title_text="年度", type="category"),
        yaxis=dict(title_text=unit and f"（{unit}）", ticksuffix="%" if unit == "%" else ""),
        legend=dict(orientation="v", yanchor="top", y=1, xanchor="left", x=1.01),
    )
    return fig
