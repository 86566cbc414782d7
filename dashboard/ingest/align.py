"""Place a table's stream of typed cells into the header's column roles with one dynamic program.

Real forms shift cells, lose merged cells, collapse empty cells to the row's end, break rows over lines or run a
whole table together on one line. Instead of a re-rowing rule per layout, the table body is read as a sequence of
tokens and the aligner finds the cheapest reading of it as rows, each row placing its tokens into the header's
roles in header order:

- a token costs what it is worth in a role (`emission`): a plain number is cheap as a weight or a score and
  impossible as a name; a level word is cheap as a level name; a sentence is cheap as a note;
- a role a row leaves without a token costs what its absence is worth (`skip`): a level name at the row's start
  is inherited from the row above (merged cells), a note or a score at the row's end is often blank, a weight is
  almost never missing;
- a new row costs a little, and on layouts whose lines are rows (tabs, pipe rows, spreadsheets) a row that does
  not start at a line's start, or a line whose cells continue the row above, costs more;
- a token that fits nowhere may be dropped at a cost (empty cells and repeated header words are cheap to drop).

Shifted cells, lost merged cells and run-together rows are then one mechanism. The cost of each row is kept, so
the parser can say how sure it is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from dashboard.ingest import align_codes as codes
from dashboard.ingest.cells import CellKind, Token, joined, kind_of
from dashboard.ingest.values import parse_value
from dashboard.ingest.vocab import is_no_deviation

INF = math.inf
LEVEL_ROLES = ("level1", "level2")

# Cost of leaving a role without a token: (at the row's start, in the middle, at the row's end).
SKIP: dict[str, tuple[float, float, float]] = {
    "level1": (0.0, 0.5, 0.0),
    "level2": (0.05, 0.6, 0.0),
    "level3": (1.8, 1.8, 1.8),
    "content": (0.3, 0.3, 0.3),
    "op": (0.3, 0.3, 0.2),
    "target": (1.2, 1.2, 0.8),
    "target_adjusted": (0.4, 0.4, 0.3),
    "measure_unit": (0.4, 0.4, 0.3),
    "actual": (0.9, 0.9, 0.5),
    "coefficient": (0.5, 0.5, 0.4),
    "weight": (2.2, 2.2, 1.6),
    "weight_share": (0.5, 0.5, 0.4),
    "score": (0.7, 0.7, 0.3),
    "converted_score": (0.4, 0.4, 0.3),
    "review_score": (0.3, 0.3, 0.2),
    "method": (0.2, 0.2, 0.1),
    "is_core": (0.2, 0.2, 0.1),
    "note": (0.05, 0.05, 0.0),
    "evidence": (0.1, 0.1, 0.05),
    "record": (0.1, 0.1, 0.05),
}
# Template families differ in what their forms leave blank: Sichuan forms are often published with the 完成值 and
# 得分 columns unfilled; elsewhere a row without a score is rare, while a row whose target was folded into its name
# (年度资金支付完成率100% | 10 | 10) is common.
FAMILY_SKIP: dict[str, dict[str, tuple[float, float, float]]] = {
    "sichuan": {},
    "checklist": {"weight": (0.1, 0.1, 0.1), "score": (0.1, 0.1, 0.1)},
    "default": {"score": (0.9, 0.9, 0.9)},
}


def skip_for(template: str) -> dict[str, tuple[float, float, float]]:
    return {**SKIP, **FAMILY_SKIP.get(template, FAMILY_SKIP["default"])}


NEW_ROW = 0.4
DUPLICATE_DROP = 0.8
PAIR_BONUS = -0.8  # two small numbers, the second not above the first, in adjacent 分值 / 得分 columns
HEADING_ROW = 0.5  # a row of level names only (时效指标 | | |): it sets the levels of the rows below
ROW_NOT_AT_LINE_START = 3.0
ROW_CONTINUES_ON_NEW_LINE = 2.0
COLUMN_MATCH = -0.3
COLUMN_MISMATCH = 0.2
# How many tokens one role may take, and the cost of each token beyond the first.
MAX_SPAN = 40
SPAN = {
    "note": (MAX_SPAN, 0.05),
    "method": (MAX_SPAN, 0.05),
    "evidence": (20, 0.1),
    "record": (20, 0.1),
    "content": (6, 0.3),
    "level3": (4, 1.5),
    "target": (3, 0.6),
    "actual": (3, 0.6),
    "line": (3, 0.1),
    "reason": (8, 0.1),
}
# Roles that may also take several whole cells: long text, and a budget line's name after its block caption
# (部门(单位)整体支出(万元) | 全年支出 | 361.95 …).
VALUE_ROLES = ("target", "actual", "target_adjusted")
MULTI_CELL_SPAN = {"note", "method", "evidence", "record", "line", "reason"}


def emission(role: str, k: CellKind, text: str = "") -> float:
    """What a cell of kind `k` costs in `role` (INF: cannot be)."""
    if k.placeholder:
        return INF  # `……`, `指标2:`: an unfilled template row is dropped, never read as a blank cell
    if role == "level1":
        if k.empty:
            return 0.3
        if k.level1:
            return 0.6 if k.level2 else 0.0  # 服务对象满意度指标 is a level-2 name on project forms
        if k.suffix_only:
            return 0.2
        if k.level2:
            return 3.5  # 社会影响 belongs under 履职效果: a level-2 word in the level-1 cell is a shifted row
        if k.scored:
            return 0.3  # 规划(15分): a level name with its points
        return 1.6 if _short_text(k, 14) else INF
    if role == "level2":
        if k.empty:
            return 0.3
        if k.level2:
            return 0.0
        if k.level1:
            return 2.0
        if k.levelish:
            return 0.4  # 产出质量指标, 经济成本指标: a level name the vocabulary does not know
        if k.scored:
            return 0.3
        return 1.3 if _short_text(k, 16) else INF
    if role == "level3":
        if k.empty or not k.text_like or k.suffix_only or k.pure_value or k.no_deviation:
            return INF
        cost = 0.0
        if k.seq:
            cost -= 0.3
        elif k.level2:
            cost += 1.0
        elif k.level1:
            cost += 2.2
        elif k.value and not k.has_digit:
            cost += 1.2  # 安全 / 及时: more often a value than a name
        elif k.value:
            cost += 0.6
        if k.scored:
            cost += 1.5
        if k.sentence:
            cost += 1.0
        elif k.length > 40:
            cost += 0.8
        return cost
    if role == "content":
        if k.level1 or k.level2 or k.levelish:
            return 2.0  # a level name is a label, not the description beside the name
        return 0.3 if k.text_like else (0.2 if k.empty else INF)
    if role == "op":
        return 0.0 if (k.op_only or k.nature) else (0.1 if k.empty else INF)
    if role in ("target", "actual", "target_adjusted"):
        if k.empty:
            return 0.2
        if k.op_only:
            return 2.0  # a lone comparator belongs in 指标性质
        if k.value or k.bare or k.pct:
            return 0.0
        if k.unit_only:
            return 2.5
        if k.level1 or k.level2 or k.seq:
            return 3.0
        return 0.7 if (k.length <= 20 and not k.sentence) else 1.3
    if role == "measure_unit":
        if k.unit_only:
            return 0.0
        if k.empty:
            return 0.1
        return 1.0 if (k.length <= 4 and not k.has_digit and k.text_like) else INF
    if role in ("weight", "score", "converted_score", "review_score"):
        if k.small:
            x = k.number or 0
            if x < 0:
                return 0.8
            return 0.4 if (role == "weight" and x > 40) else 0.0  # weights of 50 and more are rare
        if k.empty:
            return {"weight": 1.6, "score": 0.3}.get(role, 0.1)  # a blank weight is as rare as a lost one
        if k.bare and k.number is not None and _gluable(k.number):
            return 2.0  # two numbers run together by OCR or a copy (`1010`); split later if the sums agree
        if k.pct and k.number is not None and 0 <= k.number <= 100 and role != "weight":
            return 1.5
        if k.pct and k.number is not None and 0 < k.number <= 100 and _PCT_ONLY.match(text.strip()):
            return 0.9  # 权重 written 20%
        return INF
    if role in ("coefficient", "weight_share"):
        if k.pct:
            return 0.0
        if k.bare:
            return 0.3
        return 0.1 if k.empty else INF
    if role in ("level1_points", "level2_points"):  # a level's own 分值 beside its name
        if k.small:
            return 0.0
        return 0.1 if k.empty else INF
    if role == "seq":  # 序号: the row's number, never a weight
        if k.bare and k.number is not None and float(k.number).is_integer() and 0 < k.number < 500:
            return 0.0
        return 0.1 if k.empty else INF
    if role == "is_core":
        return 0.0 if k.yes_no else (0.1 if k.empty else INF)
    if role in ("note", "method", "evidence", "record"):
        if k.empty:
            return 0.0
        if k.level1 or k.level2:
            return 2.0
        if k.levelish:
            return 1.0
        if k.scored:
            return 1.8  # 过程(40分): the next block's level name, not a note
        if k.seq:
            return 2.5
        if k.bare:
            return 1.2 if k.small else 0.8
        if k.value:
            return 0.6
        return 0.0 if (k.sentence or k.length > 8) else 0.2
    return INF


# What a cell's text costs in each role, for emission functions of the text alone (`of_text_only`), across tables:
# most cells of a corpus (blanks, level names, 10, 100%) recur in every form.
_EMISSION_ROWS: dict[tuple[Callable, tuple[str, ...], str], list[float]] = {}
_EMISSION_ROWS_MAX = 200_000
emission.of_text_only = True  # type: ignore[attr-defined]

_PCT_ONLY = re.compile(r"^\d+(?:\.\d+)?\s*[%％]$")


def _short_text(k: CellKind, limit: int) -> bool:
    return k.text_like and not k.sentence and k.length <= limit and not k.value and not k.seq


def _gluable(x: float) -> bool:
    return 100 < abs(x) < 100000


def _flags(k: CellKind, text: str) -> int:
    """The kernel's bits for one token: what the span checks ask of it."""
    if k.empty:
        return codes.F_EMPTY
    return (
        (codes.F_NUMLIKE if (k.number is not None or k.pure_value) else 0)
        | (codes.F_OP_ONLY if k.op_only else 0)
        | (codes.F_VALUELIKE if (k.value or k.number is not None) else 0)
        | (codes.F_L3BAD if (k.level1 or k.level2 or k.value or k.has_digit) else 0)
        | (codes.F_NO_DEV if is_no_deviation(text) else 0)
    )


def drop_cost(k: CellKind, text: str) -> float:
    if k.placeholder:
        return 0.05
    if k.empty:
        return 0.02
    if k.section:
        return 0.1
    if k.level1 or k.level2:
        return 2.5
    return 3.0


@dataclass
class AlignedRow:
    """One row of the reading: the tokens placed in each role, in order, and what it cost."""

    cells: dict[str, list[Token]] = field(default_factory=dict)
    dropped: list[Token] = field(default_factory=list)
    cost: float = 0.0

    def text(self, role: str) -> str | None:
        toks = self.cells.get(role)
        if not toks:
            return None
        text = joined(toks).strip()
        return text or None

    @property
    def tokens(self) -> list[Token]:
        out = [t for toks in self.cells.values() for t in toks] + self.dropped
        return sorted(out, key=lambda t: (t.row, t.col, t.piece))

    @property
    def is_heading(self) -> bool:
        """Only level names: a caption row for the rows below."""
        seen = False
        for r, toks in self.cells.items():
            if any(t.text.strip() for t in toks):
                if r not in LEVEL_ROLES:
                    return False
                seen = True
        return seen

    def filled(self, role: str) -> bool:
        return any(t.text.strip() and not kind_of(t.text).empty for t in self.cells.get(role, ()))


ECHO_BONUS = -0.5  # an actual value equal to the value just before it (the target) is the commonest row


def _echoes_target(tokens: list[Token], kinds: list[CellKind], i: int) -> bool:
    """Is token i's number the same as the previous value-like token of its line (skipping a unit cell)?"""
    k = kinds[i]
    if k.empty or k.small:
        return False
    j = i - 1
    while j >= 0 and tokens[j].row == tokens[i].row and (kinds[j].unit_only or kinds[j].empty):
        j -= 1
    if j < 0 or tokens[j].row != tokens[i].row:
        return False
    if tokens[j].text == tokens[i].text and not kinds[j].small:
        return True  # 合理 | 合理, 100% | 100%
    a = parse_value(tokens[j].text)
    b = parse_value(tokens[i].text)
    return a.value is not None and a.label is None and a.value == b.value


HABIT_MIN_ROWS = 4
HABIT_ROLES = ("level3", "target", "actual", "measure_unit", "op", "weight", "score")


def habits(rows: list[AlignedRow], roles: Sequence[str]) -> dict[str, float]:
    """How often each value column is filled in a table's rows (a first reading): the table's own habits."""
    body = [
        r
        for r in rows
        if not r.is_heading and (r.filled("weight") or r.filled("score") or r.filled("target"))
    ]
    if len(body) < HABIT_MIN_ROWS:
        return {}
    return {role: sum(r.filled(role) for r in body) / len(body) for role in roles if role in HABIT_ROLES}


def _habits_change_nothing(rows: list[AlignedRow], fill: dict[str, float]) -> bool:
    """The second reading can only find what the first found: no column is rarely filled (with_habits would make
    leaving one out cheaper), and every row of the first reading fills every column the table always fills (its
    path pays none of the added costs, while every other path's costs only rise)."""
    if any(rate <= 0.2 for rate in fill.values()):
        return False
    always = [role for role, rate in fill.items() if rate >= 0.8]
    if any(fill[role] < 1.0 for role in always):
        return False
    return all(r.filled(role) for r in rows for role in always)


def with_habits(aligner: Aligner, fill: dict[str, float]) -> Aligner:
    """The aligner for a second reading: a column the table almost always fills costs more to leave out, one it
    almost never fills costs more to fill (a Sichuan tail whose 得分 column is blank throughout)."""
    skip = dict(aligner.skip)
    penalty: dict[str, float] = {}  # on filling the role with a value
    blank: dict[str, float] = {}  # on leaving it blank with an empty cell
    for role, rate in fill.items():
        s0, s1, s2 = skip.get(role, (0.5, 0.5, 0.3))
        if rate >= 0.8:
            skip[role] = (s0 + 1.0, s1 + 1.0, s2 + 1.0)
            blank[role] = 1.0
        elif rate <= 0.2:
            skip[role] = (s0 * 0.5, s1 * 0.5, s2 * 0.5)
            penalty[role] = 0.8
    base = aligner.emit

    def emit(role: str, k: CellKind, text: str = "") -> float:
        cost = base(role, k, text)
        if cost == INF:
            return cost
        if k.empty:
            return cost + blank.get(role, 0.0)
        return cost + penalty.get(role, 0.0)

    return Aligner(
        aligner.roles, aligner.reliable_rows, aligner.columns, emit, skip, aligner.cheap_duplicates
    )


@dataclass
class Aligner:
    roles: Sequence[str]
    reliable_rows: bool = False  # lines are rows (tabs, pipe rows, spreadsheets)
    columns: dict[str, int] | None = None  # role -> column index, for grids whose columns can be trusted
    emit: Callable[[str, CellKind, str], float] = emission
    skip: dict[str, tuple[float, float, float]] = field(default_factory=lambda: SKIP)
    cheap_duplicates: bool = (
        True  # indicator rows spill copies of a cell; budget lines repeat figures (7.29 7.29)
    )

    def align_twice(self, tokens: list[Token]) -> list[AlignedRow]:
        """Read once, learn the table's habits, read again with them."""
        first = self.align(tokens)
        fill = habits(first, self.roles)
        if not fill or _habits_change_nothing(first, fill):
            return first
        return with_habits(self, fill).align(tokens)

    def align(self, tokens: list[Token]) -> list[AlignedRow]:
        n, m = len(tokens), len(self.roles)
        if n == 0:
            return []
        roles = list(self.roles)
        skips = [self.skip.get(r, (0.5, 0.5, 0.3)) for r in roles]
        start_prefix = [0.0]
        for s in skips:
            start_prefix.append(start_prefix[-1] + s[0])
        mid = [s[1] for s in skips]
        end_suffix = [0.0] * (m + 1)
        for q in range(m - 1, -1, -1):
            end_suffix[q] = end_suffix[q + 1] + skips[q][2]
        mid_prefix = [0.0]
        for x in mid:
            mid_prefix.append(mid_prefix[-1] + x)
        heading_upto = max((q for q, r in enumerate(roles) if r in LEVEL_ROLES), default=-1)
        pair_at = next((q for q in range(m - 1) if roles[q] == "weight" and roles[q + 1] == "score"), None)

        def close(r: int) -> float:
            if r == m:
                return 0.0
            if r <= heading_upto:
                return HEADING_ROW
            return end_suffix[r + 1]

        kinds = [t.kind for t in tokens]
        # A row may start at any of its line's leading empty cells or at its first filled one.
        row_start = [False] * n
        for i in range(n):
            new_line = i == 0 or tokens[i].row != tokens[i - 1].row
            row_start[i] = new_line or (row_start[i - 1] and (kinds[i - 1].empty or kinds[i - 1].section))
        echoes = [_echoes_target(tokens, kinds, i) for i in range(n)]
        drop = [drop_cost(kinds[i], tokens[i].text) for i in range(n)]
        for i in range(n if self.cheap_duplicates else 0):  # a cell repeating its neighbour: a spilled copy
            if not kinds[i].empty and any(
                0 <= j < n
                and (tokens[j].row == tokens[i].row or not self.reliable_rows)
                and tokens[j].text == tokens[i].text
                for j in (i - 1, i + 1)
            ):
                # A repeated number (2 | 2 | 2) is a spilled copy; a repeated text is more often target and actual.
                drop[i] = min(drop[i], DUPLICATE_DROP if kinds[i].small else 1.5)
        role_limit = [SPAN.get(r, (1, 0.0))[0] for r in roles]  # a longer span is INF: never try it
        emit, columns = self.emit, self.columns
        # Each token's cost in each role alone (the emission plus its echo and column adjustments); the emission
        # depends on the text only, so it is asked once per distinct text (and once per corpus where the emission
        # function says so).
        cache = _EMISSION_ROWS if getattr(emit, "of_text_only", False) else {}
        roles_key = tuple(roles)
        if len(cache) > _EMISSION_ROWS_MAX:
            cache.clear()
        adjusted = [
            q for q in range(m) if roles[q] == "actual" or (columns is not None and roles[q] in columns)
        ]
        single: list[list[float]] = []
        for i in range(n):
            k, text = kinds[i], tokens[i].text
            key = (emit, roles_key, text)
            costs = cache.get(key)
            if costs is None:
                costs = cache[key] = [emit(role, k, text) for role in roles]
            if adjusted and (echoes[i] or (columns is not None and not k.empty)):
                costs = costs.copy()
                for q in adjusted:
                    role = roles[q]
                    if role == "actual" and echoes[i] and costs[q] < INF:
                        costs[q] += ECHO_BONUS
                    if columns is not None and not k.empty and role in columns:
                        costs[q] += COLUMN_MATCH if tokens[i].col == columns[role] else COLUMN_MISMATCH
            single.append(costs)

        def emit_pair(i: int) -> float:
            """Tokens i, i+1 as 分值 and 得分 together (INF where they are not such a pair)."""
            if pair_at is None or i + 1 >= n:
                return INF
            a, b = kinds[i], kinds[i + 1]
            if not (a.small and b.small) or tokens[i + 1].row != tokens[i].row and self.reliable_rows:
                return INF
            base = single[i][pair_at] + single[i + 1][pair_at + 1]
            w, sc = a.number or 0.0, b.number or 0.0
            if sc > w + 1e-9:
                return base + 1.0
            return base + (PAIR_BONUS if w <= 30 else PAIR_BONUS / 3 if w <= 60 else 0.0)

        close_at = [close(r) for r in range(m + 1)]
        reliable = self.reliable_rows
        # What the kernel needs of each token (its line, its piece, the checks of what one cell can hold) and of
        # each role (how many tokens one cell of it may take, what each extra token costs).
        tok = np.zeros((n, 3), dtype=np.int64)
        for i in range(n):
            k = kinds[i]
            tok[i, 0] = tokens[i].row
            tok[i, 1] = tokens[i].piece
            tok[i, 2] = _flags(k, tokens[i].text)
        role_flags = [
            (codes.R_MULTI if r in MULTI_CELL_SPAN else 0)
            | (codes.R_VALUE if r in VALUE_ROLES else 0)
            | (codes.R_LEVEL3 if r == "level3" else 0)
            for r in roles
        ]
        new_pen = [(0.0 if row_start[i] else ROW_NOT_AT_LINE_START) if reliable else 0.0 for i in range(n)]
        cont_pen = [
            ROW_CONTINUES_ON_NEW_LINE if (reliable and row_start[i] and not kinds[i].empty) else 0.0
            for i in range(n)
        ]
        pair_e = [emit_pair(i) for i in range(n)] if pair_at is not None else [INF] * n
        from dashboard.ingest import align_kernel  # Numba, loaded by the first table aligned

        steps, costs = align_kernel.run(
            np.array(single, dtype=np.float64).reshape(n, m),
            tok,
            np.array(role_limit, dtype=np.int64),
            np.array([SPAN.get(r, (1, 0.0))[1] for r in roles], dtype=np.float64),
            np.array(role_flags, dtype=np.int64),
            MAX_SPAN,
            np.array(drop, dtype=np.float64),
            np.array(new_pen, dtype=np.float64),
            np.array(cont_pen, dtype=np.float64),
            np.array(pair_e, dtype=np.float64),
            -1 if pair_at is None else pair_at,
            np.array(close_at, dtype=np.float64),
            np.array(start_prefix, dtype=np.float64),
            np.array(mid_prefix, dtype=np.float64),
            NEW_ROW,
        )
        return self._rows(tokens, steps.tolist(), costs.tolist())

    def _rows(self, tokens, steps, costs) -> list[AlignedRow]:
        """The path's steps (i, j, role, action), with the path's cost after each, as rows."""
        rows: list[AlignedRow] = []
        current: AlignedRow | None = None
        pending_drops: list[Token] = []
        last_cost = 0.0
        for (i, j, q, action), cost_here in zip(steps, costs):
            if action == codes.DROP:
                (current.dropped if current is not None else pending_drops).append(tokens[i])
                continue
            if action in (codes.NEW, codes.NEW_PAIR) or current is None:
                if current is not None:
                    rows.append(current)
                current = AlignedRow()
                current.dropped.extend(pending_drops)
                pending_drops = []
            if action in (codes.PAIR, codes.NEW_PAIR):
                current.cells.setdefault(self.roles[q - 1], []).append(tokens[i])
                current.cells.setdefault(self.roles[q], []).append(tokens[i + 1])
            else:
                current.cells.setdefault(self.roles[q], []).extend(tokens[i:j])
            current.cost += cost_here - last_cost
            last_cost = cost_here
        if current is not None:
            rows.append(current)
        return rows
