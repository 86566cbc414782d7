"""A form as the clean grid an office suite holds: rows of cell texts plus merged ranges.

This is what the xlsx and docx writers put on the page. Unlike the text export, nothing is lost or shifted:
level names are merged over the rows they cover, titles and long texts span the table's width.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from dashboard.demo import city as V
from dashboard.demo.generate import fmt
from dashboard.demo.model import FormRec, IndicatorRec

WIDTH = 8
INDICATOR_HEADER = [
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
]


@dataclass
class Grid:
    title: str
    rows: list[list[str]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(
        default_factory=list
    )  # top, left, bottom, right (0-based)
    notes: list[str] = field(default_factory=list)  # paragraphs under the table

    @property
    def width(self) -> int:
        return max(len(r) for r in self.rows)

    def add(self, cells: list[str], spans: tuple[tuple[int, int], ...] = ()) -> int:
        """Append a row; `spans` are (first, last) columns merged across."""
        r = len(self.rows)
        self.rows.append(cells)
        for a, b in spans:
            if b > a:
                self.merges.append((r, a, r, b))
        return r

    def merge_down(self, col: int, top: int, bottom: int) -> None:
        if bottom > top:
            self.merges.append((top, col, bottom, col))


def _num(x: float | None) -> str:
    return "" if x is None else fmt(x)


def _rate(x: float | None) -> str:
    return "" if x is None else f"{fmt(x)}%"


def form_grid(form: FormRec, rng: random.Random) -> Grid:
    return _department(form, rng) if form.kind == "department" else _project(form, rng)


def _goals(g: Grid, form: FormRec, label: str, outcome_label: str) -> None:
    top = g.add([label, "预期目标", "", "", outcome_label, "", "", ""], ((1, 3), (4, 7)))
    goals = "\n".join(f"目标{k}：{t}" for k, (t, _) in enumerate(form.goals, start=1))
    outcomes = "\n".join(o for _, o in form.goals)
    bottom = g.add(["", goals, "", "", outcomes, "", "", ""], ((1, 3), (4, 7)))
    g.merge_down(0, top, bottom)


def _department(f: FormRec, rng: random.Random) -> Grid:
    g = Grid(f"{f.year}年{f.unit_written}部门整体支出绩效自评表")
    g.add(["部门(单位)名称", f.unit_written, "", "", "", "", "", ""], ((1, 7),))
    top = g.add(
        [
            "部门(单位)整体支出(万元)",
            "",
            "年初预算数",
            "全年预算数(A)",
            "实际支出数(B)",
            "执行率(B/A)",
            "分值",
            "得分",
        ]
    )
    names = {"全年支出": "全年支出", "基本支出": "其中：基本支出", "项目支出": "项目支出"}
    for b in f.budget_lines:
        weight = _num(b.weight) if b.weight is not None else "—"
        score = _num(b.score) if b.weight is not None else "—"
        bottom = g.add(
            [
                "",
                names[b.line],
                _num(b.initial),
                _num(b.full_year),
                _num(b.executed),
                _rate(b.execution_rate_stated_pct),
                weight,
                score,
            ]
        )
    g.merge_down(0, top, bottom)
    _goals(g, f, "年度总体目标", "实际完成情况")
    g.add(list(INDICATOR_HEADER))
    _indicator_rows(g, f.indicators, numbered=False, caption=False)
    g.add(["合计", "", "", "", "", fmt(f.stated_weight_total or 100), fmt(f.stated_total), ""], ((0, 4),))
    g.add(["其他需要说明的问题", "无", "", "", "", "", "", ""], ((1, 7),))
    g.notes = list(V.DEPT_NOTES)
    return g


def _project(f: FormRec, rng: random.Random) -> Grid:
    g = Grid(f"{f.year}年{f.unit_written}预算项目支出绩效自评表")
    caption = rng.random() < 0.5  # a 绩效指标 column merged down the whole indicator table
    g.add(["项目名称", f.project or "", "", "", "", "", "", ""], ((1, 7),))
    g.add(["主管部门", f.supervisor or "", "", "", "实施单位", f.unit_written, "", ""], ((1, 3), (5, 7)))
    top = g.add(["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    names = {
        "年度资金总额": "年度资金总额",
        "当年财政拨款": "其中：当年财政拨款",
        "上年结转资金": "上年结转资金",
        "其他资金": "其他资金",
    }
    for b in f.budget_lines:
        weight = _num(b.weight) if b.weight is not None else "—"
        score = _num(b.score) if b.weight is not None else "—"
        bottom = g.add(
            [
                "",
                names[b.line],
                _num(b.initial),
                _num(b.full_year),
                _num(b.executed),
                weight,
                _rate(b.execution_rate_stated_pct),
                score,
            ]
        )
    g.merge_down(0, top, bottom)
    _goals(g, f, "年度总体目标", "实际完成情况")
    numbered = rng.random() < 0.5
    if caption:
        _widen_labels(g)
        start = g.add(["绩效指标", *INDICATOR_HEADER])
        _indicator_rows(g, f.indicators, numbered=numbered, caption=True)
        g.merge_down(0, start, len(g.rows) - 1)
        g.add(
            ["总分", "", "", "", "", "", fmt(f.stated_weight_total or 100), fmt(f.stated_total), ""],
            ((0, 5),),
        )
        g.add(["说明", V.PROJECT_REMARK, "", "", "", "", "", "", ""], ((1, 8),))
    else:
        g.add(list(INDICATOR_HEADER))
        _indicator_rows(g, f.indicators, numbered=numbered, caption=False)
        g.add(["总分", "", "", "", "", fmt(f.stated_weight_total or 100), fmt(f.stated_total), ""], ((0, 4),))
        g.add(["说明", V.PROJECT_REMARK, "", "", "", "", "", ""], ((1, 7),))
    g.notes = list(V.PROJECT_NOTES)
    return g


def _widen_labels(g: Grid) -> None:
    """Make room for a caption column: every row of the header block gains a column on the left, taken by the
    row's label (merged over two columns)."""
    spans = {(t, left): (b, r) for t, left, b, r in g.merges}
    g.rows = [[row[0], "", *row[1:]] for row in g.rows]
    merges = []
    for (t, left), (b, r) in spans.items():
        if left == 0:
            merges.append((t, 0, b, 1 if b > t or r == 0 else r + 1))
        else:
            merges.append((t, left + 1, b, r + 1))
    for k, row in enumerate(g.rows):
        if row[0] and (k, 0) not in spans:
            merges.append((k, 0, k, 1))
    g.merges = merges


def _indicator_rows(g: Grid, inds: list[IndicatorRec], numbered: bool, caption: bool) -> None:
    off = 1 if caption else 0
    l1_top = l2_top = len(g.rows)
    k = 0
    prev: IndicatorRec | None = None
    for ind in inds:
        new_l1 = prev is None or prev.level1 != ind.level1
        new_l2 = new_l1 or (prev is not None and prev.level2 != ind.level2)
        r = len(g.rows)
        if new_l1 and prev is not None:
            g.merge_down(off, l1_top, r - 1)
            l1_top = r
        if new_l2 and prev is not None:
            g.merge_down(off + 1, l2_top, r - 1)
            l2_top = r
        k = 1 if new_l2 else k + 1
        name = ind.level3 or ""
        if numbered and name:
            name = f"指标{k}：{name}"
        cells = [
            ind.level1 if new_l1 else "",
            ind.level2 if new_l2 else "",
            name,
            ind.target_text or "",
            ind.actual_text or "",
            fmt(ind.weight),
            _num(ind.score),
            ind.note or "",
        ]
        g.add(([""] if caption else []) + cells)
        prev = ind
    last = len(g.rows) - 1
    g.merge_down(off, l1_top, last)
    g.merge_down(off + 1, l2_top, last)
