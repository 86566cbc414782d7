"""Find a table's header in the cell stream: a run of header words, possibly wrapped over lines or two rows.

The header gives the ordered column roles the aligner places a row's cells into. Header words come from
templates.toml; a word broken over two cells (`年度 | 指标值`, `一级\n指标`) is joined back first. A two-row
header whose group cell spans sub-columns (`年度指标值` over `指标性质 / 指标值 / 度量单位`) gives the sub-columns
in their place. Level columns (一级 / 二级 / 三级指标, 指标名称) always lead: they are the row's labels.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from dashboard.ingest.cells import Token, kind_of
from dashboard.ingest.goals import is_goal_label
from dashboard.ingest.templates import header_key, is_header_prefix, role_of, scrambled_role
from dashboard.ingest.vocab import is_section_label, level1_name, level2_name, level_key, normalize_key

LEVEL_ORDER = ("level1", "level2", "level3")
INDICATOR_CORE = {"weight", "score", "target", "actual", "evidence", "method"}
BUDGET_CORE = {"initial", "full_year", "executed", "rate", "arrived"}
_CAPTION = re.compile(
    r"^(绩效指标|年度绩效指标|绩效指标完成情况|年度绩效指标完成情况|年度绩效目标\d*|年度绩效目标完成情况|"
    r"项目资金|项目资金情况|预算执行情况|年度预算数|年度预算申请|部门\(单位\)整体支出|资金情况|预算资金|年度资金|"
    r"预算安排|资金来源|金额单位|单位)"
)
_CAPTION_TAIL = re.compile(r"^[(（]?(万元|\d+分|[\d.]+分\)?)[)）]?$")


@dataclass
class HeaderRun:
    table: str  # indicator | budget
    start: int  # token index of the first header cell
    end: int  # token index after the last header cell
    roles: list[str]
    columns: dict[str, int] = field(default_factory=dict)  # role -> column of the header cell (grids)
    words: list[str] = field(default_factory=list)  # the header cells as written
    unknown: list[str] = field(default_factory=list)  # cells inside the run that name no role
    # Cells of the first row printed inside the header (a PDF's reading order: 二级指标 | 数量指标 | 三级指标 |
    # 与委托运营方结算完成 | 年度指标值 …): the form reader moves them behind the header.
    displaced: list[Token] = field(default_factory=list)
    line: int | None = None
    ref: str | None = None

    @property
    def placed_share(self) -> float:
        """Share of the header's cells that name a column role."""
        total = len(self.words) + len(self.unknown)
        return len(self.words) / total if total else 1.0


@functools.lru_cache(maxsize=1 << 16)
def is_caption(text: str) -> bool:
    key = normalize_key(text)
    if not key:
        return False
    if is_section_label(text) or key in ("绩效指标", "指标"):
        return True
    base = re.sub(r"[(（][^)）]*[)）]?$", "", key)
    return bool(_CAPTION.match(key)) and len(base) <= 12 or bool(_CAPTION_TAIL.match(key))


def merge_broken_words(tokens: list[Token]) -> list[Token]:
    """Join cells that a line break or a space split inside a word: `一级`+`指标`, `年度`+`指标值`,
    `经济效益`+`指标`, `服务对象`+`满意度指标`, `满意度指标`+`(10分)`."""
    out: list[Token] = []
    k = 0
    n = len(tokens)
    while k < n:
        tok = tokens[k]
        merged = None
        if tok.text and k + 1 < n:
            for width in (3, 2):
                if k + width > n:
                    continue
                parts = tokens[k : k + width]
                a, b = parts[0], parts[1]
                if width == 3:
                    c = parts[2]
                    if not (a.text and b.text and c.text) or b.row - a.row > 3 or c.row - a.row > 3:
                        continue
                    text = a.text + b.text + c.text
                else:
                    if not (a.text and b.text) or b.row - a.row > 3:
                        continue
                    text = a.text + b.text
                if not header_key(parts[0].text) or not header_key(parts[-1].text):
                    continue  # `(万元)` + `年初预算数`: a marker is not half of a word
                if _is_word(text) and (not _is_word(parts[0].text) or normalize_key(parts[-1].text) == "指标"):
                    merged = (width, text)
                    break
                if width == 2 and kind_of(parts[1].text).suffix_only and level1_name(parts[0].text):
                    merged = (2, text)
                    break
                if width == 2 and _header_tail(parts[0].text, parts[1].text) and _alone(tokens, k + 1):
                    merged = (2, text)
                    break
        if merged:
            width, text = merged
            out.append(Token(text, tok.line, tok.ref, tok.row, tok.col, tok.piece))
            k += width
            continue
        out.append(tok)
        k += 1
    return out


def _alone(tokens: list[Token], k: int) -> bool:
    """Token k is the only filled cell of its line, and that line is not the line before it."""
    row = tokens[k].row
    if k > 0 and tokens[k - 1].row == row:
        return False
    return not any(t.row == row and t.text.strip() for t in tokens[k + 1 : k + 30])


@functools.lru_cache(maxsize=1 << 16)
def _is_word(text: str) -> bool:
    if level1_name(text) or level2_name(text):
        return True
    return role_of(text, "indicator") is not None or role_of(text, "budget") is not None


def _header_tail(first: str, second: str) -> bool:
    """`偏差原因分析及改进` + `措施`: a header word whose tail went to the next line."""
    key2 = normalize_key(second)
    if not key2 or len(key2) > 4 or _is_word(second) or kind_of(second).value or level_key(second) != key2:
        return False
    role = role_of(first, "indicator")
    return role == "note" and role_of(first + second, "indicator") == "note"


def _cell_role(text: str, table: str) -> str | None:
    return role_of(text, table)


def find_headers(tokens: list[Token], table: str) -> list[HeaderRun]:
    """Every header run of `table` ("indicator" or "budget") in the stream, in order."""
    runs: list[HeaderRun] = []
    i, n = 0, len(tokens)
    while i < n:
        role = _cell_role(tokens[i].text, table)
        if role is None or is_goal_label(tokens[i].text):  # 实际完成情况 heads the goals, not a table
            i += 1
            continue
        run = _extend(tokens, i, table)
        if run is not None and _is_header(run, table):
            runs.append(run)
            i = run.end
        else:
            i += 1
    return runs


def _extend(tokens: list[Token], i: int, table: str) -> HeaderRun | None:
    n = len(tokens)
    found: list[tuple[str, Token]] = []
    unknown: list[str] = []
    pending_unknown: list[str] = []
    fragments: list[tuple[int, Token]] = []  # unknown cells and where they sit among the found roles
    displaced: list[Token] = []
    pending_displaced: list[Token] = []
    j = i
    end = i
    while j < n:
        tok = tokens[j]
        text = tok.text
        if not text or kind_of(text).empty:
            j += 1
            continue
        role = _cell_role(text, table)
        if role is None and found and (scrambled := scrambled_role(text, table)) not in {r for r, _ in found}:
            role = scrambled  # 年成值全完值: an OCR'd 全年完成值 whose two lines were read interleaved
        if role is not None:
            # 年度 | 实际 | 分值 … on one row and 指标值 | 完成值 under them: a header word broken over two rows.
            joined_at = next(
                (
                    (k, at, f, r)
                    for k, (at, f) in enumerate(fragments)
                    if f.row < tok.row and (r := _cell_role(f.text + text, table)) is not None
                ),
                None,
            )
            if joined_at is not None:
                k, at, f, r = joined_at
                fragments.pop(k)
                found.insert(at, (r, f))
                fragments = [(a + 1 if a >= at else a, ft) for a, ft in fragments]
                unknown = [u for u in unknown if u != f.text]
                pending_unknown = [u for u in pending_unknown if u != f.text]
                j += 1
                end = j
                continue
            found.append((role, tok))
            unknown.extend(pending_unknown)
            pending_unknown = []
            displaced.extend(pending_displaced)
            pending_displaced = []
            j += 1
            end = j
            continue
        if is_caption(text):
            j += 1
            continue
        other = "budget" if table == "indicator" else "indicator"
        if _cell_role(text, other) is not None and table == "indicator":
            break
        if table == "indicator" and len(pending_displaced) < 2 and _displaced(text, [r for r, _ in found]):
            pending_displaced.append(tok)
            j += 1
            continue
        # A cell that names no role: OCR garbage or a word we do not know. Allow two inside the run.
        if len(pending_unknown) < 2 and _headerish(text) and len(normalize_key(text)) <= 8:
            pending_unknown.append(text)
            fragments.append((len(found), tok))
            j += 1
            continue
        break
    if not found:
        return None
    roles = _ordered_roles(found)
    columns: dict[str, int] = {}
    for role, tok in found:
        columns[role] = tok.col  # a sub-header row's cell wins over its group cell
    first = found[0][1]
    return HeaderRun(
        table=table,
        start=i,
        end=end,
        roles=roles,
        columns=columns,
        words=[t.text for _, t in found],
        unknown=unknown,
        displaced=displaced,
        line=first.line,
        ref=first.ref,
    )


def _displaced(text: str, found: list[str]) -> bool:
    """A level name after the level headers (数量指标 after 二级指标), or a name after 三级指标, inside a header run
    whose value headers are still to come: the first row's cells printed within the header."""
    if not found or any(r not in LEVEL_ORDER for r in found):
        return False
    k = kind_of(text)
    if k.level1 or k.level2:
        return True
    return found[-1] == "level3" and k.text_like and not k.sentence and not k.value and 4 <= k.length <= 16


def _headerish(text: str) -> bool:
    k = kind_of(text)
    return k.length <= 12 and not k.bare and not k.pct and not k.sentence and not k.level1 and not k.level2


def _ordered_roles(found: list[tuple[str, Token]]) -> list[str]:
    points = _level_points(found)
    if points:
        return points
    levels = [r for r in LEVEL_ORDER if any(role == r for role, _ in found)]
    rest: list[str] = []
    for role, _ in found:
        if role in LEVEL_ORDER or role in rest:
            continue
        rest.append(role)
    chongqing = ["measure_unit", "op", "target"]  # 计量单位 | 指标性质 | 指标值, printed in that order
    kept = any(rest[i : i + 3] == chongqing for i in range(len(rest)))
    if "target" in rest and ("op" in rest or "measure_unit" in rest) and not kept:
        has_op, has_unit = "op" in rest, "measure_unit" in rest
        rest = [r for r in rest if r not in ("op", "measure_unit")]
        at = rest.index("target")
        group = (["op"] if has_op else []) + ["target"] + (["measure_unit"] if has_unit else [])
        rest[at : at + 1] = group
    hebei = {"weight", "target", "weight_share", "converted_score"} <= set(rest)
    if hebei and rest.index("weight") < rest.index("target"):
        # Hebei: the cell under 指标分值 holds the indicator's description, the weight is 权重占比 (%)
        rest[rest.index("weight")], rest[rest.index("weight_share")] = "content", "weight"
    if "content" in rest and not (  # 评价内容 sits with the labels, before the values …
        "weight" in rest and rest.index("weight") < rest.index("content") and "method" in rest
    ):  # … unless printed between 指标分值 and 评分标准 (Anhui: 分值 | 指标解释 | 指标说明及评分标准 | 得分)
        rest.remove("content")
        levels.append("content")
    if "seq" in rest:  # 序号 is the first column
        rest.remove("seq")
        levels.insert(0, "seq")
    return levels + rest


def _level_points(found: list[tuple[str, Token]]) -> list[str] | None:
    """一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值 | 得分: each level with its own points column, in the
    header's order (`level1_points`, `level2_points`); None for other headers."""
    roles = [role for role, _ in found]
    marked = []
    for k, role in enumerate(roles):
        if role == "weight" and k > 0 and roles[k - 1] in ("level1", "level2"):
            marked.append(f"{roles[k - 1]}_points")
        else:
            marked.append(role)
    if not any(r.endswith("_points") for r in marked) or "level3" not in marked:
        return None
    out: list[str] = []
    for r in marked:
        if r not in out:
            out.append(r)
    return out


def _is_header(run: HeaderRun, table: str) -> bool:
    roles = set(run.roles)
    if table == "indicator":
        full = {"target", "actual"} <= roles and bool(roles & {"weight", "score"})
        named = all(kind_of(t.text).level1 or kind_of(t.text).level2 for t in run.displaced)
        if run.displaced and not (full or (named and roles & {"target", "actual"})):
            # A row's cells inside a header are believed only of a full header, or of a level name (数量指标)
            # inside a header that names a value column: a cut excerpt's header may end there.
            return False
        has_level = bool(roles & set(LEVEL_ORDER))
        return has_level and len(roles & INDICATOR_CORE) >= 1 and len(run.roles) >= 3
    money = roles & BUDGET_CORE
    return len(money) >= 2 or (len(money) >= 1 and len(roles) >= 3 and bool(roles & {"weight", "score"}))


def header_words(run: HeaderRun) -> set[str]:
    return {header_key(w) for w in run.words}
