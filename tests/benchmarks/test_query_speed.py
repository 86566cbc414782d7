"""Query speed at the province tier (tests/benchmarks/province.py: 152,000 forms, ≈3.0M indicator rows), all in
one run: every query of queries/ cold (a fresh connection's first call) and warm (p50 and p95 of 5 calls), on
the derived tables (what the app reads) and on the views computed at every call (what it read before they were
stored); the core dashboard queries side by side with the same aggregation in bare DuckDB on the base tables
and in pandas on DataFrames in memory; the reader's peak memory after every query. Run with `make bench`;
results go to test-artifacts/benchmarks/query_speed.json and BENCHMARKS.md, never asserted as timings."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

import duckdb
import pytest

from dashboard.db import bind, connect, list_queries, load_query, run_query
from tests.benchmarks import province as P
from tests.conftest import ROOT

pytestmark = pytest.mark.benchmark
OUT = ROOT / "test-artifacts" / "benchmarks"
RUNS = 5
SLOW_S = 2.0  # a call slower than this is repeated twice only (p95 then = the slower of the two)
RESULTS: dict = {}


def timed(fn, runs: int = RUNS) -> dict:
    times = []
    for k in range(runs):
        start = time.perf_counter()
        rows = len(fn())
        times.append(time.perf_counter() - start)
        if k == 1 and min(times) > SLOW_S:
            break
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"p50_ms": round(statistics.median(times) * 1000, 1), "p95_ms": round(p95 * 1000, 1), "rows": rows}


@pytest.fixture(scope="module")
def db():
    started = time.perf_counter()
    path = P.province_db()
    RESULTS["tier"] = {"db": path.name, "build_or_cache_s": round(time.perf_counter() - started, 1)}
    con = duckdb.connect(str(path), read_only=True)
    RESULTS["tier"].update(
        forms=con.execute("select count(*) from reports").fetchone()[0],
        indicators=con.execute("select count(*) from indicators").fetchone()[0],
        file_mb=round(path.stat().st_size / 2**20, 1),
    )
    con.close()
    yield path
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "query_speed.json"
    saved = (
        json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    )  # a partial run keeps the rest
    path.write_text(json.dumps({**saved, **RESULTS}, indent=2, ensure_ascii=False), encoding="utf-8")


def cases(con) -> list[tuple[str, dict]]:
    """What the pages ask: the latest year, one unit, the top of a list; plus each query with its defaults."""
    unit = con.execute("select unit from reports order by report_id desc limit 1").fetchone()[0]
    path = con.execute("select path from sources order by source_id limit 1").fetchone()[0]
    out = []
    for name in list_queries():
        base: dict = {"indicator": "群众满意度"} if name == "indicator_history" else {}
        if name == "file_forms":
            base = {"paths": [path]}
        if name not in ("drilldown", "findings_list", "low_scoring_indicators", "score_check"):
            out.append((name, base))  # the unbounded lists are only asked for with a filter or a limit
        declared = load_query(name).param_names
        for narrow in ("year", "units"):
            if narrow in declared:
                out.append((name, {**base, narrow: 2022 if narrow == "year" else [unit]}))
                break
    out += [
        ("drilldown", {"units": [unit]}),
        ("drilldown", {"year": 2022, "max_depth": 1}),
        ("low_scoring_indicators", {"year": 2022, "limit": 200}),
        ("low_scoring_indicators", {"keyword": "热线", "year": 2022, "limit": 200}),
        ("findings_list", {"limit": 200}),
        ("score_check", {"level": "unit", "year": 2022}),
        ("department_ranking", {"year": 2022, "metric": "points_lost_share"}),
        ("department_ranking", {"metric": "points_lost_share", "dataset": "real"}),
    ]
    return out


def label(name: str, params: dict) -> str:
    return f"{name}({', '.join(f'{k}={v}' for k, v in params.items())})"


def test_every_query_on_tables_and_on_views(db):
    stored, computed = connect(db), connect(db, derived=False)
    rows = {}
    try:
        for name, params in cases(stored):
            key = label(name, params)
            cold_con = connect(db)
            start = time.perf_counter()
            run_query(name, con=cold_con, **params)
            cold = round((time.perf_counter() - start) * 1000, 1)
            cold_con.close()
            rows[key] = {
                "cold_ms": cold,
                "tables": timed(lambda n=name, p=params: run_query(n, con=stored, **p)),
                "views": timed(lambda n=name, p=params: run_query(n, con=computed, **p)),
            }
            print(f"{key:75s} {rows[key]['tables']['p50_ms']:8.1f} {rows[key]['views']['p50_ms']:8.1f} ms")
    finally:
        stored.close()
        computed.close()
    RESULTS["queries"] = rows


def test_side_by_side_with_bare_duckdb_and_pandas(db):
    con = connect(db)
    raw = duckdb.connect(str(db), read_only=True)
    reports, indicators = P.pandas_frames(db)
    unit = raw.execute("select unit from reports order by report_id desc limit 1").fetchone()[0]
    year = 2022
    plan = [
        (
            "department_ranking",
            {"year": year, "metric": "points_lost_share"},
            lambda: P.bare(raw, P.BARE_RANKING_SHARE, year=year),
            lambda: P.pd_ranking_share(reports, indicators, year),
        ),
        (
            "department_ranking",
            {"year": year},
            lambda: P.bare(raw, P.BARE_RANKING_TOTAL, year=year),
            lambda: P.pd_ranking_total(reports, year),
        ),
        (
            "low_scoring_indicators",
            {"year": year, "limit": 200},
            lambda: P.bare(raw, P.BARE_LOW_SCORING, year=year),
            lambda: P.pd_low_scoring(reports, indicators, year),
        ),
        (
            "score_distribution",
            {"year": year},
            lambda: P.bare(raw, P.BARE_DISTRIBUTION, year=year),
            lambda: P.pd_distribution(reports, indicators, year),
        ),
        (
            "drilldown",
            {"units": [unit]},
            lambda: P.bare(raw, P.BARE_DRILLDOWN, unit=unit),
            lambda: P.pd_drilldown(reports, indicators, unit),
        ),
    ]
    out = {}
    try:
        for name, params, bare, pandas in plan:
            key = label(name, params)
            out[key] = {
                "jixiao": timed(lambda n=name, p=params: run_query(n, con=con, **p)),
                "bare_duckdb": timed(bare),
                "pandas": timed(pandas),
            }
            r = out[key]
            print(
                f"{key:60s} jixiao {r['jixiao']['p50_ms']:7.1f}  bare {r['bare_duckdb']['p50_ms']:7.1f}  "
                f"pandas {r['pandas']['p50_ms']:7.1f} ms"
            )
    finally:
        con.close()
        raw.close()
    RESULTS["side_by_side"] = out


# The hot queries of issue 15 (what a page asks at every click), profiled: where a call's time goes.
HOT_CASES = [
    ("department_ranking", {"year": 2022}),
    ("department_ranking", {"year": 2022, "metric": "points_lost_share"}),
    ("low_scoring_indicators", {"year": 2022, "limit": 200}),
    ("drilldown", {"units": "UNIT"}),
    ("review_priority", {"year": 2022}),
    ("filter_options", {}),
    ("filter_options", {"year": 2022}),
]


def _profile(con, sql: str, bound: dict, path) -> list[dict]:
    """DuckDB's JSON profile of one call: its heaviest operators (name, ms summed over threads, rows out, table
    or detail)."""
    con.execute("pragma enable_profiling = 'json'")
    con.execute(f"pragma profiling_output = '{path}'")
    try:
        con.execute(sql, bound).fetchall()
    finally:
        con.execute("pragma disable_profiling")
    ops: list[dict] = []

    def walk(node):
        extra = node.get("extra_info") or {}
        detail = extra.get("Table") or extra.get("Expression") or extra.get("Projections") or ""
        if node.get("name"):
            ops.append(
                {
                    "operator": node["name"],
                    "ms": round(node.get("operator_timing", node.get("timing", 0)) * 1000, 1),
                    "rows": node.get("intermediate_rows", node.get("operator_cardinality")),
                    "detail": str(detail)[:80],
                }
            )
        for child in node.get("children", []):
            walk(child)

    tree = json.loads(path.read_text(encoding="utf-8"))
    for node in tree.get("operator") or tree.get("children") or []:
        walk(node)
    return sorted(ops, key=lambda o: -o["ms"])[:3]


def test_hot_queries_where_the_time_goes(db, tmp_path):
    """Each hot query: the whole call to a DataFrame (p50 / p95), its planning alone (EXPLAIN: parse, bind,
    optimise; no execution) and the three heaviest operators of DuckDB's profile (EXPLAIN ANALYZE's tree)."""
    con = connect(db)
    unit = con.execute("select unit from reports order by report_id desc limit 1").fetchone()[0]
    out = {}
    try:
        for name, params in HOT_CASES:
            params = {k: [unit] if v == "UNIT" else v for k, v in params.items()}
            query = load_query(name)
            bound = bind(query, params)
            key = label(name, params)
            out[key] = {
                "call": timed(lambda n=name, p=params: run_query(n, con=con, **p)),
                "plan": timed(lambda q=query, b=bound: con.execute("explain " + q.sql, b).fetchall()),
                "operators": _profile(con, query.sql, bound, tmp_path / "profile.json"),
            }
            r = out[key]
            print(f"{key:60s} call {r['call']['p50_ms']:7.1f}  plan {r['plan']['p50_ms']:7.1f} ms")
    finally:
        con.close()
    RESULTS["hot"] = out


RSS_SCRIPT = """
import sys
from dashboard.db import connect, run_query

def peak_kb():  # VmHWM: this process's peak RSS (ru_maxrss would include the parent's, kept across exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

con = connect(sys.argv[1])
opened = peak_kb()
for name, params in {cases!r}:
    run_query(name, con=con, **params)
print(opened, peak_kb())
"""


def _peak_rss(db, run_cases) -> tuple[int, int]:
    proc = subprocess.run(
        [sys.executable, "-c", RSS_SCRIPT.format(cases=run_cases), str(db)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    opened_kb, peak_kb = map(int, proc.stdout.split())
    return round(opened_kb / 1024), round(peak_kb / 1024)


# What the pages ask (dashboard/views/): a year's figures, one unit's tree, the top of a list, a rule's findings.
PAGE_CASES = [
    ("filter_options", {}),
    ("filter_options", {"year": 2022}),
    ("overview_kpis", {"year": 2022}),
    ("grade_distribution", {"year": 2022}),
    ("department_ranking", {"year": 2022}),
    ("department_ranking", {"year": 2022, "metric": "points_lost_share"}),
    ("year_over_year", {"year": 2022}),
    ("execution_rates", {"year": 2022}),
    ("score_distribution", {"year": 2022}),
    ("low_scoring_indicators", {"year": 2022, "limit": 200}),
    ("findings_summary", {"year": 2022}),
    ("findings_by_rule", {"year": 2022}),
    ("findings_list", {"year": 2022, "rule": "total_mismatch"}),
    ("score_check", {"year": 2022, "level": "unit"}),
    ("total_gap", {"year": 2022}),
    ("selection_summary", {"year": 2022}),
]


def test_reader_memory(db):
    """Peak RSS (VmHWM) of a fresh process that opens the tier as the app does and runs the page requests once;
    and of one that runs every query with a narrowing parameter, the unbounded lists of a whole year included."""
    con = connect(db)
    unit = con.execute("select unit from reports order by report_id desc limit 1").fetchone()[0]
    every = [
        (name, params)
        for name, params in cases(con)
        if params
        and name not in ("eval_forms", "eval_indicators")  # the evaluation's, not a page's
        and not (
            name == "drilldown" and "units" not in params and "max_depth" not in params
        )  # pages: one unit
    ]
    con.close()
    pages = [*PAGE_CASES, ("drilldown", {"units": [unit]}), ("drilldown", {"units": [unit], "year": 2022})]
    opened, peak_pages = _peak_rss(db, pages)
    _, peak_every = _peak_rss(db, every)
    RESULTS["reader_rss_mb"] = {"after_open": opened, "peak": peak_pages, "peak_every_query": peak_every}
    print(f"reader RSS: {opened} MB after open, {peak_pages} MB peak (pages), {peak_every} MB (every query)")
