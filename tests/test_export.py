"""dashboard/export.py: the bytes behind every download button (charts through kaleido and the system
Chromium, tables as CSV with a BOM and as XLSX)."""

from __future__ import annotations

import io
import shutil
import struct
import time

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import charts, export, labels

needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
    reason="kaleido needs the system Chromium (make system-deps)",
)


def hotline_figure() -> go.Figure:
    rows = pd.DataFrame(
        {
            "indicator": ["群众来电咨询接听率"],
            "year": [2022],
            "actual_value": [87.0],
            "target_value": [100.0],
            "actual_unit": ["%"],
            "target_unit": ["%"],
            "status": ["lost_points"],
            "target_text": ["100%"],
            "actual_text": ["87%"],
            "score": [3.0],
            "weight": [4.0],
        }
    )
    return charts.indicator_chart(rows, note=labels.SYNTHETIC_NOTE)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@needs_chromium
def test_png_at_twice_the_figure_size():
    fig = hotline_figure()
    fig.update_layout(width=900, height=420)
    assert png_size(export.figure_png(fig)) == (1800, 840)
    assert png_size(export.figure_png(fig, scale=3, width=500, height=300)) == (1500, 900)


@needs_chromium
def test_png_defaults_to_the_export_width():
    fig = hotline_figure()  # no width set: the export width, the figure's own height
    assert png_size(export.figure_png(fig)) == (export.DEFAULT_WIDTH * 2, 420 * 2)


@needs_chromium
def test_svg_keeps_the_chinese_text():
    svg = export.figure_svg(hotline_figure()).decode("utf-8")
    assert svg.startswith("<svg")
    assert "群众来电咨询接听率" in svg and "示例数据" in svg
    assert "Noto Sans CJK SC" in svg


@needs_chromium
def test_pdf():
    pdf = export.figure_pdf(hotline_figure())
    assert pdf.startswith(b"%PDF-")
    assert b"%%EOF" in pdf[-1024:]


@needs_chromium
def test_renders_are_fast_with_the_persistent_server(capsys):
    """Not a timed assertion: prints what a render costs, with and without kaleido's server."""
    fig = hotline_figure()
    assert export.start_server()
    export.figure_png(fig)  # the first render pays the browser start
    started = time.perf_counter()
    for _ in range(3):
        export.figure_png(fig)
    with_server = (time.perf_counter() - started) / 3
    with capsys.disabled():
        print(f"\n[export] PNG render with kaleido's server: {with_server * 1000:.0f} ms per image")


def test_csv_has_a_byte_order_mark_for_excel():
    df = pd.DataFrame({"单位": ["武威市政府政务服务中心"], "得分": [93.0]})
    data = export.table_csv(df)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["单位,得分", "武威市政府政务服务中心,93.0"]


def test_xlsx_opens_with_openpyxl():
    df = pd.DataFrame(
        {
            "单位": ["武威市政府政务服务中心", "祁连市教育局"],
            "得分": [93.0, 88.5],
            "年度": [2022, 2023],
            "缺失": [None, 1.0],
            "列表": [["a", "b"], []],
        }
    )
    book = openpyxl.load_workbook(io.BytesIO(export.table_xlsx(df, "单位排名/2022")))
    sheet = book.active
    assert sheet.title == "单位排名_2022"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("单位", "得分", "年度", "缺失", "列表")
    assert rows[1][:3] == ("武威市政府政务服务中心", 93, 2022)
    assert rows[1][4] == "a、b"
    assert sheet.freeze_panes == "A2"


def test_unknown_image_format():
    with pytest.raises(ValueError):
        export.figure_bytes(hotline_figure(), "eps")  # type: ignore[arg-type]


def test_a_table_exports_what_it_shows():
    """The page tables (ui.table) export labels.export_frame: rounded as shown, units in the headers, '—' where the
    screen shows '—', Excel number formats; the CSV numbers are the displayed ones."""
    from dashboard import labels

    rows = pd.DataFrame(
        {
            "unit": ["武威市卫生健康委员会", "武威市教育局"],
            "points_lost": [1.4399999999999995, 20.86],
            "share": [0.24, 20.8599],
            "rate": [99.9879, None],
            "prev_rank": [3, None],
            "note": ["无偏差", None],
        }
    )
    spec = {
        "unit": ("单位", "name"),
        "points_lost": ("扣分", "score"),
        "share": ("扣分占比", "pct"),
        "rate": ("预算执行率", "pct"),
        "prev_rank": ("上年名次", "int"),
        "note": ("偏差原因", "long"),
    }
    frame, formats = labels.export_frame(rows, spec)
    assert list(frame.columns) == [
        "单位",
        "扣分（分）",
        "扣分占比（%）",
        "预算执行率（%）",
        "上年名次",
        "偏差原因",
    ]
    lines = export.table_csv(frame).decode("utf-8-sig").splitlines()
    # What the table shows: 1.44 (format %.2f), 0.2% → 0.2 under a header saying %, 100.0% → 100.0, — for missing.
    assert lines[1] == "武威市卫生健康委员会,1.44,0.2,100.0,3,无偏差"
    assert lines[2] == "武威市教育局,20.86,20.9,—,—,—"
    shown = [labels.shown_values(rows[c], spec[c][1]) for c in ("points_lost", "share")]
    assert [float(v) for v in lines[1].split(",")[1:3]] == [shown[0][0], shown[1][0]]
    book = openpyxl.load_workbook(io.BytesIO(export.table_xlsx(frame, "排名", number_formats=formats)))
    sheet = book.active
    assert sheet["B2"].value == 1.44 and sheet["B2"].number_format == "0.00"
    assert sheet["C2"].number_format == '0.0"%"' and sheet["C2"].value == 0.2
