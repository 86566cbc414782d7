"""Text exports and web copies: tab-separated, pipe tables, one cell per line or paragraph, rows run together.

Each line becomes a row: tab-separated lines keep their cells; pipe lines (`| a | b |`, `a |`, a bare `|` for an
empty cell) are split at the pipes; other lines are one cell, which the parser splits at whitespace (web copies
run a row's cells together with single spaces). A line holding only no-break spaces is an empty cell, as copies
of one-cell-per-paragraph tables write them; a truly blank line is no cell.

Before that, two artefacts of the sites forms are copied from are undone: the pinyin a mirror site inserts after
characters (`項(xiàng)目`), and the page markers of document-sharing sites, which cut the text into numbered chunks
(`…成渝地区\\n2、双城经济圈…`). Encodings UTF-8 (with or without BOM), GB18030/GBK and UTF-16 LE/BE with a BOM
(Excel's "Unicode 文本" export, tab-separated); Windows line endings. A file cut inside its last character (a
download or copy that stopped a byte short) is read without that character: `Decoded.cut_bytes` says so, and
parse.py turns it into a `truncated` finding.
"""

from __future__ import annotations

import codecs
import re
from contextvars import ContextVar
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # utf-8 | utf-8-sig (with BOM) | gb18030 | utf-16-le | utf-16-be
    cut_bytes: int = 0  # bytes of an incomplete last character that were dropped (0: the file is whole)


# The longest incomplete tail a cut can leave: 3 bytes of a 4-byte UTF-8 or GB18030 character, 3 of a UTF-16
# surrogate pair.
_MAX_CUT = 3
_BOMS = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))

_last_decoded: ContextVar[Decoded | None] = ContextVar("last_decoded", default=None)


def last_decoded() -> Decoded | None:
    """How the last text read in this context was decoded (None when no text reader ran)."""
    return _last_decoded.get()


def forget_decoded() -> None:
    _last_decoded.set(None)


def note_decoded(decoded: Decoded) -> None:
    """Record how a reader decoded its file (the web-page reader decodes on its own)."""
    _last_decoded.set(decoded)


def _decode_cut(data: bytes, encoding: str) -> Decoded | None:
    """`data` in `encoding`, whole or with an incomplete last character dropped; None when it is not that."""
    try:
        return Decoded(data.decode(encoding), encoding)
    except UnicodeDecodeError as e:
        if len(data) - e.start > _MAX_CUT:
            return None  # broken before its end: another encoding, or not text
    for cut in range(1, _MAX_CUT + 1):
        try:
            return Decoded(data[:-cut].decode(encoding), encoding, cut)
        except UnicodeDecodeError:
            continue
    return None


def decode_text(data: bytes, path: str | Path) -> Decoded:
    """The text of a text file and how it was decoded; IngestError when it is empty, binary or undecodable."""
    check_text_size(path, data)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            decoded = _decode_cut(data[len(bom) :], encoding)
            if decoded is None:
                raise IngestError(path, f"文件以 {encoding.upper()} 字节顺序标记开头，但内容无法按该编码解码")
            if not decoded.text.strip():
                raise IngestError(path, "文件为空")
            return decoded
    if not data.strip():
        raise IngestError(path, "文件为空")
    if b"\x00" in data[:4096]:
        raise IngestError(path, "不是文本文件（含二进制内容），无法按文本读取")
    utf8 = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    # UTF-8 first, even cut: Chinese UTF-8 text cut inside a character often decodes as GB18030 mojibake.
    decoded = _decode_cut(data, utf8)
    if decoded is not None and not (decoded.cut_bytes and decoded.text.isascii()):
        return decoded
    # ASCII up to a non-UTF-8 tail is more likely a whole GBK file with one character at its end than a cut one.
    found = _decode_cut(data, "gb18030") or decoded
    if found is not None:
        return found
    raise IngestError(path, "无法识别文件编码（已尝试 UTF-8、GB18030、带 BOM 的 UTF-16）")


def decode(data: bytes, path: str | Path) -> str:
    decoded = decode_text(data, path)
    note_decoded(decoded)
    return decoded.text


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
