"""File bytes -> Document: read the container, split it into forms, parse and validate each form."""

from __future__ import annotations

import hashlib
from pathlib import Path

from dashboard.ingest.budget import BudgetHeader
from dashboard.ingest.errors import IngestError
from dashboard.ingest.form import parse_form
from dashboard.ingest.indicator_rows import IndicatorHeader
from dashboard.ingest.model import Document
from dashboard.ingest.readers import reader_for
from dashboard.ingest.segment import FormSlice, split_forms, starts_new_form
from dashboard.ingest.validate import validate_report

SYNTHETIC_MARK = "示例数据"


def _is_form(form: FormSlice) -> bool:
    """A titled slice, or an untitled one with both an indicator table and a budget block or 项目名称-style labels.
    An indicator table alone is the tail of a form cut at a page or copy boundary."""
    if form.other_table:
        return False
    if form.title:
        return True
    has_table = any(IndicatorHeader.detect(r) for r in form.rows)
    has_head = any(BudgetHeader.detect(r) or starts_new_form(r) for r in form.rows)
    return has_table and has_head


def _describe_skipped(form: FormSlice) -> str:
    first, last = form.rows[0], form.rows[-1]
    where = first.ref if first.ref == last.ref else f"{first.ref}至{last.ref}"
    if form.other_table:
        return f"{where}“{form.other_table}”不是绩效自评表，未导入"
    return f"{where}（{first.text[:24]}…）不是完整的自评表（可能是上一张表的残余部分），未导入"


def parse_bytes(path: str | Path, data: bytes) -> Document:
    """Parse one file's content; errors are returned in the Document, never raised."""
    path = str(path)
    doc = Document(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        format=Path(path).suffix.lower().lstrip(".") or "unknown",
        is_synthetic=SYNTHETIC_MARK in Path(path).name,
    )
    try:
        rows = reader_for(path)(path, data)
        forms = []
        for f in split_forms(rows):
            if _is_form(f):
                forms.append(f)
            elif f.rows:
                doc.skipped.append(_describe_skipped(f))
        if not forms:
            raise IngestError(path, "未识别到绩效自评表（没有“绩效自评表”标题，也没有预算表或指标表表头）")
        for form in forms:
            report = parse_form(form, path)
            report.findings.extend(validate_report(report))
            doc.reports.append(report)
        templates = sorted({r.template for r in doc.reports})
        doc.template = ",".join(templates)
    except IngestError as e:
        doc.error = str(e)
        doc.reports = []
    except Exception as e:  # a parser bug must not stop the batch; the file is reported as failed
        doc.error = f"{Path(path).name}: 解析时出现内部错误（{type(e).__name__}: {e}）"
        doc.reports = []
    return doc


def parse_file(path: str | Path) -> Document:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        return Document(
            path=str(p), sha256="", format=p.suffix.lstrip("."), error=f"{p.name}: 无法读取文件（{e}）"
        )
    return parse_bytes(p, data)
