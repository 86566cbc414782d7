"""Text exports: tab-separated, pipe tables, or free text whose columns are gone (see freetext.py).

Encodings UTF-8 (with or without BOM) and GB18030/GBK; Windows line endings; a cell broken over two lines
(`偏差原因分析及改进` / `措施`) is joined back.
"""

from __future__ import annotations

import re
from pathlib import Path

from dashboard.ingest.budget import BudgetHeader
from dashboard.ingest.errors import IngestError
from dashboard.ingest.indicator_rows import IndicatorHeader
from dashboard.ingest.model import Row
from dashboard.ingest.readers.freetext import collapse_spaced, rows_from_free_text
from dashboard.ingest.segment import title_of
from dashboard.ingest.values import clean_cell, is_value_like
from dashboard.ingest.vocab import KNOWN_LABELS, normalize_key

_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")


def decode(data: bytes, path: str | Path) -> str:
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


def layout_of(lines: list[str]) -> str:
    tabbed = sum("\t" in line for line in lines)
    piped = sum(line.count("|") >= 2 for line in lines)
    if tabbed >= 3 and tabbed >= piped:
        return "tab"
    if piped >= 3:
        return "pipe"
    return "free"


def split_cells(line: str, layout: str) -> list[str]:
    if layout == "tab" and "\t" in line:
        return line.split("\t")
    if layout == "pipe" and line.count("|") >= 2:
        stripped = line.strip()
        if stripped.startswith("|"):
            stripped = stripped[1:]
        if stripped.endswith("|"):
            stripped = stripped[:-1]
        return stripped.split("|")
    return [line]


def _is_header(row: Row) -> bool:
    return IndicatorHeader.detect(row) is not None or BudgetHeader.detect(row) is not None


def _is_fragment(text: str) -> bool:
    """A short piece of a broken cell, not a row of its own."""
    return 0 < len(text) <= 6 and not is_value_like(text) and normalize_key(text) not in KNOWN_LABELS


def join_broken_cells(rows: list[Row]) -> list[Row]:
    """Rejoin cells that a line break split: the tail of a header word on its own line, or a label whose
    first half stands alone on the line before its row."""
    out: list[Row] = []
    k = 0
    while k < len(rows):
        row = rows[k]
        cells = row.nonempty()
        if len(cells) == 1 and out and _is_header(out[-1]) and _is_fragment(cells[0][1]):
            last = out[-1]
            i = max(j for j, c in enumerate(last.cells) if c.strip())
            last.cells[i] += cells[0][1]
            k += 1
            continue
        if len(cells) == 1 and k + 1 < len(rows) and not title_of(row):
            nxt = rows[k + 1]
            first = nxt.nonempty()
            if len(first) >= 2:
                i, text = first[0]
                joined = normalize_key(cells[0][1] + text)
                if joined in KNOWN_LABELS and normalize_key(text) not in KNOWN_LABELS:
                    nxt.cells[i] = cells[0][1] + text
                    k += 1
                    continue
        out.append(row)
        k += 1
    return out


def read_text(path: str | Path, data: bytes) -> list[Row]:
    lines = decode(data, path).splitlines()
    layout = layout_of(lines)
    if layout == "free":
        return rows_from_free_text(lines)
    rows: list[Row] = []
    for number, line in enumerate(lines, start=1):
        if layout == "pipe" and _PIPE_RULE.match(line) and set(line.strip()) <= set("|-: "):
            continue
        cells = [
            clean_cell(collapse_spaced(c)) if " " in c and len(c) < 40 else clean_cell(c)
            for c in split_cells(line, layout)
        ]
        if any(cells):
            rows.append(Row(cells, number, f"第{number}行"))
    return join_broken_cells(rows)
