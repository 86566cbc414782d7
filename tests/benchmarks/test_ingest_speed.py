"""Ingest speed per container (forms per second, one core) and store throughput. Run with `make bench`;
the numbers are printed and written to test-artifacts/benchmarks/ingest_speed.json, never asserted as timings."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from dashboard.ingest.parse import parse_bytes
from dashboard.load import ingest
from tests.conftest import ROOT, SAMPLE
from tests.formats import grid_from_text, write_docx, write_pdf, write_xlsx

pytestmark = pytest.mark.benchmark
OUT = ROOT / "test-artifacts" / "benchmarks"
FORMS_PER_DOC = 4
COPIES = {"txt": 150, "xlsx": 50, "docx": 50, "pdf": 6}
RESULTS: dict[str, float] = {}


def _documents(tmp: Path) -> dict[str, bytes]:
    text = SAMPLE.read_text(encoding="utf-8")
    grid = grid_from_text(text)
    return {
        "txt": text.encode(),
        "xlsx": write_xlsx(grid, tmp / "s.xlsx", merges=False).read_bytes(),
        "docx": write_docx(grid, tmp / "s.docx", merges=False).read_bytes(),
        "pdf": write_pdf(grid, tmp / "s.pdf", font_size=6).read_bytes(),
    }


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    return _documents(tmp_path_factory.mktemp("bench"))


@pytest.mark.parametrize("fmt", list(COPIES))
def test_parse_speed(documents, fmt):
    n = COPIES[fmt]
    # Text copies differ (unit names), so no cache sees the same strings twice; binary containers are dominated
    # by their readers and are parsed as they are.
    text = SAMPLE.read_text(encoding="utf-8")
    copies = [
        text.replace("武威市政府政务服务中心", f"测试单位{k:03}").encode() if fmt == "txt" else documents[fmt]
        for k in range(n)
    ]
    start = time.perf_counter()
    for k, data in enumerate(copies):
        doc = parse_bytes(f"copy{k}.{fmt}", data)
        assert doc.error is None and len(doc.reports) == FORMS_PER_DOC
    rate = n * FORMS_PER_DOC / (time.perf_counter() - start)
    RESULTS[f"parse_{fmt}_forms_per_s"] = round(rate, 1)
    print(f"\nparse {fmt}: {rate:.0f} forms/s ({n * FORMS_PER_DOC} forms, one core)")


def test_store_speed(tmp_path):
    """Parse + load 300 distinct documents (1,200 forms) through the pipeline on one core."""
    text = SAMPLE.read_text(encoding="utf-8")
    folder = tmp_path / "docs"
    folder.mkdir()
    for k in range(300):
        (folder / f"d{k:03}.txt").write_text(
            text.replace("武威市政府政务服务中心", f"测试单位{k:03}"), encoding="utf-8"
        )
    start = time.perf_counter()
    summary = ingest([folder], tmp_path / "b.duckdb", workers=1)
    elapsed = time.perf_counter() - start
    assert summary.ok == 300 and summary.reports == 1200
    RESULTS["pipeline_txt_forms_per_s"] = round(1200 / elapsed, 1)
    print(f"\npipeline txt -> DuckDB: {1200 / elapsed:.0f} forms/s")


def teardown_module(module):
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ingest_speed.json").write_text(json.dumps(RESULTS, indent=2), encoding="utf-8")
