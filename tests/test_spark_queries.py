"""Every query in queries/ gives the same rows on Spark SQL (over the Parquet export) as on DuckDB (over the
database), on the demo corpus, with the app's default parameters and with a realistic selection; the export
itself is idempotent and read back by DuckDB unchanged; a construct Spark lacks is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import db
from dashboard.spark import translate
from dashboard.spark.export import export_parquet, read_schema
from dashboard.spark.run import create_views, execute, run_query_spark
from dashboard.spark.session import register_parquet
from dashboard.spark.slice import connect_parquet
from tests.spark_support import assert_same_rows, demo_corpus, spark_session

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return demo_corpus(tmp_path_factory.getbasetemp() / "spark-demo")


@pytest.fixture(scope="module")
def parquet(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("parquet")
    export_parquet(out, corpus[1])
    return out


@pytest.fixture(scope="module")
def duck(corpus):
    con = db.connect(corpus[1])
    yield con
    con.close()


@pytest.fixture(scope="module")
def spark(parquet):
    session = spark_session()
    register_parquet(session, parquet)
    create_views(session)
    return session


def realistic(name: str, con) -> list[dict]:
    """Parameter sets for one query: the defaults, and a selection (demo data, the latest year, two units, a
    level-1 class) with every other parameter at a value that keeps rows. A required parameter this function does
    not know fails the test, so a new query gets realistic values here."""
    query = db.load_query(name)
    units = [r[0] for r in con.execute("select name from units order by unit_id limit 2").fetchall()]
    level1 = con.execute(
        "select level1 from indicators group by 1 order by count(*) desc limit 1"
    ).fetchone()[0]
    indicator = con.execute(
        "select level3 from indicators where level3 is not null group by 1 order by count(*) desc, 1 limit 1"
    ).fetchone()[0]
    paths = [r[0] for r in con.execute("select path from sources order by source_id limit 3").fetchall()]
    known = {"indicator": indicator, "paths": paths, "keyword": "满意度", "rule": None}
    required = {p.name: known[p.name] for p in query.params if p.required}
    selection = {"dataset": "demo", "year": 2023, "units": units, "kind": None, "level1": level1}
    chosen = {k: v for k, v in selection.items() if k in query.param_names}
    return [
        required,
        {**required, **chosen},
        {**required, **{k: v for k, v in chosen.items() if k != "units"}},
    ]


@pytest.mark.parametrize("name", db.list_queries())
def test_query_gives_the_same_rows_on_spark_as_on_duckdb(name, duck, spark):
    for params in realistic(name, duck):
        expected = db.run_query_with(name, params, con=duck)
        got = run_query_spark(spark, name, params)
        assert_same_rows(got, expected, f"{name} {params}")


def test_the_parity_covers_rows(duck):
    """The comparison is not vacuous: the selections above give rows for most queries."""
    empty = [
        n
        for n in db.list_queries()
        if all(db.run_query_with(n, p, con=duck).empty for p in realistic(n, duck))
    ]
    assert len(empty) <= 2, empty


def test_export_is_idempotent_and_reads_back_the_same_tables(corpus, tmp_path):
    out = tmp_path / "pq"
    first = export_parquet(out, corpus[1])
    files = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    second = export_parquet(out, corpus[1])
    assert second.rows == first.rows
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == files
    assert sorted(p.name for p in (out / "reports").iterdir()) == ["year=2022", "year=2023"]
    assert read_schema(out)["tables"]["indicators"]["partitioned_by"] == ["year"]
    duck = db.connect(corpus[1])
    back = connect_parquet(out)
    try:
        for table in first.rows:
            if table == "meta":
                continue
            order = "1, 2, 3" if table not in ("units", "rules") else "1"
            a = duck.execute(f"select * from store.main.{table} order by {order}").df()
            b = back.execute(f"select * from store.main.{table} order by {order}").df()
            assert len(a) == first.rows[table] and (len(a) > 0 or table == "review_marks"), (
                table
            )  # no 复核 marks in a demo
            assert_same_rows(b, a, table)
        sliced = connect_parquet(out, years=[2023])
        assert sliced.execute("select distinct year from reports").fetchall() == [(2023,)]
        n_2023 = duck.execute(
            "select count(*) from store.main.indicators join store.main.reports using (report_id) where year = 2023"
        ).fetchone()
        assert sliced.execute("select count(*) from indicators").fetchone() == n_2023
        sliced.close()
    finally:
        duck.close()
        back.close()


def test_a_duckdb_only_table_function_is_named():
    with pytest.raises(translate.TranslationError, match="read_csv_auto"):
        translate.translate_query("x", "select * from read_csv_auto('a.csv')")


@pytest.mark.parametrize("function", ["bar", "jaro_winkler_similarity"])
def test_a_function_spark_lacks_is_named(spark, function):
    text = translate.translate_query("x", f"select {function}(3, 0, 100) from form_facts")
    with pytest.raises(db.QueryError, match=f"Spark 没有函数 {function.replace('_', '_?')}"):
        execute(spark, "x", text, {})


# One row per case, over a tiny table t(g, k, v) with NULL keys, NULL values and ties: the DuckDB constructs the
# translator rewrites (sqlglot alone gives PERCENTILE_APPROX, an unordered COLLECT_LIST, LIST_EXTRACT) mean the
# same on Spark, edge values included. Integer keys: over a DECIMAL, DuckDB's percentile is a rounded DECIMAL.
_ROWS = (
    "(values (1, 3, 'a'), (1, 1, 'b'), (1, null, 'c'), (1, 2, null), (1, 1, 'd'), (2, 5, 'e')) as t (g, k, v)"
)
_SAME_ON_BOTH = {
    "percentiles": "select g, percentile_cont(0.1) within group (order by k) as p10,"
    " percentile_cont(0.25) within group (order by k desc) as p25_desc,"
    " percentile_cont(0.5) within group (order by k) as median,"
    " percentile_disc(0.75) within group (order by k) as p75_disc from " + _ROWS + " group by g",
    "ordered_lists": "select g, list(v order by k desc, v) as by_k_desc, list(v order by k, v desc) as by_k,"
    " list(v order by k nulls first, v) filter (where v is not null) as nulls_first,"
    " list(v order by k) filter (where k > 100) as none_kept from " + _ROWS + " group by g",
    "list_lookup": "select i, list_extract([1.5, 2.5, 3.5], i) as extracted,"
    " list_element(['x', 'y'], i) as element, list_position(['a', 'b', 'c'], v) as position"
    " from (values (0, 'a'), (1, 'c'), (3, 'z'), (4, 'b'), (-1, null), (null, 'b')) as t (i, v)",
}


@pytest.mark.parametrize("case", sorted(_SAME_ON_BOTH))
def test_rewritten_constructs_mean_the_same_on_spark(case):
    import duckdb

    sql = _SAME_ON_BOTH[case]
    expected = duckdb.sql(sql).df()
    got = execute(spark_session(), case, translate.translate_query(case, sql), {})
    assert not expected.empty
    assert_same_rows(got, expected, case)


def test_a_computed_list_index_is_named_not_shifted():
    with pytest.raises(translate.TranslationError, match=r"非常量下标 .*list_extract"):
        translate.translate_query("x", "select l[i] from (select [1, 2] as l, 1 as i)")
    assert "[0]" in translate.translate_query("x", "select l[1] from (select [1, 2] as l)")


def test_parameters_are_bound_not_pasted():
    text = translate.translate_query("grades", db.load_query("grades").sql, {"year": "INTEGER"})
    assert "CAST(:year AS INT)" in text and "$" not in text
