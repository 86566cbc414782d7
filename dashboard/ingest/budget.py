"""The budget block: its header names the columns, the aligner places each line's figures by what they are.

A line starts at its name (年度资金总额, 其中：财政拨款, 上年结转资金 …); money columns take numbers (`150万` is
150 in a 万元 column), 执行率 takes percentages, 分值 / 得分 take small numbers, 原因 takes text. Lines whose
cells were lost or collapsed are placed by the same cost model as indicator rows (align.py).
"""

from __future__ import annotations

import itertools
import re

from dashboard.ingest.align import INF, AlignedRow, Aligner
from dashboard.ingest.cells import CellKind, Token, kind_of
from dashboard.ingest.header import HeaderRun, _cell_role
from dashboard.ingest.model import BudgetLine, Finding
from dashboard.ingest.values import to_number
from dashboard.ingest.vocab import BUDGET_LINE_PREFIX, BUDGET_TOTAL_LINES, normalize_key

MONEY = ("initial", "full_year", "executed", "arrived", "balance")
_NAMES = {
    "initial": "年初预算数",
    "full_year": "全年预算数",
    "executed": "执行数",
    "rate": "执行率",
    "weight": "分值",
    "score": "得分",
}
KNOWN_LINES = (
    "年度资金总额",
    "资金总额",
    "全年支出",
    "总额",
    "合计",
    "总计",
    "年度财政资金总额",
    "财政资金总额",
    "年度资金",
    "财政拨款",
    "当年财政拨款",
    "本年财政拨款",
    "财政资金",
    "上年结转资金",
    "上年结转",
    "其他资金",
    "财政专户管理资金",
    "单位资金",
    "基本支出",
    "项目支出",
    "一般公共预算",
    "政府性基金",
    "中央资金",
    "省级资金",
    "市级资金",
    "县级资金",
    "中央补助",
    "地方资金",
    "本级资金",
    "自有资金",
    "社会资金",
    "部门(单位)整体支出",
    "整体支出",
)
_WAN = re.compile(r"^\s*([-+]?\d[\d,]*(?:\.\d+)?)\s*万(元)?\s*$")
SKIP = {
    "line": (1.2, 1.2, 1.2),
    "initial": (0.6, 0.6, 0.4),
    "full_year": (0.6, 0.6, 0.4),
    "arrived": (0.5, 0.5, 0.3),
    "executed": (0.6, 0.6, 0.4),
    "balance": (0.4, 0.4, 0.2),
    "rate": (0.4, 0.4, 0.3),
    "weight": (0.5, 0.5, 0.3),
    "score": (0.5, 0.5, 0.2),
    "method": (0.1, 0.1, 0.0),
    "reason": (0.05, 0.05, 0.0),
}


def line_name(text: str) -> str:
    return BUDGET_LINE_PREFIX.sub("", normalize_key(text)).rstrip(":：")


def is_total_line(name: str) -> bool:
    return any(name.startswith(t) for t in BUDGET_TOTAL_LINES) or name in ("总额", "年度财政资金总额")


def money(text: str | None) -> float | None:
    if text is None:
        return None
    m = _WAN.match(text)
    return (
        float(m.group(1).replace(",", ""))
        if m
        else to_number(text)
        if not text.strip().endswith("%")
        else None
    )


def _is_money(k: CellKind, text: str) -> bool:
    return (k.bare and k.number is not None) or bool(_WAN.match(text))


def _decimals(text: str) -> int:
    _, _, frac = text.strip().partition(".")
    return len(frac.rstrip("%"))


def emission(role: str, k: CellKind, text: str = "") -> float:
    if role == "line":
        if k.empty:
            return 0.6
        key = line_name(text)
        if any(key.startswith(w) or key.endswith(w) for w in KNOWN_LINES):
            return 0.0
        if k.text_like and not k.sentence and k.length <= 18 and not k.level1 and not k.level2:
            return 1.0
        return INF
    if role in MONEY:
        if k.empty:
            return 0.1
        if _is_money(k, text):
            return 0.0
        return 3.0 if k.pct else INF
    if role == "rate":
        if k.pct:
            return 0.0
        if k.empty:
            return 0.1
        return 1.5 if k.bare else INF
    if role in ("weight", "score"):
        if k.small:
            return 0.7 if _decimals(text) >= 2 else 0.0  # 7.29 is money; weights are whole or halves
        if k.empty:
            return 0.1
        if k.bare and k.number is not None and 100 < k.number < 100000:
            return 2.0
        return INF
    if role in ("reason", "method"):
        if k.empty:
            return 0.0
        return 0.0 if (k.text_like and (k.sentence or k.length > 6)) else 0.6 if k.text_like else 1.5
    return INF


def align_budget(tokens: list[Token], header: HeaderRun, reliable: bool) -> list[AlignedRow]:
    """The budget block's tokens as lines (one AlignedRow per line)."""
    roles = ["line"] + [r for r in header.roles if r in SKIP]
    aligner = Aligner(roles, reliable_rows=reliable, emit=emission, skip=SKIP, cheap_duplicates=False)
    return [resolve_figures(row, roles) for row in aligner.align(tokens)]


FIGURES = MONEY + ("rate", "weight", "score")


def _figure_cost(role: str, text: str) -> float:
    k = kind_of(text)
    if role in MONEY:
        return 0.0 if money(text) is not None and not k.pct else INF
    if role == "rate":
        return 0.0 if k.pct else 1.0 if k.bare else INF
    if k.small and (k.number or 0) >= 0:
        return 0.5 if _decimals(text) >= 2 and role == "weight" else 0.0
    return INF


def resolve_figures(row: AlignedRow, roles: list[str]) -> AlignedRow:
    """Check a line's figures against the form's own arithmetic and re-place them if another reading agrees
    better: 执行率 = 执行数 ÷ 全年预算数, 得分 = 分值 × 执行率, 得分 ≤ 分值. A line that lost a cell (`61.73 | 61.73 |
    10 | 92.63% | 9.26` under 年初 | 全年 | 执行 | 分值 | 执行率 | 得分) is read so that its sums hold."""
    figure_roles = [r for r in roles if r in FIGURES]
    placed = sorted(
        (
            (t, r)
            for r in figure_roles
            for t in row.cells.get(r, [])
            if t.text.strip() and not kind_of(t.text).empty
        ),
        key=lambda p: (p[0].row, p[0].col, p[0].piece),
    )
    if not placed or len(placed) > len(figure_roles):
        return row
    values = [t for t, _ in placed]
    current = tuple(r for _, r in placed)

    def judge(combo: tuple[str, ...]) -> tuple[float, ...] | None:
        types = [_figure_cost(r, t.text) for r, t in zip(combo, values)]
        if INF in types:
            return None
        got = {r: t.text for r, t in zip(combo, values)}
        full, executed = money(got.get("full_year")), money(got.get("executed"))
        rate = to_number(got["rate"]) if "rate" in got else None
        weight, score = to_number(got.get("weight") or ""), to_number(got.get("score") or "")
        bad = good = 0
        if rate is not None and full and executed is not None:
            # Within the rounding of the printed rate (99.56% to 0.005, 100% to 0.5) and of the amounts.
            ok = abs(executed / full * 100 - rate) <= 0.5 * 10 ** -_decimals(got["rate"]) + 0.05
            good, bad = good + ok, bad + (not ok)
        if weight is not None and score is not None:
            bad += score > weight + 0.01
            if rate is not None and weight:
                good += abs(weight * min(rate, 100) / 100 - score) <= 0.06
        left = tuple(figure_roles.index(r) for r in combo)  # lost cells are the later columns
        return (bad, -good, sum(types), *left)

    options = [
        (j, c) for c in itertools.combinations(figure_roles, len(values)) if (j := judge(c)) is not None
    ]
    if not options:
        return row
    verdict, best = min(options)
    if best == current:
        return row
    cells = {r: toks for r, toks in row.cells.items() if r not in FIGURES}
    for r, t in zip(best, values):
        cells[r] = [t]
    return AlignedRow(cells, row.dropped, row.cost)


def budget_line(row: AlignedRow) -> tuple[BudgetLine | None, list[Finding]]:
    labels = [t for t in row.cells.get("line", []) if t.text.strip()]
    name_text = labels[-1].text if labels else None  # after a block caption, the line's own name
    tokens = row.tokens
    if not tokens:
        return None, []
    first = next((t for t in tokens if t.text.strip()), tokens[0])  # not the empty cells before the label
    figures = {
        role: row.text(role) for role in ("initial", "full_year", "executed", "rate", "weight", "score")
    }
    numbers = any(v and to_number(v) is not None for v in figures.values())
    if not numbers and (
        name_text is None or re.match(r"^[一二三四五六七八九十]+、|.*绩效目标", normalize_key(name_text))
    ):
        return None, []  # no figures, and no name or the next section's heading (二、…绩效目标情况)
    name = line_name(name_text) if name_text else "（未命名）"
    line = BudgetLine(
        line=name,
        initial=money(figures["initial"]),
        full_year=money(figures["full_year"]),
        executed=money(figures["executed"]),
        execution_rate_stated_pct=to_number(figures["rate"] or ""),
        weight=to_number(figures["weight"] or ""),
        score=to_number(figures["score"] or ""),
        source_line=first.line,
        source_ref=first.ref,
    )
    findings: list[Finding] = []
    has_figures = any(getattr(line, a) is not None for a in ("initial", "full_year", "executed"))
    blank = [r for r in ("initial", "full_year", "executed") if r in row.cells and getattr(line, r) is None]
    lost = [r for r in ("initial", "full_year", "executed") if r not in row.cells]
    if has_figures and (blank or lost):
        what = "、".join(_NAMES[r] for r in lost + blank)
        how = "该行缺少单元格" if lost else "单元格为空"
        findings.append(
            Finding(
                "missing_budget_cell",
                "warning",
                f"预算行“{name}”的{what}缺失（{how}），按空值处理",
                source_line=first.line,
                source_ref=first.ref,
            )
        )
    return line, findings


_LABELLED_ROLES = ("initial", "full_year", "arrived", "executed", "balance")
# Words that name a budget figure only as a label before its value (Sichuan's 专项资金 form: 年度金额(提前下达):
# 208万元 资金使用情况(万元) 合计:109.8万元); as table headers they would be too loose.
_LABEL_ONLY = {"年度金额": "full_year", "年度金额(提前下达)": "full_year", "资金使用情况": "executed"}
_UNIT_MARK = re.compile(r"^[(（]?万元[)）]?$")


def labelled_budget(tokens: list[Token]) -> BudgetLine | None:
    """A budget printed as label / value pairs rather than a table (`计划安排资金(万元) | 1187 | 实际到位资金(万元) |
    1023 | 实际支出(万元) | 1078.78`): the first value after each budget word, if at least a budget and a
    spending figure are found this way. Later repeats (the 其中:中央财政 breakdown) are not the total."""
    found: dict[str, float] = {}
    first: Token | None = None
    n = len(tokens)
    for k, tok in enumerate(tokens):
        role = _cell_role(tok.text, "budget") if tok.text.strip() else None
        role = role or _LABEL_ONLY.get(re.sub(r"[(（]万元[)）]|[:：]$", "", normalize_key(tok.text)))
        if role not in _LABELLED_ROLES or role in found:
            continue
        j = k + 1
        while j < n and (
            not tokens[j].text.strip()
            or _UNIT_MARK.match(normalize_key(tokens[j].text))
            or normalize_key(tokens[j].text).rstrip(":：") == "合计"  # 资金使用情况(万元) | 合计: | 109.8万元
        ):
            j += 1
        if j < n and j - k <= 3 and tokens[j].row - tok.row <= 2:
            value = money(tokens[j].text)
            if value is not None and kind_of(tokens[j].text).value:
                found[role] = value
                first = first or tok
    if not (found.keys() & {"initial", "full_year"} and "executed" in found) or first is None:
        return None
    return BudgetLine(
        line="年度资金总额",
        initial=found.get("initial"),
        full_year=found.get("full_year"),
        executed=found.get("executed"),
        source_line=first.line,
        source_ref=first.ref,
    )
