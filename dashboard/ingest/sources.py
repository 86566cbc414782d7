"""One source -> Document: a file, or a member of an archive (`x.zip!/a/b.docx`), parsed by parse.py, then the
checks that need the reader's cells (the OCR confidence of a scan's figures: validate.ocr_findings).

`jixiao ingest`, the app's start-up load and the import page all parse through here, so an archive's members
and a scan's uncertain figures are treated alike everywhere.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from dashboard.ingest import readers
from dashboard.ingest.errors import IngestError
from dashboard.ingest.model import Document
from dashboard.ingest.parse import parse_bytes
from dashboard.ingest.readers.archive import Member, is_archive, members, split_member
from dashboard.ingest.validate import ocr_findings


def parse_source_bytes(path: str | Path, data: bytes) -> Document:
    """parse.parse_bytes plus the OCR checks; never raises."""
    readers.forget_rows()
    doc = parse_bytes(path, data)
    rows = readers.last_rows()
    readers.forget_rows()
    if rows and doc.error is None and any(row.confidence is not None for row in rows):
        for report in doc.reports:
            report.findings.extend(ocr_findings(report, rows))
    return doc


def failed(path: str | Path, message: str, data: bytes = b"") -> Document:
    p = str(path)
    return Document(
        path=p,
        sha256=hashlib.sha256(data).hexdigest() if data else "",
        format=Path(p).suffix.lower().lstrip(".") or "unknown",
        error=f"{Path(p).name}: {message}",
    )


def read_source(path: str | Path) -> bytes:
    """The bytes of a file or of an archive member (OSError when it cannot be read, IngestError when the
    archive cannot)."""
    archive, inner = split_member(str(path))
    if inner is None or Path(path).is_file():  # a member the import page kept as a file under uploads/x.zip!/
        return Path(path).read_bytes()
    for m in members(archive, Path(archive).read_bytes(), readers.ACCEPTED):
        if m.name == str(path):
            if m.data is None:
                raise IngestError(path, m.error or "无法读取压缩包内的文件")
            return m.data
    raise OSError(f"压缩包中没有 {inner}")


def parse_source(path: str | Path) -> Document:
    """A file or archive member parsed; a read failure is the Document's error."""
    if (
        is_archive(path) and split_member(str(path))[1] is None and not Path(path).is_dir()
    ):  # an archive that gave no member to read
        found = archive_members(path)
        errors = [m.error for m in found if m.error and m.name == str(path)]
        return failed(path, errors[0] if errors else "压缩包中没有可导入的文件（支持的类型见 README）")
    try:
        data = read_source(path)
    except IngestError as e:
        return failed(path, e.detail)
    except OSError as e:
        return failed(path, f"无法读取文件（{e}）")
    return parse_source_bytes(path, data)


def archive_members(path: str | Path, data: bytes | None = None) -> list[Member]:
    """The readable members of an archive file (a broken archive is one Member carrying the error)."""
    try:
        body = Path(path).read_bytes() if data is None else data
        return members(str(path), body, readers.ACCEPTED)
    except IngestError as e:
        return [Member(str(path), None, e.detail)]
    except OSError as e:
        return [Member(str(path), None, f"无法读取文件（{e}）")]


__all__ = ["archive_members", "failed", "is_archive", "parse_source", "parse_source_bytes", "read_source"]
