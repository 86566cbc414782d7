"""The derived tables (dashboard/load/derived.py): the writer stores form_facts, indicator_facts and form_points
as tables, readers read them in place of the views. They must hold exactly the rows the views compute, on the
sample, the hand-made query corpus and a demo corpus, after a first build and after later writes that add,
replace and supersede forms; a file whose tables were computed with other definitions is read through the
views (same rows) until the next write refreshes them."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard import schema
from dashboard.db import connect, list_queries, load_query, run_query
from dashboard.demo.corpus import write_corpus
from dashboard.demo.generate import make_plan
from dashboard.load import ingest, update
from dashboard.load.store import Store
from tests.conftest import SAMPLE
from tests.query_corpus import EDU, corpus_files, project_form

VIEWS = [d.view for d in schema.DERIVED] + [m.macro for m in schema.DERIVED_MACROS]


def assert_tables_match_views(db: Path) -> None:
    """Every derived table has its view's columns, in order, and the same rows (as a multiset)."""
    con = connect(db, derived=False)
    try:
        for d in schema.DERIVED:
            view_cols = [c[0] for c in con.execute(f"select * from {d.view} limit 0").description]
            table_cols = [
                c[0] for c in con.execute(f"select * from store.main.{d.table} limit 0").description
            ]
            assert table_cols == view_cols, d.view
            n_view = con.execute(f"select count(*) from {d.view}").fetchone()[0]
            n_table = con.execute(f"select count(*) from store.main.{d.table}").fetchone()[0]
            assert n_table == n_view, d.view
            for a, b in ((d.view, f"store.main.{d.table}"), (f"store.main.{d.table}", d.view)):
                extra = con.execute(f"select count(*) from (select * from {a} except all select * from {b})")
                assert extra.fetchone()[0] == 0, f"{d.view}: rows of {a} missing from {b}"
        rows = con.execute("select distinct year from reports where year is not null").fetchall()
        years = [None, *(r[0] for r in rows)]
        first_unit = con.execute("select min(unit) from form_facts").fetchone()[0]
        scopes = [None, [first_unit]]  # the access scope is applied to the stored rows at read time
    finally:
        con.close()
    stored, computed = connect(db), connect(db, derived=False)
    try:
        for m in schema.DERIVED_MACROS:
            for combo in itertools.product(*(values for _, values in m.grid)):
                for year, scope in itertools.product(years, scopes):
                    args = {**dict(zip((n for n, _ in m.grid), combo)), "p_year": year, "p_scope": scope}
                    call = f"select * from {m.macro}({', '.join('$' + p for p in m.params)})"
                    a, b = stored.execute(call, args).df(), computed.execute(call, args).df()
                    assert list(a.columns) == list(b.columns)
                    keys = list(a.columns[:3])
                    pd.testing.assert_frame_equal(
                        a.sort_values(keys).reset_index(drop=True),
                        b.sort_values(keys).reset_index(drop=True),
                        obj=f"{m.macro}{args}",
                    )
    finally:
        stored.close()
        computed.close()


def reads_derived(con) -> dict[str, bool]:
    sql = dict(
        con.execute("select view_name, sql from duckdb_views() where database_name = 'memory'").fetchall()
    )
    for m in schema.DERIVED_MACROS:
        row = con.execute(
            "select macro_definition from duckdb_functions() where database_name = 'memory' and function_name = ?",
            [m.macro],
        ).fetchone()
        sql[m.macro] = row[0]
    return {v: f"derived_{v}" in sql[v] for v in VIEWS}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("derived_demo")
    write_corpus(out / "files", make_plan(6, (2021, 2022), 5), ["txt"], workers=1)
    db = out / "demo.duckdb"
    assert not ingest([SAMPLE, out / "files"], db, workers=1).failed
    return db


def test_sample_tables_hold_the_views_rows(sample_db):
    assert_tables_match_views(sample_db)
    con = connect(sample_db)
    try:
        assert reads_derived(con) == dict.fromkeys(VIEWS, True)
        # The sample's four forms and 79 indicators (the department form's figures: 93 of 95).
        assert con.execute("select count(*) from form_facts").fetchone()[0] == 4
        assert con.execute("select count(*) from indicator_facts").fetchone()[0] == 79
        dept = con.execute(
            "select computed_total, weight_total from form_facts where kind = 'department'"
        ).fetchone()
        assert dept == (93, 95)
    finally:
        con.close()


def test_query_corpus_and_demo_tables_hold_the_views_rows(query_corpus_db, demo_db):
    assert_tables_match_views(query_corpus_db)
    assert_tables_match_views(demo_db)


def _default_params(name: str, con) -> dict | None:
    q = load_query(name)
    params: dict = {}
    for p in q.params:
        if p.required and p.name == "indicator":
            params["indicator"] = con.execute("select level3 from indicators limit 1").fetchone()[0]
        elif p.required and p.name == "paths":
            params["paths"] = [con.execute("select path from sources limit 1").fetchone()[0]]
        elif p.required:
            return None
    return params


def test_every_query_reads_the_same_from_tables_and_views(demo_db):
    """Each query with its defaults gives the same frame on the stored tables as on the computed views."""
    stored, computed = connect(demo_db), connect(demo_db, derived=False)
    try:
        assert reads_derived(stored) == dict.fromkeys(VIEWS, True)
        assert reads_derived(computed) == dict.fromkeys(VIEWS, False)
        checked = 0
        for name in list_queries():
            params = _default_params(name, stored)
            if params is None:
                continue
            a = run_query(name, con=stored, **params)
            b = run_query(name, con=computed, **params)
            assert len(a) > 0 or name in ("eval_forms", "eval_indicators", "score_check", "total_gap"), name
            pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12, obj=name)
            checked += 1
        assert checked >= 20
    finally:
        stored.close()
        computed.close()


def test_later_writes_keep_the_tables_current(tmp_path):
    """A second and a third write add a unit, replace a file in place and supersede a form from another file:
    the tables follow (rows of deleted reports gone, rows of new ones added), with no full rebuild needed."""
    raw = tmp_path / "raw"
    raw.mkdir()
    files = corpus_files()
    for name in ("edu_2021.txt", "edu_2022.txt", "health_2022.txt"):
        (raw / name).write_text(files[name], encoding="utf-8")
    db = tmp_path / "t.duckdb"
    ingest([raw], db, workers=1)
    assert_tables_match_views(db)

    (raw / "transport_2022_dept.txt").write_text(files["transport_2022_dept.txt"], encoding="utf-8")
    (raw / "edu_2022.txt").write_text(  # the same file, new content: replaces its form
        project_form(EDU, 2022, "校园安全经费", EDU, hotline_score=25, total=99), encoding="utf-8"
    )
    ingest([raw], db, workers=1)
    assert_tables_match_views(db)
    other = tmp_path / "other"
    other.mkdir()
    (other / "edu_2021_again.txt").write_text(  # same form identity from another file: supersedes
        project_form(EDU, 2021, "校园安全经费", EDU, hotline_score=10, total=84), encoding="utf-8"
    )
    ingest([other], db, workers=1)
    assert_tables_match_views(db)
    con = connect(db)
    try:
        rows = con.execute(
            "select year, computed_total from form_facts where unit = ? order by year", [EDU]
        ).fetchall()
        # edu 2021 superseded by the h=10 copy (84), edu 2022 replaced by h=25 (99): one form a year.
        assert rows == [(2021, 84.0), (2022, 99.0)]
        n = con.execute(
            "select count(*) from indicator_facts where unit = ? and year = 2021", [EDU]
        ).fetchone()[0]
        assert n == 4  # the one form's four indicators, not the superseded copy's as well
    finally:
        con.close()


def test_stale_tables_are_read_through_the_views_until_the_next_write(sample_db, tmp_path):
    db = tmp_path / "stale.duckdb"
    shutil.copyfile(sample_db, db)
    con = duckdb.connect(str(db))
    con.execute("update meta set value = 'older-definitions' where key = ?", [schema.DERIVED_KEY])
    con.execute("delete from derived_indicator_facts where seq > 3")  # what older definitions would differ in
    con.close()
    reader = connect(db)
    try:
        assert reads_derived(reader) == dict.fromkeys(VIEWS, False)
        assert reader.execute("select count(*) from indicator_facts").fetchone()[0] == 79
    finally:
        reader.close()
    # The app's start-up update: nothing new to load, but the tables are refreshed (rebuilt).
    result = update(db, [SAMPLE])
    assert result.action == "updated"
    assert_tables_match_views(db)
    reader = connect(db)
    try:
        assert reads_derived(reader) == dict.fromkeys(VIEWS, True)
    finally:
        reader.close()
    assert update(db, [SAMPLE]).action == "unchanged"


def test_report_ids_are_not_reused_after_a_write_killed_before_its_refresh(sample_db, tmp_path):
    """A killed writer may have deleted the highest report without refreshing the tables; the next writer must
    not give that id to a new report, or the tables would keep the old report's rows under it."""
    db = tmp_path / "killed.duckdb"
    shutil.copyfile(sample_db, db)
    con = duckdb.connect(str(db))
    top = con.execute("select max(report_id) from reports").fetchone()[0]
    con.execute("delete from reports where report_id = ?", [top])
    con.close()
    with Store(db) as store:
        assert store.next_id["report"] == top + 1
        store.refresh_derived()
    assert_tables_match_views(db)
