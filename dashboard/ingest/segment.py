"""Split a container's rows into one slice per form.

A form starts at a title line (`2022年…绩效自评表`); a form without a title starts where a new 项目名称 row or
budget header follows a finished indicator table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dashboard.ingest.model import Row
from dashboard.ingest.vocab import normalize_key

TITLE = re.compile(r"(支出|项目|整体).{0,12}绩效自评(表|报告)?\s*(\(\d{4}年度?\)|（\d{4}年度?）)?$")
_HASHES = re.compile(r"^#+\s*")


@dataclass
class FormSlice:
    title: str | None
    title_line: int | None
    rows: list[Row] = field(default_factory=list)
    title_ref: str | None = None
    other_table: str | None = None  # the caption of a table that is not a self-evaluation form


_OTHER_TABLE = re.compile(r"表\s*(\(.*\))?$")


def title_of(row: Row) -> str | None:
    cells = row.nonempty()
    if len(cells) != 1:
        return None
    text = _HASHES.sub("", cells[0][1]).strip()
    if len(text) > 90 or "\n" in text:
        return None
    return text if TITLE.search(normalize_key(text)) else None


def other_table_of(row: Row) -> str | None:
    """The caption of another kind of table (`2022年部门基础数据表`), which ends the form before it."""
    cells = row.nonempty()
    if len(cells) != 1:
        return None
    text = _HASHES.sub("", cells[0][1]).strip()
    return text if len(text) <= 40 and _OTHER_TABLE.search(normalize_key(text)) else None


def starts_new_form(row: Row) -> bool:
    first = row.nonempty()
    return bool(first) and normalize_key(first[0][1]) in {
        "项目名称",
        "部门(单位)名称",
        "部门名称",
        "单位名称",
    }


def split_forms(rows: list[Row]) -> list[FormSlice]:
    forms: list[FormSlice] = []
    current: FormSlice | None = None
    table_done = False
    for row in rows:
        title = title_of(row)
        if title is not None:
            current = FormSlice(title, row.line, title_ref=row.ref)
            forms.append(current)
            table_done = False
            continue
        other = other_table_of(row)
        if other is not None:
            current = FormSlice(None, row.line, [row], other_table=other)
            forms.append(current)
            table_done = False
            continue
        if current is None or (table_done and starts_new_form(row)):
            current = FormSlice(None, None)
            forms.append(current)
            table_done = False
        current.rows.append(row)
        first = row.nonempty()
        if first and normalize_key(first[0][1]) in {"合计", "总分", "总计"}:
            table_done = True
    return [f for f in forms if f.rows or f.title]
