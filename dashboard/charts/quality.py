"""Charts of data quality: findings by unit and rule, stated against recomputed totals, self-score leniency."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.theme import (
    PRIMARY,
    SERIES_COLORS,
    SEVERITY_COLORS,
    STATUS_COLORS,
    empty_figure,
    figure,
    hover_texts,
)
from dashboard.labels import (
    POINTS_EPSILON,
    SEVERITY_LABELS,
    SEVERITY_ORDER,
    fmt_score,
    fmt_signed,
    is_missing,
)


# -- data quality --------------------------------------------------------------------------------------------------
def findings_chart(
    df: pd.DataFrame, top: int = 15, note: str | None = None, title: str | None = None
) -> go.Figure:
    """findings_summary rows -> stacked horizontal bars: findings per unit, split by rule."""
    title = title or "核查发现：按单位与规则"
    if df.empty:
        return empty_figure("没有核查发现", title)
    totals = df.groupby("unit")["n_findings"].sum().sort_values(ascending=False).head(top)
    rows = df[df["unit"].isin(totals.index)]
    rules = (
        rows.groupby(["rule", "description"], dropna=False)["n_findings"].sum().sort_values(ascending=False)
    )
    fig = figure(title, note, max(360, 150 + 28 * len(totals) + 22 * ((len(rules) + 1) // 2)))
    for i, ((rule, desc), _) in enumerate(rules.items()):
        part = rows[rows["rule"] == rule].groupby("unit")["n_findings"].sum().reindex(totals.index)
        label = desc if isinstance(desc, str) and desc else rule
        fig.add_trace(
            go.Bar(
                x=part.fillna(0),
                y=list(totals.index),
                orientation="h",
                name=label,
                marker_color=SERIES_COLORS[i % len(SERIES_COLORS)],
                hovertext=hover_texts(
                    [
                        [("", u), ("规则", label), ("发现", f"{int(n) if not is_missing(n) else 0}条")]
                        for u, n in zip(totals.index, part)
                    ]
                ),
                hoverinfo="text",
            )
        )
    fig.update_layout(
        barmode="stack",
        xaxis=dict(title_text="核查发现（条）"),
        yaxis=dict(autorange="reversed", title_text=""),
        legend=dict(
            orientation="h",
            yanchor="top",
            y=-0.14,
            xanchor="left",
            x=0,
            entrywidth=0.5,
            entrywidthmode="fraction",
        ),
    )
    return fig


def findings_rule_chart(
    df: pd.DataFrame, top: int = 12, note: str | None = None, title: str | None = None
) -> go.Figure:
    """findings_summary rows (unit × rule) -> one bar per rule, summed over the units shown, coloured by
    severity, errors first; the hover says on how many units and forms."""
    title = title or "核查发现：按问题类型"
    if df.empty:
        return empty_figure("没有核查发现", title, height=240)
    rules = (
        df.groupby(["rule", "severity", "description"], dropna=False)
        .agg(n=("n_findings", "sum"), units=("unit", "nunique"), forms=("n_forms", "sum"))
        .reset_index()
    )
    rules["_order"] = rules["severity"].map(SEVERITY_ORDER).fillna(3)
    rules = rules.sort_values(["_order", "n", "rule"], ascending=[True, False, True], kind="stable").head(top)
    labels = [d if isinstance(d, str) and d else r for r, d in zip(rules["rule"], rules["description"])]
    fig = figure(title, note, max(260, 120 + 30 * len(rules)))
    fig.add_trace(
        go.Bar(
            x=rules["n"],
            y=labels,
            orientation="h",
            showlegend=False,
            marker=dict(color=[SEVERITY_COLORS.get(s, STATUS_COLORS["no_score"]) for s in rules["severity"]]),
            text=[f"{int(n)}条" for n in rules["n"]],
            textposition="outside",
            cliponaxis=False,
            hovertext=hover_texts(
                [
                    [
                        ("", lbl),
                        ("级别", SEVERITY_LABELS.get(s, s)),
                        ("发现", f"{int(n)}条"),
                        ("涉及单位", f"{int(u)}个"),
                        ("涉及表格", f"{int(f)}张"),
                    ]
                    for lbl, s, n, u, f in zip(
                        labels, rules["severity"], rules["n"], rules["units"], rules["forms"]
                    )
                ]
            ),
            hoverinfo="text",
        )
    )
    for s in ("error", "warning", "info"):
        if s in set(rules["severity"]):
            fig.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    name=SEVERITY_LABELS[s],
                    marker=dict(color=SEVERITY_COLORS[s], size=11, symbol="square"),
                    hoverinfo="skip",
                    showlegend=True,
                )
            )
    fig.update_layout(
        xaxis=dict(title_text="核查发现（条）", range=[0, float(rules["n"].max()) * 1.15 + 0.5]),
        yaxis=dict(autorange="reversed", title_text="", tickfont=dict(size=12), ticksuffix="  "),
    )
    return fig


def total_gap_chart(df: pd.DataFrame, note: str | None = None, title: str | None = None) -> go.Figure:
    """total_gap rows -> reported score (x) vs 核算得分 (y, Σ得分 / Σ分值 × 100) per form, both on the 100-point
    scale; on the diagonal they agree; forms whose grade changes on 核算得分 are marked."""
    title = title or "自评得分与核算得分"
    col = "recomputed_score" if "recomputed_score" in df.columns else "computed_total"
    rows = df[df["stated_total"].notna() & df[col].notna()]
    if rows.empty:
        return empty_figure("没有同时具备自评得分与核算得分的表格", title)
    fig = figure(title, note, 480)
    low = float(min(rows["stated_total"].min(), rows[col].min()))
    high = float(max(rows["stated_total"].max(), rows[col].max()))
    fig.add_trace(
        go.Scatter(
            x=[low, high],
            y=[low, high],
            mode="lines",
            name="两者一致",
            line=dict(color="#8a99ab", dash="dash", width=1),
            hoverinfo="skip",
        )
    )
    for changed, name, color, symbol in (
        (False, "等级不变", PRIMARY, "circle"),
        (True, "核算后等级变化", STATUS_COLORS["lost_points"], "diamond"),
    ):
        part = rows[rows["is_grade_changed"].fillna(False).astype(bool) == changed]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=part["stated_total"],
                y=part[col],
                mode="markers",
                name=name,
                marker=dict(
                    color=color,
                    size=9 if changed else 7,
                    symbol=symbol,
                    opacity=0.75,
                    line=dict(width=0.5, color="#ffffff"),
                ),
                customdata=list(part["report_id"]),
                hovertext=hover_texts(
                    [
                        [
                            ("", f"{u} · {f}"),
                            ("年度", str(int(y)) if not is_missing(y) else "—"),
                            ("自评得分", fmt_score(s, 4)),
                            ("核算得分", fmt_score(c, 4)),
                            ("差值", fmt_signed(g, "分", 4)),
                            ("等级", f"{sg or '—'} → {cg or '—'}"),
                        ]
                        for u, f, y, s, c, g, sg, cg in zip(
                            part["unit"],
                            part["form"],
                            part["year"],
                            part["stated_total"],
                            part[col],
                            part["score_gap"] if "score_gap" in part else part["total_gap"],
                            part["stated_grade"],
                            part["computed_grade"],
                        )
                    ]
                ),
                hoverinfo="text",
            )
        )
    fig.update_layout(xaxis=dict(title_text="自评得分（分）"), yaxis=dict(title_text="核算得分（分）"))
    return fig


def leniency_chart(
    df: pd.DataFrame, top: int = 15, note: str | None = None, title: str | None = None
) -> go.Figure:
    """score_check unit rows -> the units whose self-given scores exceed what their own numbers support."""
    title = title or "自评分高于按规则应得分的单位"
    scored = df[df["leniency_points"].notna()]
    rows = (
        scored[scored["leniency_points"] > POINTS_EPSILON]
        .sort_values("leniency_points", ascending=False)
        .head(top)
    )
    if rows.empty:
        message = "没有自评分高于按规则应得分的单位" if len(scored) else "没有可核对的定量指标"
        return empty_figure(message, title)
    fig = figure(title, note, max(300, 110 + 28 * len(rows)))
    colors = [STATUS_COLORS["lost_points"]] * len(rows)
    several_years = rows["year"].nunique() > 1
    labels = [
        f"{u}（{int(y)}）" if several_years and not is_missing(y) else str(u)
        for u, y in zip(rows["unit"], rows["year"])
    ]
    fig.add_trace(
        go.Bar(
            x=rows["leniency_points"],
            y=labels,
            orientation="h",
            showlegend=False,
            marker_color=colors,
            text=[fmt_signed(v, "分") for v in rows["leniency_points"]],
            textposition="outside",
            cliponaxis=False,
            hovertext=hover_texts(
                [
                    [
                        ("", lbl),
                        ("自评分", fmt_score(s, 4)),
                        ("按规则应得", fmt_score(r, 4)),
                        ("差值", fmt_signed(v, "分", 4)),
                        ("定量指标", f"{int(n)}个"),
                        ("自评偏高", f"{int(k)}个"),
                    ]
                    for lbl, s, r, v, n, k in zip(
                        labels,
                        rows["self_score"],
                        rows["rule_score"],
                        rows["leniency_points"],
                        rows["n_quantitative"],
                        rows["n_lenient"],
                    )
                ]
            ),
            hoverinfo="text",
        )
    )
    top_value = float(rows["leniency_points"].max())
    fig.update_layout(
        xaxis=dict(title_text="自评分 − 按规则应得分（分）", range=[0, max(top_value * 1.2, 0.5)]),
        yaxis=dict(autorange="reversed", title_text=""),
    )
    return fig
