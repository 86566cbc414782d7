"""Downloads as bytes: charts as PNG / SVG / PDF (kaleido 1.x with the system Chromium), tables as CSV / XLSX.

Plain functions, no streamlit, so the app, the report builder and the tests call the same code. kaleido's
persistent server is started once per process (a browser start costs seconds; a render with the server running
costs a fraction of that). The server answers one request at a time through shared queues, so renders are
serialized here: two threads rendering at once could otherwise receive each other's image.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
import time
import warnings
from collections.abc import Mapping
from contextlib import suppress
from typing import Literal

import pandas as pd
import plotly.graph_objects as go

from dashboard import cell_safety

ImageFormat = Literal["png", "svg", "pdf"]

DEFAULT_WIDTH = 1200
DEFAULT_HEIGHT = 600
PNG_SCALE = 2
MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

_render_lock = threading.Lock()
_server_lock = threading.Lock()
_server_started = False


def _use_system_chromium() -> None:
    """kaleido finds `chromium` on PATH; BROWSER_PATH forces the Debian one. Never download a Chrome."""
    if not os.environ.get("BROWSER_PATH"):
        found = shutil.which("chromium") or shutil.which("chromium-browser")
        if found:
            os.environ["BROWSER_PATH"] = found


def start_server() -> bool:
    """Start kaleido's persistent browser once per process; False if it could not start (renders then fall
    back to a browser per image)."""
    global _server_started
    with _server_lock:
        if _server_started:
            return True
        _use_system_chromium()
        try:
            import kaleido

            kaleido.start_sync_server(mathjax=False, silence_warnings=True)
        except Exception:  # no browser or no kaleido: exports still work, only slower
            return False
        _server_started = True
        return True


def warm_up(delay: float = 0.0) -> None:
    """Start the browser behind the exports ahead of the first click (the app calls this in a thread, after
    a delay so the browser start does not compete with the first page for the CPU)."""
    if delay:
        time.sleep(delay)
    if start_server():
        with suppress(Exception):
            figure_bytes(go.Figure(go.Bar(x=["预热"], y=[1])), "png", width=100, height=100, scale=1)


def figure_bytes(
    fig: go.Figure,
    fmt: ImageFormat,
    *,
    scale: float | None = None,
    width: int | None = None,
    height: int | None = None,
) -> bytes:
    """Render a figure server-side. PNG defaults to scale 2; width/height default to the figure's own size."""
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(f"不支持的图片格式：{fmt}")
    start_server()
    width = width or fig.layout.width or DEFAULT_WIDTH
    height = height or fig.layout.height or DEFAULT_HEIGHT
    if scale is None:
        scale = PNG_SCALE if fmt == "png" else 1
    with _render_lock, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")
        return fig.to_image(format=fmt, width=int(width), height=int(height), scale=scale)


def figure_png(
    fig: go.Figure, *, scale: float = PNG_SCALE, width: int | None = None, height: int | None = None
) -> bytes:
    return figure_bytes(fig, "png", scale=scale, width=width, height=height)


def figure_svg(fig: go.Figure, *, width: int | None = None, height: int | None = None) -> bytes:
    return figure_bytes(fig, "svg", width=width, height=height)


def figure_pdf(fig: go.Figure, *, width: int | None = None, height: int | None = None) -> bytes:
    return figure_bytes(fig, "pdf", width=width, height=height)


def table_csv(df: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly; text that a spreadsheet
    would read as a formula is written as text (cell_safety)."""
    return cell_safety.csv_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def table_xlsx(
    df: pd.DataFrame, sheet_name: str = "数据", number_formats: Mapping[str, str] | None = None
) -> bytes:
    """An .xlsx workbook with one sheet: bold header, frozen first row, column widths fitted to the text, and
    `number_formats` (column -> Excel format such as '0.00' or '0.0"%"') on the columns that have one. Text is
    never a formula or a link (cell_safety)."""
    out = io.BytesIO()
    sheet = _sheet_name(sheet_name)
    clean = df.copy()
    for col in clean.columns:  # timezone-aware timestamps and lists are not cells
        if isinstance(clean[col].dtype, pd.DatetimeTZDtype):
            clean[col] = clean[col].dt.tz_localize(None)
        elif clean[col].dtype == object:
            clean[col] = clean[col].map(
                lambda v: "、".join(map(str, v)) if isinstance(v, list | tuple) else v
            )
    with pd.ExcelWriter(
        out, engine="xlsxwriter", engine_kwargs={"options": cell_safety.WORKBOOK_OPTIONS}
    ) as writer:
        clean.to_excel(writer, sheet_name=sheet, index=False)
        book, ws = writer.book, writer.sheets[sheet]
        cells = cell_safety.CellWriter(book)
        header = {"bold": True, "bg_color": "#eef2f7", "border": 1, "text_wrap": True, "valign": "vcenter"}
        for i, col in enumerate(clean.columns):
            cells.write(ws, 0, i, str(col), header)
            for r, v in enumerate(clean[col], start=1):  # formula-like text: a string with Excel's apostrophe
                if isinstance(v, str) and cell_safety.is_formula_like(v):
                    cells.write(ws, r, i, v)
            width = max([_text_width(str(col))] + [_text_width(str(v)) for v in clean[col].head(500)])
            fmt = (number_formats or {}).get(str(col))
            ws.set_column(
                i, i, min(max(width + 2, 6), 60), book.add_format({"num_format": fmt}) if fmt else None
            )
        ws.freeze_panes(1, 0)
    return out.getvalue()


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name).strip() or "数据"
    return cleaned[:31]


def _text_width(text: str) -> int:
    """Excel column width: a CJK character is about two Latin ones wide."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)
