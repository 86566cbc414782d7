"""Aligned indicator rows -> Indicator records: level names inherited, values parsed, odd cells said out loud.

The aligner (align.py) decides which cell of a row is the name, the target, the weight …; this module turns a
placed row into a record. A level cell left blank inherits the row above (merged cells); a level-1 cell that
kept only its `(50分)` starts a new block whose name was lost; a level-2 name the vocabulary knows gives its
level-1 class where the form lost it. Values are parsed with their comparator and unit (values.py); the
separate 指标性质 / 度量单位 cells of split-target templates are folded into the text that is parsed and kept as
written in their own fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dashboard.ingest.align import AlignedRow
from dashboard.ingest.cells import kind_of
from dashboard.ingest.model import Finding, Indicator
from dashboard.ingest.values import (
    is_bare_number,
    is_empty,
    is_op_only,
    op_sign,
    parse_value,
    strip_seq_label,
    to_number,
)
from dashboard.ingest.vocab import LEVEL1, LEVEL2_PARENT, level1_name, level2_name, level_key

GLUED_MAX_DIGITS = 6


@dataclass
class TableState:
    """Level names carried from row to row, and the running sequence number."""

    kind: str
    level1: str | None = None
    level2: str | None = None
    seq: int = 0
    findings: list[Finding] = field(default_factory=list)
    level1_points: float | None = None  # 规划(15分): the block's points
    level2_points: float = 0.0  # the points of its level-2 blocks so far


_POINTS = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]$")


def _points(text: str) -> float | None:
    m = _POINTS.search(text.strip())
    return float(m.group(1)) if m else None


def _is_sub_block(text: str, state: TableState) -> bool:
    """工作计划(6分) in the level-1 cell under 规划(15分) whose level-2 blocks have 3 of its 15 points so far: the
    level-1 cell was merged away and this is the next level-2 block."""
    p = _points(text)
    criteria = LEVEL1["criteria"]
    if p is not None and state.level1_points and level_key(state.level1 or "") in criteria:
        name = level1_name(text, state.kind)
        if name and name not in criteria and p < state.level1_points:
            return (
                True  # 预算执行(18分) under 执行(35分): a department class name as a criteria table's level 2
            )
    if p is None or state.level1_points is None or state.level2 is None or not state.level2_points:
        return False  # only in tables whose level-2 blocks carry their points too
    if level1_name(text, state.kind):
        return False  # 效益指标(30分) is a level-1 name
    return p < state.level1_points and state.level2_points + p <= state.level1_points + 0.01


def level1_text(text: str, kind: str) -> str | None:
    if kind_of(text).suffix_only:
        return None
    return level1_name(text, kind) or level_key(text) or None


def level2_text(text: str) -> str | None:
    return level2_name(text) or level_key(text) or None


def is_indicator_row(row: AlignedRow) -> bool:
    """A row with a name or some value, and at least one figure or value: not a placeholder or caption row."""
    if row.is_heading:
        return False
    values = ("target", "actual", "weight", "score", "target_adjusted", "review_score", "evidence")
    has_value = any(row.filled(r) for r in values)
    return has_value and (row.filled("level3") or row.filled("target") or row.filled("actual"))


def build_indicator(row: AlignedRow, state: TableState) -> Indicator | None:
    """The record of one aligned row (None for caption rows, which only set the levels)."""
    l1 = row.text("level1")
    l2 = row.text("level2")
    if (
        l1 is not None
        and not kind_of(l1).empty
        and (l2 is None or kind_of(l2).empty)
        and _is_sub_block(l1, state)
    ):
        l1, l2 = None, l1
    if l1 is not None and not kind_of(l1).empty:
        state.level1 = level1_text(l1, state.kind)
        state.level2 = None
        state.level1_points, state.level2_points = _points(l1), 0.0
    if l2 is not None and not kind_of(l2).empty:
        state.level2 = level2_text(l2)
        state.level2_points += _points(l2) or 0.0
        if state.level1 is None:
            state.level1 = LEVEL2_PARENT.get(state.level2 or "")
    if not is_indicator_row(row):
        return None
    state.seq += 1
    name = row.text("level3")
    op_cell = row.text("op")
    unit_cell = row.text("measure_unit")
    target_cell = row.text("target")
    actual_cell = row.text("actual")
    weight, weight_text = _number(row, "weight")
    score, score_text = _number(row, "score")
    if weight is not None and score is None and weight_text and abs(weight) > 100:
        pair = split_glued_pair(weight_text, row)
        if pair is not None:
            weight, score = pair
    tokens = row.tokens
    first = next((t for t in tokens if t.text.strip()), tokens[0])
    ind = Indicator(
        seq=state.seq,
        level1=state.level1,
        level2=state.level2,
        level3=strip_seq_label(name) if name else None,
        target_text=None,
        target_op=None,
        target_value=None,
        target_unit=None,
        actual_text=None,
        actual_value=None,
        actual_unit=None,
        weight=weight,
        score=score,
        note=row.text("note"),
        source_line=first.line,
        raw_text=" | ".join(t.text for t in tokens if t.text.strip()),
        source_ref=first.ref,
        op_text=None if is_empty(op_cell) else op_cell,
        measure_unit=None if is_empty(unit_cell) else unit_cell,
        target_adjusted=_text(row, "target_adjusted"),
        coefficient=_text(row, "coefficient"),
        weight_share=_text(row, "weight_share"),
        converted_score=_number(row, "converted_score")[0],
        review_score=_number(row, "review_score")[0],
        method=_text(row, "method"),
        is_core=_yes_no(row.text("is_core")),
        content=_text(row, "content"),
        evidence=_text(row, "evidence"),
    )
    target_text = fold_op_and_unit(target_cell, op_cell, unit_cell)
    actual_text = fold_op_and_unit(actual_cell, None, unit_cell)
    for attr, text in (("target", target_text), ("actual", actual_text)):
        value = parse_value(text)
        setattr(ind, f"{attr}_text", text if not is_empty(text) else None)
        if attr == "target":
            ind.target_op = value.op
        setattr(ind, f"{attr}_value", value.value)
        setattr(ind, f"{attr}_unit", value.unit)
        if value.label:
            state.findings.append(
                Finding(
                    "glued_label",
                    "info",
                    f"数值单元格“{text}”前粘连了文字“{value.label}”，已按数值读取",
                    state.seq,
                    first.line,
                    first.ref,
                )
            )
    dropped = [
        t.text
        for t in row.dropped
        if t.text.strip() and not (kind_of(t.text).empty or kind_of(t.text).section)
    ]
    if dropped:
        state.findings.append(
            Finding(
                "extra_cells",
                "info",
                f"该行有多余单元格，未计入：{'、'.join(dropped)}（原行：{ind.raw_text}）",
                state.seq,
                first.line,
                first.ref,
            )
        )
    return ind


def _text(row: AlignedRow, role: str) -> str | None:
    text = row.text(role)
    return None if is_empty(text) else text


def _number(row: AlignedRow, role: str) -> tuple[float | None, str | None]:
    text = row.text(role)
    if text is None or is_empty(text):
        return None, None
    return to_number(text), text


def _yes_no(text: str | None) -> bool | None:
    if text is None or is_empty(text):
        return None
    return text.strip() in ("是", "√")


def fold_op_and_unit(text: str | None, op: str | None, unit: str | None) -> str | None:
    """Fold a separate 指标性质 (≥ ≤ =) and 度量单位 column into the value text: `≥` | `95` | `%` -> `≥95%`."""
    if text is None or is_empty(text):
        return text
    text = text.strip()
    if op and is_op_only(op) and not parse_value(text).op:
        text = op_sign(op) + text
    if unit and not is_empty(unit) and is_bare_number(text.lstrip("≥≤<>=≧≦＜＞﹦＝═")):
        text = text + unit.strip()
    return text


def split_glued_pair(text: str, row: AlignedRow) -> tuple[float, float] | None:
    """`1010` read as weight 10 and score 10, `107.6` as 10 and 7.6: only where the row's own figures confirm it
    (score = weight × 得分系数, or score ≤ weight with the target met), otherwise None and the text stays."""
    t = text.strip()
    if not is_bare_number(t) or len(t.replace(".", "")) > GLUED_MAX_DIGITS:
        return None
    coefficient = to_number(row.text("coefficient") or "")
    candidates = []
    for cut in range(1, len(t)):
        a, b = t[:cut], t[cut:]
        if a.endswith(".") or b.startswith(".") or (len(b) > 1 and b[0] == "0" and b[1] != "."):
            continue
        if len(a) > 1 and a[0] == "0":
            continue
        w, s = to_number(a), to_number(b)
        if w is None or s is None or not (0 < w <= 100) or s < 0 or s > w:
            continue
        if coefficient is not None:
            if abs(w * coefficient / 100 - s) < 0.051:
                candidates.append((w, s))
        elif s == w:
            candidates.append((w, s))
    return candidates[0] if len(candidates) == 1 else None
