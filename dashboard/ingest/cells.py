"""One stream of typed cells for every container.

Readers give rows of cells (a spreadsheet row, a tab- or pipe-separated line, a line of free text). The parser
reads a form as one stream of `Token`s, each a cell (or, on free-text lines, a whitespace-separated piece of one)
with its provenance: the source row, the cell's column, its line and human-readable place. Each distinct text is
typed once (`kind_of`), so the aligner can ask what a cell IS: a level name, a comparator, a number with a unit, a
qualitative value, a small number that can be a weight or a score, a long note.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from dashboard.ingest.model import Row
from dashboard.ingest.values import (
    EMPTY_MARKERS,
    has_seq_label,
    is_bare_number,
    is_op_only,
    is_unit_only,
    is_value_like,
    parse_value,
    to_number,
)
from dashboard.ingest.vocab import (
    is_section_label,
    is_total_label,
    level1_name,
    level2_name,
    normalize_key,
)

PLACEHOLDERS = {"……", "…", "...", "......", "··· ", "···", "-----"}
NATURE_WORDS = {"定性", "定量", "定性指标", "定量指标"}
YES_NO = {"是", "否", "√", "×"}
_SENTENCE = re.compile(r"[，。；！？,;!?]")
_SCORED = re.compile(r"^[^\d，。；,;]{2,12}[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）]$")
_SUFFIX_ONLY = re.compile(r"^[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）]$")
_PINYIN = re.compile(r"\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7})\)")


@dataclass(slots=True)
class Token:
    text: str
    line: int
    ref: str
    row: int  # index of the source row
    col: int  # index of the cell in its source row
    piece: int = 0  # 0: a whole cell; 1, 2 …: the n-th whitespace-separated piece of a free-text line

    @property
    def kind(self) -> CellKind:
        return kind_of(self.text)


@dataclass(frozen=True, slots=True)
class CellKind:
    empty: bool
    placeholder: bool  # …… and friends: an unfilled template row
    number: float | None  # the value of a plain number or percentage cell
    bare: bool  # a plain number without unit or %
    pct: bool
    value: bool  # a target/actual value: numbers with units, comparators, 优/及时/健全 …
    op_only: bool
    unit_only: bool
    nature: bool  # 定性 / 定量 (a 指标性质 cell)
    yes_no: bool
    level1: str | None
    level2: str | None
    suffix_only: bool  # `(50分)` alone: a level-1 cell whose name was lost
    section: bool  # 绩效指标 and other captions of the table's first column
    total: bool
    seq: bool  # 指标1: … names
    length: int
    sentence: bool
    has_digit: bool
    pure_value: bool  # a value with nothing else: `≥95%`, `98%`, `100人`, `≤平均成本` (never a name)
    levelish: bool  # a short text ending in 指标 (产出质量指标): a level name the vocabulary does not know
    no_deviation: bool  # 无偏差 / 无 / 已完成: a deviation note saying there is none
    scored: bool = False  # 规划(15分), 基础信息(3分): a level label with its points (criteria tables)

    @property
    def small(self) -> bool:
        """A plain number that can be a weight or a score."""
        return self.bare and self.number is not None and -100.0 <= self.number <= 100.0

    @property
    def text_like(self) -> bool:
        return not (self.empty or self.bare or self.pct or self.op_only or self.unit_only or self.placeholder)


@functools.lru_cache(maxsize=1 << 16)
def kind_of(text: str) -> CellKind:
    t = text.strip()
    key = normalize_key(t) if t else ""
    empty = not t or t in EMPTY_MARKERS or key in EMPTY_MARKERS
    placeholder = key in PLACEHOLDERS or (bool(key) and set(key) <= set("….·。")) or _empty_seq(key)
    number = None if empty else to_number(t)
    bare = not empty and is_bare_number(t)
    pct = number is not None and not bare
    op_only = not empty and is_op_only(t)
    unit_only = not empty and not bare and is_unit_only(t)
    return CellKind(
        empty=empty or placeholder,
        placeholder=placeholder,
        number=number,
        bare=bare,
        pct=pct,
        value=not empty and (is_value_like(t) or key in ("优良中低差",)),
        op_only=op_only,
        unit_only=unit_only,
        nature=key in NATURE_WORDS,
        yes_no=key in YES_NO,
        level1=None if empty else level1_name(t),
        level2=None if empty else level2_name(t),
        suffix_only=bool(_SUFFIX_ONLY.match(key)),
        section=not empty and is_section_label(t),
        total=not empty and is_total_label(t),
        seq=has_seq_label(t),
        length=len(key),
        sentence=bool(_SENTENCE.search(t)),
        has_digit=any(c.isdigit() for c in t),
        pure_value=not empty and _pure_value(t),
        levelish=key.endswith("指标") and 4 <= len(key) <= 10 and not _SENTENCE.search(t),
        no_deviation=key in ("无偏差", "无偏差。", "无差异", "不存在偏差", "没有偏差"),
        scored=bool(_SCORED.match(key)),
    )


def _pure_value(text: str) -> bool:
    v = parse_value(text)
    return v.label is None and (v.value is not None or (v.op is not None and len(text.strip()) <= 8))


_SEQ_ONLY = re.compile(r"^指标\s*\d+\s*[:：.、]?\s*(?:[/—\-－…]*)$")


def _empty_seq(key: str) -> bool:
    """`指标2:` or `指标1:/` with nothing after the label: an unfilled template row."""
    return bool(_SEQ_ONLY.match(key))


def strip_pinyin(text: str) -> str:
    """`項(xiàng)目` -> `項目`: the pinyin a mirror site inserted after characters."""
    if "(" not in text:
        return text
    return _PINYIN.sub(lambda m: "" if _after_cjk(text, m.start()) else m.group(0), text)


def _after_cjk(text: str, at: int) -> bool:
    return at > 0 and "\u3400" <= text[at - 1] <= "\u9fff"


def tokens_of(rows: list[Row]) -> list[Token]:
    """The stream of a form's cells. Rows of several cells keep their cells (empty ones too: they hold a column's
    place); a row of one cell (a free-text line) is split at whitespace, since web copies run a table row's cells
    together with single spaces."""
    out: list[Token] = []
    for r, row in enumerate(rows):
        cells = row.cells
        if len(cells) == 1 or sum(1 for c in cells if c.strip()) == 1 and _free_line(cells):
            text = next((c for c in cells if c.strip()), "")
            col = next((i for i, c in enumerate(cells) if c.strip()), 0)
            pieces = _split_name_figure(_close_brackets(text.split())) if text.strip() else [""]
            for p, piece in enumerate(pieces):
                out.append(Token(piece, row.line, row.ref, r, col, p if len(pieces) > 1 else 0))
            continue
        for c, cell in enumerate(cells):
            out.append(Token(cell.strip(), row.line, row.ref, r, c))
    return out


_OPEN, _CLOSE = "(（", ")）"


def _close_brackets(pieces: list[str]) -> list[str]:
    """Pieces of one line with a bracket broken by a space joined again: PDF text layers print `相关性(5 分)`, whose
    `(5` and `分)` are one label, not two cells. Only a short close within the next two pieces joins."""
    out: list[str] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        depth = sum(piece.count(c) for c in _OPEN) - sum(piece.count(c) for c in _CLOSE)
        if depth > 0:
            for j in range(i + 1, min(i + 3, len(pieces))):
                tail = pieces[i + 1 : j + 1]
                if sum(map(len, tail)) > 8:
                    break
                if any(c in pieces[j] for c in _CLOSE):
                    piece = piece + "".join(tail)
                    i = j
                    break
        out.append(piece)
        i += 1
    return out


_NAME_FIGURE = re.compile(r"^([\u3400-\u9fff]{2,}?)([≥≤＞＜<>=＝][\d.]+%?[\u3400-\u9fff]{0,2})$")


def _split_name_figure(pieces: list[str]) -> list[str]:
    """`科目调整次数≤10次` in a free line is a name run into its target (a web copy of 指标名称 | ≤ | 10 | 次): the name,
    then the target. Only a piece that is exactly a name, a comparison sign and one figure, and that follows the
    previous row's last figure, is cut (`服务对象1的满意度 群众满意度≥95%` is a name and its target)."""
    out: list[str] = []
    for piece in pieces:
        m = _NAME_FIGURE.match(piece)
        after_figure = bool(out) and re.fullmatch(r"\d+(?:\.\d+)?", out[-1]) is not None
        out.extend(m.groups() if m and after_figure else (piece,))
    return out


def _free_line(cells: list[str]) -> bool:
    return len(cells) <= 2


def joined(tokens: list[Token]) -> str:
    """The text of several tokens read as one cell: pieces of one line are joined with their space."""
    if not tokens:
        return ""
    parts = [tokens[0].text]
    for prev, tok in zip(tokens, tokens[1:]):
        same_line = tok.row == prev.row and tok.piece > 0
        parts.append((" " if same_line and _needs_space(prev.text, tok.text) else "") + tok.text)
    return "".join(parts)


def _needs_space(a: str, b: str) -> bool:
    return bool(a and b) and (a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum())
