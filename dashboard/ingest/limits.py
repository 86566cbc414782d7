"""Resource limits of the ingest: a hostile or broken file is refused with a clear message before it costs the
server minutes and gigabytes. Each refusal is an IngestError naming the file, so parse never raises and the rest
of the batch goes on (parse.py turns it into Document.error).

The numbers are far above any real self-evaluation form (the largest sample: a few hundred rows, 20 columns,
cells of a few hundred characters) and far below what hurts a server.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from dashboard.ingest.errors import IngestError

MB = 1024 * 1024

TEXT_BYTES = 20 * MB  # a text / web-page file
CELL_CHARS = 100_000  # one cell's text
SHEET_CELLS = 2_000_000  # cells of one sheet (rows x columns as the sheet declares them)
MERGE_AREA = 1_000_000  # cells covered by one merged range
TABLE_COLUMNS = 1_000  # grid columns of one table row (docx gridBefore / gridSpan)
PDF_PAGES = 500
ZIP_EXPANDED_BYTES = 100 * MB  # all members of an office file (xlsx/docx are zips), as declared
ZIP_MEMBER_BYTES = 50 * MB  # one member
ZIP_RATIO = 200  # expanded / compressed size of one member (above 1 MB expanded)
ZIP_MEMBERS = 10_000

# A parse in its own process (isolate.py: every upload of the 数据导入 page): how far the child's address space
# may grow beyond what it had mapped when it started (RLIMIT_AS, so virtual memory: libraries' mappings count
# too), and its wall time.
PARSE_MEMORY_ENV, PARSE_MEMORY_MB = "JIXIAO_PARSE_MEMORY_MB", 2048
PARSE_SECONDS_ENV, PARSE_SECONDS = "JIXIAO_PARSE_SECONDS", 300


def parse_memory_mb() -> int:
    """How far the child parser's address space may grow, in MB: JIXIAO_PARSE_MEMORY_MB, else 2048."""
    return _positive_env(PARSE_MEMORY_ENV, PARSE_MEMORY_MB, "兆字节")


def parse_seconds() -> float:
    """The child parser's wall-time limit in seconds: JIXIAO_PARSE_SECONDS, else 300."""
    return _positive_env(PARSE_SECONDS_ENV, PARSE_SECONDS, "秒")


def _positive_env(name: str, default: int, unit: str) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise ValueError(f"环境变量 {name} 应为正整数（{unit}），现为“{raw}”")
    return int(raw)


# Set in a parse child (isolate.py) to the growth it was allowed, so its MemoryError names that limit.
child_memory_mb: int | None = None


def out_of_memory_message() -> str:
    """What a MemoryError while parsing means: the child's limit when one is set (isolate.py), else the machine's."""
    import resource

    limit_mb = child_memory_mb
    if limit_mb is None:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft == resource.RLIM_INFINITY:
            return "解析时内存不足，未导入"
        limit_mb = soft // MB
    return (
        f"解析超出内存限制（{limit_mb} MB），未导入：文件可能异常或被构造为耗尽资源"
        f"（确为正常文件时可调大环境变量 {PARSE_MEMORY_ENV}）"
    )


def out_of_time_message(seconds: float) -> str:
    return (
        f"解析超出时间限制（{seconds:g} 秒），未导入：文件可能异常或被构造为耗尽资源"
        f"（确为正常文件时可调大环境变量 {PARSE_SECONDS_ENV}）"
    )


def _mb(n: int) -> str:
    return f"{n / MB:.0f} MB" if n % MB == 0 else f"{n / MB:.2f} MB"


def check_text_size(path: str | Path, data: bytes) -> None:
    if len(data) > TEXT_BYTES:
        raise IngestError(path, f"文本文件过大（{_mb(len(data))}，上限 {_mb(TEXT_BYTES)}），未导入")


def check_cell(path: str | Path, text: str, where: str = "") -> None:
    if len(text) > CELL_CHARS:
        raise IngestError(path, f"{where}单元格内容过长（{len(text)} 个字符，上限 {CELL_CHARS}），未导入")


def check_sheet_cells(path: str | Path, sheet: str, rows: int, columns: int) -> None:
    if rows * columns > SHEET_CELLS:
        raise IngestError(
            path, f"工作表“{sheet}”过大（{rows} 行 × {columns} 列，上限 {SHEET_CELLS} 个单元格），未导入"
        )


def check_merge_area(path: str | Path, ref: str, rows: int, columns: int) -> None:
    if rows * columns > MERGE_AREA:
        raise IngestError(
            path, f"合并单元格 {ref} 过大（{rows} 行 × {columns} 列，上限 {MERGE_AREA} 个单元格），未导入"
        )


def check_merges_total(path: str | Path, sheet: str, cells: int) -> None:
    """All merged ranges of one sheet together: several ranges each under MERGE_AREA expand to as many cells."""
    if cells > SHEET_CELLS:
        raise IngestError(
            path,
            f"工作表“{sheet}”的合并单元格合计过大（共覆盖 {cells} 个单元格，上限 {SHEET_CELLS}），未导入",
        )


def check_table_width(path: str | Path, columns: int, where: str = "") -> None:
    if columns > TABLE_COLUMNS:
        raise IngestError(path, f"{where}表格过宽（{columns} 列，上限 {TABLE_COLUMNS} 列），未导入")


def check_pdf_pages(path: str | Path, pages: int) -> None:
    if pages > PDF_PAGES:
        raise IngestError(path, f"PDF 页数过多（{pages} 页，上限 {PDF_PAGES} 页），未导入")


def check_office_zip(path: str | Path, data: bytes) -> None:
    """An office file (xlsx/docx) is a zip: its members' declared sizes are checked before openpyxl or
    python-docx expand them. A broken zip is left to the reader's own message."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    if len(infos) > ZIP_MEMBERS:
        raise IngestError(
            path, f"文件内部成员过多（{len(infos)} 个，上限 {ZIP_MEMBERS}），疑为压缩炸弹，未导入"
        )
    total = 0
    for info in infos:
        size = info.file_size
        total += size
        if size > ZIP_MEMBER_BYTES:
            raise IngestError(
                path,
                f"文件内部成员“{info.filename}”解压后过大（{_mb(size)}，上限 {_mb(ZIP_MEMBER_BYTES)}），"
                "疑为压缩炸弹，未导入",
            )
        if size > MB and size > ZIP_RATIO * max(info.compress_size, 1):
            ratio = size // max(info.compress_size, 1)
            raise IngestError(
                path,
                f"文件内部成员“{info.filename}”压缩比异常（{ratio}:1，上限 {ZIP_RATIO}:1），疑为压缩炸弹，未导入",
            )
    if total > ZIP_EXPANDED_BYTES:
        raise IngestError(
            path, f"文件解压后过大（{_mb(total)}，上限 {_mb(ZIP_EXPANDED_BYTES)}），疑为压缩炸弹，未导入"
        )


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def range_shape(ref: str) -> tuple[int, int]:
    """`A1:Z400000` -> (400000 rows, 26 columns); a single cell is 1 x 1; an unreadable ref 0 x 0."""
    import re

    parts = ref.replace("$", "").split(":")
    cells = [re.fullmatch(r"([A-Za-z]{1,3})(\d{1,7})", p) for p in parts]
    if not cells or any(c is None for c in cells) or len(cells) > 2:
        return 0, 0
    (c0, r0), (c1, r1) = [(c.group(1), c.group(2)) for c in cells] * (2 if len(cells) == 1 else 1)
    rows = abs(int(r1) - int(r0)) + 1
    columns = abs(_column_number(c1) - _column_number(c0)) + 1
    return rows, columns
