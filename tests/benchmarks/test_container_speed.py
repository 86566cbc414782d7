"""Speed per container (seconds per form, one core) and OCR per page for both engines. Run with `make bench`;
printed and written to test-artifacts/benchmarks/container_speed.json, never asserted as timings."""

from __future__ import annotations

import io
import json
import time

import pytest

from dashboard.ingest.parse import parse_bytes
from dashboard.ingest.readers import pdf as pdf_reader
from dashboard.ingest.readers import scan
from dashboard.ingest.sources import parse_source_bytes
from tests.conftest import FIXTURES, ROOT, SAMPLE
from tests.containers import convert, image_pdf, scan_pages, write_gbk_zip, write_html
from tests.formats import grid_from_text, write_pdf
from tests.scan_accuracy import accuracy
from tests.test_formats import records

pytestmark = pytest.mark.benchmark
OUT = ROOT / "test-artifacts" / "benchmarks"
RESULTS: dict[str, float | str] = {}
SICHUAN = FIXTURES / "sichuan_2023.txt"


def _per_form(name: str, path: str, data: bytes, copies: int) -> float:
    start = time.perf_counter()
    for _ in range(copies):
        doc = parse_source_bytes(path, data)
        assert doc.error is None, doc.error
    seconds = (time.perf_counter() - start) / copies / len(doc.reports)
    RESULTS[f"{name}_ms_per_form"] = round(seconds * 1000, 2)
    RESULTS[f"{name}_forms_per_s"] = round(1 / seconds, 1)
    print(f"\n{name}: {seconds * 1000:.1f} ms per form ({1 / seconds:.0f} forms/s)")
    return seconds


def test_web_page_doc_and_zip(tmp_path):
    grid = grid_from_text(SICHUAN.read_text(encoding="utf-8"))
    page = write_html(grid)
    _per_form("html", "s.html", page, 40)
    (tmp_path / "s.html").write_bytes(page)
    doc = convert(tmp_path / "s.html", "doc:MS Word 97", tmp_path, infilter="HTML (StarWriter)")
    _per_form("doc_libreoffice", "s.doc", doc.read_bytes(), 3)
    members = {
        f"表{k}.txt": SICHUAN.read_bytes().replace(b"\xe6\x88\x90\xe9\x83\xbd", f"单位{k}".encode())
        for k in range(20)
    }
    archive = write_gbk_zip(members, tmp_path / "批量.zip")
    from dashboard.ingest.sources import archive_members

    start = time.perf_counter()
    for m in archive_members(archive):
        assert m.data is not None and parse_source_bytes(m.name, m.data).error is None
    seconds = (time.perf_counter() - start) / len(members)
    RESULTS["zip_ms_per_form"] = round(seconds * 1000, 2)
    print(f"\nzip (20 text members): {seconds * 1000:.1f} ms per form")


def _pdfplumber_items(data: bytes) -> int:
    """What the former reader did per page (pdfplumber tables + text lines), for the comparison."""
    import pdfplumber

    n = 0
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for table in page.find_tables():
                n += len(table.extract())
            n += len(page.extract_text_lines())
    return n


@pytest.mark.parametrize("form", ["sample", "sichuan"])
def test_text_pdf_pdfium_against_pdfplumber(tmp_path, form):
    text = (SAMPLE if form == "sample" else SICHUAN).read_text(encoding="utf-8")
    data = write_pdf(
        grid_from_text(text), tmp_path / "f.pdf", font_size=6 if form == "sample" else 9
    ).read_bytes()
    n_forms = len(parse_bytes("f.txt", text.encode()).reports)
    for name, read in (
        ("pdfium", lambda: pdf_reader.read_pdf("f.pdf", data)),
        ("pdfplumber", lambda: _pdfplumber_items(data)),
    ):
        copies = 10 if name == "pdfium" else 3
        start = time.perf_counter()
        for _ in range(copies):
            read()
        seconds = (time.perf_counter() - start) / copies / n_forms
        RESULTS[f"pdf_{form}_read_{name}_ms_per_form"] = round(seconds * 1000, 2)
        print(f"\n{form} text PDF, reading only, {name}: {seconds * 1000:.1f} ms per form")
    _per_form(f"pdf_{form}_parse", "f.pdf", data, 5)
    _per_form(f"txt_{form}_parse", "f.txt", text.encode(), 5)


@pytest.mark.parametrize("engine", ["rapidocr", "tesseract"])
@pytest.mark.parametrize("dpi", [150, 300])
def test_ocr_engines(tmp_path, engine, dpi, monkeypatch):
    text = SICHUAN.read_text(encoding="utf-8")
    pages = scan_pages(grid_from_text(text), tmp_path, dpi, 1.5, font_size=9)
    monkeypatch.setattr(scan, "ENGINE", engine)
    start = time.perf_counter()
    doc = parse_source_bytes("scan.pdf", image_pdf(pages, dpi))
    seconds = time.perf_counter() - start
    acc = accuracy(records(doc), records(parse_bytes("f.txt", text.encode())))
    key = f"ocr_{engine}_{dpi}dpi"
    RESULTS[f"{key}_s_per_page"] = round(seconds / len(pages), 2)
    RESULTS[f"{key}_fields"] = round(acc.field_share, 4)
    RESULTS[f"{key}_figures"] = round(acc.figure_share, 4)
    print(f"\n{engine} {dpi} dpi: {seconds / len(pages):.1f} s/page; {acc}")
    for line in acc.mismatches[:20]:
        print("  ", line)


def test_sample_scan(tmp_path):
    """The real sample printed at 9 pt (13 pages), 150 dpi, 1.2°: time per page and accuracy, reported only."""
    text = SAMPLE.read_text(encoding="utf-8")
    pages = scan_pages(grid_from_text(text), tmp_path, 150, 1.2, font_size=9)
    start = time.perf_counter()
    doc = parse_source_bytes("sample.pdf", image_pdf(pages, 150))
    seconds = time.perf_counter() - start
    acc = accuracy(records(doc) if doc.error is None else [], records(parse_bytes("s.txt", text.encode())))
    RESULTS["ocr_sample_150dpi_s_per_page"] = round(seconds / len(pages), 2)
    RESULTS["ocr_sample_150dpi_fields"] = round(acc.field_share, 4)
    print(f"\nsample scan, {len(pages)} pages: {seconds / len(pages):.1f} s/page; {acc}")


def teardown_module(module):
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "container_speed.json").write_text(
        json.dumps(RESULTS, indent=2, ensure_ascii=False), encoding="utf-8"
    )
