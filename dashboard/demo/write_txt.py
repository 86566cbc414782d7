"""Forms -> the text export's layout, messiness included, as in data/raw/000_0ed4b7e3fbc5b049.txt.

The sample is a PDF's tables flattened to tab-separated lines: merged cells are lost (a blank leading cell means
"same as above"), some rows sit one column left or right of their header, a cell is sometimes spilled twice,
goals carry `<p>` fragments, m² is written `m <sup>2</sup>`, and the department and project budget blocks order
their columns differently. Every choice here is drawn from a random stream keyed by the document, so the same
document always gives the same bytes.
"""

from __future__ import annotations

import random

from dashboard.demo import city as V
from dashboard.demo.generate import fmt
from dashboard.demo.model import BudgetLineRec, DocumentRec, FormRec, IndicatorRec

DEPT_HEADER = "部门(单位)名称\t年初预算数\t全年预算数(A)\t实际支出数(B)\t执行率(B/A)\t分值\t得分"
TABLE_HEADER = "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施"


def render_document(doc: DocumentRec) -> str:
    rng = random.Random(f"txt|{doc.key}")
    lines: list[str] = ["", ""]
    for k, form in enumerate(doc.forms):
        if k:
            lines.append("")
        if form.kind == "department":
            lines.extend(_department(form, rng))
        else:
            lines.extend(_project(form, rng))
    return "\n".join(lines) + "\n"


# -- cells -------------------------------------------------------------------------------------------------
def _num(x: float | None) -> str:
    return "" if x is None else fmt(x)


def _rate(x: float | None) -> str:
    return "" if x is None else f"{fmt(x)}%"


def _value_cell(text: str | None) -> str:
    """A target or actual cell as the PDF export writes it."""
    if not text:
        return ""
    return text.replace("m²", "m <sup>2</sup>")


def _html_items(items: list[str]) -> str:
    return " ".join(f"<p>{t}</p>" for t in items)


# -- department form ---------------------------------------------------------------------------------------
def _department(f: FormRec, rng: random.Random) -> list[str]:
    title = (
        f"{f.year}年{f.unit_written}整体支出绩效自评表"
        if rng.random() < 0.7
        else f"{f.year}年度{f.unit_written}部门整体支出绩效自评表"
    )
    out = [("## " if rng.random() < 0.9 else "") + title, "", f"{f.unit_written}\t\t\t\t\t\t", DEPT_HEADER]
    total, basic, projects = f.budget_lines
    colon = ":" if rng.random() < 0.6 else "："
    out.append("\t".join(["部门(单位)整体支出 (万元)", "全年支出", *_dept_budget_cells(total)]))
    out.append("\t".join(["", f"其中{colon}基本支出", *_dept_budget_cells(basic)]))
    out.append("\t".join(["", "项目支出", *_dept_budget_cells(projects)]))
    outcomes = [o.replace("：", ":") for _, o in f.goals]
    goals = [f"目标{k}: {g}" for k, (g, _) in enumerate(f.goals, start=1)]
    out.append("预期目标\t\t目标实际完成情况\t\t\t\t")
    out.append(_html_items(outcomes) + "\t\t\t\t\t\t")
    out.append("年度总体绩效目标完成情况\t" + _html_items(goals) + "\t\t\t\t\t")
    out.append("")
    out.append(TABLE_HEADER + "\t")
    prev: IndicatorRec | None = None
    for ind in f.indicators:
        out.append(_department_row(ind, prev, rng))
        prev = ind
    if rng.random() < 0.5:
        out.append(f"合 计\t\t\t\t\t\t\t{fmt(f.stated_total)}\t")
    else:
        out.append(f"合计\t\t\t\t\t{fmt(f.stated_weight_total or 100)}\t{fmt(f.stated_total)}\t\t")
    out += ["", V.DEPT_OTHER, "", V.DEPT_NOTES[0], "", V.DEPT_NOTES[1]]
    return out


def _dept_budget_cells(b: BudgetLineRec) -> list[str]:
    cells = [_num(b.initial), _num(b.full_year)]
    if not b.style.get("lost_executed"):
        cells.append(_num(b.executed))
    cells.append(_rate(b.execution_rate_stated_pct))
    cells += [_num(b.weight), _num(b.score)] if b.weight is not None else ["—", "—"]
    return cells


def _values(ind: IndicatorRec, rng: random.Random) -> list[str]:
    target, actual = _value_cell(ind.target_text), _value_cell(ind.actual_text)
    weight, score = fmt(ind.weight), _num(ind.score)
    cells = [target, actual]
    spill = rng.random()
    if spill < 0.03:
        cells.append(actual)  # the actual spilled into the next cell (`健全 | 100% | 100%`)
    elif spill < 0.05 and not _bare(target) and not _bare(actual):
        cells.append(weight)  # the weight spilled (`100% | 100% | 2 | 2 | 2`)
    cells += [weight, score, ind.note or ""]
    return cells


def _bare(text: str) -> bool:
    return text.replace(".", "", 1).isdigit()


def _department_row(ind: IndicatorRec, prev: IndicatorRec | None, rng: random.Random) -> str:
    new_l1 = prev is None or prev.level1 != ind.level1
    new_l2 = new_l1 or prev is None or prev.level2 != ind.level2
    l1 = ind.level1 if new_l1 else ""
    l2 = ind.level2 if new_l2 else ""
    cells = [l1, l2, ind.level3 or "", *_values(ind, rng)]
    roll = rng.random()
    if new_l1 and prev is not None and roll < 0.3:
        cells.insert(0, "")  # `| 能力建设 | 长效管理 | …`: the row sits one column right
    elif not new_l1 and new_l2 and roll < 0.15:
        cells.pop(0)  # `重点工作管理 | 重点工作管理制度健全性 | …`: one column left
    return "\t".join(cells + _trailing(rng))


def _trailing(rng: random.Random) -> list[str]:
    r = rng.random()
    return [""] if r < 0.55 else [] if r < 0.9 else ["", ""]


# -- project form ------------------------------------------------------------------------------------------
def _project(f: FormRec, rng: random.Random) -> list[str]:
    title = f"{f.year}年{f.unit_written}预算项目支出绩效自评表"
    name_on_title_line = rng.random() < 0.08
    if name_on_title_line:
        # The project's name stands on a line above the table; 项目名称 holds the departments' names.
        out = [
            title,
            "",
            f"{f.project}\t\t\t\t\t\t\t\t",
            f"项目名称\t{f.supervisor}\t\t\t{f.unit_written}\t\t\t\t",
            f"主管部门\t{f.supervisor}\t\t\t{f.unit_written}\t\t\t\t",
        ]
    else:
        out = [
            ("## " if rng.random() < 0.9 else "") + title,
            "",
            f"项目名称\t{f.project}\t\t\t\t\t\t",
            f"主管部门\t{f.supervisor}\t\t\t实施单位\t{f.unit_written}\t\t",
        ]
    lost_cell = any(b.style.get("lost_executed") for b in f.budget_lines)
    shifted_budget = name_on_title_line or (lost_cell and rng.random() < 0.5)
    full_width = rng.random() < 0.6
    colon = "：" if full_width else ":"
    if shifted_budget:
        out.append("项目资金(万元)\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\t\t")
    else:
        out.append(
            ("项目资金（万元）" if full_width else "项目资金(万元)")
            + "\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分"
        )
    names = {
        "年度资金总额": "年度资金总额",
        "当年财政拨款": f"其中{colon}当年财政拨款",
        "上年结转资金": "上年结转资金",
        "其他资金": "其他资金",
    }
    for b in f.budget_lines:
        cells = ["", names[b.line], _num(b.initial), _num(b.full_year)]
        if not b.style.get("lost_executed"):
            cells.append(_num(b.executed))
        weight = _num(b.weight) if b.weight is not None else "—"
        score = _num(b.score) if b.weight is not None else "—"
        cells += [weight, _rate(b.execution_rate_stated_pct), score]
        if shifted_budget:
            if b.line == "其他资金" and b.full_year is None and rng.random() < 0.5:
                cells = cells[1:] + [""]  # `其他资金 | | | | — | | — | |`: one column left
            cells.append("")
        out.append("\t".join(cells))
    goals = "；".join(f"{_ordinal(k)}是{g}" for k, (g, _) in enumerate(f.goals, start=1)) + "。"
    outcomes = _html_items([o for _, o in f.goals])
    out.append("年度总体目标\t预期目标\t\t\t实际完成情况\t\t\t")
    out.append(f"\t{goals}\t\t\t{outcomes}\t\t\t")
    out.append("")
    style = rng.choice((0, 0, 1, 2)) if not name_on_title_line else 1
    numbered = rng.random() < 0.85
    if style == 0:
        out.append(TABLE_HEADER + "\t")
    elif style == 1:
        out.append("绩效指标\t" + TABLE_HEADER)
    else:
        out.append("\t" + TABLE_HEADER)
    prev: IndicatorRec | None = None
    k_in_block = 0
    for n, ind in enumerate(f.indicators):
        new_l1 = prev is None or prev.level1 != ind.level1
        new_l2 = new_l1 or prev is None or prev.level2 != ind.level2
        k_in_block = 1 if new_l2 else k_in_block + 1
        out.append(_project_row(ind, n, new_l1, new_l2, k_in_block, numbered, style, rng))
        prev = ind
    if style == 2 and rng.random() < 0.5:
        out.append(f"总分\t\t\t\t\t\t{fmt(f.stated_weight_total or 100)}\t{fmt(f.stated_total)}\t")
    else:
        out.append(f"总分\t\t\t\t\t{fmt(f.stated_weight_total or 100)}\t{fmt(f.stated_total)}\t\t")
    out.append(f"说明\t{V.PROJECT_REMARK}\t\t\t\t\t\t\t")
    out += ["", V.PROJECT_NOTES[0], "", V.PROJECT_NOTES[1], "", V.PROJECT_NOTES[2]]
    return out


def _ordinal(k: int) -> str:
    return "一二三四五六七八九十"[k - 1]


def _project_row(
    ind: IndicatorRec,
    n: int,
    new_l1: bool,
    new_l2: bool,
    k: int,
    numbered: bool,
    style: int,
    rng: random.Random,
) -> str:
    name = ""
    if ind.level3:
        name = f"指标{k}: {ind.level3}" if numbered else ind.level3
    caption = "绩效指标" if (n == 0 and style != 1) else ""
    l1 = ind.level1 if new_l1 else ""
    l2 = ind.level2 if new_l2 else ""
    values = _values(ind, rng)
    roll = rng.random()
    if n and new_l1 and roll < 0.4:
        cells = [l1, l2, name]  # `满意度指标 | 服务对象满意度指标 | 指标1: …` without the caption column
    elif n and not new_l1 and new_l2 and roll < 0.25:
        cells = ["", l2, name]  # `| 时效指标 | 指标1: …`: the level-2 name one column left
    elif n and not new_l1 and new_l2 and roll < 0.32:
        cells = [l2, name]  # `时效指标 | 指标1: …`
    elif n and not new_l1 and not new_l2 and name and roll < 0.06:
        cells = ["", "", name]  # `| | 指标7: …`: a leading cell lost
    elif n and not new_l1 and not new_l2 and name and roll < 0.08:
        cells = [name, "", ""]  # `指标4: … | | |`: the name in the first column
    else:
        cells = [caption, l1, l2, name]
    return "\t".join(cells + values + _trailing(rng))
