"""The one chart theme: CJK font, colours (one status mapping everywhere), the Plotly template, and the small
helpers every chart builder uses (a titled figure, the 示例数据 note, an empty figure, status legends)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.labels import (
    GRADE_BANDS,
    GRADE_ORDER,
    NO_GRADE,
    POINTS_EPSILON,
    STATUS_LABELS,
    STATUS_ORDER,
    grade_of,
    is_missing,
)

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
# The one graded scale every chart colours units and indicators by (a unit's score, an indicator's 得分率).
GRADE_COLORS = {"优": "#2f9e63", "良": "#1f5fa8", "中": "#f0a500", "差": "#d9534f", NO_GRADE: "#a0a7b4"}

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

SEVERITY_COLORS = {
    "error": STATUS_COLORS["lost_points"],
    "warning": STATUS_COLORS["target_missed"],
    "info": STATUS_COLORS["no_score"],
}


X_TICK_STANDOFF = 8  # px between the x axis and its tick labels (more than half a 13-px tick label)


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
        # The lowest y tick label sits centred on the x axis line: without a gap it overprints the first x
        # tick label where both axes start in the corner ("87" on "99%" in the execution-rate scatter).
        ticklabelstandoff=X_TICK_STANDOFF,
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


def figure(title: str, note: str | None = None, height: int = 460) -> go.Figure:
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
    fig = figure(title, height=height)
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
    if not is_missing(points_lost) and float(points_lost) > POINTS_EPSILON:
        return "lost_points"
    if not is_missing(n_target_missed) and int(n_target_missed) > 0:
        return "target_missed"
    if is_missing(points_lost):
        return "no_score"
    return "ok"


def status_legend(fig: go.Figure, statuses: Iterable[str], marker: str = "square", prefix: str = "") -> None:
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


def grade_color(x: Any) -> str:
    """The colour of a score (or 得分率) on the grade scale."""
    return GRADE_COLORS[grade_of(x)]


def rate_grades(scores: Iterable[Any], weights: Iterable[Any]) -> list[str]:
    """Indicators on the grade scale: the grade of each 得分率 (score ÷ weight × 100); 无得分 without a weight."""
    out = []
    for s, w in zip(scores, weights):
        ok = not is_missing(s) and not is_missing(w) and float(w) > 0
        out.append(grade_of(float(s) / float(w) * 100) if ok else NO_GRADE)
    return out


def grade_legend_name(grade: str, what: str = "") -> str:
    """'优（90分及以上）' or, for indicators, '优（得分率90%及以上）': the one legend of the grade scale."""
    if grade == NO_GRADE:
        return NO_GRADE
    band = GRADE_BANDS[grade]
    if what == "得分率":
        band = "得分率" + band.replace("分", "%")
    return f"{grade}（{band}）"


def grade_legend(fig: go.Figure, grades: Iterable[str], what: str = "", marker: str = "square") -> None:
    """Legend entries of the grade scale for the grades shown, always in the order 优 良 中 差 (无得分)."""
    shown = set(grades)
    for g in (*GRADE_ORDER, NO_GRADE):
        if g in shown:
            fig.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    name=grade_legend_name(g, what),
                    marker=dict(color=GRADE_COLORS[g], size=11, symbol=marker),
                    hoverinfo="skip",
                    showlegend=True,
                )
            )


def hover_texts(rows: Sequence[Sequence[tuple[str, str]]]) -> list[str]:
    return ["<br>".join(f"{k}：{v}" if k else f"<b>{v}</b>" for k, v in row) for row in rows]


def axis_floor(values: pd.Series, unit: str) -> float | None:
    """Where a bar axis starts: 0, except for scores and rates bunched near 100, which start a little below
    their minimum so differences stay visible (the axis title says where it starts)."""
    v = pd.to_numeric(values, errors="coerce").dropna()
    if v.empty or unit not in ("分", "%"):
        return None
    low = float(v.min())
    if low < 50:
        return None
    return max(0.0, math.floor((low - 2) / 5) * 5)
