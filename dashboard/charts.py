"""Pure chart functions: a query's DataFrame in, a Plotly figure out (one theme, CJK font, Chinese number formats).

Nothing here reads the database or imports streamlit, so the app, the exports and the report (issue 7) draw the
same figures from the same rows. Colours follow one status mapping everywhere: an indicator or a unit either met
its targets, missed a target at full marks, lost points, or has no score.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

# Chromium (kaleido) and the browsers that show the app pick the first installed family; fonts-noto-cjk gives
# Noto Sans CJK SC on Debian, Windows and macOS fall back to their own CJK fonts.
FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
TEXT_COLOR = "#1d2733"
MUTED_COLOR = "#6b7785"
GRID_COLOR = "#e3e8ef"
PRIMARY = "#1f5fa8"
SECONDARY = "#9fb3c8"

STATUS_COLORS = {
    "ok": "#2f9e63",  # targets met, full marks
    "target_missed": "#f0a500",  # full marks although a numeric actual misses its target
    "lost_points": "#d9534f",  # lost points
    "no_score": "#a0a7b4",  # weight or score missing
}
STATUS_LABELS = {
    "ok": "达标",
    "target_missed": "未达目标（未扣分）",
    "lost_points": "扣分",
    "no_score": "无分值",
}
STATUS_ORDER = ("lost_points", "target_missed", "ok", "no_score")

GRADE_ORDER = ("优", "良", "中", "差")
GRADE_COLORS = {"优": "#2f9e63", "良": "#1f5fa8", "中": "#f0a500", "差": "#d9534f"}

# A palette for series that are not statuses (units side by side, rules, groups).
SERIES_COLORS = (
    "#1f5fa8",
    "#e07b39",
    "#3a9d8f",
    "#8e5ea2",
    "#c9a227",
    "#5b7083",
    "#d35f8d",
    "#6aa84f",
    "#b0563d",
    "#4a90c2",
    "#9c8a3b",
    "#2e6f6a",
    "#c0392b",
    "#7f8c8d",
    "#a569bd",
    "#16a085",
    "#d68910",
    "#34495e",
    "#e6a0c4",
    "#82a0c0",
)

SYNTHETIC_NOTE = "示例数据（虚构，非真实数字）"

METRICS = {
    "computed_total": "重新计算总分",
    "stated_total": "填报总分",
    "execution_rate": "预算执行率",
    "points_lost_share": "扣分占比",
    "findings": "核查发现数",
}
METRIC_UNITS = {
    "computed_total": "分",
    "stated_total": "分",
    "execution_rate": "%",
    "points_lost_share": "%",
    "findings": "条",
}


# -- number formats ----------------------------------------------------------------------------------------------
def is_missing(x: Any) -> bool:
    if x is None or x is pd.NA:
        return True
    try:
        return bool(isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def fmt_number(x: Any, digits: int = 2) -> str:
    """12345.6 -> '12,345.6'; trailing zeros dropped; '—' for a missing value."""
    if is_missing(x):
        return "—"
    text = f"{float(x):,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_wan(x: Any, digits: int = 2) -> str:
    """Money held in 万元: '291.54万元'; 10,000 万元 and more as 亿元 ('1.23亿元')."""
    if is_missing(x):
        return "—"
    v = float(x)
    if abs(v) >= 10000:
        return f"{fmt_number(v / 10000, digits)}亿元"
    return f"{fmt_number(v, digits)}万元"


def fmt_pct(x: Any, digits: int = 1) -> str:
    """A percentage held as 0–100: 87 -> '87%', 99.53 -> '99.5%'."""
    if is_missing(x):
        return "—"
    return f"{fmt_number(x, digits)}%"


def fmt_score(x: Any, digits: int = 2) -> str:
    """Points: 93 -> '93分', 88.5 -> '88.5分'."""
    if is_missing(x):
        return "—"
    return f"{fmt_number(x, digits)}分"


def fmt_exact(x: Any) -> str:
    """A value as stored, up to 4 decimals (hover text)."""
    return fmt_number(x, 4)


def fmt_value(x: Any, unit: str | None, digits: int = 2) -> str:
    """A value with its unit: '%' right after the number, 万元/亿元 the Chinese way, anything else appended."""
    if is_missing(x):
        return "—"
    if unit == "%":
        return fmt_pct(x, digits)
    if unit == "分":
        return fmt_score(x, digits)
    if unit in ("万元", "wan"):
        return fmt_wan(x, digits)
    return f"{fmt_number(x, digits)}{unit or ''}"


def fmt_signed(x: Any, unit: str = "", digits: int = 2, ascii_minus: bool = False) -> str:
    """A change with its sign: '+2.5分', '−1个' (a real minus sign; ASCII '-' for st.metric, which reads the
    direction from it), '0' for no change."""
    if is_missing(x):
        return "—"
    v = float(x)
    if abs(v) < 10 ** -(digits + 1):
        return f"0{unit}"
    sign = "+" if v > 0 else ("-" if ascii_minus else "−")
    return f"{sign}{fmt_number(abs(v), digits)}{unit}"


def fmt_rank_change(x: Any) -> str:
    """Rank change (previous − current): '↑3', '↓2', '—' (same or new)."""
    if is_missing(x) or int(x) == 0:
        return "—" if is_missing(x) else "持平"
    return f"↑{int(x)}" if x > 0 else f"↓{-int(x)}"


def short(text: str, limit: int) -> str:
    """Text cut to `limit` characters with an ellipsis (axis labels; the hover keeps the whole text)."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def metric_value_text(metric: str, x: Any) -> str:
    unit = METRIC_UNITS.get(metric, "")
    if unit == "条":
        return "—" if is_missing(x) else f"{int(x)}条"
    return fmt_value(x, unit)


# -- theme ---------------------------------------------------------------------------------------------------------
def _template() -> go.layout.Template:
    # Layout only: plotly_white's per-trace-type defaults (colour scales of every trace type) cost ~50 ms to
    # validate and copy into each figure, and none of our charts needs them.
    t = go.layout.Template(layout=pio.templates["plotly_white"].layout)
    t.layout.update(
        font=dict(family=FONT_FAMILY, size=13, color=TEXT_COLOR),
        title=dict(
            font=dict(size=17, color=TEXT_COLOR), x=0.0, xanchor="left", y=0.98, yanchor="top", pad=dict(l=4)
        ),
        colorway=list(SERIES_COLORS),
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        margin=dict(l=16, r=24, t=64, b=40),
        hoverlabel=dict(font=dict(family=FONT_FAMILY, size=13), bgcolor="#ffffff", bordercolor="#c5cfdb"),
        legend=dict(
            orientation="h",
            yanchor="bottom",
            y=1.0,
            xanchor="right",
            x=1.0,
            title_text="",
            font=dict(size=12),
        ),
        separators=".,",
        bargap=0.28,
    )
    t.layout.xaxis.update(
        gridcolor=GRID_COLOR,
        zerolinecolor="#c5cfdb",
        linecolor="#c5cfdb",
        automargin=True,
        title=dict(font=dict(size=13, color=MUTED_COLOR)),
    )
    t.layout.yaxis.update(
        gridcolor=GRID_COLOR,
        zerolinecolor="#c5cfdb",
        linecolor="#c5cfdb",
        automargin=True,
        title=dict(font=dict(size=13, color=MUTED_COLOR)),
    )
    return t


TEMPLATE = _template()
pio.templates["jixiao"] = TEMPLATE


def _figure(title: str, note: str | None = None, height: int = 460) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE, title_text=title, height=height)
    if note:
        add_note(fig, note)
    return fig


def add_note(fig: go.Figure, text: str) -> go.Figure:
    """A subtitle under the title, e.g. the 示例数据 marker that travels with every export."""
    fig.update_layout(title_subtitle=dict(text=text, font=dict(size=12, color="#b4621b")))
    top = fig.layout.margin.t if fig.layout.margin and fig.layout.margin.t is not None else 64
    fig.update_layout(margin_t=max(top, 84))
    return fig


def empty_figure(message: str, title: str = "", height: int = 320) -> go.Figure:
    fig = _figure(title, height=height)
    fig.add_annotation(
        text=message,
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        showarrow=False,
        font=dict(size=15, color=MUTED_COLOR),
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def unit_status(points_lost: Any, n_target_missed: Any = 0) -> str:
    """A unit's (or form's) status from what its indicators lost: the same vocabulary as indicator_facts.status."""
    if not is_missing(points_lost) and float(points_lost) > 0.00005:
        return "lost_points"
    if not is_missing(n_target_missed) and int(n_target_missed) > 0:
        return "target_missed"
    if is_missing(points_lost):
        return "no_score"
    return "ok"


def _status_legend(fig: go.Figure, statuses: Iterable[str], marker: str = "square", prefix: str = "") -> None:
    """Legend entries for the statuses shown (bar charts colour points, not traces)."""
    for s in STATUS_ORDER:
        if s in set(statuses):
            fig.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    name=prefix + STATUS_LABELS[s],
                    marker=dict(color=STATUS_COLORS[s], size=11, symbol=marker),
                    hoverinfo="skip",
                    showlegend=True,
                )
            )


def _hover(rows: Sequence[Sequence[tuple[str, str]]]) -> list[str]:
    return ["<br>".join(f"{k}：{v}" if k else f"<b>{v}</b>" for k, v in row) for row in rows]


def _axis_floor(values: pd.Series, unit: str) -> float | None:
    """Where a bar axis starts: 0, except for scores and rates bunched near 100, which start a little below
    their minimum so differences stay visible (the axis title says where it starts)."""
    v = pd.to_numeric(values, errors="coerce").dropna()
    if v.empty or unit not in ("分", "%"):
        return None
    low = float(v.min())
    if low < 50:
        return None
    return max(0.0, math.floor((low - 2) / 5) * 5)


# -- ranking -------------------------------------------------------------------------------------------------------
def ranking_chart(
    df: pd.DataFrame, metric: str = "computed_total", note: str | None = None, title: str | None = None
) -> go.Figure:
    """department_ranking rows -> horizontal bars, rank 1 on top, coloured by status, rank change as text.
    Each bar's customdata[0] is the unit name (the page turns a click into a drill-down)."""
    label = METRICS.get(metric, metric)
    unit = METRIC_UNITS.get(metric, "")
    year = int(df["year"].iloc[0]) if len(df) and not is_missing(df["year"].iloc[0]) else None
    title = title or f"{year or ''}年 单位排名：{label}".strip()
    rows = df[df["metric_value"].notna()].sort_values("rank", kind="stable")
    if rows.empty:
        return empty_figure("所选范围内没有可排名的单位", title)
    height = max(320, 96 + 26 * len(rows))
    fig = _figure(title, note, height)
    statuses = [unit_status(p) for p in rows["points_lost"]]
    texts = [
        f"{metric_value_text(metric, v)}  {fmt_rank_change(c) if not is_missing(c) else ''}".rstrip()
        for v, c in zip(rows["metric_value"], rows["rank_change"])
    ]
    hover = _hover(
        [
            [
                ("", u),
                ("名次", f"第{int(r)}名（共{int(n)}个）" + ("，并列" if t else "")),
                (label, fmt_exact(v) + unit),
                ("上年名次", "—" if is_missing(pr) else f"第{int(pr)}名"),
                ("名次变化", fmt_rank_change(c)),
                ("等级", g or "—"),
                ("扣分", fmt_score(p)),
            ]
            for u, r, n, t, v, pr, c, g, p in zip(
                rows["unit"],
                rows["rank"],
                rows["n_ranked"],
                rows["is_tied"],
                rows["metric_value"],
                rows["prev_rank"],
                rows["rank_change"],
                rows["grade"],
                rows["points_lost"],
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
            marker=dict(color=[STATUS_COLORS[s] for s in statuses]),
            text=texts,
            textposition="outside",
            cliponaxis=False,
            textfont=dict(size=12, color=TEXT_COLOR),
            customdata=list(zip(rows["unit"], rows["rank"])),
            hovertext=hover,
            hoverinfo="text",
        )
    )
    _status_legend(fig, statuses)
    floor = _axis_floor(rows["metric_value"], unit)
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
    title = title or f"{year or ''}年 自评等级分布：填报与重新计算".strip()
    if df.empty or df["n_forms"].sum() == 0:
        return empty_figure("没有可评定等级的自评表", title)
    fig = _figure(title, note, 380)
    for basis, name, color in (("stated", "按填报总分", SECONDARY), ("computed", "按重新计算总分", PRIMARY)):
        part = df[df["basis"] == basis].set_index("grade").reindex(list(GRADE_ORDER))
        n = part["n_forms"].fillna(0).astype(int)
        share = part["share_pct"]
        fig.add_trace(
            go.Bar(
                x=[
                    f"{g}<br><span style='font-size:11px;color:{MUTED_COLOR}'>{b}</span>"
                    for g, b in zip(GRADE_ORDER, ("90–100分", "80–89分", "60–79分", "0–59分"))
                ],
                y=n,
                name=name,
                marker_color=color,
                text=[str(v) for v in n],
                textposition="outside",
                cliponaxis=False,
                hovertext=_hover(
                    [
                        [("", f"{g} · {name}"), ("表格数", f"{v}张"), ("占比", fmt_pct(s))]
                        for g, v, s in zip(GRADE_ORDER, n, share)
                    ]
                ),
                hoverinfo="text",
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
    fig = _figure(title, note, 440)
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
                hovertext=_hover(
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


# -- distributions -------------------------------------------------------------------------------------------------
MEASURES = {
    "score_pct": ("指标得分率", "%"),
    "total": ("自评总分", "分"),
    "stated_total": ("填报总分", "分"),
    "computed_total": ("重新计算总分", "分"),
}
GROUPS = {"level1": "一级指标", "unit": "单位", "year": "年度", "kind": "表格类型", "all": "全部"}


def histogram_chart(df: pd.DataFrame, note: str | None = None, title: str | None = None) -> go.Figure:
    """score_distribution rows -> bars per bin, one colour per group; bar height = share of the group (%)
    so groups of different sizes compare, the count in the hover and as text."""
    measure = df["measure"].iloc[0] if len(df) else "score_pct"
    mlabel, _ = MEASURES.get(measure, (measure, ""))
    title = title or f"{mlabel}分布"
    if df.empty or df["n_in_group"].sum() == 0:
        return empty_figure("所选范围内没有数据", title)
    fig = _figure(title, note, 440)
    order = list(dict.fromkeys(df.sort_values("bin_index")["bin_label"]))
    for i, (group, part) in enumerate(df.groupby("group_value", sort=True)):
        share = part["n_in_bin"] / part["n_in_group"] * 100
        fig.add_trace(
            go.Bar(
                x=part["bin_label"],
                y=share,
                name=str(group),
                marker_color=SERIES_COLORS[i % len(SERIES_COLORS)],
                hovertext=_hover(
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
    fig = _figure(title, note, max(320, 120 + 44 * len(groups)))
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
                hovertext=_hover(
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
    coloured by status."""
    title = title or "预算执行率与自评得分"
    rows = df[df["execution_rate_pct"].notna() & df["unit_total"].notna()]
    if rows.empty:
        return empty_figure("没有同时具备执行率与得分的单位", title)
    fig = _figure(title, note, 480)
    budget = pd.to_numeric(rows["budget_full_year_wan"], errors="coerce").fillna(0).clip(lower=0)
    top = float(budget.max()) or 1.0
    sizes = [10 + 26 * math.sqrt(b / top) for b in budget]
    statuses = [unit_status(p) for p in rows["points_lost"]]
    fig.add_trace(
        go.Scatter(
            x=rows["execution_rate_pct"],
            y=rows["unit_total"],
            mode="markers",
            showlegend=False,
            marker=dict(
                size=sizes,
                color=[STATUS_COLORS[s] for s in statuses],
                opacity=0.8,
                line=dict(width=1, color="#ffffff"),
            ),
            customdata=list(rows["unit"]),
            hovertext=_hover(
                [
                    [
                        ("", u),
                        ("预算执行率", fmt_pct(x, 4)),
                        ("自评得分", fmt_score(y, 4)),
                        ("全年预算", fmt_wan(b, 4)),
                        ("扣分", fmt_score(p, 4)),
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
    _status_legend(fig, statuses, marker="circle")
    fig.update_layout(
        xaxis=dict(title_text="预算执行率（%）", ticksuffix="%"),
        yaxis=dict(title_text="自评得分（分，重新计算）"),
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
    fig = _figure(title, note, max(240, 110 + (34 if has_projects else 24) * len(rows)))
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
                hovertext=_hover(
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
    floor = _axis_floor(values, "%")
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


# -- drill-down ----------------------------------------------------------------------------------------------------
def drill_treemap(df: pd.DataFrame, note: str | None = None, title: str | None = None) -> go.Figure:
    """drilldown rows -> treemap: area = weight, colour = status; the hover shows weight, score, points lost."""
    title = title or "分值结构与扣分"
    rows = df[df["depth"] >= 0].copy()
    if rows.empty:
        return empty_figure("没有可下钻的自评表", title)
    # Leaves carry their weight; inner nodes 0, so with branchvalues "remainder" a node's area is exactly the
    # sum of its leaves (no float drift between SQL sums and plotly's own).
    weights = (
        pd.to_numeric(rows["weight"], errors="coerce").fillna(0).clip(lower=0).where(rows["depth"] == 4, 0)
    )
    fig = _figure(title, note, 560)
    labels = [f"{lbl}" for lbl in rows["label"]]
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
                colors=[STATUS_COLORS.get(s, STATUS_COLORS["no_score"]) for s in rows["status"]],
                line=dict(width=1, color="#ffffff"),
            ),
            texttemplate="%{label}<br>%{customdata[0]}",
            textfont=dict(family=FONT_FAMILY, size=13),
            customdata=[
                [f"{fmt_number(s)}/{fmt_number(w)}分"] for s, w in zip(rows["score"], rows["weight"])
            ],
            hovertext=_hover(
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
    _status_legend(fig, rows["status"])
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
    statuses = [s if s in STATUS_COLORS else "no_score" for s in rows["status"]]
    title = title or f"{name}：{'实际值与目标值' if numeric else '得分与分值'}"
    fig = _figure(title, note, 420)
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
                hovertext=_hover(
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
                marker=dict(color=[STATUS_COLORS[s] for s in statuses]),
                text=[t or "" for t in rows["actual_text"]],
                textposition="outside",
                cliponaxis=False,
                hovertext=_hover(
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
                marker=dict(color=[STATUS_COLORS[s] for s in statuses]),
                text=[fmt_score(s) for s in rows["score"]],
                textposition="outside",
                cliponaxis=False,
                hovertext=_hover(
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
    _status_legend(fig, statuses, prefix="实际值：" if numeric else "得分：")
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
    fig = _figure(title, note, max(300, 110 + 44 * len(rows)))
    labels = [
        f"{i + 1}. {short(n or '（未命名指标）', 16)}<br>"
        f"<span style='font-size:11px;color:{MUTED_COLOR}'>{short(f'{u}｜{f}', 24)}</span>"
        for i, (u, n, f) in enumerate(zip(rows["unit"], rows["level3"], rows["form"]))
    ]
    statuses = [s if s in STATUS_COLORS else "no_score" for s in rows["status"]]
    fig.add_trace(
        go.Bar(
            x=rows["points_lost"].fillna(0),
            y=labels,
            orientation="h",
            showlegend=False,
            marker=dict(color=[STATUS_COLORS[s] for s in statuses]),
            text=[fmt_score(p) for p in rows["points_lost"]],
            textposition="outside",
            cliponaxis=False,
            customdata=list(zip(rows["indicator_id"], rows["report_id"], rows["unit"])),
            hovertext=_hover(
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
    _status_legend(fig, statuses)
    top_value = float(rows["points_lost"].fillna(0).max()) or 1.0
    fig.update_layout(
        xaxis=dict(title_text="扣分（分）", range=[0, top_value * 1.18]),
        yaxis=dict(autorange="reversed", title_text="", tickfont=dict(size=12)),
    )
    return fig


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
    fig = _figure(title, note, max(360, 150 + 28 * len(totals) + 22 * ((len(rules) + 1) // 2)))
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
                hovertext=_hover(
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


SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_COLORS = {
    "error": STATUS_COLORS["lost_points"],
    "warning": STATUS_COLORS["target_missed"],
    "info": STATUS_COLORS["no_score"],
}


def findings_rule_chart(
    df: pd.DataFrame, top: int = 12, note: str | None = None, title: str | None = None
) -> go.Figure:
    """findings_summary rows (unit × rule) -> one bar per rule, summed over the units shown, coloured by
    severity, errors first; the hover says on how many units and forms."""
    title = title or "核查发现：按问题类型"
    if df.empty:
        return empty_figure("没有核查发现", title, height=240)
    rank = {"error": 0, "warning": 1, "info": 2}
    rules = (
        df.groupby(["rule", "severity", "description"], dropna=False)
        .agg(n=("n_findings", "sum"), units=("unit", "nunique"), forms=("n_forms", "sum"))
        .reset_index()
    )
    rules["_order"] = rules["severity"].map(rank).fillna(3)
    rules = rules.sort_values(["_order", "n", "rule"], ascending=[True, False, True], kind="stable").head(top)
    labels = [d if isinstance(d, str) and d else r for r, d in zip(rules["rule"], rules["description"])]
    fig = _figure(title, note, max(260, 120 + 30 * len(rules)))
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
            hovertext=_hover(
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
    """total_gap rows -> stated (x) vs recomputed (y) total per form; on the diagonal they agree; forms whose
    grade changes when recomputed are marked."""
    title = title or "填报总分与重新计算总分"
    rows = df[df["stated_total"].notna() & df["computed_total"].notna()]
    if rows.empty:
        return empty_figure("没有同时具备填报与重算总分的表格", title)
    fig = _figure(title, note, 480)
    low = float(min(rows["stated_total"].min(), rows["computed_total"].min()))
    high = float(max(rows["stated_total"].max(), rows["computed_total"].max()))
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
        (True, "重算后等级变化", STATUS_COLORS["lost_points"], "diamond"),
    ):
        part = rows[rows["is_grade_changed"].fillna(False).astype(bool) == changed]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=part["stated_total"],
                y=part["computed_total"],
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
                hovertext=_hover(
                    [
                        [
                            ("", f"{u} · {f}"),
                            ("年度", str(int(y)) if not is_missing(y) else "—"),
                            ("填报总分", fmt_score(s, 4)),
                            ("重新计算", fmt_score(c, 4)),
                            ("差值", fmt_signed(g, "分", 4)),
                            ("等级", f"{sg or '—'} → {cg or '—'}"),
                        ]
                        for u, f, y, s, c, g, sg, cg in zip(
                            part["unit"],
                            part["form"],
                            part["year"],
                            part["stated_total"],
                            part["computed_total"],
                            part["total_gap"],
                            part["stated_grade"],
                            part["computed_grade"],
                        )
                    ]
                ),
                hoverinfo="text",
            )
        )
    fig.update_layout(xaxis=dict(title_text="填报总分（分）"), yaxis=dict(title_text="重新计算总分（分）"))
    return fig


def leniency_chart(
    df: pd.DataFrame, top: int = 15, note: str | None = None, title: str | None = None
) -> go.Figure:
    """score_check unit rows -> the units whose self-given scores exceed what their own numbers support."""
    title = title or "自评分高于按规则应得分的单位"
    scored = df[df["leniency_points"].notna()]
    rows = (
        scored[scored["leniency_points"] > 0.00005].sort_values("leniency_points", ascending=False).head(top)
    )
    if rows.empty:
        message = "没有自评分高于按规则应得分的单位" if len(scored) else "没有可核对的定量指标"
        return empty_figure(message, title)
    fig = _figure(title, note, max(300, 110 + 28 * len(rows)))
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
            hovertext=_hover(
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
