"""Forms -> an .xlsx workbook with real merged cells (openpyxl): one sheet per form, or all forms on one sheet."""

from __future__ import annotations

import datetime as dt
import io
import random
import re

from dashboard.demo.layout import Grid, form_grid
from dashboard.demo.model import DocumentRec
from dashboard.demo.zipfix import normalized_zip

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_PERCENT = re.compile(r"^(-?\d+(?:\.\d+)?)%$")
FIXED_TIME = dt.datetime(2024, 1, 1)


def _typed(text: str) -> tuple[object, str | None]:
    """Numbers and percentages become numeric cells, as in a workbook someone typed into."""
    if _NUMBER.match(text):
        x = float(text)
        return (int(x) if x.is_integer() else x), None
    m = _PERCENT.match(text)
    if m:
        digits = m.group(1).split(".")[1] if "." in m.group(1) else ""
        return float(m.group(1)) / 100, "0%" if not digits else "0." + "0" * len(digits) + "%"
    return text, None


def _write_grid(ws, grid: Grid, first_row: int) -> int:
    from openpyxl.styles import Alignment, Font

    width = grid.width
    ws.cell(first_row, 1, grid.title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=first_row, start_column=1, end_row=first_row, end_column=width)
    top = first_row + 2
    for r, row in enumerate(grid.rows):
        for c, text in enumerate(row):
            if text == "":
                continue
            value, fmt = _typed(text)
            cell = ws.cell(top + r, c + 1, value)
            if fmt:
                cell.number_format = fmt
            if "\n" in text:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for t, left, b, right in grid.merges:
        ws.merge_cells(start_row=top + t, start_column=left + 1, end_row=top + b, end_column=right + 1)
    next_row = top + len(grid.rows) + 1
    for note in grid.notes:
        ws.cell(next_row, 1, note)
        ws.merge_cells(start_row=next_row, start_column=1, end_row=next_row, end_column=width)
        next_row += 1
    return next_row


def render_workbook(doc: DocumentRec) -> bytes:
    import openpyxl

    rng = random.Random(f"xlsx|{doc.key}")
    wb = openpyxl.Workbook()
    wb.properties.creator = "jixiao demo（示例数据）"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    one_sheet = rng.random() < 0.3
    ws = wb.active
    ws.title = "自评表" if one_sheet else "部门整体"
    row = 1
    for k, form in enumerate(doc.forms):
        grid = form_grid(form, rng)
        if k and not one_sheet:
            ws = wb.create_sheet(f"项目{k}")
            row = 1
        row = _write_grid(ws, grid, row) + 2
    for sheet in wb.worksheets:
        sheet.column_dimensions["A"].width = 16
        for col in "BCDEFGH":
            sheet.column_dimensions[col].width = 14
    buf = io.BytesIO()
    wb.save(buf)
    return normalized_zip(buf.getvalue())
