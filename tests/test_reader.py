"""dashboard/reader.py: the app reads one read-only connection per file and follows the swaps writers make."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import SAMPLE
from formtext import project_form

from dashboard import load
from dashboard.db import QueryError
from dashboard.reader import SharedReader


@pytest.fixture
def db_copy(sample_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "live.duckdb"
    shutil.copyfile(sample_db, target)
    return target


def n_reports(db: SharedReader) -> int:
    return len(db.query("grades"))


def test_reads_through_a_read_only_connection(db_copy):
    db = SharedReader(db_copy)
    assert n_reports(db) == 4
    # the file is attached read-only: another reader may open it too
    other = duckdb.connect(str(db_copy), read_only=True)
    other.close()
    db.close()


def test_views_live_in_the_reader_not_in_the_file(db_copy):
    con = duckdb.connect(str(db_copy), read_only=True)
    names = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    con.close()
    assert "reports" in names and "form_facts" not in names and "indicator_facts" not in names


def test_missing_database(tmp_path):
    db = SharedReader(tmp_path / "none.duckdb")
    assert not db.exists and db.generation() == "missing"
    with pytest.raises(QueryError, match="数据库文件不存在"):
        db.query("grades")


def test_another_process_replacing_the_file_is_noticed(db_copy, tmp_path):
    db = SharedReader(db_copy)
    assert n_reports(db) == 4
    other = tmp_path / "other.duckdb"
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "edu.txt").write_text(project_form("武威市教育局", 2023), encoding="utf-8")
    load.ingest([SAMPLE, raw], other, workers=1)
    shutil.copyfile(other, tmp_path / "staged.duckdb")
    (tmp_path / "staged.duckdb").replace(db_copy)  # what a script might do
    assert n_reports(db) == 5


def test_unknown_parameters_fail_loudly(db_copy):
    with pytest.raises(QueryError, match=r"grades.*colour"):
        SharedReader(db_copy).query("grades", {"colour": "red"})


def test_the_views_threshold_is_the_labels_one(sample_con):
    from dashboard.db import cursor
    from dashboard.labels import POINTS_EPSILON

    cur = cursor(sample_con)
    assert float(cur.execute("select points_epsilon()").fetchone()[0]) == POINTS_EPSILON
    cur.close()
