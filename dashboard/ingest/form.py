"""One form slice -> Report: title, header block, budget block, goals, indicator table, notes."""

from __future__ import annotations

import re
from pathlib import Path

from dashboard.ingest.budget import BudgetHeader, is_total_line, parse_budget_row
from dashboard.ingest.errors import IngestError
from dashboard.ingest.goals import is_goal_label, parse_goals
from dashboard.ingest.indicator_rows import IndicatorHeader, IndicatorTable
from dashboard.ingest.model import Finding, Note, Report, Row
from dashboard.ingest.segment import FormSlice
from dashboard.ingest.vocab import (
    DEFAULT_LEVEL1_NORMS,
    ORG_SUFFIX,
    is_section_label,
    level1_name,
    normalize_key,
    original_span,
)

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_TITLE_UNIT = re.compile(
    r"(?:(?:19|20)\d{2}\s*年度?)?\s*(?P<unit>.+?)\s*(?:部门)?(?:预算)?(?:整体支出|项目支出|预算项目支出|部门整体支出)绩效自评"
)
_PROJECT_CODE = re.compile(r"^(?P<code>\d{6,}[0-9A-Z]*)\s*[-_－—:：、.]?\s*(?P<name>[^\d\s].*)$")
_NORMS_TEXT = re.compile(r"一级指标(?:分值|权重)[^:：]*?(?:设置为|为)[:：]?(?P<body>[^。]+)")
_NORM_ITEM = re.compile(r"(?P<name>[\u4e00-\u9fff]+?)(?P<w>\d+(?:\.\d+)?)分")

META_LABELS = {
    "项目名称": "project",
    "主管部门": "supervisor",
    "主管单位": "supervisor",
    "实施单位": "unit",
    "项目实施单位": "unit",
    "部门名称": "unit",
    "单位名称": "unit",
    "部门(单位)名称": "unit",
    "预算单位": "unit",
    "预算部门": "unit",
}
_STOP = re.compile(r"^(注[:：\s\d.、]|说明|备注|其他需要说明)")


def _meta_role(text: str) -> str | None:
    return META_LABELS.get(normalize_key(text).rstrip(":："))


def detect_kind(title: str | None, rows: list[Row]) -> str:
    key = normalize_key(title or "")
    if "整体支出" in key or "部门整体" in key:
        return "department"
    if "项目" in key:
        return "project"
    for row in rows[:15]:
        for _, cell in row.nonempty():
            if _meta_role(cell) == "project":
                return "project"
    return "department"


def detect_template(header: IndicatorHeader, budget: BudgetHeader | None) -> str:
    cols = header.columns
    if "op" in cols or "unit" in cols or (budget and "reason" in budget.roles):
        return "sichuan"
    if {"target", "actual", "note"} <= cols.keys():
        return "gansu"
    return "generic"


def _year_of(title: str | None, rows: list[Row]) -> int | None:
    for text in [title or ""] + [c for r in rows[:12] for _, c in r.nonempty()]:
        m = _YEAR.search(normalize_key(text))
        if m:
            return int(m.group(1))
    return None


def _is_org_name(text: str) -> bool:
    return bool(ORG_SUFFIX.search(normalize_key(text)))


class _Meta:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.unlabelled_unit: str | None = None
        self.lone_lines: list[str] = []

    def read(self, row: Row) -> None:
        cells = row.nonempty()
        roles_here = [(_meta_role(c), k) for k, (_, c) in enumerate(cells)]
        if not any(role for role, _ in roles_here):
            if len(cells) == 1 and not is_goal_label(cells[0][1]) and len(cells[0][1]) <= 60:
                self.lone_lines.append(cells[0][1])
            return
        k = 0
        while k < len(cells):
            role = _meta_role(cells[k][1])
            if role is None:
                k += 1
                continue
            value = cells[k + 1][1] if k + 1 < len(cells) and _meta_role(cells[k + 1][1]) is None else None
            if value is not None and role not in self.values:
                self.values[role] = value
            k += 2 if value is not None else 1
        # 主管部门 | X | | | Y with the 实施单位 label lost: Y is the implementing unit.
        if roles_here[0][0] == "supervisor" and len(cells) == 3 and _meta_role(cells[2][1]) is None:
            self.unlabelled_unit = cells[2][1]


def parse_form(form: FormSlice, path: str | Path) -> Report:
    rows = form.rows
    kind = detect_kind(form.title, rows)
    start_line = form.title_line or (rows[0].line if rows else None)
    start_ref = form.title_ref or (rows[0].ref if rows else None)

    budget_at = next((k for k, r in enumerate(rows) if BudgetHeader.detect(r)), None)
    table_at = next((k for k, r in enumerate(rows) if IndicatorHeader.detect(r)), None)
    if table_at is None:
        raise IngestError(path, "未找到指标表（缺少“一级指标/二级指标/三级指标/分值/得分”表头）", start_line)
    header = IndicatorHeader.detect(rows[table_at])
    budget_header = (
        BudgetHeader.detect(rows[budget_at]) if budget_at is not None and budget_at < table_at else None
    )
    if budget_header is None:
        budget_at = None

    report = Report(
        kind=kind,
        year=_year_of(form.title, rows),
        unit=None,
        title=form.title,
        source_line=start_line,
        source_ref=start_ref,
    )
    assert header is not None
    report.template = detect_template(header, budget_header)

    # Header block: everything before the budget block (or before the table).
    meta = _Meta()
    head_end = budget_at if budget_at is not None else table_at
    goal_at = next(
        (k for k in range(head_end) if any(is_goal_label(c) for _, c in rows[k].nonempty())), head_end
    )
    for row in rows[: min(head_end, goal_at)]:
        meta.read(row)
    _fill_names(report, meta, form.title)

    # Budget block: from its header to the goals (or the table).
    goal_rows: list[Row] = []
    outcome_column: int | None = None
    if budget_at is not None:
        assert budget_header is not None
        k = budget_at + 1
        while k < table_at and not any(is_goal_label(c) for _, c in rows[k].nonempty()):
            line, findings = parse_budget_row(rows[k], budget_header)
            if line is not None:
                report.budget_lines.append(line)
            report.findings.extend(findings)
            k += 1
        goal_rows = rows[k:table_at]
    else:
        goal_rows = rows[goal_at:table_at]
    _order_total_line_first(report)
    if goal_rows:
        first = goal_rows[0]
        outcome_column = next((i for i, c in first.nonempty() if "完成" in c), None)
        report.goals = parse_goals(goal_rows, outcome_column)

    _parse_table(report, rows, table_at, header, path)
    return report


def _fill_names(report: Report, meta: _Meta, title: str | None) -> None:
    title_unit = None
    if title:
        title_unit = original_span(_TITLE_UNIT, title, "unit")
    report.supervisor = meta.values.get("supervisor")
    report.unit = meta.values.get("unit") or meta.unlabelled_unit or title_unit
    if report.unit is None and report.kind == "department":
        report.unit = next((t for t in meta.lone_lines if _is_org_name(t)), None)
    if report.kind != "project":
        return
    project = meta.values.get("project")
    names = {normalize_key(n) for n in (report.supervisor, report.unit, meta.unlabelled_unit) if n}
    if project is None or normalize_key(project) in names or _is_org_name(project):
        fallback = next(
            (t for t in meta.lone_lines if not _is_org_name(t) and normalize_key(t) not in names), None
        )
        if fallback is not None:
            report.findings.append(
                Finding(
                    "project_name_from_title",
                    "info",
                    f"“项目名称”栏填写的是“{project or '（空）'}”，项目名称取自表格上方的标题行“{fallback}”",
                    source_line=report.source_line,
                    source_ref=report.source_ref,
                )
            )
            project = fallback
    if project:
        m = _PROJECT_CODE.match(project.strip())
        if m:
            report.project_code, project = m.group("code"), m.group("name").strip()
    report.project = project


def _order_total_line_first(report: Report) -> None:
    lines = report.budget_lines
    total = next((k for k, line in enumerate(lines) if is_total_line(line.line)), 0)
    if lines and total:
        lines.insert(0, lines.pop(total))


def _parse_table(
    report: Report, rows: list[Row], table_at: int, header: IndicatorHeader, path: str | Path
) -> None:
    body = rows[table_at + 1 :]
    known_level1 = any(level1_name(c, report.kind) for r in body for _, c in r.nonempty()[:4])
    table = IndicatorTable(header, report.kind, known_level1)
    saw_total = False
    end = len(body)
    for k, row in enumerate(body):
        cells = row.nonempty()
        first = cells[0][1] if cells else ""
        if IndicatorHeader.detect(row):
            continue  # a header repeated on a new page
        if table.total_row(row):
            saw_total = True
            end = k + 1
            break
        if _STOP.match(first) and len(cells) <= 2:
            end = k
            break
        if len(cells) == 1 and is_section_label(first):
            continue
        result = table.parse(row)
        report.findings.extend(result.findings)
        if result.indicator is not None:
            report.indicators.append(result.indicator)
    notes = [c for row in body[end:] for _, c in row.nonempty()]
    report.stated_total = table.stated_total
    report.stated_weight_total = table.stated_weight_total
    if not report.indicators:
        raise IngestError(path, "指标表中没有可识别的指标行", header.line)
    if not saw_total:
        last = report.indicators[-1]
        if notes:
            report.findings.append(
                Finding(
                    "missing_total",
                    "warning",
                    "未找到合计/总分行，无法核对填报总分",
                    source_line=last.source_line,
                    source_ref=last.source_ref,
                )
            )
        else:
            report.findings.append(
                Finding(
                    "truncated",
                    "warning",
                    "表格在指标表中途结束（无合计行、无表后说明），可能被截断；已读取现有内容",
                    source_line=last.source_line,
                    source_ref=last.source_ref,
                )
            )
    report.notes = _labelled_notes(body[end:])
    _read_norms(report, [n.text for n in report.notes])


_NOTE_LABEL = re.compile(
    r"^(评价结论|存在问题|改进措施|说明|其他需要说明的问题|备注|项目负责人|财务负责人|填表人|联系电话|填报日期)[:：]?\s*"
)
_NOTE_PREFIX = re.compile(r"^(注)\s*[:：]")


def _labelled_notes(rows: list[Row]) -> list[Note]:
    """Text after the table, kept with its label: 评价结论 | …, 项目负责人：张明, 注: 1. …"""
    notes: list[Note] = []
    for row in rows:
        cells = [c for _, c in row.nonempty()]
        if not cells:
            continue
        key = normalize_key(cells[0])
        m = _NOTE_LABEL.match(key)
        if m and len(cells) > 1 and m.end() == len(key):
            notes.append(Note(m.group(1), " ".join(cells[1:]), row.line))
            continue
        if m and m.group(1) in ("项目负责人", "财务负责人", "填表人", "联系电话", "填报日期"):
            for cell in cells:  # 项目负责人：张明 | 财务负责人：李红 | 填表人：王芳
                label, _, value = normalize_key(cell).partition(":")
                if value:
                    notes.append(Note(label, value, row.line))
            continue
        p = _NOTE_PREFIX.match(cells[0])
        label = p.group(1) if p else (m.group(1) if m else "")
        notes.append(Note(label, " ".join(cells), row.line))
    return notes


def _read_norms(report: Report, notes: list[str]) -> None:
    text = normalize_key("".join(notes))
    m = _NORMS_TEXT.search(text)
    norms: dict[str, float] = {}
    if m:
        for item in re.split(r"[、,，;；]", m.group("body")):
            n = _NORM_ITEM.search(item)
            if n:
                name = level1_name(n.group("name"), report.kind)
                if name:
                    norms[name] = float(n.group("w"))
    classes = {i.level1 for i in report.indicators if i.level1}
    default = DEFAULT_LEVEL1_NORMS.get(report.kind, {})
    if len(norms) >= 2:
        report.level1_norms, report.level1_norms_origin = norms, "notes"
    elif classes and classes <= set(default):
        report.level1_norms, report.level1_norms_origin = dict(default), "default"
    else:  # a template with other level-1 classes: no norm to hold it to
        report.level1_norms, report.level1_norms_origin = {}, "none"
