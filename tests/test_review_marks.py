"""复核 statuses (dashboard/load/marks.py): stored through the write path (lock, copy, swap) with who and when,
all or nothing, kept across a rebuild through the log beside the database; and set from the 复核清单 page."""

from __future__ import annotations

import shutil

import pytest
from app_support import app_db, app_env  # noqa: F401 (fixtures)
from review_corpus import write_corpus

from dashboard.db import connect, run_query
from dashboard.load import DatabaseBusy, Mark, files, ingest, mark
from dashboard.load.marks import log_of, logged
from dashboard.paths import generation


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "review.duckdb"
    assert not ingest([write_corpus(tmp_path / "raw")], path, workers=1).failed
    return path


def priority(path) -> dict:
    con = connect(path)
    try:
        df = run_query("review_priority", con=con)
    finally:
        con.close()
    return {(r.unit, r.year): r for r in df.itertuples()}


def test_a_status_is_stored_with_who_and_when_and_the_latest_counts(db):
    row = priority(db)[("甲局", 2022)]
    assert row.review_status == "待复核" and row.reviewed_by is None
    assert row.form_key == "real|甲局|2022|project|甲项目"
    before = generation(db)
    assert mark(db, [Mark(row.form_key, row.report_id, "有问题", "张三", "执行数超预算")]) == 1
    assert generation(db) != before  # a new file swapped in
    now = priority(db)[("甲局", 2022)]
    assert (now.review_status, now.reviewed_by, now.review_comment) == ("有问题", "张三", "执行数超预算")
    assert now.reviewed_at is not None
    mark(db, [Mark(row.form_key, row.report_id, "已复核", "李四")])
    assert (priority(db)[("甲局", 2022)].review_status, priority(db)[("甲局", 2022)].reviewed_by) == (
        "已复核",
        "李四",
    )
    assert priority(db)[("乙局", 2022)].review_status == "待复核"  # others untouched
    con = connect(db)
    try:
        df = run_query("review_priority", con=con, status="已复核")
    finally:
        con.close()
    assert list(df["unit"]) == ["甲局"]
    assert [r["status"] for r in logged(db)] == ["有问题", "已复核"]


def test_a_bad_mark_writes_nothing(db):
    before = generation(db)
    with pytest.raises(ValueError, match="复核状态只能是"):
        mark(db, [Mark("real|甲局|2022|project|甲项目", 1, "通过", "张三")])
    with pytest.raises(ValueError, match="请填写复核人"):
        mark(db, [Mark("real|甲局|2022|project|甲项目", 1, "已复核", " ")])
    assert generation(db) == before and not log_of(db).exists()


def test_a_busy_database_is_said_so_and_nothing_is_written(db):
    before = generation(db)
    with files.write_lock(db, "jixiao ingest"), pytest.raises(DatabaseBusy, match="jixiao ingest"):
        mark(db, [Mark("real|甲局|2022|project|甲项目", 1, "已复核", "张三")], wait=0.2)
    assert generation(db) == before and not log_of(db).exists()
    assert not list(db.parent.glob(f".{db.name}.stage-*"))  # no copy left behind


def test_statuses_survive_a_rebuild(db, tmp_path):
    row = priority(db)[("丁局", 2021)]
    mark(db, [Mark(row.form_key, row.report_id, "已复核", "王五")])
    assert ingest([tmp_path / "raw"], db, rebuild=True, workers=1).action == "built"
    again = priority(db)[("丁局", 2021)]
    assert (again.review_status, again.reviewed_by) == ("已复核", "王五")


def test_the_page_sets_a_status(app_db, monkeypatch, tmp_path):  # noqa: F811
    from app_support import open_page, tables

    copy = tmp_path / "app.duckdb"
    shutil.copyfile(app_db, copy)
    monkeypatch.setenv("JIXIAO_DB", str(copy))
    at = open_page("review", year="2022", dataset="真实数据")
    first = tables(at)[1].iloc[0]
    assert first["review_status"] == "待复核"
    at.radio(key="review_mark_status").set_value("已复核")
    at.text_input(key="review_mark_who").input("赵六")
    at.button[0].click()  # the form's 保存复核状态
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    rows = tables(at)[1]
    marked = rows[(rows["unit"] == first["unit"]) & (rows["form"] == first["form"])]
    assert list(marked["review_status"]) == ["已复核"]
    assert logged(copy)[0]["reviewer"] == "赵六"
