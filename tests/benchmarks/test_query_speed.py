"""Query speed on ~3M indicator rows: the ingested sample replicated by SQL (38,000 copies of its four forms over
7,600 units × 5 years, one copy in seven marked demo, a tenth of the scores lowered). Run with `make bench`; the
timings are printed and written to test-artifacts/benchmarks/query_speed.json, never asserted as timings.

The figures of the replicated forms are not meaningful (totals no longer add up); only the row counts are."""

from __future__ import annotations

import json
import time

import duckdb
import pytest

from dashboard.db import connect, list_queries, load_query, run_query
from dashboard.load import ingest
from dashboard.schema import tables_sql
from tests.conftest import ROOT, SAMPLE

pytestmark = pytest.mark.benchmark
OUT = ROOT / "test-artifacts" / "benchmarks"
COPIES = 38_000  # × 79 indicators ≈ 3.0M rows
RESULTS: dict[str, float] = {}


def _replicate(sample_db: str, target: str, copies: int) -> None:
    con = duckdb.connect(target)
    con.execute(tables_sql())
    con.execute(f"attach '{sample_db}' as s (read_only)")
    con.execute(f"create temp table copies as select range as c from range({copies})")
    con.execute("""insert into sources by name select * exclude (c) replace (
        source_id + c as source_id, c % 7 = 0 as is_synthetic) from s.sources cross join copies""")
    con.execute("""insert into reports by name select * exclude (c) replace (
        report_id + c * 4 as report_id, source_id + c as source_id, 2018 + c % 5 as year,
        '单位' || cast(c // 5 as varchar) as unit, c // 5 + 1 as unit_id, c % 7 = 0 as is_synthetic,
        computed_total - c % 13 as computed_total, stated_total - c % 11 as stated_total)
        from s.reports cross join copies""")
    con.execute("""insert into indicators by name select * exclude (c) replace (
        indicator_id + c * 100 as indicator_id, report_id + c * 4 as report_id,
        case when hash(indicator_id, c) % 10 = 0 then round(weight * (hash(c, indicator_id) % 100) / 100.0)
             else score end as score)
        from s.indicators cross join copies""")
    con.execute("""insert into budget_lines by name select * exclude (c) replace (report_id + c * 4 as report_id)
        from s.budget_lines cross join copies""")
    con.execute("""insert into findings by name select * exclude (c) replace (finding_id + c * 100 as finding_id,
        report_id + c * 4 as report_id, indicator_id + c * 100 as indicator_id) from s.findings cross join copies""")
    con.execute("insert into rules select * from s.rules")
    con.execute("insert into meta select * from s.meta")
    con.execute("checkpoint")
    con.close()


@pytest.fixture(scope="module")
def big_con(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("query_bench")
    sample_db = tmp / "sample.duckdb"
    ingest([SAMPLE], sample_db, workers=1)
    target = tmp / "big.duckdb"
    _replicate(str(sample_db), str(target), COPIES)
    con = connect(target)
    yield con
    con.close()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "query_speed.json").write_text(json.dumps(RESULTS, indent=2, ensure_ascii=False), encoding="utf-8")


def _cases(con: duckdb.DuckDBPyConnection) -> list[tuple[str, dict]]:
    """What a dashboard page asks: one year, one unit, the top of a list; plus each query with its defaults."""
    unit = con.execute("select unit from reports order by report_id desc limit 1").fetchone()[0]
    path = con.execute("select path from sources order by source_id limit 1").fetchone()[0]
    cases = []
    for name in list_queries():
        base: dict = {"indicator": "群众满意度"} if name == "indicator_history" else {}
        if name == "file_forms":
            base = {"paths": [path]}
        if name not in ("drilldown", "findings_list", "low_scoring_indicators", "score_check"):
            cases.append((name, base))  # the unbounded lists are only asked for with a filter or a limit
        declared = load_query(name).param_names
        for narrow in ("year", "units"):
            if narrow in declared:
                cases.append((name, {**base, narrow: 2022 if narrow == "year" else [unit]}))
                break
    cases += [
        ("drilldown", {"units": [unit]}),
        ("drilldown", {"year": 2022, "max_depth": 1}),
        ("low_scoring_indicators", {"limit": 200}),
        ("low_scoring_indicators", {"keyword": "热线", "year": 2022, "limit": 200}),
        ("findings_list", {"limit": 200}),
        ("score_check", {"level": "unit", "year": 2022}),
        ("department_ranking", {"metric": "points_lost_share", "dataset": "real"}),
    ]
    return cases


def test_query_speed(big_con):
    n = big_con.execute("select count(*) from indicators").fetchone()[0]
    assert n >= 2_900_000
    print(f"\n{n:,} indicator rows")
    for name, params in _cases(big_con):
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            df = run_query(name, con=big_con, **params)
            best = min(best, time.perf_counter() - start)
        key = f"{name}({', '.join(f'{k}={v}' for k, v in params.items())})"
        RESULTS[key] = round(best * 1000, 1)
        print(f"{key:70s} {len(df):>9,} rows {best * 1000:8.0f} ms")
