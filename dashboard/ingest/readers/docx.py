"""Word documents: paragraphs (titles, headings giving year and unit) and tables, in document order.

Tables are read from the XML directly: gridSpan repeats no text (the text stays in its first grid column),
vMerge="continue" takes the text of the cell above, as merged cells in a spreadsheet do.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from dashboard.ingest.errors import IngestError
from dashboard.ingest.limits import check_office_zip, check_table_width
from dashboard.ingest.model import Row
from dashboard.ingest.readers.grid import Merge, expand_merges, to_rows
from dashboard.ingest.values import clean_cell

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _text(element) -> str:
    parts = []
    for p in element.iter(f"{W}p"):
        pieces = []
        for node in p.iter(f"{W}t", f"{W}br", f"{W}cr", f"{W}tab"):
            if node.tag == f"{W}t":
                pieces.append(node.text or "")
            else:
                pieces.append("\t" if node.tag == f"{W}tab" else "\n")
        parts.append("".join(pieces))
    return clean_cell("\n".join(parts))


def _grid_count(path: str | Path, element, line: int) -> int:
    """A gridBefore / gridSpan count, refused above the table-width limit before any column is made."""
    raw = element.get(f"{W}val", "1")
    try:
        n = int(raw)
    except ValueError:
        n = 1
    check_table_width(path, n, f"表格第{line}行：")
    return max(n, 0)


def _table_matrix(tbl, path: str | Path = "", first_line: int = 1) -> tuple[list[list[str]], list[Merge]]:
    matrix: list[list[str]] = []
    merges: list[Merge] = []
    open_v: dict[int, int] = {}  # grid column -> row where its vertical merge started
    for r, tr in enumerate(tbl.iter(f"{W}tr")):
        row: list[str] = []
        col = 0
        before = tr.find(f"{W}trPr/{W}gridBefore")
        if before is not None:
            col = _grid_count(path, before, first_line + r)
            row.extend([""] * col)
        for tc in tr.findall(f"{W}tc"):
            pr = tc.find(f"{W}tcPr")
            span = 1
            vmerge = None
            if pr is not None:
                gs = pr.find(f"{W}gridSpan")
                if gs is not None:
                    span = max(_grid_count(path, gs, first_line + r), 1)
                vm = pr.find(f"{W}vMerge")
                if vm is not None:
                    vmerge = vm.get(f"{W}val", "continue")
            if vmerge == "restart":
                open_v[col] = r
            elif vmerge == "continue" and col in open_v:
                merges.append(Merge(open_v[col], col, r, col + span - 1))
            else:
                open_v.pop(col, None)
            row.append("" if vmerge == "continue" else _text(tc))
            row.extend([""] * (span - 1))
            col += span
            check_table_width(path, col, f"表格第{first_line + r}行：")
        matrix.append(row)
    return matrix, _joined(merges)


def _joined(merges: list[Merge]) -> list[Merge]:
    """One Merge per vertical run (continue cells each add a piece)."""
    runs: dict[tuple[int, int], Merge] = {}
    for m in merges:
        key = (m.top, m.left)
        old = runs.get(key)
        runs[key] = m if old is None or m.bottom > old.bottom else old
    return list(runs.values())


def read_docx(path: str | Path, data: bytes) -> list[Row]:
    import docx

    if data[:8] == _OLE_MAGIC:
        raise IngestError(path, "Word 文档已加密或为旧版 .doc 格式，请另存为未加密的 .docx 后再导入")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise IngestError(path, "文件已损坏或不是 Word 文档（无法按 .docx 打开）")
    check_office_zip(path, data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:
        raise IngestError(path, f"无法打开 Word 文档（{type(e).__name__}）") from e
    rows: list[Row] = []
    line = 1
    for block in document.element.body:
        if block.tag == f"{W}p":
            text = _text(block)
            if text:
                rows.append(Row([text], line, f"第{line}段"))
            line += 1
        elif block.tag == f"{W}tbl":
            matrix, merges = _table_matrix(block, path, line)
            expand_merges(matrix, merges)
            table_rows = to_rows(matrix, "", first_line=line)
            for row in table_rows:
                row.ref = f"表格第{row.line}行"
            rows.extend(table_rows)
            line += len(matrix)
    return rows
