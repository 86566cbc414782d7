"""Forms -> a .docx document with real merged table cells (python-docx): a title paragraph, the table, the notes."""

from __future__ import annotations

import datetime as dt
import io
import random

from dashboard.demo.layout import form_grid
from dashboard.demo.model import DocumentRec
from dashboard.demo.zipfix import normalized_zip

FIXED_TIME = dt.datetime(2024, 1, 1)


def render_docx(doc: DocumentRec) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    rng = random.Random(f"docx|{doc.key}")
    document = docx.Document()
    props = document.core_properties
    props.author = "jixiao demo（示例数据）"
    props.created = props.modified = props.last_printed = FIXED_TIME
    props.revision = 1
    for k, form in enumerate(doc.forms):
        grid = form_grid(form, rng)
        if k:
            document.add_page_break()
        title = document.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.add_run(grid.title).bold = True
        width = grid.width
        table = document.add_table(rows=len(grid.rows), cols=width)
        table.style = "Table Grid"
        cells = [row.cells for row in table.rows]  # one pass: table.cell() re-walks the XML on every call
        for r, row in enumerate(grid.rows):
            for c, text in enumerate(row):
                if text:
                    cells[r][c].text = text
        for t, left, b, right in grid.merges:
            text = grid.rows[t][left]
            merged = cells[t][left].merge(cells[b][right])
            merged.text = text
        for note in grid.notes:
            document.add_paragraph(note)
    buf = io.BytesIO()
    document.save(buf)
    return normalized_zip(buf.getvalue())
