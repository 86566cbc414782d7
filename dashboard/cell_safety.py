"""Spreadsheet cells that stay text: the one guard of every CSV and XLSX this program writes (formula injection).

Form text reaches exports as it was typed (indicator names, deviation notes, unit names, file names). A cell
starting with `=`, `+`, `-` or `@` is read by Excel, LibreOffice and WPS as a formula (`=HYPERLINK(…)`,
`=cmd|' /C calc'!A0`, `+1+2`, `@SUM(1+1)`), and so is one starting with a tab or a carriage return after the
spreadsheet trims it. Following OWASP's CSV-injection guidance:

- CSV: such a text cell is written with a leading apostrophe (`'=HYPERLINK(…)`), which spreadsheets show as text.
- XLSX: every text cell is a string cell, never a formula or a link (xlsxwriter `strings_to_formulas` and
  `strings_to_urls` off, see WORKBOOK_OPTIONS), and such a cell carries Excel's own apostrophe mark
  (`quotePrefix`), so it stays text even when someone edits it; its value is exactly the form's text.

Numbers stay numbers (-2.5 is a number cell, not text), and text that is only a number (`-2.5`, `+3`) is left
alone: it cannot be a formula.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

# The first characters that make a spreadsheet read a cell as a formula (OWASP: = + - @ tab carriage return).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[eE][+-]?\d+)?%?")

# xlsxwriter.Workbook options for every workbook: text is text (no formulas, no links, no numbers guessed).
WORKBOOK_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def is_formula_like(text: str) -> bool:
    """Text a spreadsheet would read as a formula: it starts with = + - @ tab or CR and is not a plain number."""
    return bool(text) and text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text)


def csv_text(value: Any) -> Any:
    """A CSV cell: formula-like text gets a leading apostrophe; everything else (numbers too) as it is."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def _texty(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


def csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells (and headers) are safe to write as CSV; numeric columns untouched."""
    out = df.copy()
    for col in out.columns:
        if _texty(out[col]):
            out[col] = out[col].map(csv_text).astype(object)
    out.columns = [csv_text(str(c)) if isinstance(c, str) else c for c in out.columns]
    return out


class CellWriter:
    """Writes cells of an xlsxwriter workbook: text as string cells (formula-like text with Excel's apostrophe
    mark), numbers as numbers, booleans as booleans, None/NaN as an empty cell. Formats are made once per
    workbook; `fmt` is a dict of format properties (e.g. {"text_wrap": True}) or None."""

    def __init__(self, book: Any):
        self.book = book
        self._formats: dict[tuple, Any] = {}

    def format(self, props: Mapping[str, Any] | None, quote: bool = False) -> Any:
        merged = {**(props or {}), **({"quote_prefix": True} if quote else {})}
        if not merged:
            return None
        key = tuple(sorted(merged.items()))
        if key not in self._formats:
            self._formats[key] = self.book.add_format(merged)
        return self._formats[key]

    def write(self, ws: Any, row: int, col: int, value: Any, props: Mapping[str, Any] | None = None) -> None:
        if value is None or (not isinstance(value, str | list | tuple) and pd.isna(value)):
            return
        if isinstance(value, str):
            ws.write_string(row, col, value, self.format(props, quote=is_formula_like(value)))
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, self.format(props))
        elif isinstance(value, int | float):
            ws.write_number(row, col, value, self.format(props))
        elif hasattr(value, "item"):  # numpy scalars
            self.write(ws, row, col, value.item(), props)
        else:
            self.write(ws, row, col, str(value), props)


# -- the terminal ---------------------------------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_text(value: Any) -> str:
    """Form text for a rich table on the terminal: rich markup escaped (`[link=…]` stays text) and control
    characters removed (an escape sequence in a cell cannot retitle, recolour or hyperlink the terminal)."""
    from rich.markup import escape

    return escape(_CONTROL.sub("", "" if value is None else str(value)))
