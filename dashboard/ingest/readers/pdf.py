"""PDFs: text-layer pages through PDFium (pypdfium2), pages without a text layer through OCR (readers/scan.py).

A text page's tables come from its ruling lines (thin path objects -> readers/ruling.py), each cell's text from
the characters inside it; the text lines outside the tables (titles, headings giving year and unit) are kept
in page order. A table that continues on the next page simply continues in the row stream; a header repeated
there is skipped by the parser. A page with no characters at all is a scan: it is rendered (or its one image
taken as it is) and read by OCR; a page with text never goes through OCR.

PDFium reads a page in about a millisecond, where pdfplumber (pdfminer in pure Python) took 20-40 ms; the
benchmark suite measures both.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path

from dashboard.ingest.errors import IngestError
from dashboard.ingest.limits import check_pdf_pages
from dashboard.ingest.model import Row
from dashboard.ingest.readers.grid import expand_merges
from dashboard.ingest.readers.ruling import Segment, find_tables
from dashboard.ingest.values import clean_cell

_RADICALS = re.compile(r"[\u2e80-\u2fdf]")
_lock = threading.Lock()  # PDFium is not thread-safe
OCR_DPI = 300
# Called with (page number, page count) before each page is read by OCR: the import page shows it.
ocr_progress: threading.local = threading.local()


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
# PDFium inserts a space where two glyphs stand apart (a Latin `/` between CJK glyphs, a wrapped line's end);
# inside a cell only a space between two Latin letters or digits is the writer's own.
_GENERATED_SPACE = re.compile(r"(?<![A-Za-z0-9]) (?=\S)|(?<=\S) (?![A-Za-z0-9])")


def pdf_cell(value: str | None, generated_spaces: bool = False) -> str:
    """Cell text as written: radicals normalized, wraps undone, `m2` (a superscript PDF text loses) back to `m²`."""
    if not value:
        return ""
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "").replace("\ufffe", "")
    if generated_spaces:
        text = _GENERATED_SPACE.sub("", text)
    text = clean_cell(unwrap(normalize_radicals(text)))
    return _SUPERSCRIPT_UNIT.sub(lambda m: m.group(1) + ("²" if m.group(2) == "2" else "³"), text)


def set_ocr_progress(callback: Callable[[int, int], None] | None) -> None:
    """Report OCR pages of the files read in this thread to `callback(page, pages)` (None: stop)."""
    ocr_progress.callback = callback


def _segments(page, height: float) -> list[Segment]:
    """The page's ruling lines: thin path objects (and the four sides of stroked rectangles), top-down."""
    import pypdfium2.raw as raw

    out = []
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=3):
        x0, y0, x1, y1 = obj.get_bounds()
        w, h = x1 - x0, y1 - y0
        top, bottom = height - y1, height - y0
        if h <= 2.5 and w > 3 or w <= 2.5 and h > 3:
            out.append(Segment(x0, top, x1, bottom))
        elif w > 3 and h > 3 and raw.FPDFPath_CountSegments(obj) in (4, 5):  # a cell drawn as a rectangle
            out.extend(
                [
                    Segment(x0, top, x1, top),
                    Segment(x0, bottom, x1, bottom),
                    Segment(x0, top, x0, bottom),
                    Segment(x1, top, x1, bottom),
                ]
            )
    return out


def _text_lines(textpage, height: float, boxes: list[tuple[float, float, float, float]]):
    """(top, text) of the text runs outside the tables, runs on one line joined left to right."""
    runs = []
    for k in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(k)
        y0, y1 = height - top, height - bottom
        mid_x, mid_y = (left + right) / 2, (y0 + y1) / 2
        if any(x0 <= mid_x <= x1 and t0 <= mid_y <= t1 for x0, t0, x1, t1 in boxes):
            continue
        text = textpage.get_text_bounded(left, bottom, right, top)
        if text.strip():
            runs.append((y0, y1, left, text))
    runs.sort(key=lambda r: (r[0], r[2]))
    lines: list[list] = []
    for y0, y1, left, text in runs:
        if lines and y0 < lines[-1][1] - (y1 - y0) * 0.4:  # overlaps the line being built
            lines[-1][1] = max(lines[-1][1], y1)
            lines[-1][2].append((left, text))
        else:
            lines.append([y0, y1, [(left, text)]])
    return [(y0, " ".join(t.strip() for _, t in sorted(parts))) for y0, _, parts in lines]


def text_page_items(page, textpage) -> list[tuple[float, list[str]]]:
    """A text page as (top, cells) items: table rows (ruling lines) and the text lines outside them."""
    width, height = page.get_size()
    tables = find_tables(_segments(page, height), tol=2.0)
    items: list[tuple[float, list[str]]] = []
    for table in tables:
        texts = {}
        for k, cell in enumerate(table.cells):
            x0, y0, x1, y1 = cell.box
            texts[k] = pdf_cell(textpage.get_text_bounded(x0, height - y1, x1, height - y0), True)
        matrix, merges = table.matrix(texts)
        expand_merges(matrix, merges)
        for r, cells in enumerate(matrix):
            items.append((table.ys[r] + 1e-3, cells))
    for top, text in _text_lines(textpage, height, [t.box for t in tables]):
        items.append((top, [pdf_cell(text)]))
    return sorted(items, key=lambda item: item[0])


def read_pdf(path: str | Path, data: bytes) -> list[Row]:
    import pypdfium2 as pdfium

    if not data.startswith(b"%PDF"):
        raise IngestError(path, "文件已损坏或不是 PDF")
    with _lock:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as e:
            if "password" in str(e).lower():
                raise IngestError(path, "PDF 已加密（设置了打开密码），请去除密码后再导入") from e
            raise IngestError(path, f"无法打开 PDF（{e}）") from e
        try:
            check_pdf_pages(path, len(pdf))
            pages = [_page_content(pdf[k]) for k in range(len(pdf))]
        finally:
            pdf.close()
    rows: list[Row] = []
    line = 0
    scanned = [k for k, (kind, _) in enumerate(pages) if kind == "image"]
    for number, (kind, content) in enumerate(pages, start=1):
        if kind == "text":
            for _, cells in content:
                if any(cells):
                    line += 1
                    rows.append(Row(cells, line, f"第{number}页"))
        elif kind == "image":
            from dashboard.ingest.readers.scan import ocr_rows

            callback = getattr(ocr_progress, "callback", None)
            if callback:
                callback(scanned.index(number - 1) + 1, len(scanned))
            page_rows = ocr_rows(content, page=number, first_line=line + 1)
            line += len(page_rows)
            rows.extend(page_rows)
    if not rows:
        raise IngestError(path, "PDF 没有文字层，按扫描件识别也没有读出文字")
    return rows


def _page_content(page):
    """("text", items) for a page with a text layer, ("image", PIL image) for a scan, ("empty", None)."""
    textpage = page.get_textpage()
    n_chars = textpage.count_chars()
    text = textpage.get_text_range() if n_chars else ""
    try:
        if text.strip():
            return "text", text_page_items(page, textpage)
    finally:
        textpage.close()
    image = _page_image(page)
    return ("image", image) if image is not None else ("empty", None)


def _page_image(page):
    """The page as an image for OCR: its one embedded image at its own resolution when it is a plain scan, else
    the page rendered at OCR_DPI. None for a blank page."""
    import pypdfium2.raw as raw

    images = list(page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2))
    if not images:
        if not list(page.get_objects(max_depth=2)):
            return None
        return page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
    width, _ = page.get_size()
    if len(images) == 1:
        x0, _, x1, _ = images[0].get_bounds()
        if x1 - x0 >= width * 0.6:
            try:
                image = images[0].get_bitmap(render=False).to_pil()
                if image.width >= (x1 - x0) / 72 * 140:  # at least ~140 dpi: read it as it is
                    return image
            except Exception:  # unusual encodings (JBIG2, CCITT variants): render the page instead
                pass
    return page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
