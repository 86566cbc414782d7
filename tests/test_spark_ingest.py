"""`jixiao ingest --engine spark` (the parser inside Spark tasks) gives the same tables as the DuckDB ingest of
the same files, and a file that fails inside a Spark task is a `sources` row with its error, as with DuckDB."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard import db
from dashboard.load import ingest
from dashboard.spark import contract
from dashboard.spark.export import export_parquet
from dashboard.spark.ingest import ingest_spark
from dashboard.spark.slice import connect_parquet
from tests.spark_support import assert_same_rows, demo_corpus, spark_session

pytestmark = pytest.mark.spark


def table_rows(con, table: str):
    """A table as the tests compare it: every column but the load time."""
    cols = ", ".join(c for c in contract.columns(table) if c != "ingested_at")
    return con.execute(f"select {cols} from store.main.{table}").df()


def keyed_rows(con, table: str):
    """A table with its ids replaced by what they point at (file path, the form's line, the indicator's seq), for
    loads whose ids may be numbered differently (failed files are numbered last by the DuckDB writer)."""
    if table == "sources":
        return con.execute(
            "select path, sha256, format, template, status, error, is_synthetic, n_reports, notes from sources"
        ).df()
    if table in ("units", "rules"):
        return table_rows(con, table)
    if table == "reports":
        return con.execute(
            "select s.path, r.* exclude (report_id, source_id) from reports r join sources s using (source_id)"
        ).df()
    drop = {"report_id", "indicator_id", "finding_id"}
    cols = ", ".join(f"t.{c}" for c in contract.columns(table) if c not in drop)
    extra = ""
    if table == "findings":
        cols += ", i.seq as indicator_seq"
        extra = " left join indicators i on i.indicator_id = t.indicator_id"
    return con.execute(
        f"select s.path, r.source_line as form_line, {cols} from {table} t"
        f" join reports r on r.report_id = t.report_id join sources s on s.source_id = r.source_id{extra}"
    ).df()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return demo_corpus(tmp_path_factory.getbasetemp() / "spark-demo")


def test_spark_ingest_gives_the_same_tables_as_duckdb_ingest(corpus, tmp_path):
    folder, database = corpus
    spark_session()
    result = ingest_spark([folder], tmp_path / "spark", master="local[2]")
    export_parquet(tmp_path / "duck", database)
    assert result.failed == [] and result.ok == result.files == 16
    ours, theirs = connect_parquet(tmp_path / "spark"), connect_parquet(tmp_path / "duck")
    try:
        for table in contract.tables():
            if table == "meta":
                continue
            expected = table_rows(theirs, table)
            assert len(expected) > 0 or table == "review_marks", table  # no 复核 marks after an ingest
            assert_same_rows(table_rows(ours, table), expected, table)
        # The cross-form rules ran in Spark: the demo corpus plants copied notes and budget mismatches.
        cross = ours.execute(
            "select rule, count(*) from findings where rule in ('copied_note', 'project_budget_mismatch') group by 1"
        ).fetchall()
        assert (
            cross
            == theirs.execute(
                "select rule, count(*) from findings where rule in ('copied_note', 'project_budget_mismatch') group by 1"
            ).fetchall()
        )
        assert cross
        # And the dashboard's queries read the Spark output through DuckDB as they read the database.
        assert_same_rows(
            db.run_query("department_ranking", con=ours, year=2023),
            db.run_query("department_ranking", db_path=database, year=2023),
            "department_ranking",
        )
    finally:
        ours.close()
        theirs.close()


def test_a_file_that_fails_in_a_spark_task_is_recorded(corpus, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    good = sorted(corpus[0].rglob("*.txt"))[0]
    shutil.copy(good, folder / "a_good.txt")
    shutil.copy(good, folder / "b_same_content.txt")  # the same content twice: stored once, as with DuckDB
    (folder / "c_broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (folder / "d_not_a_form.txt").write_text("会议纪要\n今天讨论了食堂的菜单。\n", encoding="utf-8")
    spark_session()
    result = ingest_spark([folder], tmp_path / "spark", master="local[2]")
    assert sorted(Path(p).name for p, _ in result.failed) == ["c_broken.xlsx", "d_not_a_form.txt"]
    assert all(Path(p).name in error for p, error in result.failed)
    assert result.unchanged == 1
    database = tmp_path / "duck.duckdb"
    ingest([folder], database, workers=1)
    export_parquet(tmp_path / "duck", database)
    ours, theirs = connect_parquet(tmp_path / "spark"), connect_parquet(tmp_path / "duck")
    try:
        failed = ours.execute(
            "select path, n_reports from sources where status = 'failed' order by path"
        ).fetchall()
        assert [(Path(p).name, n) for p, n in failed] == [("c_broken.xlsx", 0), ("d_not_a_form.txt", 0)]
        assert ours.execute(
            "select count(*) from reports r join sources s using (source_id) where s.status = 'failed'"
        ).fetchone() == (0,)
        for table in contract.tables():
            if table != "meta":
                assert_same_rows(keyed_rows(ours, table), keyed_rows(theirs, table), table)
    finally:
        ours.close()
        theirs.close()
