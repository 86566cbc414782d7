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
from operator import add

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


_PCT_ONLY = re.compile(r"^\d+(?:\.\d+)?\s*[%％]$")


def _short_text(k: CellKind, limit: int) -> bool:
    return k.text_like and not k.sentence and k.length <= limit and not k.value and not k.seq


def _gluable(x: float) -> bool:
    return 100 < abs(x) < 100000


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
        # depends on the text only, so it is asked once per distinct text.
        by_text: dict[str, list[float]] = {}
        adjusted = [
            q for q in range(m) if roles[q] == "actual" or (columns is not None and roles[q] in columns)
        ]
        single: list[list[float]] = []
        for i in range(n):
            k, text = kinds[i], tokens[i].text
            costs = by_text.get(text)
            if costs is None:
                costs = by_text[text] = [emit(role, k, text) for role in roles]
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

        def spans_of(i: int, q: int, last: int) -> list[tuple[int, int, float]]:
            """Every finite span tokens[i:j] in role q (j <= last), in order of j; each span's cost is what
            placing tokens[i:j] in the role as one cell costs (INF: it cannot be one cell)."""
            role = roles[q]
            e = single[i][q]
            out = [(q, i + 1, e)]
            if last <= i + 1:
                return out
            limit, extra = SPAN.get(role, (1, 0.0))
            multi = role in MULTI_CELL_SPAN
            value_role = role in VALUE_ROLES
            k0 = kinds[i]
            row0 = tokens[i].row
            same_line = True
            # The filled tokens of the span so far and what the checks need of them.
            n_filled = 0 if k0.empty else 1
            numbers = 0 if k0.empty else int(k0.number is not None or k0.pure_value)
            first_op = None if k0.empty else k0.op_only
            any_value = not k0.empty and (k0.value or k0.number is not None)
            level3_bad = not k0.empty and bool(k0.level1 or k0.level2 or k0.value or k0.has_digit)
            no_dev = (
                multi and not k0.empty and is_no_deviation(tokens[i].text)
            )  # only multi-cell spans leave a line
            total = 0 if k0.empty else 0 + e
            for j in range(i + 2, last + 1):
                x = j - 1
                kx, tx = kinds[x], tokens[x]
                same_line = same_line and tx.row == row0 and tx.piece > 0
                if not kx.empty:
                    n_filled += 1
                    numbers += kx.number is not None or kx.pure_value
                    if first_op is None:
                        first_op = kx.op_only
                    any_value = any_value or kx.value or kx.number is not None
                    level3_bad = level3_bad or bool(kx.level1 or kx.level2 or kx.value or kx.has_digit)
                    no_dev = no_dev or (multi and is_no_deviation(tx.text))
                    total = total + single[x][q]
                if (
                    j - i > limit
                    or not (same_line or multi)
                    or k0.empty
                    or kx.empty
                    or n_filled < j - i
                    and not multi
                ):
                    cost = INF
                elif numbers >= 2 or (value_role and not first_op and any_value):
                    cost = INF  # `100% 100%`, `健全 100%`, `市级以上 无`: two cells, never one value
                elif role == "level3" and level3_bad:
                    cost = INF  # a level word or a value beside a name is a cell of its own
                elif not same_line and no_dev:
                    cost = INF  # 无偏差 is a whole note: the next cell starts the next row
                else:
                    cost = total + extra * (n_filled - 1)
                    if not same_line:
                        cost += 1.0
                if cost == INF:
                    if kx.empty:
                        continue  # a span may reach past an empty cell
                    break
                out.append((q, j, cost))
            return out

        close_at = [close(r) for r in range(m + 1)]
        # The roles token i can take at all: a span starting at i costs at least its first cell's emission.
        fits = [[q for q in range(m) if single[i][q] < INF] for i in range(n)]
        best = [[INF] * (m + 1) for _ in range(n + 1)]
        back: list[list[tuple[int, int, str] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
        best[0][m] = 0.0
        reliable = self.reliable_rows
        # Candidate predecessors of a same-row placement are compared by c0 - mid_prefix[r + 1] (the part of the
        # cost that depends on the open row r); only rows within TOL of the cheapest are evaluated exactly, in
        # order of r, so the cost and the tie-breaking are those of evaluating every row.
        tol = 1e-7
        drop_rest = [[r for r in range(m + 1) if r not in q_set] for q_set in map(set, fits)]
        multi_at = [r in MULTI_CELL_SPAN for r in roles]
        # Can a span starting at token i run on into token i + 1 within one cell? Only free-text pieces of one line
        # do, and multi-cell roles; nothing else needs spans_of.
        runs_on = [
            i + 1 < n
            and tokens[i + 1].row == tokens[i].row
            and tokens[i + 1].piece > 0
            and not kinds[i].empty
            for i in range(n)
        ]
        for i in range(n):
            row = best[i]
            # New rows starting at token i: close the cheapest open row first.
            closed = list(map(add, row, close_at))
            closing = min(closed)
            closing_r = closed.index(closing) if closing < INF else m
            new_pen = (0.0 if row_start[i] else ROW_NOT_AT_LINE_START) if reliable else 0.0
            first_filled = row_start[i] and not kinds[i].empty
            cont_pen = ROW_CONTINUES_ON_NEW_LINE if (reliable and first_filled) else 0.0
            max_span = min(n, i + MAX_SPAN)
            # Every finite span tokens[i:j] in role q, in order of q, then j.
            spans_here: list[tuple[int, int, float]] = []
            costs = single[i]
            for q in fits[i]:
                last = min(max_span, i + role_limit[q])
                if last <= i + 1 or not (runs_on[i] or (multi_at[q] and not kinds[i].empty)):
                    spans_here.append((q, i + 1, costs[q]))
                else:
                    spans_here += spans_of(i, q, last)
            pair_e = emit_pair(i) if pair_at is not None else INF
            nxt = best[i + 1]
            d = drop[i]
            # Same row: 分值 and 得分 as a pair (no span reaches the pair's target cell).
            if pair_e < INF:
                target_row = best[i + 2]
                t = pair_at + 1
                for r in range(pair_at):
                    c0 = row[r]
                    if c0 == INF:
                        continue
                    c = c0 + mid_prefix[pair_at] - mid_prefix[r + 1] + cont_pen + pair_e
                    if c < target_row[t]:
                        target_row[t] = c
                        back[i + 2][t] = (i, r, "pair")
            # A same-row placement in role q comes from an open row r < q at c0 + mid_prefix[q] - mid_prefix[r + 1]:
            # rows are compared by their part c0 - mid_prefix[r + 1] and only those within `tol` of the cheapest
            # are costed exactly, in order of r, so cost and tie-breaking are those of costing every row. For each
            # q: the cheapest row below it, and whether another is that close.
            lo_at = [INF] * (m + 1)
            arg_at = [0] * (m + 1)
            tie_at = [False] * (m + 1)
            lo, arg, tie = INF, 0, False
            for r in range(m):
                c0 = row[r]
                if c0 < INF:
                    key = c0 - mid_prefix[r + 1]
                    if key < lo:
                        tie = lo <= key + tol
                        lo, arg = key, r
                    elif key <= lo + tol:
                        tie = True
                lo_at[r + 1], arg_at[r + 1], tie_at[r + 1] = lo, arg, tie
            new_base = closing + NEW_ROW + new_pen
            cand_q = -1
            cands: list[tuple[int, float]] = []
            for q, j, e in spans_here:
                if q != cand_q:
                    cand_q = q
                    if lo_at[q] == INF:
                        cands = []
                    elif not tie_at[q]:
                        r = arg_at[q]
                        cands = [(r, row[r] + mid_prefix[q] - mid_prefix[r + 1] + cont_pen)]
                    else:
                        lim = lo_at[q] + tol
                        mq = mid_prefix[q]
                        cands = [
                            (r, row[r] + mq - mid_prefix[r + 1] + cont_pen)
                            for r in range(q)
                            if row[r] < INF and row[r] - mid_prefix[r + 1] <= lim
                        ]
                target_row = best[j]
                back_row = back[j]
                for r, part in cands:
                    c = part + e
                    if c < target_row[q]:
                        target_row[q] = c
                        back_row[q] = (i, r, "same")
                if (
                    j == i + 1
                ):  # drop token i from row q: after the rows r < q placing it in q, before a new row
                    c0 = row[q]
                    if c0 < INF:
                        c = c0 + d
                        if c < nxt[q]:
                            nxt[q] = c
                            back_row[q] = (i, q, "drop")
                if closing < INF:
                    c = new_base + start_prefix[q] + e
                    if c < target_row[q]:
                        target_row[q] = c
                        back_row[q] = (i, closing_r, "new")
            # Drop token i from the other rows.
            for r in drop_rest[i]:
                c0 = row[r]
                if c0 == INF:
                    continue
                c = c0 + d
                if c < nxt[r]:
                    nxt[r] = c
                    back[i + 1][r] = (i, r, "drop")
            if closing < INF and pair_e < INF:
                c = closing + NEW_ROW + new_pen + start_prefix[pair_at] + pair_e
                if c < best[i + 2][pair_at + 1]:
                    best[i + 2][pair_at + 1] = c
                    back[i + 2][pair_at + 1] = (i, closing_r, "newpair")
        # Finish: close the last row.
        final_r = min(range(m + 1), key=lambda r: best[n][r] + close(r))
        return self._rows(tokens, back, best, n, final_r, close)

    def _rows(self, tokens, back, best, n, r, close) -> list[AlignedRow]:
        steps: list[tuple[int, int, int, str]] = []  # (i, j, role, action)
        j = n
        while j > 0:
            prev = back[j][r]
            assert prev is not None
            i, pr, action = prev
            steps.append((i, j, r, action))
            j, r = i, pr
        steps.reverse()
        rows: list[AlignedRow] = []
        current: AlignedRow | None = None
        pending_drops: list[Token] = []
        last_cost = 0.0
        for i, j, q, action in steps:
            cost_here = best[j][q]
            if action == "drop":
                (current.dropped if current is not None else pending_drops).append(tokens[i])
                continue
            if action in ("new", "newpair") or current is None:
                if current is not None:
                    rows.append(current)
                current = AlignedRow()
                current.dropped.extend(pending_drops)
                pending_drops = []
            if action in ("pair", "newpair"):
                current.cells.setdefault(self.roles[q - 1], []).append(tokens[i])
                current.cells.setdefault(self.roles[q], []).append(tokens[i + 1])
            else:
                current.cells.setdefault(self.roles[q], []).extend(tokens[i:j])
            current.cost += cost_here - last_cost
            last_cost = cost_here
        if current is not None:
            rows.append(current)
        return rows
