"""Report generation time for the demo corpus's busiest year (the issue's budget: under 30 s for both files).
Run with `make bench`; the timings are printed and written to test-artifacts/benchmarks/report_speed.json, and
the reports kept in test-artifacts/report/, never asserted as timings."""

from __future__ import annotations

import json
import time

import pytest

from dashboard.db import connect
from dashboard.demo.corpus import ensure_default_corpus
from dashboard.load import ingest
from dashboard.report import file_name, generate_report
from dashboard.report.pdf import soffice_path
from dashboard.selection import Selection
from tests.conftest import ROOT, SAMPLE

pytestmark = pytest.mark.benchmark
OUT = ROOT / "test-artifacts" / "benchmarks"
REPORTS = ROOT / "test-artifacts" / "report"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report_bench")
    corpus = ensure_default_corpus(tmp / "demo")
    db = tmp / "demo.duckdb"
    summary = ingest([SAMPLE, corpus], db)
    assert not summary.failed
    return db


def busiest_year(db) -> int:
    con = connect(db)
    try:
        return con.execute(
            "select year from form_facts where dataset = 'demo' group by year "
            "order by count(*) desc, year desc limit 1"
        ).fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("dataset", ["demo", None])
def test_report_speed_for_the_busiest_year(demo_db, dataset):
    if soffice_path() is None:
        pytest.skip("the PDF needs LibreOffice (make system-deps)")
    year = busiest_year(demo_db)
    selection = Selection(year=year, dataset=dataset)
    steps: list[tuple[float, str, float]] = []
    started = time.perf_counter()
    files = generate_report(
        selection, db_path=demo_db, progress=lambda f, m: steps.append((f, m, time.perf_counter() - started))
    )
    seconds = time.perf_counter() - started
    REPORTS.mkdir(parents=True, exist_ok=True)
    for fmt, data in files.items():
        (REPORTS / f"demo_corpus_{file_name(selection, fmt)}").write_bytes(data)
    result = {
        "year": year,
        "dataset": dataset or "all",
        "seconds": round(seconds, 2),
        "docx_kb": len(files["docx"]) // 1024,
        "pdf_kb": len(files["pdf"]) // 1024,
        "steps": [(m, round(t, 2)) for _, m, t in steps],
    }
    print(
        f"\n[report] {year} {dataset or 'all'}: {seconds:.1f} s (docx {result['docx_kb']} KB, pdf {result['pdf_kb']} KB)"
    )
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "report_speed.json"
    saved = json.loads(path.read_text()) if path.exists() else {}
    saved[f"{year}_{dataset or 'all'}"] = result
    path.write_text(json.dumps(saved, ensure_ascii=False, indent=2))
