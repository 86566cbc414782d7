"""PDFs with a text layer: table rows (pdfplumber, ruled tables) and the text lines between them, in page order.

A table that continues on the next page simply continues in the row stream; a header repeated there is
skipped by the parser. Cells inside a merged region come back empty, which the parser reads as "same as above".
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

from dashboard.ingest.errors import IngestError
from dashboard.ingest.model import Row
from dashboard.ingest.values import clean_cell

_RADICALS = re.compile(r"[\u2e80-\u2fdf]")


def normalize_radicals(text: str) -> str:
    """CJK fonts' radical look-alikes (⼼ U+2F3C) back to the ideographs they stand for (心)."""
    return _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


_WRAP = re.compile(r"(?<=[^。；！？.!?;:：\n])\n(?=\S)")


def unwrap(text: str) -> str:
    """Undo the line wraps of a narrow table cell; a break after a sentence end is kept as a paragraph break."""
    return _WRAP.sub(lambda m: " " if _ascii_around(text, m.start()) else "", text)


def _ascii_around(text: str, at: int) -> bool:
    """Latin words wrapped at a space get the space back; digits and CJK were cut mid-word."""
    after = text[at + 1 : at + 2]
    return (
        at > 0 and text[at - 1].isascii() and text[at - 1].isalpha() and after.isascii() and after.isalpha()
    )


_SUPERSCRIPT_UNIT = re.compile(r"(?<=\d)\s*(k?m)\s?([23])(?![\d.])")


def _cell(value: str | None) -> str:
    """Cell text as written: radicals normalized, wraps undone, `m2` (a superscript PDF text loses) back to `m²`."""
    if not value:
        return ""
    text = clean_cell(unwrap(normalize_radicals(value)))
    return _SUPERSCRIPT_UNIT.sub(lambda m: m.group(1) + ("²" if m.group(2) == "2" else "³"), text)


def read_pdf(path: str | Path, data: bytes) -> list[Row]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    if not data.startswith(b"%PDF"):
        raise IngestError(path, "文件已损坏或不是 PDF")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect as e:
        raise IngestError(path, "PDF 已加密（设置了打开密码），请去除密码后再导入") from e
    except Exception as e:
        raise IngestError(path, f"无法打开 PDF（{type(e).__name__}）") from e
    rows: list[Row] = []
    line = 0
    with pdf:
        has_text = False
        for number, page in enumerate(pdf.pages, start=1):
            items: list[tuple[float, list[str]]] = []
            tables = page.find_tables()
            boxes = [t.bbox for t in tables]
            for table in tables:
                top = table.bbox[1]
                for k, cells in enumerate(table.extract()):
                    items.append((top + k * 1e-3, [_cell(c) for c in cells]))
            for text_line in page.extract_text_lines():
                mid = (text_line["top"] + text_line["bottom"]) / 2
                if any(x0 <= text_line["x0"] <= x1 and y0 <= mid <= y1 for x0, y0, x1, y1 in boxes):
                    continue
                items.append((text_line["top"], [_cell(text_line["text"])]))
            items.sort(key=lambda item: item[0])
            for _, cells in items:
                if any(cells):
                    has_text = True
                    line += 1
                    rows.append(Row(cells, line, f"第{number}页"))
        if not has_text:
            raise IngestError(
                path, "PDF 没有文字层（可能是扫描件），无法识别；请提供可复制文字的 PDF 或原始表格"
            )
    return rows
