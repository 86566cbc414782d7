"""Scanned forms: page images (.png/.jpg/.tif, or the pages of a PDF without a text layer) read by OCR.

Whole-page OCR mixes a table's columns and loses its numbers, so the table is recovered first and read cell by
cell: the page is deskewed (the angle of its long ruling lines), the ruling lines are found by morphology
(long thin runs of ink) and turned into cells with their spans (readers/ruling.py, as for text PDFs); every cell
and every text line outside the tables is cropped, and the crops of a page are stacked into one strip that
Tesseract (chi_sim) reads in one call, each word mapped back to its crop by position. Every OCR'd cell keeps
its confidence (the least confident word's) and its box on the page, for the `ocr_uncertain` rule.
"""

from __future__ import annotations

import io
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from dashboard.ingest.errors import IngestError
from dashboard.ingest.model import Row
from dashboard.ingest.readers.grid import expand_merges
from dashboard.ingest.readers.ruling import Segment, find_tables
from dashboard.ingest.values import clean_cell

LANG = "chi_sim"
MIN_DPI_WIDTH = 1200  # pixels across the page below which it is enlarged 2× before reading (a 100-dpi A4)
GAP = 24  # white pixels between crops in the strip
_lock = threading.Lock()


@dataclass
class Crop:
    key: tuple[str, int, int]  # ("cell", table, cell) or ("line", line, 0)
    box: tuple[int, int, int, int]
    y: int = 0  # top of the crop in the strip


def _gray(image):
    import numpy as np

    return np.asarray(image.convert("L"))


def _ink(gray, blur: bool = True):
    """Ink as 255 on 0. For text: Otsu's threshold after a light median blur (the scanner's specks go). For
    ruling lines, which a 150-dpi scan draws one pixel thin and a median would erase: no blur, and a threshold
    no lighter than mid-grey, so sensor noise on the paper never reads as ink."""
    import cv2

    if blur:
        _, binary = cv2.threshold(cv2.medianBlur(gray, 3), 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
        return binary
    otsu, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, binary = cv2.threshold(gray, min(otsu, 170), 255, cv2.THRESH_BINARY_INV)
    return binary


def skew_angle(binary) -> float:
    """The page's rotation in degrees, from its long near-horizontal lines (0 when none is found)."""
    import cv2
    import numpy as np

    small = cv2.resize(binary, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    width = small.shape[1]
    lines = cv2.HoughLinesP(small, 1, np.pi / 1800, threshold=200, minLineLength=width // 4, maxLineGap=8)
    if lines is None:
        return 0.0
    angles = []
    for x0, y0, x1, y1 in lines.reshape(-1, 4):
        angle = np.degrees(np.arctan2(y1 - y0, x1 - x0))
        if abs(angle) < 8:
            angles.append(angle)
    return float(np.median(angles)) if angles else 0.0


def deskew(gray, angle: float):
    import cv2

    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)


def ruling_segments(binary) -> tuple[list[Segment], object]:
    """The ruling lines as segments, and a mask of their pixels (to blank them before reading the cells)."""
    import cv2

    h, w = binary.shape
    horizontal = cv2.morphologyEx(
        binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(w // 45, 20), 1))
    )
    vertical = cv2.morphologyEx(
        binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(h // 50, 20)))
    )
    # Close the small gaps noise leaves in a line.
    horizontal = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 3)))
    vertical = cv2.dilate(vertical, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 9)))
    segments = []
    for mask, is_h in ((horizontal, True), (vertical, False)):
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for k in range(1, n):
            x, y, bw, bh, _ = stats[k]
            if is_h and bw >= w // 30:
                segments.append(Segment(x, y + bh / 2, x + bw, y + bh / 2))
            elif not is_h and bh >= h // 50 + 8:  # longer than a character's stroke (1, l, 丨)
                segments.append(Segment(x + bw / 2, y, x + bw / 2, y + bh))
    return segments, cv2.bitwise_or(horizontal, vertical)


def _text_lines(binary, tables, min_height: int) -> list[tuple[int, int, int, int]]:
    """Boxes of the text lines outside the tables: ink smeared along the line, one component per line."""
    import cv2
    import numpy as np

    rest = binary.copy()
    for t in tables:
        x0, y0, x1, y1 = (int(v) for v in t.box)
        rest[max(0, y0 - 4) : y1 + 5, max(0, x0 - 4) : x1 + 5] = 0
    smear = cv2.dilate(rest, np.ones((max(3, min_height // 3), max(15, min_height * 2)), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(smear, connectivity=8)
    boxes = []
    for k in range(1, n):
        x, y, bw, bh, area = stats[k]
        if (
            bh >= min_height
            and bw >= min_height
            and np.count_nonzero(rest[y : y + bh, x : x + bw]) > min_height
        ):
            boxes.append((int(x), int(y), int(x + bw), int(y + bh)))
    return sorted(boxes, key=lambda b: (b[1], b[0]))


def _has_ink(binary, box, margin: int) -> bool:
    import numpy as np

    x0, y0, x1, y1 = box
    inner = binary[y0 + margin : y1 - margin, x0 + margin : x1 - margin]
    return inner.size > 0 and np.count_nonzero(inner) > max(6, margin * 2)


def _trim(binary, box, margin: int) -> tuple[int, int, int, int] | None:
    """The box shrunk to the ink inside it (and a few pixels around)."""
    import numpy as np

    x0, y0, x1, y1 = box
    inner = binary[y0 + margin : y1 - margin, x0 + margin : x1 - margin]
    ys, xs = np.nonzero(inner)
    if len(xs) < max(6, margin * 2):
        return None
    pad = 6
    return (
        max(0, x0 + margin + int(xs.min()) - pad),
        max(0, y0 + margin + int(ys.min()) - pad),
        x0 + margin + int(xs.max()) + pad,
        y0 + margin + int(ys.max()) + pad,
    )


def _lines_of(ink, box, min_gap: int) -> list[tuple[int, int, int, int]]:
    """A cell's box cut into its text lines (rows of ink apart by blank rows), each trimmed to its ink."""
    import numpy as np

    x0, y0, x1, y1 = box
    part = ink[y0:y1, x0:x1]
    rows = np.count_nonzero(part, axis=1) > 0
    out, start, blank = [], None, 0
    for y, inked in enumerate([*rows, False]):
        if inked:
            if start is None:
                start = y
            blank = 0
        elif start is not None:
            blank += 1
            if blank >= min_gap or y == len(rows):
                end = y - blank + 1
                cols = np.nonzero(np.count_nonzero(part[start:end], axis=0))[0]
                if len(cols) and end - start >= 3:
                    pad = 4
                    out.append(
                        (
                            max(0, x0 + int(cols[0]) - pad),
                            max(0, y0 + start - pad),
                            x0 + int(cols[-1]) + 1 + pad,
                            y0 + end + pad,
                        )
                    )
                start, blank = None, 0
    return out


def glyph(ink, box, char_height: float) -> str | None:
    """A mark OCR models do not know, read from its shape: ≥ / ≤ (an angle over a bar) and a dash —."""
    import numpy as np

    x0, y0, x1, y1 = box
    part = ink[y0:y1, x0:x1] > 0
    ys, xs = np.nonzero(part)
    if len(xs) < 8:
        return None
    part = part[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    h, w = part.shape
    if h <= char_height * 0.22 and w >= h * 2.5 and w <= char_height * 1.6:
        return "—"
    if not (char_height * 0.3 <= h <= char_height * 1.2 and char_height * 0.3 <= w <= char_height * 1.2):
        return None
    fill = part.mean(axis=1)
    inked = fill > 0
    bands = int(inked[0]) + int(np.count_nonzero(inked[1:] & ~inked[:-1]))
    if bands == 2 and h <= char_height * 0.8 and w >= h * 0.8 and fill[inked].mean() > 0.6:
        return "="  # two bars, nothing between
    bar_rows = np.nonzero(fill > 0.6)[0]
    if not len(bar_rows) or bar_rows.min() < h * 0.6:  # no bar at the bottom
        return None
    upper = part[: int(bar_rows.min()) - 1]
    gaps = np.nonzero(~upper.any(axis=1))[0]
    if len(gaps):
        upper = upper[: int(gaps.min())] if gaps.min() > h * 0.3 else upper
    if upper.shape[0] < h * 0.3 or (upper.mean(axis=1) > 0.6).any():  # a character's strokes, not an angle
        return None
    q = max(1, w // 4)

    def spread(cols) -> int:
        rows = np.nonzero(cols.any(axis=1))[0]
        return int(rows.max() - rows.min()) if len(rows) else 0

    left, right = spread(upper[:, :q]), spread(upper[:, -q:])
    if left > right * 1.6 + 1:
        return "≥"
    if right > left * 1.6 + 1:
        return "≤"
    return None


def _strip(clean, crops: list[Crop]):
    """The crops stacked top to bottom on white, GAP pixels apart."""
    import numpy as np

    width = max(c.box[2] - c.box[0] for c in crops) + 2 * GAP
    height = sum(c.box[3] - c.box[1] + GAP for c in crops) + GAP
    strip = np.full((height, width), 255, np.uint8)
    y = GAP
    for c in crops:
        x0, y0, x1, y1 = c.box
        piece = clean[y0:y1, x0:x1]
        strip[y : y + piece.shape[0], GAP : GAP + piece.shape[1]] = piece
        c.y = y
        y += piece.shape[0] + GAP
    return strip


def _join(words: list[str]) -> str:
    out = ""
    for w in words:
        if out and out[-1].isascii() and out[-1].isalnum() and w[:1].isascii() and w[:1].isalnum():
            out += " "
        out += w
    return out


_FULLWIDTH = str.maketrans("０１２３４５６７８９％．，：；（）", "0123456789%.,:;()")


# Characters the recognizer puts for others and that no form uses: 串 for 率, 倡 for 偏.
_CONFUSED = str.maketrans({"串": "率", "倡": "偏"})
_FIGURE_LOOKALIKE = re.compile(r"[0-9SsOolI|.%]+")


def fix_ocr(text: str) -> str:
    """What OCR gets wrong in a typed form: full-width digits, letters for digits in a figure (S 5, O 0, l 1),
    stray spaces in figures, characters no form uses."""
    text = text.translate(_FULLWIDTH).translate(_CONFUSED)
    text = re.sub(r"^[Ss](?=\d{4})", "5", text)  # a project code's leading 5
    if _FIGURE_LOOKALIKE.fullmatch(text) and (len(text) == 1 or any(ch.isdigit() for ch in text)):
        text = text.translate(str.maketrans("SsOolI|", "5500111"))
    text = re.sub(r"(?<=\d)[Oo](?=[\d.%])|(?<=[\d.])[Oo](?=\d|$)", "0", text)
    text = re.sub(r"(?<=\d)[lI|](?=\d)", "1", text)
    text = re.sub(r"(?<=\d) (?=[\d.%])|(?<=\d\.) (?=\d)", "", text)
    return re.sub(r"^其中(?=[\u4e00-\u9fff])", "其中：", text)  # the colon of 其中： is the first thing lost


_SHORT_WORDS = {
    "无",
    "优",
    "良",
    "中",
    "差",
    "有",
    "是",
    "否",
    "高",
    "低",
    "好",
    "及时",
    "完成",
    "达标",
    "健全",
}
_VOCABULARY: tuple[set[str], dict[int, dict[str, set[str]]]] | None = None


def _vocabulary() -> tuple[set[str], dict[int, dict[str, set[str]]]]:
    """Every word of the form vocabulary, and the values every form repeats (level names, 无偏差, 优 …) of three
    characters or more by length, keyed by each one-character hole. A header word is never a target: a header
    read as another header would move a column."""
    global _VOCABULARY
    if _VOCABULARY is None:
        from dashboard.ingest import vocab

        words: set[str] = set()
        for names in vocab.LEVEL1.values():
            words.update(names)
        words.update(vocab.LEVEL2_PARENT, vocab.NO_DEVIATION, vocab.QUALITATIVE_VALUES)
        targets = set(words)
        for table in (vocab.INDICATOR_HEADER, vocab.BUDGET_HEADER):
            for names in table.values():
                words.update(names)
        words.update(vocab.SECTION_LABELS, vocab.TOTAL_LABELS, vocab.BUDGET_TOTAL_LINES)
        holes: dict[int, dict[str, set[str]]] = {}
        for w in targets:
            if len(w) >= 3:
                for k in range(len(w)):
                    holes.setdefault(len(w), {}).setdefault(w[:k] + "?" + w[k + 1 :], set()).add(w)
        _VOCABULARY = words, holes
    return _VOCABULARY


def snap_to_vocabulary(text: str) -> str:
    """A short cell one character away from exactly one form value (无倡差 -> 无偏差, 部力管理 -> 部门管理) is
    that value: OCR's likeliest slip on the words every form repeats. Anything else is kept as read."""
    if not 2 <= len(text) <= 12 or any(ch.isdigit() for ch in text):
        return text
    words, holes = _vocabulary()
    if text in words:
        return text
    found: set[str] = set()
    if len(text) >= 3:  # one character misread
        for k in range(len(text)):
            found |= holes.get(len(text), {}).get(text[:k] + "?" + text[k + 1 :], set())
    if not found:  # one character lost (无差 -> 无偏差)
        for k in range(len(text) + 1):
            found |= holes.get(len(text) + 1, {}).get(text[:k] + "?" + text[k:], set())
    return found.pop() if len(found) == 1 else text


Read = dict[tuple[str, int, int], tuple[str, float]]


def read_tesseract(clean, crops: list[Crop]) -> Read:
    """Text and confidence (0-1) of each crop (one text line each), from one Tesseract call over the strip."""
    import bisect

    import pytesseract

    strip = _strip(clean, crops)
    data = pytesseract.image_to_data(strip, lang=LANG, config="--psm 6", output_type=pytesseract.Output.DICT)
    tops = [c.y for c in crops]
    words: dict[tuple[str, int, int], list[tuple[int, str, float]]] = {}
    for k, word in enumerate(data["text"]):
        word = word.strip()
        conf = float(data["conf"][k])
        if not word or conf < 0:
            continue
        mid = data["top"][k] + data["height"][k] / 2
        at = bisect.bisect_right(tops, mid) - 1
        if at < 0 or mid > crops[at].y + (crops[at].box[3] - crops[at].box[1]) + GAP / 2:
            continue
        words.setdefault(crops[at].key, []).append((data["left"][k], word, conf / 100))
    out = {}
    for key, found in words.items():
        found.sort()
        out[key] = (_join([w for _, w, _ in found]), min(c for _, _, c in found))
    return out


_rapid = None


def read_rapidocr(clean, crops: list[Crop]) -> Read:
    """Each crop through RapidOCR's recognition model (PP-OCRv4, ONNX, shipped in the wheel), no detection."""
    import cv2

    global _rapid
    if _rapid is None:
        from rapidocr_onnxruntime import RapidOCR

        _rapid = RapidOCR()
    out = {}
    for c in crops:
        x0, y0, x1, y1 = c.box
        piece = clean[y0:y1, x0:x1]
        if piece.shape[0] < 40:  # a 150-dpi line: enlarged, the recognizer keeps its dots and slashes
            piece = cv2.resize(piece, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        piece = cv2.cvtColor(piece, cv2.COLOR_GRAY2BGR)
        result, _ = _rapid(piece, use_det=False, use_cls=False, use_rec=True)
        if result and result[0][0].strip():
            out[c.key] = (result[0][0].strip(), float(result[0][1]))
    return out


ENGINES = {"rapidocr": read_rapidocr, "tesseract": read_tesseract}
# RapidOCR by default: on the scan fixtures it read every figure right where Tesseract misread one in ten
# (see the closing note of issue 12 and tests/benchmarks/test_container_speed.py); JIXIAO_OCR picks the other.
ENGINE = os.environ.get("JIXIAO_OCR", "rapidocr")


def ocr_rows(image, page: int = 1, first_line: int = 1) -> list[Row]:
    """One page image -> Rows (table rows and text lines in reading order), each OCR'd cell with its confidence."""
    import cv2

    from dashboard.ingest.readers.pdf import pdf_cell

    gray = _gray(image)
    if gray.shape[1] < MIN_DPI_WIDTH:
        gray = cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    gray = deskew(gray, skew_angle(_ink(gray, blur=False)))
    binary = _ink(gray)
    segments, lines_mask = ruling_segments(_ink(gray, blur=False))
    scale = gray.shape[1] / 2480  # 1 at 300 dpi across an A4 width
    tables = find_tables(segments, tol=max(6.0, 12 * scale))
    # The cells are read with the ruling lines blanked out (a border fragment reads as 1 or |).
    ink = binary.copy()
    ink[lines_mask > 0] = 0
    clean = cv2.medianBlur(gray, 3)  # the scanner's specks go, strokes stay
    clean[lines_mask > 0] = 255
    margin = max(3, int(5 * scale))
    crops: list[Crop] = []
    owners: dict[tuple[str, int, int], list[tuple[str, int, int]]] = {}  # cell -> its line crops
    min_gap = max(3, int(6 * scale))
    for t_index, table in enumerate(tables):
        for c_index, cell in enumerate(table.cells):
            box = tuple(int(v) for v in cell.box)
            trimmed = _trim(ink, box, margin)
            if trimmed is None:
                continue
            for k, line_box in enumerate(_lines_of(ink, trimmed, min_gap)):
                crops.append(Crop(("cell", t_index, c_index * 1000 + k), line_box))
                owners.setdefault(("cell", t_index, c_index), []).append(crops[-1].key)
            owners.setdefault(("cell", t_index, c_index), [])
    text_lines = _text_lines(ink, tables, min_height=max(12, int(22 * scale)))
    for k, box in enumerate(text_lines):
        crops.append(Crop(("line", k, 0), box))
        owners[("line", k, 0)] = [crops[-1].key]
    heights = sorted(c.box[3] - c.box[1] - 8 for c in crops)
    char_height = heights[len(heights) // 2] if heights else 40
    by_key = {c.key: c for c in crops}
    read_lines = ENGINES[ENGINE](clean, crops) if crops else {}
    read: dict[tuple[str, int, int], tuple[str, float | None]] = {}
    for owner, keys in owners.items():
        texts, confs = [], []
        for key in keys:
            text, conf = read_lines.get(key, ("", 0.0))
            # ≥ ≤ = are read as 2, M, 二 …: a short reading that is no word, or a lone digit read unsure.
            odd = (
                len(text) <= 2
                and text not in _SHORT_WORDS
                and (not text.isdigit() or (len(text) == 1 and conf < 0.6))
            )
            mark = glyph(ink, by_key[key].box, char_height) if odd else None
            if mark:
                text, conf = mark, max(conf, 0.9)
            if text:
                texts.append(text)
                confs.append(conf)
        if texts:
            read[owner] = ("\n".join(texts), min(confs))
    boxes = {}
    for t_index, table in enumerate(tables):
        for c_index, cell in enumerate(table.cells):
            boxes[("cell", t_index, c_index)] = tuple(int(v) for v in cell.box)
    for k, box in enumerate(text_lines):
        boxes[("line", k, 0)] = box
    items: list[tuple[float, list[str], list[float | None], list]] = []
    for t_index, table in enumerate(tables):
        texts, confs, where = {}, {}, {}
        for c_index, _ in enumerate(table.cells):
            text, conf = read.get(("cell", t_index, c_index), ("", None))
            texts[c_index] = snap_to_vocabulary(pdf_cell(fix_ocr(text), True))
            confs[c_index], where[c_index] = conf, boxes.get(("cell", t_index, c_index))
        matrix, merges = table.matrix(texts)
        conf_grid = [[None] * len(row) for row in matrix]
        box_grid: list[list] = [[None] * len(row) for row in matrix]
        for c_index, cell in enumerate(table.cells):
            conf_grid[cell.top][cell.left] = confs[c_index]
            box_grid[cell.top][cell.left] = where[c_index]
        expand_merges(matrix, merges)
        for r, cells in enumerate(matrix):
            items.append((table.ys[r], cells, conf_grid[r], box_grid[r]))
    for k, box in enumerate(text_lines):
        text, conf = read.get(("line", k, 0), ("", None))
        text = clean_cell(fix_ocr(text).replace("\n", " "))
        items.append((box[1], [text], [conf], [box]))
    items.sort(key=lambda item: item[0])
    rows = []
    for _top, cells, confs, where in items:
        if any(c.strip() for c in cells):
            line = first_line + len(rows)
            rows.append(Row(cells, line, f"第{page}页", confidence=confs, boxes=where, page=page))
    return rows


def _frames(path: str | Path, data: bytes) -> list:
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        return [frame.copy() for frame in ImageSequence.Iterator(image)]
    except (UnidentifiedImageError, OSError) as e:
        raise IngestError(path, "图片已损坏或格式无法识别") from e


def read_image(path: str | Path, data: bytes) -> list[Row]:
    """An image file (a multi-page TIFF is several pages): every page through OCR."""
    from dashboard.ingest.readers.pdf import ocr_progress

    if not data:
        raise IngestError(path, "文件为空")
    frames = _frames(path, data)
    rows: list[Row] = []
    for number, frame in enumerate(frames, start=1):
        callback = getattr(ocr_progress, "callback", None)
        if callback:
            callback(number, len(frames))
        rows.extend(ocr_rows(frame, page=number, first_line=len(rows) + 1))
    if not rows:
        raise IngestError(path, "图片中没有识别出文字")
    return rows


def check_engine(path: str | Path) -> None:
    """A clear error when Tesseract or its Chinese data is missing."""
    import pytesseract

    try:
        languages = pytesseract.get_languages(config="")
    except (pytesseract.TesseractNotFoundError, OSError) as e:
        raise IngestError(
            path, "识别扫描件需要 Tesseract（请安装 tesseract-ocr 与 tesseract-ocr-chi-sim）"
        ) from e
    if LANG not in languages:
        raise IngestError(path, "识别扫描件需要 Tesseract 的简体中文数据（请安装 tesseract-ocr-chi-sim）")
