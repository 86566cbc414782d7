"""Indicator table rows -> Indicator records, read by what the cells are.

A row is anchored at its right end: the weight/score pair is the last two small numbers before the note, target
and actual are the value cells before the pair, and the labels before them are level names and the indicator's
name. Level names are recognised from the domain vocabulary wherever they sit; a blank level inherits the row
above. Where the header's column positions type-check for a row, they are used instead, which keeps blank
actual/score cells NULL instead of shifting the weight into them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dashboard.ingest.model import Finding, Indicator, Row
from dashboard.ingest.values import (
    has_seq_label,
    is_bare_number,
    is_empty,
    is_op_only,
    is_unit_only,
    is_value_like,
    parse_value,
    strip_seq_label,
    to_number,
)
from dashboard.ingest.vocab import (
    INDICATOR_HEADER,
    LEVEL2_PARENT,
    header_role,
    is_section_label,
    is_total_label,
    level1_name,
    level2_name,
    level_key,
)

_MAX_WEIGHT = 100.0


@dataclass
class IndicatorHeader:
    columns: dict[str, int]
    width: int
    line: int

    @classmethod
    def detect(cls, row: Row) -> IndicatorHeader | None:
        if not any("级指标" in c or "級指標" in c for c in row.cells):
            return None  # every header names its 一级/二级/三级指标
        columns: dict[str, int] = {}
        for i, cell in row.nonempty():
            role = header_role(cell, INDICATOR_HEADER)
            if role and role not in columns:
                columns[role] = i
        levels = sum(k in columns for k in ("level1", "level2", "level3"))
        if levels >= 2 and ("weight" in columns or "score" in columns):
            return cls(columns, len(row.cells), row.line)
        return None


@dataclass
class RowResult:
    indicator: Indicator | None = None
    findings: list[Finding] = field(default_factory=list)


@dataclass
class _Cells:
    """The typed pieces of one row before they become an Indicator."""

    labels: list[tuple[int, str]]
    values: list[str]
    op: str | None = None
    unit: str | None = None
    weight: float | None = None
    score: float | None = None
    note: str | None = None
    dropped: list[str] = field(default_factory=list)


class IndicatorTable:
    """Parses the rows of one indicator table, carrying the inherited level names from row to row."""

    def __init__(self, header: IndicatorHeader, kind: str, known_level1: bool):
        self.header = header
        self.kind = kind
        self.known_level1 = known_level1
        self.level1: str | None = None
        self.level2: str | None = None
        self.seq = 0
        self.stated_total: float | None = None
        self.stated_weight_total: float | None = None

    # -- public -------------------------------------------------------------------------------------------
    def total_row(self, row: Row) -> bool:
        """Read a 合计/总分 row into the stated totals; True if the row was one."""
        cells = row.nonempty()
        if not cells or not is_total_label(cells[0][1]):
            return False
        numbers = [(i, to_number(c)) for i, c in cells[1:] if to_number(c) is not None]
        cols = self.header.columns
        aligned = len(row.cells) == self.header.width
        if len(numbers) >= 2:
            self.stated_weight_total, self.stated_total = numbers[-2][1], numbers[-1][1]
        elif len(numbers) == 1:
            col, value = numbers[0]
            if aligned and col == cols.get("weight") and "score" in cols:
                self.stated_weight_total = value
            else:
                self.stated_total = value
        return True

    def parse(self, row: Row) -> RowResult:
        result = RowResult()
        cells = self._positional(row) or self._by_type(row, result)
        if cells is None:
            result.findings.append(
                Finding(
                    "unparsed_row",
                    "warning",
                    f"指标表中的一行未能识别（未找到分值/得分）：{row.text}",
                    source_line=row.line,
                    source_ref=row.ref,
                )
            )
            return result
        self.seq += 1
        result.indicator = self._indicator(cells, row, result)
        return result

    # -- strategies ---------------------------------------------------------------------------------------
    def _positional(self, row: Row) -> _Cells | None:
        """Read the row by header columns if it has the header's shape and every cell has the right type."""
        cols = self.header.columns
        cells = row.cells
        width = len(cells)
        while width and not cells[width - 1].strip():
            width -= 1
        if width > self.header.width or not {"weight", "target"} <= cols.keys():
            return None
        known = set(cols.values())
        if any(cells[i].strip() for i in range(width) if i not in known):
            return None

        def cell(role: str) -> str:
            i = cols.get(role)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        weight, score = cell("weight"), cell("score")
        if not is_bare_number(weight) or (score and not is_bare_number(score)):
            return None
        if not _within_weight_scale(to_number(weight)):
            return None
        note = cell("note")
        if note and is_bare_number(note):
            return None
        for role in ("target", "actual"):
            text = cell(role)
            if text and not is_value_like(text) and not is_empty(text):
                return None
        labels: list[tuple[int, str]] = []
        for role in ("level1", "level2", "level3"):
            text = cell(role)
            if not text:
                continue
            if is_value_like(text) or is_bare_number(text):
                return None
            if (
                role == "level1"
                and self.known_level1
                and not level1_name(text, self.kind)
                and not (cell("level2") and cell("level3"))
            ):
                return None  # an unknown name alone in the level-1 column is a shifted cell
            labels.append((cols[role], text))
        if not cell("level3"):
            return None  # without a name in its column the row may be shifted: the type reader decides
        values = [cell("target"), cell("actual")]
        return _Cells(
            labels=labels,
            values=values,
            op=cell("op") or None,
            unit=cell("unit") or None,
            weight=to_number(weight),
            score=to_number(score),
            note=note or None,
        )

    def _by_type(self, row: Row, result: RowResult) -> _Cells | None:
        cells, row_unit = _glue_ops_and_units([(i, c.strip()) for i, c in enumerate(row.cells)])
        pair = _weight_score_pair(cells)
        if pair is None:
            return None
        w_at, s_at = pair
        weight = to_number(cells[w_at][1])
        score = to_number(cells[s_at][1]) if s_at is not None else None
        last = s_at if s_at is not None else w_at
        note_cells = [c for _, c in cells[last + 1 :] if c]
        middle = [(i, c) for i, c in cells[:w_at] if c and not is_section_label(c)]
        labels: list[tuple[int, str]] = []
        values: list[str] = []
        for i, c in reversed(middle):
            if not labels and (is_value_like(c) or is_bare_number(c)):
                values.insert(0, c)
            else:
                labels.insert(0, (i, c))
        dropped: list[str] = []
        if len(note_cells) > 1:
            dropped.extend(note_cells[1:])
        values = _reduce_values(values, weight, score, dropped)
        # A free-text target (not value-like) stands between the name and a lone value.
        if (
            len(values) == 1
            and len(labels) >= 2
            and (has_seq_label(labels[-2][1]) or labels[-1][0] == self.header.columns.get("target"))
        ):
            values.insert(0, labels.pop()[1])
        if row_unit and len(values) == 2 and is_bare_number(values[1]):
            values[1] += row_unit  # a 度量单位 cell applies to the actual value too
        return _Cells(
            labels=labels,
            values=values,
            weight=weight,
            score=score,
            note=note_cells[0] if note_cells else None,
            dropped=dropped,
        )

    # -- assembling -----------------------------------------------------------------------------------------
    def _indicator(self, cells: _Cells, row: Row, result: RowResult) -> Indicator:
        labels = list(cells.labels)
        level1_here: str | None = None
        level2_here: str | None = None
        # Vocabulary first: a level name is recognised wherever it sits, but never the row's last label,
        # which is the indicator's own name (an indicator may be called 人力资源管理 too).
        while len(labels) > 1:
            text = labels[0][1]
            if level1_here is None and level2_here is None and level1_name(text, self.kind):
                level1_here = level1_name(text, self.kind)
            elif level2_here is None and level2_name(text):
                level2_here = level2_name(text)
            else:
                break
            labels.pop(0)
        name: str | None = None
        name_col = self.header.columns.get("level3")
        if (
            labels
            and level1_here is not None
            and level2_here is None
            and name_col is not None
            and labels[-1][0] == self.header.columns.get("level2")
            and not (row.cells[name_col].strip() if name_col < len(row.cells) else "")
        ):
            # Merged level cells expanded over a row whose name cell is empty (xlsx/docx): the last label is
            # the level-2 name in its own column, and the row has no name.
            text = labels.pop()[1]
            level2_here = level_key(text) if level2_name(text) else text
        if labels:
            # A row of values only (no name) keeps name None; otherwise the last label is the name.
            name = labels.pop()[1]
            if (
                len(labels) == 0
                and level1_here is None
                and level2_here is None
                and level1_name(name, self.kind)
            ):
                level1_here, name = level1_name(name, self.kind), None
        extras = [t for _, t in labels]
        # Two unknown names before the indicator's own: a full level-1 > level-2 path of a template whose
        # classes the vocabulary does not know (决策 > 目标设定 > …).
        if extras and level1_here is None and len(extras) >= 2 and level2_here is None:
            level1_here = level1_name(extras[0], self.kind) or level_key(extras[0])
            extras.pop(0)
        if extras and level2_here is None:
            level2_here = level_key(extras.pop(0)) if level2_name(extras[0]) else extras.pop(0)
        if extras and level1_here is None and not self.known_level1:
            level1_here = extras.pop(0)
        cells.dropped.extend(extras)

        if level1_here is not None:
            self.level1 = level1_here
            self.level2 = level2_here
        elif level2_here is not None:
            parent = LEVEL2_PARENT.get(level2_here)
            if parent and (self.level1 is None or self.kind == "project"):
                self.level1 = parent
            self.level2 = level2_here

        # A separate 指标性质 / 度量单位 column is folded into the value text: `≥` | `95` | `%` reads `≥95%`.
        target_text = _with_op_and_unit(cells.values[0] if cells.values else None, cells.op, cells.unit)
        actual_text = _with_op_and_unit(cells.values[1] if len(cells.values) > 1 else None, None, cells.unit)
        target = parse_value(target_text)
        actual = parse_value(actual_text)
        for label, text in ((target.label, target_text), (actual.label, actual_text)):
            if label:
                result.findings.append(
                    Finding(
                        "glued_label",
                        "info",
                        f"数值单元格“{text}”前粘连了文字“{label}”，已按数值读取",
                        self.seq,
                        row.line,
                        row.ref,
                    )
                )
        if cells.dropped:
            result.findings.append(
                Finding(
                    "extra_cells",
                    "info",
                    f"该行有多余单元格，未计入：{'、'.join(cells.dropped)}（原行：{row.text}）",
                    self.seq,
                    row.line,
                    row.ref,
                )
            )
        return Indicator(
            seq=self.seq,
            level1=self.level1,
            level2=self.level2,
            level3=strip_seq_label(name) if name else None,
            target_text=target_text if not is_empty(target_text) else None,
            target_op=target.op,
            target_value=target.value,
            target_unit=target.unit,
            actual_text=actual_text if not is_empty(actual_text) else None,
            actual_value=actual.value,
            actual_unit=actual.unit,
            weight=cells.weight,
            score=cells.score,
            note=cells.note,
            source_line=row.line,
            raw_text=row.text,
            source_ref=row.ref,
        )


def _glue_ops_and_units(cells: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], str | None]:
    """A comparator or a unit in a cell of its own (`≥` | `50` | `个`) joins the value it belongs to."""
    out: list[tuple[int, str]] = []
    unit: str | None = None
    pending_op: tuple[int, str] | None = None
    for i, c in cells:
        if not c:
            out.append((i, c))
            continue
        if is_op_only(c):
            pending_op = (i, c.strip())
            continue
        if c in ("定性", "定量"):  # a 指标性质 cell that names the kind instead of a comparator
            continue
        if pending_op is not None:
            c = pending_op[1] + c
            i = pending_op[0]
            pending_op = None
        last = next((k for k in range(len(out) - 1, -1, -1) if out[k][1]), None)
        if is_unit_only(c) and last is not None:
            prev = parse_value(out[last][1])
            if prev.is_numeric and prev.unit is None:
                out[last] = (out[last][0], out[last][1] + c.strip())
                unit = c.strip()
                continue
        out.append((i, c))
    if pending_op is not None:
        out.append(pending_op)
    return out, unit


def _within_weight_scale(x: float | None) -> bool:
    return x is not None and -_MAX_WEIGHT <= x <= _MAX_WEIGHT


def _weight_score_pair(cells: list[tuple[int, str]]) -> tuple[int, int | None] | None:
    """List positions of the weight and score: the rightmost two adjacent small numbers with only text after them."""
    nonempty = [(pos, c) for pos, (_, c) in enumerate(cells) if c]
    for k in range(len(nonempty) - 1, -1, -1):
        i, c = nonempty[k]
        if is_bare_number(c) and _within_weight_scale(to_number(c)):
            if k > 0:
                j, prev = nonempty[k - 1]
                if is_bare_number(prev) and _within_weight_scale(to_number(prev)) and j == i - 1:
                    return j, i
            return i, None
        if is_bare_number(c) or (to_number(c) is not None):
            return None  # a number after the pair would be a value, not a note: not an indicator row
    return None


def _reduce_values(
    values: list[str], weight: float | None, score: float | None, dropped: list[str]
) -> list[str]:
    """More than two value cells: drop a spilled copy of the weight, then adjacent duplicates."""
    values = list(values)
    while len(values) > 2 and is_bare_number(values[-1]) and to_number(values[-1]) in (weight, score):
        dropped.append(values.pop())
    k = len(values) - 1
    while len(values) > 2 and k > 0:
        if values[k] == values[k - 1]:
            dropped.append(values.pop(k))
        k -= 1
        k = min(k, len(values) - 1)
    while len(values) > 2:
        dropped.append(values.pop(0))
    return values


def _with_op_and_unit(text: str | None, op: str | None, unit: str | None) -> str | None:
    """Fold a separate 指标性质 (≥ ≤ =) and 度量单位 column into the value text before parsing."""
    if text is None or is_empty(text):
        return text
    if op and is_op_only(op) and not parse_value(text).op:
        text = op.strip() + text
    if unit and not is_empty(unit) and is_bare_number(text.lstrip("≥≤<>=≧≦＜＞﹦＝")):
        text = text + unit.strip()
    return text
