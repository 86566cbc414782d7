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


def _folder(tmp_path: Path, n: int) -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    folder = tmp_path / f"docs{n}"
    folder.mkdir()
    for k in range(n):
        (folder / f"d{k:04}.txt").write_text(
            text.replace("武威市政府政务服务中心", f"测试单位{k:04}"), encoding="utf-8"
        )
    return folder


@pytest.mark.parametrize("n_docs", [75, 150, 300])
def test_pipeline_speed_grows_linearly(tmp_path, n_docs):
    """Parse + load n distinct documents (4 forms each) through `jixiao ingest`'s pipeline on one core (cross-form
    rules and derived tables included); three sizes show how the time grows with the corpus."""
    folder = _folder(tmp_path, n_docs)
    start = time.perf_counter()
    summary = ingest([folder], tmp_path / "b.duckdb", workers=1)
    elapsed = time.perf_counter() - start
    assert summary.ok == n_docs and summary.reports == n_docs * FORMS_PER_DOC
    rate = n_docs * FORMS_PER_DOC / elapsed
    RESULTS[f"pipeline_txt_{n_docs * FORMS_PER_DOC}_forms_s"] = round(elapsed, 2)
    RESULTS[f"pipeline_txt_{n_docs * FORMS_PER_DOC}_forms_per_s"] = round(rate, 1)
    print(f"\npipeline txt -> DuckDB, {n_docs * FORMS_PER_DOC} forms: {elapsed:.1f} s, {rate:.0f} forms/s")


def test_load_side_speed(tmp_path):
    """The load side alone: 300 documents parsed beforehand, then stored (one batch transaction per 200 files),
    cross-form rules and derived tables refreshed, the copy checkpointed."""
    from dashboard.ingest.parse import parse_file
    from dashboard.load.batch import load_documents
    from dashboard.load.store import Store

    folder = _folder(tmp_path, 300)
    docs = [parse_file(p) for p in sorted(folder.iterdir())]
    start = time.perf_counter()
    with Store(tmp_path / "l.duckdb") as store:
        load_documents(store, docs)
        stored = time.perf_counter()
        store.refresh_cross_findings()
        store.refresh_derived()
    elapsed = time.perf_counter() - start
    RESULTS["load_only_forms_per_s"] = round(1200 / elapsed, 1)
    RESULTS["load_only_store_forms_per_s"] = round(1200 / (stored - start), 1)
    print(f"\nload side only: {1200 / elapsed:.0f} forms/s (store {1200 / (stored - start):.0f} forms/s)")


def test_text_forms_per_cpu_second(tmp_path):
    """Sample-sized text forms per CPU-second (process time, every thread: what one core sustains), parse alone and
    parse + load through `jixiao ingest`'s pipeline on one process. Unlike wall time, CPU time is barely moved by
    other jobs on a shared machine."""
    n_docs = 150
    folder = _folder(tmp_path, n_docs)
    files = sorted(folder.iterdir())
    data = [p.read_bytes() for p in files]
    parse_bytes("warm.txt", data[0])
    wall, cpu = time.perf_counter(), time.process_time()
    for p, body in zip(files, data):
        doc = parse_bytes(p, body)
        assert doc.error is None and len(doc.reports) == FORMS_PER_DOC
    parse_cpu, parse_wall = time.process_time() - cpu, time.perf_counter() - wall
    wall, cpu = time.perf_counter(), time.process_time()
    summary = ingest([folder], tmp_path / "c.duckdb", workers=1)
    pipe_cpu, pipe_wall = time.process_time() - cpu, time.perf_counter() - wall
    assert summary.ok == n_docs and summary.reports == n_docs * FORMS_PER_DOC
    forms = n_docs * FORMS_PER_DOC
    RESULTS["parse_txt_forms_per_cpu_s"] = round(forms / parse_cpu, 1)
    RESULTS["parse_txt_forms_per_s_same_run"] = round(forms / parse_wall, 1)
    RESULTS["pipeline_txt_forms_per_cpu_s"] = round(forms / pipe_cpu, 1)
    RESULTS["pipeline_txt_forms_per_s_same_run"] = round(forms / pipe_wall, 1)
    print(
        f"\ntext forms per CPU-second: parse {forms / parse_cpu:.0f}, parse + load {forms / pipe_cpu:.0f} "
        f"(wall: {forms / parse_wall:.0f} and {forms / pipe_wall:.0f} forms/s; {forms} forms)"
    )


def teardown_module(module):
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ingest_speed.json").write_text(json.dumps(RESULTS, indent=2), encoding="utf-8")
