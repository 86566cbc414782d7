"""Container readers: each turns a file's bytes into the same list of cleaned Rows (see model.Row).

The parser after them never knows which container a form came from, so the same form gives the same records
whether it arrived as text, a web page, Excel, Word (old or new), WPS, a text PDF or a scan. Archives (.zip) are
not read here: the batch loop expands them into their members (`archive.zip!/path`), each read by its reader.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path

from dashboard.ingest.errors import IngestError
from dashboard.ingest.model import Row
from dashboard.ingest.readers.docx import read_docx
from dashboard.ingest.readers.html import read_html
from dashboard.ingest.readers.office import read_legacy
from dashboard.ingest.readers.pdf import read_pdf
from dashboard.ingest.readers.scan import read_image
from dashboard.ingest.readers.sheets import read_xls, read_xlsx
from dashboard.ingest.readers.text import Decoded, forget_decoded, last_decoded, read_text

Reader = Callable[[str | Path, bytes], list[Row]]

READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".tsv": read_text,
    ".md": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".mhtml": read_html,
    ".mht": read_html,
    ".xlsx": read_xlsx,
    ".xlsm": read_xlsx,
    ".xls": read_xls,
    ".et": read_legacy,
    ".docx": read_docx,
    ".doc": read_legacy,
    ".wps": read_legacy,
    ".pdf": read_pdf,
    ".png": read_image,
    ".jpg": read_image,
    ".jpeg": read_image,
    ".tif": read_image,
    ".tiff": read_image,
}
# Expanded into their members by dashboard/load (batch loop, import page); not a reader of their own.
ARCHIVES = (".zip",)
# Every suffix a file may have to be accepted by `jixiao ingest` and the import page.
ACCEPTED = tuple(sorted([*READERS, *ARCHIVES]))


_last_rows: ContextVar[list[Row] | None] = ContextVar("last_rows", default=None)


def last_rows() -> list[Row] | None:
    """The rows the last reader returned in this context (the checks that need cell confidences read them)."""
    return _last_rows.get()


def forget_rows() -> None:
    _last_rows.set(None)


def reader_for(path: str | Path) -> Reader:
    suffix = Path(path).suffix.lower()
    if suffix in ARCHIVES:
        raise IngestError(path, "压缩包需展开后逐个读取（请用 jixiao ingest 或数据导入页面导入）")
    if suffix not in READERS:
        supported = "、".join(s.lstrip(".") for s in ACCEPTED)
        raise IngestError(path, f"不支持的文件类型“{suffix or '无扩展名'}”（支持：{supported}）")
    reader = READERS[suffix]

    def read(path: str | Path, data: bytes) -> list[Row]:
        forget_decoded()  # last_decoded() then tells how this file was decoded (None: not a text container)
        rows = reader(path, data)
        _last_rows.set(rows)
        return rows

    return read


__all__ = [
    "ACCEPTED",
    "ARCHIVES",
    "READERS",
    "Decoded",
    "Reader",
    "forget_rows",
    "last_decoded",
    "last_rows",
    "reader_for",
]
