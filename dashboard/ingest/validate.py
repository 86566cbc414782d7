"""Named validation rules over one Report. Rules only report; nothing is changed or "fixed".

Rules that need several reports (a department's 项目支出 against its project forms, notes copied between
units) run in SQL after loading: cross_rules.sql beside this file (see the end of this module).
"""

from __future__ import annotations

from collections import defaultdict
from importlib import resources

from dashboard.ingest.model import Finding, Indicator, Report, Row
from dashboard.ingest.vocab import is_no_deviation

TOLERANCE = 0.01  # points
RATE_TOLERANCE = 0.5  # percentage points: a rate written as a whole percent is within rounding

# rule -> (severity, what it means), shown on the data-quality page.
RULES: dict[str, tuple[str, str]] = {
    "total_mismatch": ("error", "填报总分与重新计算的总分（预算执行得分＋各指标得分）不一致"),
    "weights_not_100": ("error", "分值合计不等于100"),
    "score_out_of_range": ("error", "得分超过分值或为负数"),
    "execution_rate_mismatch": ("warning", "填报执行率与 执行数÷全年预算数 不一致（超出四舍五入误差）"),
    "missing_budget_cell": ("warning", "预算表缺少单元格"),
    "level1_weight_off_norm": ("warning", "一级指标分值偏离填报说明规定的权重"),
    "unexplained_deduction": ("warning", "扣分但未说明偏差原因"),
    "full_score_with_note": ("info", "得满分却填写了实质性的偏差说明"),
    "full_score_target_missed": ("warning", "实际完成值未达到指标值却得满分"),
    "unnamed_indicator": ("warning", "指标行没有指标名称"),
    "duplicate_indicator": ("warning", "重复的指标行"),
    "missing_total": ("warning", "没有合计/总分行"),
    "truncated": ("warning", "表格疑似被截断"),
    "missing_score": ("warning", "指标行缺少得分"),
    "missing_metadata": ("error", "缺少年度或单位，无法参与排名"),
    "unparsed_row": ("warning", "指标表中有未能识别的行"),
    "glued_label": ("info", "数值单元格前粘连了其他文字"),
    "extra_cells": ("info", "指标行有多余单元格"),
    "project_name_from_title": ("info", "项目名称取自标题行"),
    "project_budget_mismatch": ("warning", "部门整体表的项目支出与各项目表全年预算数之和不一致"),
    "copied_note": ("warning", "偏差说明与其他单位的表格完全相同（疑似照抄）"),
    "ocr_uncertain": ("warning", "扫描件识别的数值置信度低或与表内运算不一致，请对照原件核对"),
}

EXECUTION_CLASS = "预算执行"


def finding(
    rule: str,
    message: str,
    indicator: Indicator | None = None,
    line: int | None = None,
    ref: str | None = None,
) -> Finding:
    severity = RULES[rule][0]
    if indicator is not None:
        return Finding(rule, severity, message, indicator.seq, indicator.source_line, indicator.source_ref)
    return Finding(rule, severity, message, None, line, ref)


def target_met(ind: Indicator) -> bool | None:
    """Whether a numeric actual reaches its numeric target; None when either side is not a number."""
    t, a = ind.target_value, ind.actual_value
    if t is None or a is None:
        return None
    tu, au = ind.target_unit, ind.actual_unit
    if tu and au and tu != au and "%" in (tu, au):
        return None
    op = ind.target_op or ">="
    if op == ">=":
        return a >= t - 1e-9
    if op == ">":
        return a > t
    if op == "<=":
        return a <= t + 1e-9
    if op == "<":
        return a < t
    return abs(a - t) < 1e-9


def _fmt(x: float | None) -> str:
    if x is None:
        return "空"
    return f"{x:g}"


def validate_report(r: Report) -> list[Finding]:
    out: list[Finding] = []
    line = r.source_line
    if r.year is None or not r.unit:
        missing = "、".join(n for n, v in (("年度", r.year), ("单位", r.unit)) if not v)
        out.append(finding("missing_metadata", f"未能识别{missing}", line=line, ref=r.source_ref))

    computed, stated = r.computed_total, r.stated_total
    if stated is not None and computed is not None and abs(stated - computed) > TOLERANCE:
        out.append(
            finding(
                "total_mismatch",
                f"填报总分 {_fmt(stated)}，重新计算为 {_fmt(computed)}"
                f"（相差 {_fmt(round(computed - stated, 4))}）",
                line=line,
                ref=r.source_ref,
            )
        )
    weights = r.weight_total
    if weights is not None and abs(weights - 100) > TOLERANCE:
        out.append(
            finding("weights_not_100", f"分值合计为 {_fmt(weights)}，应为 100", line=line, ref=r.source_ref)
        )

    for b in r.budget_lines:
        if b.weight is not None and b.score is not None and (b.score > b.weight + TOLERANCE or b.score < 0):
            out.append(
                finding(
                    "score_out_of_range",
                    f"预算执行得分 {_fmt(b.score)} 超出分值 {_fmt(b.weight)}",
                    line=b.source_line,
                    ref=b.source_ref,
                )
            )
        if b.execution_rate_stated_pct is not None and b.executed is not None and b.full_year:
            rate = b.executed / b.full_year * 100
            if abs(rate - b.execution_rate_stated_pct) > RATE_TOLERANCE:
                out.append(
                    finding(
                        "execution_rate_mismatch",
                        f"“{b.line}”填报执行率 {_fmt(b.execution_rate_stated_pct)}%，"
                        f"按 {_fmt(b.executed)}÷{_fmt(b.full_year)} 计算为 {rate:.2f}%",
                        line=b.source_line,
                        ref=b.source_ref,
                    )
                )

    out.extend(_level1_norms(r))
    out.extend(_indicator_rules(r.indicators))
    return out


def _level1_norms(r: Report) -> list[Finding]:
    sums: dict[str, float] = defaultdict(float)
    for ind in r.indicators:
        if ind.level1 and ind.weight is not None:
            sums[ind.level1] += ind.weight
    if r.execution_weight is not None:
        sums[EXECUTION_CLASS] += r.execution_weight
    origin = "填报说明" if r.level1_norms_origin == "notes" else "通用规定"
    out = []
    for name, norm in r.level1_norms.items():
        got = sums.get(name, 0.0)
        if abs(got - norm) > TOLERANCE:
            out.append(
                finding(
                    "level1_weight_off_norm",
                    f"一级指标“{name}”分值合计 {_fmt(got)}，{origin}为 {_fmt(norm)}",
                    line=r.source_line,
                    ref=r.source_ref,
                )
            )
    return out


def _indicator_rules(indicators: list[Indicator]) -> list[Finding]:
    out: list[Finding] = []
    seen: dict[tuple, list[Indicator]] = {}
    for ind in indicators:
        w, s = ind.weight, ind.score
        if w is not None and s is None:
            out.append(
                finding(
                    "missing_score", f"有分值 {_fmt(w)}，但得分为空，按缺失处理（未计入重新计算的总分）", ind
                )
            )
        if w is not None and s is not None:
            if s > w + TOLERANCE or s < 0:
                out.append(finding("score_out_of_range", f"得分 {_fmt(s)}，分值 {_fmt(w)}", ind))
            elif s < w - TOLERANCE and is_no_deviation(ind.note):
                note = f"偏差说明为“{ind.note}”" if ind.note else "未填写偏差原因"
                out.append(finding("unexplained_deduction", f"扣 {_fmt(round(w - s, 4))} 分，{note}", ind))
            elif abs(s - w) <= TOLERANCE:
                if not is_no_deviation(ind.note) and len(ind.note or "") >= 5:
                    out.append(
                        finding("full_score_with_note", f"得满分，但偏差说明为：{(ind.note or '')[:60]}", ind)
                    )
                if target_met(ind) is False:
                    out.append(
                        finding(
                            "full_score_target_missed",
                            f"指标值 {ind.target_text}，实际完成 {ind.actual_text}，仍得满分 {_fmt(s)}",
                            ind,
                        )
                    )
        if not ind.level3:
            out.append(finding("unnamed_indicator", f"第{ind.seq}个指标没有名称（{ind.raw_text}）", ind))
        # A duplicate repeats an earlier row's levels, values, weight and score. An unnamed row repeats the
        # named row before it; a named row after an unnamed one is not its copy (rows such as
        # 100% | 100% | 6 | 6 are common).
        key = (ind.level1, ind.level2, ind.target_text, ind.actual_text, ind.weight, ind.score)
        twin = next((p for p in seen.get(key, ()) if p.level3 == ind.level3 or not ind.level3), None)
        if twin is not None:
            out.append(
                finding(
                    "duplicate_indicator",
                    f"与第{twin.seq}个指标（源文件第{twin.source_line}行）内容重复",
                    ind,
                )
            )
        seen.setdefault(key, []).append(ind)
    return out


# -- scans ----------------------------------------------------------------------------------------------------------
OCR_MIN_CONFIDENCE = 0.8  # a figure read with less is never taken silently
ARITHMETIC_RULES = ("total_mismatch", "weights_not_100", "score_out_of_range", "execution_rate_mismatch")


def _where(row: Row, k: int) -> str:
    box = row.boxes[k] if row.boxes and k < len(row.boxes) else None
    at = f"，图像位置 ({box[0]},{box[1]})–({box[2]},{box[3]}) 像素" if box else ""
    return f"第{row.page}页{at}"


def ocr_findings(r: Report, rows: list[Row]) -> list[Finding]:
    """`ocr_uncertain` for a form read from a scan: each figure of its budget and indicator rows OCR read with
    low confidence, and the form's own arithmetic contradicted (a misread digit is the likely cause)."""
    by_line = {row.line: row for row in rows if row.confidence is not None}
    if not by_line:
        return []
    out: list[Finding] = []
    lines = [(b.source_line, b.source_ref, None) for b in r.budget_lines] + [
        (i.source_line, i.source_ref, i) for i in r.indicators
    ]
    seen: set[int] = set()
    weakest: list[tuple[float, Row, int]] = []
    for line, ref, indicator in lines:
        row = by_line.get(line) if line is not None else None
        if row is None or row.line in seen:
            continue
        seen.add(row.line)
        for k, (text, conf) in enumerate(zip(row.cells, row.confidence or [])):
            if conf is None or not any(ch.isdigit() for ch in text):
                continue
            weakest.append((conf, row, k))
            if conf < OCR_MIN_CONFIDENCE:
                message = f"“{text}”识别置信度 {conf:.0%}（{_where(row, k)}），请对照原件核对"
                f = finding("ocr_uncertain", message, indicator, line=line, ref=ref)
                out.append(f)
    if not seen:
        return []
    contradicted = [f for f in r.findings if f.rule in ARITHMETIC_RULES]
    if contradicted:
        weakest.sort(key=lambda item: item[0])
        suspects = "、".join(
            f"“{row.cells[k]}”（{conf:.0%}，{_where(row, k)}）" for conf, row, k in weakest[:3]
        )
        for f in contradicted:
            out.append(
                finding(
                    "ocr_uncertain",
                    f"本表由扫描件识别，{f.message}，可能是识别错误；置信度最低的数值：{suspects}",
                    line=f.source_line,
                    ref=f.source_ref,
                )
            )
    return out


# -- rules over several forms ---------------------------------------------------------------------------------
# They compare forms with each other, so they run in SQL after loading: cross_rules.sql, beside this file, run
# by the writer (dashboard/load/store.py) with these parameters.
CROSS_RULES = ("project_budget_mismatch", "copied_note")
COPIED_NOTE_MIN_LENGTH = (
    15  # characters, whitespace ignored: shorter notes (无偏差, 已完成) are often the same
)


def cross_rules_sql() -> str:
    return resources.files("dashboard.ingest").joinpath("cross_rules.sql").read_text(encoding="utf-8")


def cross_rules_params(start: int) -> dict[str, object]:
    """The bound parameters of cross_rules.sql; findings are numbered from `start`."""
    return {
        "start": start,
        "min_len": COPIED_NOTE_MIN_LENGTH,
        "sev_budget": RULES["project_budget_mismatch"][0],
        "sev_copied": RULES["copied_note"][0],
    }
