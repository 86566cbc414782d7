"""Shared by the table readers: a matrix of raw cell values -> cleaned Rows, merged cells expanded."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.ingest.model import Row
from dashboard.ingest.values import clean_cell, is_bare_number


@dataclass(frozen=True)
class Merge:
    """A merged range, 0-based inclusive bounds."""

    top: int
    left: int
    bottom: int
    right: int


def cell_text(value: object, percent: bool = False) -> str:
    """A spreadsheet value as the text a person reads: 100.0 -> '100', 0.87 with a % format -> '87%'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        x = float(value) * (100 if percent else 1)
        text = f"{round(x, 6):.6f}".rstrip("0").rstrip(".")
        return text + ("%" if percent else "")
    return clean_cell(str(value))


def expand_merges(matrix: list[list[str]], merges: list[Merge]) -> None:
    """A vertically merged name covers every row it spans; horizontal spans keep their text in the first
    column only, so column positions stay those of the header. Numbers are not copied: a merged weight must
    not be counted twice."""
    for m in merges:
        if m.bottom == m.top or m.top >= len(matrix):
            continue
        text = matrix[m.top][m.left] if m.left < len(matrix[m.top]) else ""
        if not text or is_bare_number(text) or text.endswith("%"):
            continue
        for r in range(m.top + 1, min(m.bottom, len(matrix) - 1) + 1):
            row = matrix[r]
            while len(row) <= m.left:
                row.append("")
            if not row[m.left]:
                row[m.left] = text


def to_rows(matrix: list[list[str]], ref: str, first_line: int = 1) -> list[Row]:
    rows = []
    for k, cells in enumerate(matrix):
        if any(c.strip() for c in cells):
            line = first_line + k
            rows.append(Row(list(cells), line, f"{ref}第{line}行" if ref else f"第{line}行"))
    return rows
