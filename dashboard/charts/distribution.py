"""Charts of distributions and budgets: histograms and quantile boxes of score rates or totals, execution
rate against score, execution rates per unit."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.theme import (
    GRADE_COLORS,
    PRIMARY,
    SERIES_COLORS,
    TEXT_COLOR,
    axis_floor,
    empty_figure,
    figure,
    grade_legend,
    hover_texts,
)
from dashboard.labels import (
    MEASURES,
    fmt_number,
    fmt_pct,
    fmt_score,
    fmt_value,
    fmt_wan,
    grade_of,
)


# -- distributions -------------------------------------------------------------------------------------------------
def histogram_chart(df: pd.DataFrame, note: str | None = None, title: str | None = None) -> go.Figure:
    """score_distribution rows -> bars per bin, one colour per group; bar height = share of the group (%)
    so groups of different sizes compare, the count in the hover and as text."""
    measure = df["measure"].iloc[0] if len(df) else "score_pct"
    mlabel, _ = MEASURES.get(measure, (measure, ""))
    title = title or f"{mlabel}分布"
    if df.empty or df["n_in_group"].sum() == 0:
        return empty_figure("所选范围内没有数据", title)
    fig = figure(title, note, 440)
    order = list(dict.fromkeys(df.sort_values("bin_index")["bin_label"]))
    for i, (group, part) in enumerate(df.groupby("group_value", sort=True)):
        share = part["n_in_bin"] / part["n_in_group"] * 100
        fig.add_trace(
            go.Bar(
                x=part["bin_label"],
                y=share,
                name=str(group),
                marker_color=SERIES_COLORS[i % len(SERIES_COLORS)],
                hovertext=hover_texts(
                    [
                        [("", f"{group} · {b}"), ("个数", f"{int(n)} / {int(t)}"), ("占本组", fmt_pct(s, 2))]
                        for b, n, t, s in zip(part["bin_label"], part["n_in_bin"], part["n_in_group"], share)
                    ]
                ),
                hoverinfo="text",
            )
        )
    fig.update_layout(
        barmode="group",
        bargap=0.18,
        legend=dict(orientation="v", yanchor="top", y=1, xanchor="left", x=1.01),
        xaxis=dict(
            title_text=f"{mlabel}区间（{MEASURES.get(measure, ('', ''))[1]}）",
            categoryorder="array",
            categoryarray=order,
        ),
        yaxis=dict(title_text="占本组比例（%）", ticksuffix="%", rangemode="tozero"),
    )
    return fig


def box_chart(df: pd.DataFrame, note: str | None = None, title: str | None = None) -> go.Figure:
    """score_distribution rows -> one box per group drawn from the query's quantiles (min, p25, median, p75,
    max, mean), so no raw values need to leave the database."""
    measure = df["measure"].iloc[0] if len(df) else "score_pct"
    mlabel, unit = MEASURES.get(measure, (measure, ""))
    title = title or f"{mlabel}：分位数"
    groups = df.drop_duplicates("group_value").sort_values("median_value", ascending=True)
    groups = groups[groups["n_in_group"] > 0]
    if groups.empty:
        return empty_figure("所选范围内没有数据", title)
    fig = figure(title, note, max(320, 120 + 44 * len(groups)))
    for i, g in enumerate(groups.itertuples(index=False)):
        fig.add_trace(
            go.Box(
                y=[str(g.group_value)],
                q1=[g.p25_value],
                median=[g.median_value],
                q3=[g.p75_value],
                lowerfence=[g.min_value],
                upperfence=[g.max_value],
                mean=[g.mean_value],
                orientation="h",
                name=str(g.group_value),
                marker_color=SERIES_COLORS[i % len(SERIES_COLORS)],
                showlegend=False,
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[g.median_value],
                y=[str(g.group_value)],
                mode="markers",
                marker=dict(size=1, opacity=0),
                showlegend=False,
                hoverinfo="text",
                hovertext=hover_texts(
                    [
                        [
                            ("", str(g.group_value)),
                            ("个数", str(int(g.n_in_group))),
                            ("最小值", fmt_value(g.min_value, unit, 4)),
                            ("下四分位", fmt_value(g.p25_value, unit, 4)),
                            ("中位数", fmt_value(g.median_value, unit, 4)),
                            ("上四分位", fmt_value(g.p75_value, unit, 4)),
                            ("最大值", fmt_value(g.max_value, unit, 4)),
                            ("平均值", fmt_value(g.mean_value, unit, 4)),
                        ]
                    ]
                ),
            )
        )
    fig.update_layout(
        xaxis=dict(title_text=f"{mlabel}（{unit}）", ticksuffix="%" if unit == "%" else ""),
        yaxis=dict(title_text="", type="category"),
    )
    return fig


def execution_scatter(df: pd.DataFrame, note: str | None = None, title: str | None = None) -> go.Figure:
    """year_over_year rows (one year) -> execution rate (x) vs unit total (y), sized by full-year budget,
    coloured by the unit's grade (the one grade scale)."""
    title = title or "预算执行率与自评得分"
    rows = df[df["execution_rate_pct"].notna() & df["unit_total"].notna()]
    if rows.empty:
        return empty_figure("没有同时具备执行率与得分的单位", title)
    fig = figure(title, note, 480)
    budget = pd.to_numeric(rows["budget_full_year_wan"], errors="coerce").fillna(0).clip(lower=0)
    top = float(budget.max()) or 1.0
    sizes = [10 + 26 * math.sqrt(b / top) for b in budget]
    grades = [grade_of(t) for t in rows["unit_total"]]
    fig.add_trace(
        go.Scatter(
            x=rows["execution_rate_pct"],
            y=rows["unit_total"],
            mode="markers",
            showlegend=False,
            marker=dict(
                size=sizes,
                color=[GRADE_COLORS[g] for g in grades],
                opacity=0.8,
                line=dict(width=1, color="#ffffff"),
            ),
            customdata=list(rows["unit"]),
            hovertext=hover_texts(
                [
                    [
                        ("", u),
                        ("预算执行率", fmt_pct(x, 4)),
                        ("自评得分", fmt_score(y, 4)),
                        ("全年预算", fmt_wan(b, 4)),
                        ("扣分（同一组表）", fmt_score(p, 4)),
                    ]
                    for u, x, y, b, p in zip(
                        rows["unit"],
                        rows["execution_rate_pct"],
                        rows["unit_total"],
                        rows["budget_full_year_wan"],
                        rows["points_lost"],
                    )
                ]
            ),
            hoverinfo="text",
        )
    )
    grade_legend(fig, grades, marker="circle")
    fig.update_layout(
        xaxis=dict(title_text="预算执行率（%）", ticksuffix="%"),
        yaxis=dict(title_text="自评得分（分）"),
    )
    return fig


def execution_rate_chart(
    df: pd.DataFrame, note: str | None = None, title: str | None = None, projects: bool = True
) -> go.Figure:
    """execution_rates rows (one year) -> horizontal bars per unit: the department form's execution rate beside
    the project forms' pooled rate (unless `projects` is False: a compact chart for many units), highest on top,
    with the 100% line; the hover says stated or recomputed."""
    title = title or "预算执行率：部门整体与项目"
    rows = df[df["dept_rate_pct"].notna() | df["projects_rate_pct"].notna()].copy()
    if rows.empty:
        return empty_figure("没有可计算执行率的单位", title)
    rows["_rate"] = rows["dept_rate_pct"].fillna(rows["projects_rate_pct"])
    rows = rows.sort_values(["_rate", "unit"], ascending=[False, True], kind="stable")
    has_projects = projects and rows["projects_rate_pct"].notna().any()
    fig = figure(title, note, max(240, 110 + (34 if has_projects else 24) * len(rows)))
    basis_label = {"computed": "重新计算（执行数 ÷ 全年预算）", "stated": "填报值"}
    series = [
        ("部门整体", "dept_rate_pct", "dept_rate_basis", "dept_full_year_wan", "dept_executed_wan", PRIMARY)
    ]
    if has_projects:
        series.append(
            (
                "项目（合计）",
                "projects_rate_pct",
                "projects_rate_basis",
                "projects_full_year_wan",
                "projects_executed_wan",
                SERIES_COLORS[1],
            )
        )
    for name, rate, basis, full, executed, color in series:
        fig.add_trace(
            go.Bar(
                x=rows[rate],
                y=list(rows["unit"]),
                orientation="h",
                name=name,
                marker_color=color,
                text=[fmt_pct(v) for v in rows[rate]],
                textposition="outside",
                cliponaxis=False,
                textfont=dict(size=11, color=TEXT_COLOR),
                hovertext=hover_texts(
                    [
                        [
                            ("", f"{u} · {name}"),
                            ("执行率", fmt_pct(v, 4)),
                            ("口径", basis_label.get(b, "—")),
                            ("全年预算", fmt_wan(fy, 4)),
                            ("执行数", fmt_wan(ex, 4)),
                        ]
                        for u, v, b, fy, ex in zip(
                            rows["unit"], rows[rate], rows[basis], rows[full], rows[executed]
                        )
                    ]
                ),
                hoverinfo="text",
            )
        )
    values = pd.concat([rows["dept_rate_pct"]] + ([rows["projects_rate_pct"]] if has_projects else []))
    floor = axis_floor(values, "%")
    top = max(float(values.max()), 100.0)
    fig.add_vline(x=100, line=dict(color="#8a99ab", dash="dash", width=1))
    fig.update_layout(
        barmode="group",
        bargap=0.25,
        bargroupgap=0.05,
        xaxis=dict(
            title_text="预算执行率（%）" + (f"，横轴自{fmt_number(floor)}%起" if floor else ""),
            ticksuffix="%",
            range=[floor or 0, top + max((top - (floor or 0)) * 0.14, 1.0)],
        ),
        yaxis=dict(autorange="reversed", title_text="", tickfont=dict(size=12)),
    )
    return fig
