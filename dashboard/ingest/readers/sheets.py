"""Excel workbooks: .xlsx/.xlsm through openpyxl, .xls through xlrd. Every sheet, in order, merged cells expanded."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from dashboard.ingest.errors import IngestError
from dashboard.ingest.limits import (
    SHEET_CELLS,
    check_merge_area,
    check_merges_total,
    check_office_zip,
    check_sheet_cells,
    range_shape,
)
from dashboard.ingest.model import Row
from dashboard.ingest.readers.grid import Merge, cell_text, expand_merges, to_rows

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FORMULA_WITHOUT_VALUE = re.compile(
    rb"<(?:\w+:)?f[ >][^<]*(?:</(?:\w+:)?f>)?\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)


def _check_xlsx_container(path: str | Path, data: bytes) -> None:
    if data[:8] == _OLE_MAGIC:
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            raise IngestError(path, "工作簿已加密（设置了打开密码），请去除密码后再导入")
        raise IngestError(path, "这是旧版 .xls 格式的文件，但扩展名为 .xlsx，请改为 .xls 或另存为 .xlsx")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise IngestError(path, "文件已损坏或不是 Excel 工作簿（无法按 .xlsx 打开）")
    check_office_zip(path, data)


_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([^\"]+)\"")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")


def _check_sheet_xml(path: str | Path, data: bytes) -> None:
    """Before openpyxl expands them (it makes one object per merged cell): merged ranges and cells per sheet."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            xml = z.read(name)
            sheet = Path(name).stem
            merged = 0
            for ref in _MERGE_REF.findall(xml):
                text = ref.decode("ascii", "replace")
                rows, columns = range_shape(text)
                check_merge_area(path, text, rows, columns)
                merged += rows * columns
            check_merges_total(path, sheet, merged)
            cells = len(_CELL_TAG.findall(xml))
            if cells > SHEET_CELLS:
                raise IngestError(
                    path, f"工作表“{sheet}”过大（{cells} 个单元格，上限 {SHEET_CELLS}），未导入"
                )


def _formulas_without_cached_values(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = z.read(name)
                if b"<f" in xml and _FORMULA_WITHOUT_VALUE.search(xml):
                    return True
    return False


def read_xlsx(path: str | Path, data: bytes) -> list[Row]:
    import openpyxl

    _check_xlsx_container(path, data)
    _check_sheet_xml(path, data)
    if _formulas_without_cached_values(data):
        raise IngestError(path, "工作簿含公式但没有保存计算结果（请在 Excel/WPS 中打开并保存后再导入）")
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as e:  # openpyxl raises many types for broken packages
        raise IngestError(path, f"无法打开 Excel 工作簿（{type(e).__name__}）") from e
    rows: list[Row] = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        check_sheet_cells(path, ws.title, ws.max_row, ws.max_column)
        matrix: list[list[str]] = []
        for row in ws.iter_rows():
            matrix.append([cell_text(c.value, "%" in (c.number_format or "")) for c in row])
        merges = [
            Merge(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1) for r in ws.merged_cells.ranges
        ]
        expand_merges(matrix, merges)
        rows.extend(to_rows(matrix, f"{ws.title} "))
    return rows


def read_xls(path: str | Path, data: bytes) -> list[Row]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except Exception as e:
        text = str(e)
        if "encrypt" in text.lower():
            raise IngestError(path, "工作簿已加密（设置了打开密码），请去除密码后再导入") from e
        raise IngestError(path, f"无法打开 .xls 工作簿（{text[:80]}）") from e
    rows: list[Row] = []
    for sheet in book.sheets():
        check_sheet_cells(path, sheet.name, sheet.nrows, sheet.ncols)
        for r0, r1, c0, c1 in sheet.merged_cells:
            check_merge_area(path, f"第{r0 + 1}至{r1}行", r1 - r0, c1 - c0)
        check_merges_total(
            path, sheet.name, sum((r1 - r0) * (c1 - c0) for r0, r1, c0, c1 in sheet.merged_cells)
        )
        matrix: list[list[str]] = []
        for r in range(sheet.nrows):
            cells = []
            for c in range(sheet.ncols):
                value = sheet.cell_value(r, c)
                xf = book.xf_list[sheet.cell_xf_index(r, c)]
                fmt = book.format_map.get(xf.format_key)
                percent = bool(fmt and "%" in fmt.format_str)
                cells.append(cell_text(value if value != "" else None, percent))
            matrix.append(cells)
        merges = [Merge(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
        expand_merges(matrix, merges)
        rows.extend(to_rows(matrix, f"{sheet.name} "))
    return rows
