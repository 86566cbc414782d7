"""File bytes -> Document: read the container, split it into forms, parse and validate each form."""

from __future__ import annotations

import hashlib
from pathlib import Path

from dashboard.ingest.cells import kind_of, tokens_of
from dashboard.ingest.errors import IngestError
from dashboard.ingest.form import is_meta_label, parse_form
from dashboard.ingest.header import find_headers, merge_broken_words
from dashboard.ingest.limits import check_cell, out_of_memory_message
from dashboard.ingest.model import Document, Finding, Row
from dashboard.ingest.readers import Decoded, last_decoded, reader_for
from dashboard.ingest.segment import FormSlice, split_forms
from dashboard.ingest.validate import validate_report

SYNTHETIC_MARK = "示例数据"


def _is_form(form: FormSlice) -> bool:
    """A titled slice, or one that holds a table header, a budget header or figures in rows: a form cut at a page or
    copy boundary is still a form. Another table's caption (基础数据表) starts a slice that is not."""
    if form.other_table:
        return False
    if form.title:
        return True
    tokens = form.tokens
    if find_headers(tokens, "indicator") or find_headers(tokens, "budget"):
        return True
    if sum(is_meta_label(t.text) for t in tokens) >= 2:
        return True  # 项目名称 / 主管部门 / 实施单位 …: a form's header block, its table lost or cut
    # Rows of figures with a level name, a numbered indicator or a total row: the tail of a form, read it.
    kinds = [kind_of(t.text) for t in tokens]
    return sum(k.small for k in kinds) >= 2 and any(k.level1 or k.level2 or k.seq or k.total for k in kinds)


def _describe_skipped(form: FormSlice) -> str:
    first, last = form.tokens[0], form.tokens[-1]
    where = first.ref if first.ref == last.ref else f"{first.ref}至{last.ref}"
    if form.other_table:
        return f"{where}“{form.other_table}”不是绩效自评表，未导入"
    return f"{where}（{first.text[:24]}…）不是自评表的内容（没有表头、预算行或指标行），未导入"


def _cut_finding(path: str, decoded: Decoded, rows: list[Row]) -> Finding:
    """The file ends inside a character: its last form may be cut short (the reader kept everything before)."""
    last = rows[-1] if rows else None
    return Finding(
        "truncated",
        "warning",
        f"文件“{Path(path).name}”在最后一个字符中途结束（{decoded.encoding.upper()}，"
        f"舍弃了不完整的 {decoded.cut_bytes} 个字节），文件可能不完整；已读取其余内容",
        source_line=last.line if last else None,
        source_ref=last.ref if last else None,
    )


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
        decoded = last_decoded()
        doc.encoding = decoded.encoding if decoded else None
        for row in rows:
            for cell in row.cells:
                check_cell(path, cell, f"{row.ref}：")
        tokens = merge_broken_words(tokens_of(rows))
        forms = []
        for f in split_forms(tokens):
            if _is_form(f):
                forms.append(f)
            elif f.tokens:
                doc.skipped.append(_describe_skipped(f))
        if not forms:
            raise IngestError(path, "未识别到绩效自评表（没有“绩效自评表”标题，也没有预算表或指标表表头）")
        errors = []
        for form in forms:
            try:
                report = parse_form(form, path)
            except IngestError as e:  # one unreadable slice does not cost the file its other forms
                errors.append(e)
                doc.skipped.append(str(e).split(": ", 1)[-1])
                continue
            report.findings.extend(validate_report(report))
            doc.reports.append(report)
        if not doc.reports:
            doc.skipped = [s for s in doc.skipped if s not in {str(e).split(": ", 1)[-1] for e in errors}]
            raise errors[0]
        if decoded and decoded.cut_bytes:
            doc.reports[-1].findings.append(_cut_finding(path, decoded, rows))
        templates = sorted({r.template for r in doc.reports})
        doc.template = ",".join(templates)
    except IngestError as e:
        doc.error = str(e)
        doc.reports = []
    except MemoryError:  # under isolate.py's address-space limit (or the machine's): not a parser bug
        doc.error = f"{Path(path).name}: {out_of_memory_message()}"
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
