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
from dashboard.ingest.segment import FormSlice, split_forms
from dashboard.ingest.validate import validate_report

SYNTHETIC_MARK = "示例数据"


def _has_form_content(form: FormSlice) -> bool:
    return bool(form.title) or any(IndicatorHeader.detect(r) or BudgetHeader.detect(r) for r in form.rows)


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
        forms = [f for f in split_forms(rows) if _has_form_content(f)]
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
        return Document(path=str(p), sha256="", format=p.suffix.lstrip("."), error=f"{p.name}: 无法读取文件（{e}）")
    return parse_bytes(p, data)
