"""Text exports and web copies: tab-separated, pipe tables, one cell per line or paragraph, rows run together.

Each line becomes a row: tab-separated lines keep their cells; pipe lines (`| a | b |`, `a |`, a bare `|` for an
empty cell) are split at the pipes; other lines are one cell, which the parser splits at whitespace (web copies
run a row's cells together with single spaces). A line holding only no-break spaces is an empty cell, as copies
of one-cell-per-paragraph tables write them; a truly blank line is no cell.

Before that, two artefacts of the sites forms are copied from are undone: the pinyin a mirror site inserts after
characters (`項(xiàng)目`), and the page markers of document-sharing sites, which cut the text into numbered chunks
(`…成渝地区\\n2、双城经济圈…`). Encodings UTF-8 (with or without BOM) and GB18030/GBK; Windows line endings.
"""

from __future__ import annotations

import re
from pathlib import Path

from dashboard.ingest.errors import IngestError
from dashboard.ingest.limits import check_text_size
from dashboard.ingest.model import Row
from dashboard.ingest.readers.glued import is_glued, unglue, unglue_pieces
from dashboard.ingest.values import clean_cell

_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
_HASHES = re.compile(r"^#{1,6}\s+")  # a Markdown heading mark before a title
_TONE = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN = re.compile(rf"(?<=[\u3400-\u9fff])\((?=[a-zü{_TONE}]*[{_TONE}])[a-zü{_TONE}]{{1,7}}\)")
_CHUNK = re.compile(r"^(\d{1,3})、")
_NBSP_ONLY = re.compile(r"^[\u00a0\u3000\u2002\u2003\u2009]+[ \t\u00a0\u3000]*$")
_SPACED_CJK = re.compile(r"(?<!\S)([\u4e00-\u9fff](?: [\u4e00-\u9fff]){2,})(?!\S)")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff(（])")
_SPACED_PAIR = re.compile(r"(?<!\S)(合 计|总 分|总 计|得 分|分 值|权 重)(?!\S)")


def collapse_spaced(text: str) -> str:
    """`绩 效 指 标` -> `绩效指标`: letter-spaced captions."""
    text = _SPACED_CJK.sub(lambda m: m.group(1).replace(" ", ""), text)
    return _SPACED_PAIR.sub(lambda m: m.group(1).replace(" ", ""), text)


def decode(data: bytes, path: str | Path) -> str:
    check_text_size(path, data)
    if not data.strip():
        raise IngestError(path, "文件为空")
    if b"\x00" in data[:4096]:
        raise IngestError(path, "不是文本文件（含二进制内容），无法按文本读取")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(path, "无法识别文件编码（已尝试 UTF-8、GB18030）")


def strip_pinyin(text: str) -> str:
    """`項(xiàng)目` -> `項目`: only a parenthesised syllable with a tone mark right after a character."""
    return _PINYIN.sub("", text)


def join_page_chunks(lines: list[str]) -> list[str]:
    """Document-sharing sites cut a document into chunks `1、…`, `2、…` wherever a page ends, even inside a word:
    the chunks are joined back when they number 1, 2, 3 … and run long (the last one may be short: the preview
    ends there)."""
    numbered = [(k, int(m.group(1))) for k, line in enumerate(lines) if (m := _CHUNK.match(line.strip()))]
    chunks = [(k, n) for k, n in numbered if len(lines[k]) > 80]
    if len(chunks) < 2 or [n for _, n in chunks] != list(range(chunks[0][1], chunks[0][1] + len(chunks))):
        return lines
    after = [(k, n) for k, n in numbered if k > chunks[-1][0]]
    if after and after[0][1] == chunks[-1][1] + 1 and len(lines[after[0][0]]) > 20 and len(after) == 1:
        chunks.append(after[0])  # the excerpt's last chunk, cut short where the preview ends
    starts = {k for k, _ in chunks}
    out: list[str] = []
    for k, line in enumerate(lines):
        if k in starts:
            body = _CHUNK.sub("", line.strip(), count=1)
            if k != chunks[0][0] and out:
                target = max(i for i, previous in enumerate(out) if previous.strip() or i == 0)
                out[target] = out[target].rstrip("\r\n") + body  # over the blank line between two chunks
                out.append("\n")  # the lines after keep their numbers
                continue
            out.append(body)
            continue
        out.append(line)
    return out


def _separator_cells(lines: list[str]) -> list[tuple[int, str]] | None:
    """Copies whose cells are separated by lines holding a bare `|`, a cell's text wrapped over several lines
    (`投 入` / `(15分)` / `|` / `预算配置` …): the cells with the number of their first line, wrapped lines joined.
    None when the text is not written that way (bare `|` lines that are empty cells of `a |` rows)."""
    bare = sum(line.strip() == "|" for line in lines)
    text = [line for line in lines if line.strip() and line.strip() != "|"]
    if bare < 10 or bare < 0.25 * (bare + len(text)) or sum("|" in line for line in text) > 0.1 * len(text):
        return None
    cells: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped == "|":
            cells.append((start or number, _join_wrapped(current)))
            current, start = [], 0
        elif stripped:
            current.append(stripped)
            start = start or number
    if current:
        cells.append((start, _join_wrapped(current)))
    return cells


def _join_wrapped(parts: list[str]) -> str:
    out = ""
    for part in parts:
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out


def layout_of(lines: list[str]) -> str:
    tabbed = sum("\t" in line for line in lines)
    piped = sum("|" in line for line in lines)
    if tabbed >= 3 and tabbed >= piped:
        return "tab"
    if piped >= 3:
        return "pipe"
    return "free"


def split_cells(line: str, layout: str) -> list[str]:
    if layout == "tab" and "\t" in line:
        return line.split("\t")
    if layout != "tab" and "|" in line:
        stripped = line.strip()
        if stripped.startswith("|"):
            stripped = stripped[1:]
        if stripped.endswith("|"):
            stripped = stripped[:-1]
        return stripped.split("|")
    return [line]


def _cell(text: str) -> str:
    return clean_cell(collapse_spaced(text)) if " " in text and len(text) < 40 else clean_cell(text)


def read_text(path: str | Path, data: bytes) -> list[Row]:
    text = strip_pinyin(decode(data, path))
    lines = join_page_chunks(text.splitlines())
    separated = _separator_cells(lines)
    if separated is not None:
        return [Row([_cell(_CJK_GAP.sub("", text))], number, f"第{number}行") for number, text in separated]
    layout = layout_of(lines)
    rows: list[Row] = []
    glued = False
    for number, line in enumerate(lines, start=1):
        if layout == "pipe" and _PIPE_RULE.match(line) and set(line.strip()) <= set("|-: "):
            continue
        if not line.strip() and not _NBSP_ONLY.match(line):
            continue  # a blank line separates cells or paragraphs; it is no cell
        if layout == "free" and is_glued(line, glued):
            glued = True
            line = unglue(line)  # a whole form run together: its cells apart again, as spaces
        elif layout == "free":
            line = unglue_pieces(line)
        cells = [_cell(c) for c in split_cells(_HASHES.sub("", line), layout)]
        rows.append(Row(cells, number, f"第{number}行"))
    return rows
