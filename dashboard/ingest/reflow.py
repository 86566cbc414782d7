"""Put back in row order an indicator table whose text layer printed some rows' figures apart from their names.

A PDF of a table with merged cells, copied as text, often reads the figure columns of several rows as one block
(`=100% 100% 10 10 =100% 100% 20 20 及时 及时 20 20 …`) and prints those rows' names afterwards, among the level
labels (`产出指标 质量指标 时效指标 … 合同结算条款完成率 费用结算及时性 …`). The aligner reads a row as its labels
followed by its figures, so such a block gives rows without names and names without figures.

`reflow` finds runs of at least two consecutive figure groups (one group = one row's target / actual / weight /
score in the header's order, the score not above the weight). The first group of a run belongs to the name just
before it; the others (the orphans) are handed, in order, to the names printed after the run, and only when the
names found there are exactly as many as the orphans: otherwise the stream is left as it is. Level labels printed
as a block before those names are handed out too when their level-2 labels are as many as the names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashboard.ingest.cells import CellKind, Token, kind_of
from dashboard.ingest.templates import role_of
from dashboard.ingest.vocab import is_total_label

FIGURE_ROLES = ("target", "actual", "weight", "score")
DEFAULT_ROLES = ("level1", "level2", "level3", "target", "actual", "weight", "score")
_SEQ_NAME = re.compile(r"^指标\s*\d+\s*[:：]")


@dataclass
class _Run:
    start: int  # index of the first token of the first group
    end: int  # index after the last group
    groups: list[tuple[int, int]]  # (start, end) of each group


def reflow(
    tokens: list[Token], roles: list[str] | tuple[str, ...] | None = None, start: int = 0
) -> list[Token]:
    """The token stream with orphan figure groups moved behind their names (see the module doc); only tokens
    from `start` on (the indicator header's end) are looked at."""
    order = [r for r in (roles or DEFAULT_ROLES) if r in FIGURE_ROLES]
    if "weight" not in order or "score" not in order or len(order) < 3:
        return tokens
    if any(r in (roles or ()) for r in ("op", "measure_unit")):
        return tokens  # split targets (≥ | 95 | %): a group is not four cells
    kinds = [kind_of(t.text) for t in tokens]
    runs = [r for r in _runs(tokens, kinds, order) if r.start >= start]
    if not runs:
        return tokens
    out = list(tokens)
    for run in reversed(runs):  # from the end, so earlier indices stay valid
        out = _place(out, run) or out
    return out


def _fits(role: str, k: CellKind, text: str, weight: float | None) -> bool:
    if role in ("target", "actual"):
        if k.value or k.pct or k.bare:
            return not (k.level1 or k.level2)
        return (
            k.text_like
            and k.length <= 6
            and not (k.level1 or k.level2 or k.levelish or k.seq or k.scored)
            and role_of(text, "indicator") is None
            and not is_total_label(text)
        )
    if not k.small or k.number is None or k.number < 0:
        return False
    if role == "weight":
        return 0 < k.number <= 100
    return weight is None or k.number <= weight + 1e-9


def _group_at(tokens: list[Token], kinds: list[CellKind], i: int, order: list[str]) -> int | None:
    """The end of a figure group starting at token i, or None."""
    if i + len(order) > len(tokens):
        return None
    weight: float | None = None
    for offset, role in enumerate(order):
        k = kinds[i + offset]
        if not _fits(role, k, tokens[i + offset].text, weight):
            return None
        if role == "weight":
            weight = k.number
    return i + len(order)


def _runs(tokens: list[Token], kinds: list[CellKind], order: list[str]) -> list[_Run]:
    runs: list[_Run] = []
    i = 0
    while i < len(tokens):
        groups: list[tuple[int, int]] = []
        j = i
        while (end := _group_at(tokens, kinds, j, order)) is not None:
            groups.append((j, end))
            j = end
        if len(groups) >= 2:
            runs.append(_Run(i, j, groups))
            i = j
        else:
            i += 1
    return runs


def _is_label(k: CellKind) -> bool:
    return bool(k.level1 or k.level2 or k.levelish or k.scored)


def _nameish(tok: Token) -> bool:
    k = kind_of(tok.text)
    if not k.text_like or k.placeholder or k.value or _is_label(k) or k.length < 2:
        return False
    return role_of(tok.text, "indicator") is None and not is_total_label(tok.text)


def _place(tokens: list[Token], run: _Run) -> list[Token] | None:
    back = _before_names(tokens, run)
    if back is not None:
        return back
    before = tokens[run.start - 1] if run.start > 0 else None
    bound = before is not None and kind_of(before.text).text_like and not _is_label(kind_of(before.text))
    orphans = run.groups[1:] if bound else run.groups
    # The region after the run: up to the total row (or the end), where the orphans' names are printed.
    stop = next((k for k in range(run.end, len(tokens)) if is_total_label(tokens[k].text)), len(tokens))
    region = list(range(run.end, stop))
    # What the run leaves before the names: the total row's figures (100 98.62), then a name's last character
    # printed after the block (与委托运营方结算完成 … 率).
    totals: list[Token] = []
    while region and kind_of(tokens[region[0]].text).small and stop < len(tokens):
        totals.append(tokens[region.pop(0)])
    lead: list[Token] = []
    if (
        bound
        and region
        and kind_of(tokens[region[0]].text).length == 1
        and _fragment_of(before, tokens[region[0]], False)
    ):
        lead.append(tokens[region.pop(0)])
    names = _names(tokens, region)
    if names is None or len(names) != len(orphans):
        return None
    levels = _level_plan(tokens, region, names)
    rebuilt = _interleave(tokens, region, names, [tokens[a:b] for a, b in orphans], levels)
    if not bound:
        head = tokens[: run.start]
    else:
        a, b = run.groups[0]
        head = tokens[: a - 1] + [_joined([tokens[a - 1], *lead])] + tokens[a:b]
    return head + rebuilt + tokens[stop : stop + 1] + totals + tokens[stop + 1 :]


def _before_names(tokens: list[Token], run: _Run) -> list[Token] | None:
    """`指标24:… 指标25:… 14例 14例 2 2 24694人 22584人 2 1.7`: as many names just before the block (since the
    last figure) as it has groups: each name takes its group in order."""
    k = run.start
    while k > 0 and not _is_figure(kind_of(tokens[k - 1].text)):
        k -= 1
    stretch = list(range(k, run.start))
    names = _names(tokens, stretch) if stretch else None
    if not names or len(names) != len(run.groups) or len(names) < 2:
        return None
    rebuilt = _interleave(tokens, stretch, names, [tokens[a:b] for a, b in run.groups], None)
    return tokens[:k] + rebuilt + tokens[run.end :]


def _interleave(
    tokens: list[Token],
    span: list[int],
    names: list[tuple[int, int]],
    groups: list[list[Token]],
    levels: dict | None,
) -> list[Token]:
    """The tokens of `span` with each name (its pieces joined) followed by its figure group, and, when a level
    plan is given, the level labels it hands out placed before their names."""
    name_at = {start: n for n, (start, _) in enumerate(names)}
    moved = levels["moved"] if levels is not None else set()
    out: list[Token] = []
    skip: set[int] = set()
    for k in span:
        if k in skip or k in moved:
            continue
        if k in name_at:
            n = name_at[k]
            start, end = names[n]
            if levels is not None:
                out.extend(tokens[x] for x in levels["before"][n])
            out.append(_joined(tokens[start:end]))
            out.extend(groups[n])
            skip.update(range(start, end))
            continue
        out.append(tokens[k])
    return out


def _is_figure(k: CellKind) -> bool:
    return bool(k.small or k.bare or k.pct or (k.value and k.has_digit))


def _joined(parts: list[Token]) -> Token:
    """One name from its wrapped pieces, where its first piece was."""
    first = parts[0]
    if len(parts) == 1:
        return first
    return Token("".join(p.text for p in parts), first.line, first.ref, first.row, first.col, first.piece)


def _names(tokens: list[Token], region: list[int]) -> list[tuple[int, int]] | None:
    """(start, end) of each name in the region; a name may span a fragment printed right after it."""
    if not region:
        return None
    seq_style = any(_SEQ_NAME.match(tokens[k].text) for k in region)
    out: list[tuple[int, int]] = []
    k = region[0]
    last = region[-1] + 1
    while k < last:
        tok = tokens[k]
        is_name = _nameish(tok) and (not seq_style or _SEQ_NAME.match(tok.text))
        if not is_name:
            k += 1
            continue
        end = k + 1
        if end < last and _fragment_of(tok, tokens[end], seq_style):
            end += 1
        out.append((k, end))
        k = end
    return out


def _fragment_of(name: Token, nxt: Token, seq_style: bool) -> bool:
    """`与委托运营方合同完成` + `率`, `指标1:是否解决建档立卡人` + `员看病难贵问题`: the rest of a wrapped name."""
    k = kind_of(nxt.text)
    if not k.text_like or k.value or _is_label(k) or k.seq or role_of(nxt.text, "indicator") is not None:
        return False
    if k.length == 1:
        return True
    return seq_style and not _SEQ_NAME.match(nxt.text) and _nameish(nxt) and k.length >= 4


def _level_plan(tokens: list[Token], region: list[int], names: list[tuple[int, int]]) -> dict | None:
    """Level labels printed as one block before several names: hand each name its level-2 label (and the
    level-1 labels before it). None when the block's level-2 labels are not as many as the names after it."""
    first = names[0][0]
    block = [k for k in region if k < first and _is_label(kind_of(tokens[k].text))]
    # names printed together right after the block (no label between them)
    together = [names[0]]
    for start, end in names[1:]:
        prev_end = together[-1][1]
        if any(_is_label(kind_of(tokens[x].text)) for x in range(prev_end, start)):
            break
        together.append((start, end))
    level2 = [k for k in block if kind_of(tokens[k].text).level2 and not kind_of(tokens[k].text).level1]
    if len(together) < 2 or len(level2) != len(together):
        return None
    before: list[list[int]] = [[] for _ in names]
    pending: list[int] = []
    n = 0
    for k in block:
        pending.append(k)
        if k in level2:
            before[n] = pending
            pending = []
            n += 1
    return {"before": before, "moved": set(block)}
