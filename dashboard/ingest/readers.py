"""Container readers: each turns a file into the same list of cleaned Rows.

Text exports come with tabs, pipes or one cell per line, in UTF-8 (with or without BOM) or GB18030.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from dashboard.ingest.errors import IngestError
from dashboard.ingest.model import Row
from dashboard.ingest.values import clean_cell

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


def split_cells(line: str) -> list[str]:
    if "\t" in line:
        return line.split("\t")
    if line.count("|") >= 2:
        stripped = line.strip()
        if stripped.startswith("|"):
            stripped = stripped[1:]
        if stripped.endswith("|"):
            stripped = stripped[:-1]
        return stripped.split("|")
    return [line]


def read_text(path: str | Path, data: bytes) -> list[Row]:
    text = decode(data, path)
    rows: list[Row] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if _PIPE_RULE.match(line) and set(line.strip()) <= set("|-: "):
            continue
        cells = [clean_cell(c) for c in split_cells(line)]
        if any(cells):
            rows.append(Row(cells, number, f"第{number}行"))
    return rows


READERS: dict[str, Callable[[str | Path, bytes], list[Row]]] = {
    ".txt": read_text,
    ".tsv": read_text,
    ".md": read_text,
}


def reader_for(path: str | Path) -> Callable[[str | Path, bytes], list[Row]]:
    suffix = Path(path).suffix.lower()
    if suffix not in READERS:
        supported = "、".join(sorted(READERS))
        raise IngestError(path, f"不支持的文件类型“{suffix or '无扩展名'}”（支持：{supported}）")
    return READERS[suffix]
