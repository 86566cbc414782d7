"""Charts and tables with their downloads: PNG (2×) / SVG / PDF rendered server-side when clicked, CSV (UTF-8 BOM)
and XLSX of what the table shows."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import export, labels

PLOTLY_CONFIG: dict[str, Any] = {
    # No mode bar: its tooltips are English (Streamlit registers no plotly.js locale); every chart has its own
    # Chinese PNG / SVG / PDF downloads below it, and hovering and clicking still work.
    "displayModeBar": False,
    "locale": "zh-CN",
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "jixiao-chart"},
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
}


@st.cache_resource(show_spinner=False)
def _warm_exports() -> bool:
    """Once per server: start kaleido's browser in the background, so the first export is not the slow one."""
    if os.environ.get("JIXIAO_NO_WARMUP"):
        return False
    threading.Thread(target=export.warm_up, args=(10.0,), name="kaleido-warm-up", daemon=True).start()
    return True


def chart(
    fig: go.Figure,
    name: str,
    key: str | None = None,
    on_select: str | Callable | None = None,
    selection_mode: str | tuple = "points",
) -> Any:
    """Show a figure with its exports (PNG 2×, SVG, PDF rendered server-side only when clicked)."""
    _warm_exports()
    kwargs: dict[str, Any] = {
        "theme": None,
        "config": {
            **PLOTLY_CONFIG,
            "toImageButtonOptions": {**PLOTLY_CONFIG["toImageButtonOptions"], "filename": name},
        },
        "key": key,
    }
    if on_select is not None:
        kwargs.update(on_select=on_select, selection_mode=selection_mode)
    event = st.plotly_chart(fig, **kwargs)
    export_buttons(fig, name, key or name)
    return event


def export_buttons(fig: go.Figure, name: str, key: str) -> None:
    row = st.container(horizontal=True, gap="small")
    for fmt, label, tip in (
        ("png", "PNG", "PNG 图片（2 倍分辨率）"),
        ("svg", "SVG", "SVG 矢量图"),
        ("pdf", "PDF", "PDF 文件"),
    ):
        row.download_button(
            label,
            data=audited(_renderer(fig, fmt), f"{name}.{fmt}"),
            file_name=f"{name}.{fmt}",
            mime=export.MIME[fmt],
            help=f"下载{tip}",
            key=f"dl-{key}-{fmt}",
            on_click="ignore",
            icon=":material/download:",
            type="tertiary",
        )


def audited(render: Callable[[], bytes], file_name: str) -> Callable[[], bytes]:
    """The download's bytes, with an audit log line when they are built (a click; login on only). The user is
    taken now: the bytes are built outside this script run."""
    from dashboard import audit, paths
    from dashboard.ui.login import current_user

    user = current_user()
    if user is None:
        return render
    db, who, role = paths.default_db(), user.name, user.role

    def logged() -> bytes:
        data = render()
        audit.record(db, who, role, "export", detail=file_name)
        return data

    return logged


def _renderer(fig: go.Figure, fmt: str) -> Callable[[], bytes]:
    def render() -> bytes:
        return export.figure_bytes(fig, fmt)  # type: ignore[arg-type]

    return render


ColumnSpec = Mapping[str, tuple[str, str]]  # column -> (Chinese label, kind)


def _column_config(spec: ColumnSpec) -> dict[str, Any]:
    cc = st.column_config
    config: dict[str, Any] = {}
    for col, (label, kind) in spec.items():
        if kind == "score":
            config[col] = cc.NumberColumn(label, format="%.2f")
        elif kind == "pct":
            config[col] = cc.NumberColumn(label, format="%.1f%%")
        elif kind == "wan":
            config[col] = cc.NumberColumn(label, format="%.2f 万元")
        elif kind == "int":
            config[col] = cc.NumberColumn(label, format="%d")
        elif kind == "link":
            config[col] = cc.LinkColumn(label, display_text="下钻 ›")
        elif kind == "bool":
            config[col] = cc.CheckboxColumn(label)
        elif kind == "long":
            config[col] = cc.TextColumn(label, width="large")
        elif kind == "name":  # the row's name: pinned, so it stays in view when the table scrolls sideways
            config[col] = cc.TextColumn(label, pinned=True)
        else:
            config[col] = cc.TextColumn(label)
    return config


MAX_TABLE_ROWS = 20  # taller tables scroll inside a box of this many rows; shorter ones fit their rows


def table_height(n_rows: int) -> int | str:
    return "content" if n_rows <= MAX_TABLE_ROWS else 38 + 35 * MAX_TABLE_ROWS


def table(
    df: pd.DataFrame,
    spec: ColumnSpec,
    name: str,
    key: str,
    *,
    height: int | str | None = None,
    on_select: str | Callable[..., Any] | None = None,
    hide_index: bool = True,
) -> Any:
    """A table of the columns in `spec` (Chinese headers; kinds: score, pct, wan, int, text, name, long, link,
    bool), rounded as shown, '—' for a missing value, sized to its rows, with CSV (UTF-8 BOM) and XLSX
    downloads of exactly what it shows (headers with their units, Excel number formats)."""
    cols = [c for c in spec if c in df.columns]
    view = pd.DataFrame(
        {c: labels.shown_values(df[c], spec[c][1]) for c in cols}, index=df.index, columns=cols
    )
    kwargs: dict[str, Any] = {
        "column_config": _column_config({c: spec[c] for c in cols}),
        "hide_index": hide_index,
        "key": key,
        "height": table_height(len(view)) if height is None else height,
        "placeholder": labels.MISSING,
    }
    if on_select is not None:
        kwargs.update(on_select=on_select, selection_mode="single-row")
    event = st.dataframe(view, **kwargs)
    download, formats = labels.export_frame(df, dict(spec))
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        "CSV",
        data=audited(lambda: export.table_csv(download), f"{name}.csv"),
        file_name=f"{name}.csv",
        mime=export.MIME["csv"],
        key=f"csv-{key}",
        on_click="ignore",
        icon=":material/download:",
        type="tertiary",
        help="下载 CSV（UTF-8，Excel 可直接打开）",
    )
    row.download_button(
        "Excel",
        data=audited(lambda: export.table_xlsx(download, name, number_formats=formats), f"{name}.xlsx"),
        file_name=f"{name}.xlsx",
        mime=export.MIME["xlsx"],
        key=f"xlsx-{key}",
        on_click="ignore",
        icon=":material/download:",
        type="tertiary",
        help="下载 Excel 工作簿（.xlsx）",
    )
    return event
