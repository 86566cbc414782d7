"""DuckDB vs Spark local mode, side by side, on one machine: the province-tier queries (DuckDB over the
database, DuckDB over the Parquet export, Spark SQL over the same Parquet) and the ingest (one process, the
DuckDB writer's parallel parse, Spark local[2] with the parser in its tasks). Run with `make bench`; the corpus
size is JIXIAO_SPARK_BENCH_UNITS units × 2022–2023 (default 200; the province tier is 7700). Numbers are printed
and written to test-artifacts/benchmarks/spark_speed.json, never asserted."""

from __future__ import annotations

import json
import os
import statistics
import time

import pytest

from dashboard import db
from dashboard.demo.corpus import write_corpus
from dashboard.demo.generate import make_plan
from dashboard.load import ingest
from tests.conftest import ROOT

pytestmark = pytest.mark.benchmark
OUT = ROOT / "test-artifacts" / "benchmarks"
UNITS = int(os.environ.get("JIXIAO_SPARK_BENCH_UNITS", "200"))


def _queries(year: int) -> dict[str, dict]:
    """The six queries timed side by side, those with a year at `year` (a year the corpus holds)."""
    return {
        "department_ranking": {"year": year},
        "overview_kpis": {},
        "low_scoring_indicators": {"year": year},
        "score_distribution": {},
        "indicator_search": {"keyword": "满意度"},
        "findings_summary": {},
    }


QUERIES = _queries(2023)  # the demo corpus: 2022-2023
PROVINCE_QUERIES = _queries(2022)  # the province tier: 2018-2022

REPEAT = 3
RESULTS: dict[str, object] = {"units": UNITS, "years": "2022-2023", "cores": os.cpu_count()}


def _median(fn) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3)


def test_spark_side_by_side(tmp_path):
    from dashboard.spark.export import export_parquet
    from dashboard.spark.ingest import ingest_spark
    from dashboard.spark.run import open_parquet, run_query_spark
    from dashboard.spark.slice import connect_parquet

    corpus = tmp_path / "corpus"
    write_corpus(corpus, make_plan(n_units=UNITS, years=(2022, 2023)), ("txt",), workers=os.cpu_count() or 1)
    start = time.perf_counter()
    one = ingest([corpus], tmp_path / "one.duckdb", workers=1)
    RESULTS["ingest_duckdb_1_process_s"] = round(time.perf_counter() - start, 2)
    RESULTS["forms"] = one.reports
    RESULTS["indicators"] = one.indicators
    start = time.perf_counter()
    ingest([corpus], tmp_path / "two.duckdb", workers=2)
    RESULTS["ingest_duckdb_2_workers_s"] = round(time.perf_counter() - start, 2)
    start = time.perf_counter()
    export = export_parquet(tmp_path / "pq", tmp_path / "one.duckdb")
    RESULTS["export_parquet_s"] = round(time.perf_counter() - start, 2)
    RESULTS["parquet_files"] = export.files
    start = time.perf_counter()
    spark = open_parquet(tmp_path / "pq", "local[2]")
    RESULTS["spark_start_and_register_s"] = round(time.perf_counter() - start, 2)
    start = time.perf_counter()
    result = ingest_spark([corpus], tmp_path / "spark", master="local[2]")
    RESULTS["ingest_spark_local2_s"] = round(time.perf_counter() - start, 2)
    assert result.rows["reports"] == one.reports
    spark = open_parquet(tmp_path / "pq", "local[2]")
    duck = db.connect(tmp_path / "one.duckdb")
    pq = connect_parquet(tmp_path / "pq")
    per_query = {}
    for name, params in QUERIES.items():
        run_query_spark(spark, name, params)  # warm: translation, plan caches, JIT
        per_query[name] = {
            "duckdb_db_s": _median(lambda n=name, p=params: db.run_query_with(n, p, con=duck)),
            "duckdb_parquet_s": _median(lambda n=name, p=params: db.run_query_with(n, p, con=pq)),
            "spark_local2_s": _median(lambda n=name, p=params: run_query_spark(spark, n, p)),
        }
    RESULTS["queries"] = per_query
    for engine in ("duckdb_db_s", "duckdb_parquet_s", "spark_local2_s"):
        RESULTS[f"queries_total_{engine}"] = round(sum(q[engine] for q in per_query.values()), 3)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"spark_speed_{UNITS}.json").write_text(json.dumps(RESULTS, ensure_ascii=False, indent=2), "utf-8")
    print(json.dumps(RESULTS, ensure_ascii=False, indent=2))


def test_spark_province_queries(tmp_path):
    """The queries side by side at the province tier (the query benchmark's replicated corpus, ≈150k forms,
    ≈3M indicators): DuckDB over its file, DuckDB over the Parquet export, Spark SQL local[2] over the same
    Parquet. The ingest is not repeated at this size (hours on one machine: docs/SPARK.md extrapolates)."""
    from dashboard.spark.export import export_parquet
    from dashboard.spark.run import open_parquet, run_query_spark
    from dashboard.spark.slice import connect_parquet
    from tests.benchmarks.province import province_db

    source = province_db()
    out: dict[str, object] = {"tier": "province", "cores": os.cpu_count()}
    start = time.perf_counter()
    export = export_parquet(tmp_path / "pq", source)
    out["export_parquet_s"] = round(time.perf_counter() - start, 2)
    out["parquet_files"] = export.files
    duck = db.connect(source)
    out["forms"] = duck.execute("select count(*) from reports").fetchone()[0]
    out["indicators"] = duck.execute("select count(*) from indicators").fetchone()[0]
    pq = connect_parquet(tmp_path / "pq")
    start = time.perf_counter()
    spark = open_parquet(tmp_path / "pq", "local[2]")
    out["spark_start_and_register_s"] = round(time.perf_counter() - start, 2)
    per_query = {}
    for name, params in PROVINCE_QUERIES.items():
        start = time.perf_counter()
        run_query_spark(spark, name, params)  # warm: translation, plan caches, JIT
        first = round(time.perf_counter() - start, 3)
        per_query[name] = {
            "duckdb_db_s": _median(lambda n=name, p=params: db.run_query_with(n, p, con=duck)),
            "duckdb_parquet_s": _median(lambda n=name, p=params: db.run_query_with(n, p, con=pq)),
            "spark_local2_first_s": first,
            "spark_local2_s": _median(lambda n=name, p=params: run_query_spark(spark, n, p)),
        }
        print(name, per_query[name], flush=True)
    out["queries"] = per_query
    for engine in ("duckdb_db_s", "duckdb_parquet_s", "spark_local2_s"):
        out[f"queries_total_{engine}"] = round(sum(q[engine] for q in per_query.values()), 3)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "spark_speed_province.json").write_text(json.dumps(out, ensure_ascii=False, indent=2), "utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=2))
