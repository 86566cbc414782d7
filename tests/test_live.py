"""dashboard/live.py: the app reads one read-only connection while imports build a copy and swap it in."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import duckdb
import pytest
from conftest import SAMPLE
from formtext import project_form

from dashboard import live
from dashboard.ingest.parse import parse_bytes
from dashboard.live import LiveDatabase, Upload, build_database, commit_uploads, upload_destination


@pytest.fixture
def db_copy(sample_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "live.duckdb"
    shutil.copyfile(sample_db, target)
    return target


def upload(tmp_path: Path, name: str, text: str) -> Upload:
    data = text.encode("utf-8")
    dest = upload_destination(name, tmp_path / "uploads")
    return Upload(name, data, parse_bytes(dest, data), dest)


def n_reports(db: LiveDatabase) -> int:
    return len(db.query("grades"))


def test_reads_through_a_read_only_connection(db_copy):
    db = LiveDatabase(db_copy)
    assert n_reports(db) == 4
    # the file is open read-only: another reader may open it too, no writer can
    other = duckdb.connect(str(db_copy), read_only=True)
    other.close()
    db.close()


def test_missing_database(tmp_path):
    db = LiveDatabase(tmp_path / "none.duckdb")
    assert not db.exists and db.generation() == "missing"
    with pytest.raises(live.QueryError, match="数据库文件不存在"):
        db.query("grades")


def test_commit_swaps_in_a_new_file_and_readers_see_it(db_copy, tmp_path):
    db = LiveDatabase(db_copy)
    before = db.generation()
    assert n_reports(db) == 4
    new = upload(tmp_path, "edu_2023.txt", project_form("武威市教育局", 2023, "校园安全经费", "武威市教育局"))
    assert new.doc.error is None and len(new.doc.reports) == 1
    steps = []
    result = commit_uploads([new], db, on_step=lambda message, fraction: steps.append((message, fraction)))
    assert (result.files, result.reports, result.failed) == (1, 1, [])
    assert db.generation() != before
    assert n_reports(db) == 5
    assert new.dest.read_bytes() == new.data  # kept for rebuilds
    assert steps[-1] == ("完成", 1.0)
    assert not list(db_copy.parent.glob(".live.import-*"))  # no temporary files left behind
    # the same file again adds nothing
    again = commit_uploads([upload(tmp_path, "edu_2023.txt", new.data.decode())], db)
    assert again.unchanged == 1 and n_reports(db) == 5


def test_a_failed_commit_leaves_the_database_and_uploads_as_they_were(db_copy, tmp_path, monkeypatch):
    db = LiveDatabase(db_copy)
    generation = db.generation()
    new = upload(tmp_path, "edu_2023.txt", project_form("武威市教育局", 2023))

    def broken(self, docs):
        raise duckdb.IOException("disk full")

    monkeypatch.setattr("dashboard.store.Store.load", broken)
    with pytest.raises(duckdb.IOException):
        commit_uploads([new], db)
    assert db.generation() == generation and n_reports(db) == 4
    assert not new.dest.exists()
    assert not list(db_copy.parent.glob(".live.import-*"))


def test_unparseable_uploads_are_not_committed(db_copy, tmp_path):
    db = LiveDatabase(db_copy)
    bad = upload(tmp_path, "notes.txt", "这不是自评表\n只是一些文字\n")
    assert bad.doc.error
    result = commit_uploads([bad], db)
    assert result.files == 0 and result.failed and n_reports(db) == 4
    assert not bad.dest.exists()


def test_queries_keep_working_while_an_import_swaps_the_file(db_copy, tmp_path):
    db = LiveDatabase(db_copy)
    errors: list[BaseException] = []
    counts: list[int] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                counts.append(n_reports(db))
            except BaseException as e:  # noqa: BLE001 - collected for the assertion
                errors.append(e)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for year in (2023, 2024):
            commit_uploads([upload(tmp_path, f"edu_{year}.txt", project_form("武威市教育局", year))], db)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors
    assert set(counts) <= {4, 5, 6} and counts[-1] == 6


def test_another_process_replacing_the_file_is_noticed(db_copy, tmp_path):
    db = LiveDatabase(db_copy)
    assert n_reports(db) == 4
    other = tmp_path / "other.duckdb"
    build_database(other, [SAMPLE.parent], rebuild=True)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "edu.txt").write_text(project_form("武威市教育局", 2023), encoding="utf-8")
    build_database(other, [SAMPLE.parent, raw])
    shutil.copyfile(other, tmp_path / "staged.duckdb")
    (tmp_path / "staged.duckdb").replace(db_copy)  # what `jixiao app` or a script might do
    assert n_reports(db) == 5


def test_build_database_builds_once_then_loads_only_new_files(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copyfile(SAMPLE, raw / SAMPLE.name)
    db = tmp_path / "app.duckdb"
    action, summary = build_database(db, [raw])
    assert action == "built" and summary.reports == 4
    assert build_database(db, [raw]) == ("unchanged", None)
    (raw / "edu.txt").write_text(project_form("武威市教育局", 2023), encoding="utf-8")
    action, summary = build_database(db, [raw])
    assert action == "updated" and summary.reports == 1 and len(summary.results) == 1
    action, summary = build_database(db, [raw], rebuild=True)
    assert action == "built" and summary.reports == 5
    assert not list(tmp_path.glob(".app.build-*"))


def test_an_outdated_database_is_rebuilt(tmp_path):
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create table reports (report_id integer)")
    con.close()
    assert not live.is_current(db)
    action, _ = build_database(db, [SAMPLE.parent])
    assert action == "built" and live.is_current(db)


def test_upload_destination_keeps_only_the_file_name(tmp_path):
    assert upload_destination("../../etc/passwd", tmp_path) == tmp_path / "passwd"
    assert upload_destination("示例数据_2022.txt", tmp_path).name == "示例数据_2022.txt"
