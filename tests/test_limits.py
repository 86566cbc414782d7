"""Resource limits (issue 14): each bomb is generated here and refused with its Chinese message within 10 s (or,
for the long cell, parsed); a batch of the bombs with the real sample keeps the sample's forms."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from dashboard.ingest import limits
from dashboard.ingest.parse import parse_bytes
from dashboard.load import ingest
from tests.conftest import SAMPLE

SECONDS = 10


def _xlsx(sheet_xml: str, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal workbook (one sheet) with the given worksheet XML."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "项目支出绩效自评表"
    buf = io.BytesIO()
    wb.save(buf)
    return _rewritten(buf.getvalue(), "xl/worksheets/sheet1.xml", lambda _: sheet_xml.encode(), extra)


def _rewritten(package: bytes, member: str, edit, extra: dict[str, bytes] | None = None) -> bytes:
    """An OOXML package with one member replaced by `edit(its bytes)` and `extra` members added."""
    src = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            z.writestr(info.filename, edit(data) if info.filename == member else data)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>项目支出绩效自评表</t></is></c></row></sheetData>'
    "{merge}</worksheet>"
)


def merge_bomb() -> bytes:
    return _xlsx(_SHEET.format(merge='<mergeCells count="1"><mergeCell ref="A1:Z400000"/></mergeCells>'))


def zip_bomb_xlsx() -> bytes:
    # The worksheet itself padded with 200 MB of spaces: it compresses to about 200 KB.
    return _xlsx(_SHEET.format(merge=" " * (200 * 1024 * 1024)))


def docx_grid_bomb() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("项目支出绩效自评表")
    d.add_table(rows=1, cols=1).cell(0, 0).text = "项目名称"
    buf = io.BytesIO()
    d.save(buf)

    def huge_grid_before(xml: bytes) -> bytes:
        data = xml.replace(b"<w:tr>", b'<w:tr><w:trPr><w:gridBefore w:val="100000000"/></w:trPr>', 1)
        assert b"gridBefore" in data
        return data

    return _rewritten(buf.getvalue(), "word/document.xml", huge_grid_before)


def oversized_text() -> bytes:
    line = "产出指标\t数量指标\t完成数量\t100个\t100个\t10\t10\n".encode()
    return line * (limits.TEXT_BYTES // len(line) + 1)


def _timed(name: str, data: bytes):
    start = time.monotonic()
    doc = parse_bytes(name, data)
    return doc, time.monotonic() - start


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("合并炸弹.xlsx", merge_bomb, "合并单元格 A1:Z400000 过大"),
        ("压缩炸弹.xlsx", zip_bomb_xlsx, "疑为压缩炸弹"),
        ("表格炸弹.docx", docx_grid_bomb, "表格过宽"),
        ("超大文本.txt", oversized_text, "文本文件过大"),
    ],
)
def test_bomb_refused_quickly(name: str, make, message: str) -> None:
    doc, seconds = _timed(name, make())
    assert doc.error is not None and message in doc.error, doc.error
    assert doc.error.startswith(name), doc.error
    assert not doc.reports
    assert seconds < SECONDS, seconds


def test_long_digit_cell_parses_in_linear_time() -> None:
    cell = "1" * 50_000 + "x"
    text = SAMPLE.read_text(encoding="utf-8")
    data = (text + f"\n产出指标\t数量指标\t{cell}\t{cell}\t{cell}\t10\t10\n").encode()
    doc, seconds = _timed("长单元格.txt", data)
    assert seconds < SECONDS, seconds
    assert doc.reports  # the sample's forms are still read


def test_value_regex_linear() -> None:
    from dashboard.ingest.values import parse_value

    start = time.monotonic()
    for n in (8_000, 50_000):
        assert parse_value("1" * n + "x").value is None
        assert parse_value("达到" + "1" * n + "个").unit == "个"
    assert time.monotonic() - start < 2


def test_cell_over_limit_refused() -> None:
    data = ("项目支出绩效自评表\n项目名称\t" + "字" * (limits.CELL_CHARS + 1) + "\n").encode()
    doc, seconds = _timed("长文本.txt", data)
    assert doc.error and "单元格内容过长" in doc.error
    assert seconds < SECONDS


def test_many_merges_each_under_the_limit_are_refused_together() -> None:
    """Three ranges of 26 × 34,000 = 884,000 cells each pass MERGE_AREA alone; together 2,652,000 > SHEET_CELLS."""
    refs = "".join(f'<mergeCell ref="A{1 + k * 34_000}:Z{(k + 1) * 34_000}"/>' for k in range(3))
    doc, seconds = _timed(
        "多处合并.xlsx", _xlsx(_SHEET.format(merge=f'<mergeCells count="3">{refs}</mergeCells>'))
    )
    assert doc.reports == []
    assert "多处合并.xlsx" in doc.error and "合并单元格合计过大（共覆盖 2652000 个单元格" in doc.error
    assert seconds < SECONDS


def test_merge_within_limit_still_read() -> None:
    doc = parse_bytes(
        "小合并.xlsx",
        _xlsx(_SHEET.format(merge='<mergeCells count="1"><mergeCell ref="A1:C3"/></mergeCells>')),
    )
    assert doc.error is None or "过大" not in doc.error


def test_pdf_pages_limit() -> None:
    with pytest.raises(Exception, match="PDF 页数过多"):
        limits.check_pdf_pages("a.pdf", limits.PDF_PAGES + 1)
    limits.check_pdf_pages("a.pdf", limits.PDF_PAGES)


def test_batch_with_bombs_keeps_sample(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    bombs = {
        "合并炸弹.xlsx": merge_bomb(),
        "压缩炸弹.xlsx": zip_bomb_xlsx(),
        "表格炸弹.docx": docx_grid_bomb(),
        "超大文本.txt": oversized_text(),
    }
    for name, data in bombs.items():
        (folder / name).write_bytes(data)
    (folder / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    alone = ingest([SAMPLE], tmp_path / "alone.duckdb", workers=1)
    start = time.monotonic()
    result = ingest([folder], tmp_path / "batch.duckdb", workers=1)
    assert time.monotonic() - start < 4 * SECONDS
    by_name = {Path(f.path).name: f for f in result.files}
    sample = by_name[SAMPLE.name]
    assert sample.status == "ok"
    assert sample.reports == sum(f.reports for f in alone.files) > 0
    for name in bombs:
        assert by_name[name].status == "failed", by_name[name]
        assert by_name[name].error and by_name[name].error.startswith(name)


_PEAK = """
import sys
from pathlib import Path
from dashboard.ingest.parse import parse_bytes
for p in sys.argv[1:]:
    doc = parse_bytes(p, Path(p).read_bytes())
    assert doc.error, p
# VmHWM: this process's peak resident size (ru_maxrss would carry the parent's over exec).
status = Path("/proc/self/status").read_text()
print(next(int(line.split()[1]) // 1024 for line in status.splitlines() if line.startswith("VmHWM")))
"""


def test_bombs_stay_under_500_mb(tmp_path: Path) -> None:
    import subprocess
    import sys

    paths = []
    for name, make in [("m.xlsx", merge_bomb), ("z.xlsx", zip_bomb_xlsx), ("g.docx", docx_grid_bomb)]:
        (tmp_path / name).write_bytes(make())
        paths.append(str(tmp_path / name))
    big = tmp_path / "t.txt"
    big.write_bytes(oversized_text())
    paths.append(str(big))
    done = subprocess.run([sys.executable, "-c", _PEAK, *paths], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    peak_mb = int(done.stdout)
    assert peak_mb < 500, peak_mb
