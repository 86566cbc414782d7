"""Container readers: each turns a file's bytes into the same list of cleaned Rows (see model.Row).

The parser after them never knows which container a form came from, so the same form gives the same records
whether it arrived as text, Excel, Word or PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dashboard.ingest.errors import IngestError
from dashboard.ingest.model import Row
from dashboard.ingest.readers.docx import read_docx
from dashboard.ingest.readers.pdf import read_pdf
from dashboard.ingest.readers.sheets import read_xls, read_xlsx
from dashboard.ingest.readers.text import read_text

Reader = Callable[[str | Path, bytes], list[Row]]

READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".tsv": read_text,
    ".md": read_text,
    ".xlsx": read_xlsx,
    ".xlsm": read_xlsx,
    ".xls": read_xls,
    ".docx": read_docx,
    ".pdf": read_pdf,
}


def reader_for(path: str | Path) -> Reader:
    suffix = Path(path).suffix.lower()
    if suffix not in READERS:
        supported = "、".join(sorted(READERS))
        raise IngestError(path, f"不支持的文件类型“{suffix or '无扩展名'}”（支持：{supported}）")
    return READERS[suffix]
