"""Write one form grid (rows of cells, as in a tab-separated export) as xlsx, docx, PDF, pipe table or free text,
so tests can check that every container gives the same records as the text it came from."""

from __future__ import annotations

import re
from pathlib import Path

from dashboard.ingest.cells import tokens_of
from dashboard.ingest.header import HeaderRun, find_headers
from dashboard.ingest.model import Row
from dashboard.ingest.values import clean_cell, is_bare_number
from dashboard.ingest.vocab import is_total_label

Grid = list[list[str]]


def grid_from_text(text: str) -> Grid:
    return [[clean_cell(c) for c in line.split("\t")] for line in text.splitlines()]


def indicator_header(row: list[str], r: int) -> HeaderRun | None:
    """The indicator table header a grid row holds, if it is one."""
    runs = find_headers(tokens_of([Row(row, r)]), "indicator")
    return runs[0] if runs and runs[0].line == r else None


def level_merges(grid: Grid) -> list[tuple[int, int, int]]:
    """(column, first row, last row) of vertical merges a real form has in its level columns: a blank level
    cell below a filled one, inside an indicator table."""
    merges = []
    in_table = False
    header_cols: list[int] = []
    start: dict[int, int] = {}
    for r, row in enumerate(grid):
        header = indicator_header(row, r)
        if header is not None:
            in_table = True
            header_cols = [header.columns[k] for k in ("level1", "level2") if k in header.columns]
            start = {}
            continue
        first = next((c for c in row if c.strip()), "")
        if in_table and (is_total_label(first) or len([c for c in row if c.strip()]) < 3):
            for col, top in start.items():
                if r - 1 > top:
                    merges.append((col, top, r - 1))
            in_table, start = False, {}
            continue
        if not in_table:
            continue
        for col in header_cols:
            cell = row[col] if col < len(row) else ""
            if cell.strip():
                if col in start and r - 1 > start[col]:
                    merges.append((col, start[col], r - 1))
                start[col] = r
    return merges


def _typed(text: str) -> tuple[object, str | None]:
    t = text.strip()
    if is_bare_number(t):
        x = float(t)
        return (int(x) if x.is_integer() else x), None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)%", t)
    if m:
        return float(m.group(1)) / 100, "0%" if "." not in m.group(1) else "0.00%"
    return (t or None), None


def write_xlsx(grid: Grid, path: Path, merges: bool = True, sheet_per_form: bool = False) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    forms = [grid] if not sheet_per_form else _split_forms(grid)
    for k, part in enumerate(forms):
        if k:
            ws = wb.create_sheet(f"表{k + 1}")
        for r, row in enumerate(part, start=1):
            for c, text in enumerate(row, start=1):
                value, fmt = _typed(text)
                if value is not None:
                    cell = ws.cell(r, c, value)
                    if fmt:
                        cell.number_format = fmt
        if merges:
            for col, top, bottom in level_merges(part):
                ws.merge_cells(
                    start_row=top + 1, start_column=col + 1, end_row=bottom + 1, end_column=col + 1
                )
    wb.save(path)
    return path


def write_xls(grid: Grid, path: Path, merges: bool = True) -> Path:
    """The legacy .xls format (xlwt), percentages as numbers with a % format, level columns merged."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    pct = xlwt.easyxf(num_format_str="0%")
    merged = {(top, col): bottom for col, top, bottom in level_merges(grid)} if merges else {}
    covered = {(r, col) for (top, col), bottom in merged.items() for r in range(top + 1, bottom + 1)}
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if (r, c) in covered:
                continue
            value, fmt = _typed(text)
            if (r, c) in merged:
                sheet.write_merge(r, merged[(r, c)], c, c, value if value is not None else "")
            elif value is not None:
                sheet.write(r, c, value, pct) if fmt else sheet.write(r, c, value)
    book.save(str(path))
    return path


def _split_forms(grid: Grid) -> list[Grid]:
    parts: list[Grid] = []
    for row in grid:
        cells = [c for c in row if c.strip()]
        if len(cells) == 1 and cells[0].lstrip("# ").endswith("自评表") or not parts:
            parts.append([])
        parts[-1].append(row)
    return parts


def write_docx(grid: Grid, path: Path, merges: bool = True) -> Path:
    import docx

    document = docx.Document()
    blocks = _blocks(grid)
    for kind, rows in blocks:
        if kind == "text":
            for row in rows:
                document.add_paragraph(" ".join(c for c in row if c.strip()))
            continue
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c in range(width):
                table.cell(r, c).text = row[c] if c < len(row) else ""
        if merges:
            for col, top, bottom in level_merges(rows):
                text = table.cell(top, col).text
                merged = table.cell(top, col).merge(table.cell(bottom, col))
                merged.text = text
    document.save(path)
    return path


def _blocks(grid: Grid) -> list[tuple[str, Grid]]:
    """Runs of single-cell lines (paragraphs) and of multi-cell rows (one table each)."""
    blocks: list[tuple[str, Grid]] = []
    for row in grid:
        n = len([c for c in row if c.strip()])
        if n == 0:
            continue
        kind = (
            "table"
            if len(row) > 1 and (n > 1 or (blocks and blocks[-1][0] == "table" and len(row) > 2))
            else "text"
        )
        if not blocks or blocks[-1][0] != kind:
            blocks.append((kind, []))
        blocks[-1][1].append(row)
    return blocks


def write_pdf(grid: Grid, path: Path, font_size: float = 6.5) -> Path:
    """A text PDF (CJK font built into reportlab) with ruled tables; long tables continue on the next page."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle(
        "cjk", fontName="STSong-Light", fontSize=font_size, leading=font_size * 1.3, wordWrap="CJK"
    )
    doc = SimpleDocTemplate(
        str(path), pagesize=landscape(A4), leftMargin=20, rightMargin=20, topMargin=20, bottomMargin=20
    )
    story = []
    for kind, rows in _blocks(grid):
        if kind == "text":
            story.extend(Paragraph(_markup(" ".join(c for c in r if c.strip())), style) for r in rows)
            continue
        width = max(len(r) for r in rows)
        data = [[Paragraph(_markup(r[c] if c < len(r) else ""), style) for c in range(width)] for r in rows]
        # Columns as wide as the square root of their longest text: long goal texts get room, numbers stay narrow.
        need = [max(len(r[c]) if c < len(r) else 0 for r in rows) ** 0.5 + 2 for c in range(width)]
        widths = [(landscape(A4)[0] - 40) * n / sum(need) for n in need]
        table = Table(data, colWidths=widths, repeatRows=0)
        table.setStyle(
            TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")])
        )
        story.append(table)
    doc.build(story)
    return path


def _markup(text: str) -> str:
    from xml.sax.saxutils import escape

    return (
        escape(text).replace("\n", "<br/>").replace("²", "<super>2</super>").replace("³", "<super>3</super>")
    )


def write_pipe(grid: Grid, collapse: bool = False) -> str:
    """A web-page pipe table; `collapse` moves empty cells to the row's end, as copy-paste often does."""
    lines = []
    for row in grid:
        cells = [c.replace("\n", " ") for c in row]
        if collapse:
            filled = [c for c in cells if c.strip()]
            cells = filled + [""] * (len(cells) - len(filled))
        lines.append("| " + " | ".join(cells) + " |" if len(cells) > 1 else cells[0])
    return "\n".join(lines) + "\n"


def write_free(grid: Grid, mode: str) -> str:
    """`lines`: one cell per line; `spaces`: each row's cells run together with single spaces."""
    lines = []
    for row in grid:
        cells = [c.replace("\n", " ") for c in row if c.strip()]
        if mode == "lines":
            lines.extend(cells)
        else:
            lines.append(" ".join(cells))
    return "\n".join(lines) + "\n"
