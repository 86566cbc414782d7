"""The budget block: header words name the columns, cell types place rows whose cells were lost."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.ingest.model import BudgetLine, Finding, Row
from dashboard.ingest.values import EMPTY_MARKERS, to_number
from dashboard.ingest.vocab import (
    BUDGET_HEADER,
    BUDGET_LINE_PREFIX,
    BUDGET_TOTAL_LINES,
    header_role,
    normalize_key,
)

_MONEY = ("initial", "full_year", "executed")
_NAMES = {
    "initial": "年初预算数",
    "full_year": "全年预算数",
    "executed": "执行数",
    "rate": "执行率",
    "weight": "分值",
    "score": "得分",
}


@dataclass
class BudgetHeader:
    roles: list[str]  # value columns in header order
    columns: list[int]
    width: int
    line: int

    @classmethod
    def detect(cls, row: Row) -> BudgetHeader | None:
        if not any("预算" in c for c in row.cells):
            return None  # every budget header names its 年初预算/全年预算
        roles: list[str] = []
        columns: list[int] = []
        for i, cell in row.nonempty():
            role = header_role(cell, BUDGET_HEADER)
            if role and role not in roles:
                roles.append(role)
                columns.append(i)
        if {"initial", "full_year"} <= set(roles) and ({"executed", "rate"} & set(roles)):
            return cls(roles, columns, len(row.cells), row.line)
        return None


def _is_value_cell(text: str) -> bool:
    t = text.strip()
    return t in EMPTY_MARKERS or to_number(t) is not None


def line_name(text: str) -> str:
    return BUDGET_LINE_PREFIX.sub("", normalize_key(text))


def is_total_line(name: str) -> bool:
    return any(name.startswith(t) for t in BUDGET_TOTAL_LINES)


def parse_budget_row(row: Row, header: BudgetHeader) -> tuple[BudgetLine | None, list[Finding]]:
    cells = [c.strip() for c in row.cells]
    # The line's name is the last text before its first figure; text after the figures is a 原因 column.
    first_value = next((i for i, c in enumerate(cells) if c and _is_value_cell(c)), len(cells))
    last_label = max((i for i, c in enumerate(cells[:first_value]) if c), default=None)
    if last_label is None:
        return None, []
    name = line_name(cells[last_label])
    values_at = list(range(last_label + 1, len(cells)))
    while values_at and not cells[values_at[-1]]:
        values_at.pop()
    if (
        values_at
        and values_at[0] == header.columns[0]
        and len(cells) <= header.width
        and _types_fit(cells, header)
    ):
        # Aligned with the header: read by column, blanks stay blank.
        placed = {
            role: cells[col] if col < len(cells) else "" for role, col in zip(header.roles, header.columns)
        }
        lost: list[str] = []
    else:
        placed, lost = _align_by_type([cells[i] for i in values_at], header.roles)
    line = BudgetLine(line=name, source_line=row.line, source_ref=row.ref)
    for role, text in placed.items():
        if role in _NAMES:
            setattr(line, "execution_rate_stated_pct" if role == "rate" else role, to_number(text))
    findings = []
    has_figures = any(to_number(t) is not None for t in placed.values())
    blank_money = [r for r in _MONEY if r in placed and not placed[r].strip()]
    missing = [r for r in _MONEY if r in lost] + blank_money
    if has_figures and missing:
        what = "、".join(_NAMES[r] for r in missing)
        how = "该行缺少单元格" if lost else "单元格为空"
        findings.append(
            Finding(
                "missing_budget_cell",
                "warning",
                f"预算行“{name}”的{what}缺失（{how}），按空值处理",
                source_line=row.line,
                source_ref=row.ref,
            )
        )
    return line, findings


def _types_fit(cells: list[str], header: BudgetHeader) -> bool:
    """Column reading is trusted only if each cell has its column's type (a copy-paste may have shifted them)."""
    for role, col in zip(header.roles, header.columns):
        text = cells[col].strip() if col < len(cells) else ""
        is_pct = text.endswith("%") or text.endswith("％")
        if role == "rate" and text and not is_pct and text not in EMPTY_MARKERS:
            return False
        if role != "rate" and is_pct:
            return False
    return True


def _align_by_type(values: list[str], roles: list[str]) -> tuple[dict[str, str], list[str]]:
    """Place values whose row lost or gained cells: the percentage anchors 执行率, money fills from the left."""
    if len(values) == len(roles):
        return dict(zip(roles, values)), []
    placed: dict[str, str] = {}
    pct = next((k for k, v in enumerate(values) if v.endswith("%") or v.endswith("％")), None)
    if pct is None or "rate" not in roles:
        for role, v in zip(roles, values):
            placed[role] = v
        return placed, [r for r in roles if r not in placed]
    r = roles.index("rate")
    placed["rate"] = values[pct]
    _fill(placed, roles[:r], values[:pct])
    _fill(placed, roles[r + 1 :], values[pct + 1 :])
    return placed, [role for role in roles if role not in placed]


def _fill(placed: dict[str, str], roles: list[str], values: list[str]) -> None:
    if len(values) >= len(roles):
        placed.update(zip(roles, values[-len(roles) :] if roles else []))
        return
    # Fewer cells than columns: scoring columns (分值/得分) keep their place at the right,
    # money columns fill from the left, so the lost cell is the last money column.
    roles = list(roles)
    values = list(values)
    while roles and values and roles[-1] in ("weight", "score"):
        placed[roles.pop()] = values.pop()
    placed.update(zip(roles, values))
