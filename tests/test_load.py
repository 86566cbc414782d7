"""dashboard/load/: the one write path. Every write takes the writers' lock, loads into a staged copy and swaps
it in; the three data-loss bugs of the earlier writers are tests here (each failed on that code):

1. kill -9 during `jixiao ingest`, then `jixiao app` starts: the database opens with every committed batch;
2. `jixiao app` starts while `jixiao ingest` runs: the app says it reads the data as it is, the ingest's rows
   survive;
3. the same form twice in one batch is stored once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, SAMPLE
from formtext import project_form

from dashboard import load
from dashboard.db import QueryError, run_query
from dashboard.ingest.parse import parse_bytes
from dashboard.load import Upload, upload_destination
from dashboard.load.files import lock_holder, wal_of
from dashboard.reader import SharedReader

UNITS = [f"武威市第{n}测试局" for n in "一二三四五六七八九十"]


@pytest.fixture
def db_copy(sample_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "live.duckdb"
    shutil.copyfile(sample_db, target)
    return target


def upload(tmp_path: Path, name: str, text: str) -> Upload:
    data = text.encode("utf-8")
    dest = upload_destination(name, tmp_path / "uploads")
    return Upload(name, data, parse_bytes(dest, data), dest)


def n_reports(db: SharedReader | Path) -> int:
    if isinstance(db, SharedReader):
        return len(db.query("grades"))
    return len(run_query("grades", db_path=db))


def forms_folder(tmp_path: Path, n: int) -> Path:
    """n project forms of n different units (so none supersedes another)."""
    folder = tmp_path / "forms"
    folder.mkdir()
    for i in range(n):
        unit = UNITS[i % len(UNITS)] + (f"{i // len(UNITS)}分局" if i >= len(UNITS) else "")
        (folder / f"f{i:02d}.txt").write_text(project_form(unit, 2023, f"项目{i}", unit), encoding="utf-8")
    return folder


def staged_files(db: Path) -> list[Path]:
    return sorted(db.parent.glob(f".{db.name}.stage-*"))


def run_python(code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def with_an_upload(db: Path) -> Path:
    """A form in the uploads folder beside the database that it does not hold yet, so the app's start-up has
    something to load (the case where the earlier start-up copied the database)."""
    uploads = db.parent / "uploads"
    uploads.mkdir(exist_ok=True)
    (uploads / "edu_2024.txt").write_text(project_form("武威市教育局", 2024), encoding="utf-8")
    return uploads


def app_start(db: Path) -> subprocess.CompletedProcess:
    """`jixiao app --db DB --no-demo --prepare-only`, as a user would type it."""
    jixiao = Path(sys.executable).with_name("jixiao")
    return subprocess.run(
        [str(jixiao), "app", "--db", str(db), "--no-demo", "--prepare-only"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )


def stored_files(db: Path, folder: Path) -> int:
    """How many files of `folder` the database holds forms of (read as the app does)."""
    df = run_query("source_files", db_path=db, status="ok")
    return int(df["path"].str.startswith(str(folder)).sum())


# -- bug 1: a killed writer --------------------------------------------------------------------------------------
def test_kill_9_mid_ingest_then_app_start_keeps_every_committed_batch(db_copy, tmp_path):
    folder = forms_folder(tmp_path, 12)
    killed = run_python(
        f"""
        import os, signal
        from dashboard import load
        done = 0
        def progress(result):
            global done
            done += 1
            if done == 8:  # two batches of four committed, the third not started
                os.kill(os.getpid(), signal.SIGKILL)
        load.ingest([{str(folder)!r}], {str(db_copy)!r}, workers=1, batch_size=4, on_progress=progress)
        """
    )
    assert killed.returncode == -9, killed.stderr
    assert n_reports(db_copy) == 4  # the database itself was never written
    assert len(staged_files(db_copy)) >= 1  # the killed writer's copy, with its log

    uploads = with_an_upload(db_copy)
    started = app_start(db_copy)
    assert started.returncode == 0, started.stdout + started.stderr
    assert "接续上次中断的导入" in started.stdout
    assert stored_files(db_copy, folder) == 8  # every committed batch
    assert stored_files(db_copy, uploads) == 1
    assert n_reports(db_copy) == 4 + 8 + 1
    assert not wal_of(db_copy).exists() and not staged_files(db_copy)
    # the rest loads on the next ingest, the committed files are not loaded twice
    result = load.ingest([folder], db_copy, workers=1)
    assert (result.ok, result.unchanged) == (4, 8) and n_reports(db_copy) == 4 + 12 + 1


def test_a_log_left_beside_the_database_is_kept_by_the_next_start(db_copy, tmp_path):
    """What the earlier in-place ingest left after kill -9: X.duckdb with committed batches in X.duckdb.wal.
    The copy used to take only X.duckdb and leave the log beside the new file ("checkpoint iteration does not
    match"); now the log goes into the copy and none is left beside the swapped-in file."""
    folder = forms_folder(tmp_path, 6)
    killed = run_python(
        f"""
        import os, signal
        from pathlib import Path
        from dashboard.ingest.parse import parse_file
        from dashboard.load.store import Store
        store = Store({str(db_copy)!r})
        store.con.execute("set checkpoint_threshold = '1GB'")
        for f in sorted(Path({str(folder)!r}).glob("*.txt")):
            store.load([parse_file(f)])
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    assert killed.returncode == -9, killed.stderr
    assert wal_of(db_copy).stat().st_size > 0

    uploads = with_an_upload(db_copy)
    started = app_start(db_copy)
    assert started.returncode == 0, started.stdout + started.stderr
    assert not wal_of(db_copy).exists()
    assert stored_files(db_copy, folder) == 6 and stored_files(db_copy, uploads) == 1
    assert n_reports(db_copy) == 4 + 6 + 1
    con = duckdb.connect(str(db_copy))  # opens read-write too: the file is complete on its own
    assert con.execute("select count(*) from reports").fetchone()[0] == 11
    con.close()
    # and with nothing new to load, a log beside the database is still folded into a clean copy
    killed = run_python(
        f"""
        import os, signal
        from dashboard.ingest.parse import parse_bytes
        from dashboard.load.store import Store
        store = Store({str(db_copy)!r})
        store.con.execute("set checkpoint_threshold = '1GB'")
        store.load([parse_bytes("extra.txt", {project_form("武威市交通运输局", 2024).encode()!r})])
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    assert killed.returncode == -9 and wal_of(db_copy).exists()
    assert app_start(db_copy).returncode == 0
    assert not wal_of(db_copy).exists() and n_reports(db_copy) == 12


# -- bug 2: two writers ------------------------------------------------------------------------------------------
def test_app_start_during_an_ingest_waits_and_the_ingest_rows_survive(db_copy, tmp_path):
    folder = forms_folder(tmp_path, 10)
    hold = (
        tmp_path / "hold"
    )  # the ingest waits after its first file while this exists: no race with a slow machine
    hold.touch()
    ingesting = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import pathlib, time
                from dashboard import load
                def wait(_):
                    while pathlib.Path({str(hold)!r}).exists():
                        time.sleep(0.05)
                load.ingest([{str(folder)!r}], {str(db_copy)!r}, workers=1, batch_size=1, on_progress=wait)
                """
            ),
        ],
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 30
        while lock_holder(db_copy) is None:
            assert time.monotonic() < deadline and ingesting.poll() is None, "the ingest never took the lock"
            time.sleep(0.05)
        started = app_start(db_copy)
        assert started.returncode == 0, started.stdout + started.stderr
        out = " ".join(started.stdout.split())
        assert "正在由jixiao ingest" in out and "只读" in out
        assert n_reports(db_copy) == 4  # the app did not rebuild anything
        with pytest.raises(load.DatabaseBusy, match="jixiao ingest"):
            load.ingest([SAMPLE], db_copy, workers=1)
    finally:
        hold.unlink()
        assert ingesting.wait(timeout=60) == 0
    assert stored_files(db_copy, folder) == 10 and n_reports(db_copy) == 4 + 10
    started = app_start(db_copy)  # now the app's start-up can write: nothing new, nothing lost
    assert started.returncode == 0 and n_reports(db_copy) == 4 + 10


# -- bug 3: the same form twice in one batch ----------------------------------------------------------------------
def test_the_same_form_twice_in_one_batch_is_stored_once(tmp_path, sample_db):
    gbk = tmp_path / "sample_gbk.txt"
    gbk.write_bytes(SAMPLE.read_text(encoding="utf-8").encode("gbk"))
    db = tmp_path / "twice.duckdb"
    result = load.ingest([SAMPLE, gbk], db, workers=1)
    assert result.reports == 4 and result.superseded == 4
    assert [f.status for f in result.files] == ["superseded", "ok"]  # the later copy is kept
    once = run_query("department_ranking", db_path=sample_db, metric="points_lost_share").iloc[0]
    twice = run_query("department_ranking", db_path=db, metric="points_lost_share").iloc[0]
    assert n_reports(db) == 4
    assert (twice["points_lost"], twice["n_findings"]) == (once["points_lost"], once["n_findings"])
    # by hand from the sample: the ranking's 扣分 is the department form's own (issue 13: every figure of a row
    # from the same form): 95 − 93 = 2 points
    assert twice["points_lost"] == 2
    statuses = run_query("source_files", db_path=db).set_index("file_name")["status"].to_dict()
    assert statuses == {"sample_gbk.txt": "ok", SAMPLE.name: "superseded"}


def test_a_form_replaced_by_a_later_batch_of_the_same_load_is_counted_once(tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    for i in range(3):  # the same form, three versions: the last one is kept
        text = project_form("武威市教育局", 2022, "校园安全经费", hotline_score=3 + i, total=77 + i)
        (folder / f"v{i}.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "t.duckdb"
    result = load.ingest([folder], db, workers=1, batch_size=1)
    assert result.reports == 1 and result.superseded == 2
    assert list(run_query("grades", db_path=db)["computed_total"]) == [79.0]


# -- staged imports (the 数据导入 page) ------------------------------------------------------------------------------
def test_staged_uploads_change_nothing_until_commit(db_copy, tmp_path):
    reader = SharedReader(db_copy)
    before = reader.generation()
    new = upload(tmp_path, "edu_2023.txt", project_form("武威市教育局", 2023, "校园安全经费", "武威市教育局"))
    staged = load.stage_uploads(db_copy, [new])
    assert (staged.result.reports, staged.result.ok, staged.result.failed) == (1, 1, [])
    assert (
        n_reports(staged.path) == 5 and n_reports(reader) == 4
    )  # the copy is readable, the database unchanged
    assert not new.dest.exists()
    result = load.commit(staged)
    assert result.action == "updated" and result.reports == 1
    assert reader.generation() != before and n_reports(reader) == 5
    assert new.dest.read_bytes() == new.data  # kept for rebuilds
    assert not staged_files(db_copy) and not wal_of(db_copy).exists()
    again = load.stage_uploads(db_copy, [upload(tmp_path, "edu_2023.txt", new.data.decode())])
    assert again.result.unchanged == 1 and again.result.reports == 0
    load.discard(again)
    assert not staged_files(db_copy) and n_reports(reader) == 5


def test_a_commit_after_another_import_is_refused(db_copy, tmp_path):
    first = load.stage_uploads(db_copy, [upload(tmp_path, "a.txt", project_form("武威市教育局", 2023))])
    second = load.stage_uploads(db_copy, [upload(tmp_path, "b.txt", project_form("武威市交通运输局", 2023))])
    load.commit(first)
    with pytest.raises(load.StaleStage):
        load.commit(second)  # it was copied before `first` was swapped in: committing it would drop `first`
    load.discard(second)
    assert n_reports(db_copy) == 5


def test_a_failed_swap_leaves_the_database_and_uploads_as_they_were(db_copy, tmp_path, monkeypatch):
    reader = SharedReader(db_copy)
    generation = reader.generation()
    new = upload(tmp_path, "edu_2023.txt", project_form("武威市教育局", 2023))
    staged = load.stage_uploads(db_copy, [new])

    def broken(_staged):
        raise OSError("disk full")

    monkeypatch.setattr("dashboard.load.files.swap_in", broken)
    with pytest.raises(OSError):
        load.commit(staged)
    assert reader.generation() == generation and n_reports(reader) == 4
    assert not new.dest.exists()
    load.discard(staged)
    assert not staged_files(db_copy)


def test_a_failed_load_leaves_no_copy_behind(db_copy, tmp_path, monkeypatch):
    def broken(self, docs):
        raise duckdb.IOException("disk full")

    monkeypatch.setattr("dashboard.load.store.Store.load", broken)
    with pytest.raises(duckdb.IOException):
        load.stage_uploads(db_copy, [upload(tmp_path, "a.txt", project_form("武威市教育局", 2023))])
    with pytest.raises(duckdb.IOException):
        load.ingest([SAMPLE], db_copy, rebuild=True, workers=1)
    assert not staged_files(db_copy) and n_reports(db_copy) == 4


def test_unparseable_uploads_are_not_committed(db_copy, tmp_path):
    bad = upload(tmp_path, "notes.txt", "这不是自评表\n只是一些文字\n")
    assert bad.doc.error
    staged = load.stage_uploads(db_copy, [bad])
    assert staged.result.failed and staged.result.reports == 0
    load.commit(staged)
    assert n_reports(db_copy) == 4 and not bad.dest.exists()


def test_queries_keep_working_while_imports_swap_the_file(db_copy, tmp_path):
    reader = SharedReader(db_copy)
    errors: list[BaseException] = []
    counts: list[int] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                counts.append(n_reports(reader))
            except BaseException as e:  # noqa: BLE001 - collected for the assertion
                errors.append(e)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for year in (2023, 2024):
            staged = load.stage_uploads(
                db_copy, [upload(tmp_path, f"edu_{year}.txt", project_form("武威市教育局", year))]
            )
            load.commit(staged)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors
    assert set(counts) <= {4, 5, 6} and n_reports(reader) == 6


# -- jixiao app's start-up ----------------------------------------------------------------------------------------
def test_update_builds_once_then_loads_only_new_files(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copyfile(SAMPLE, raw / SAMPLE.name)
    db = tmp_path / "app.duckdb"
    result = load.update(db, [raw])
    assert result.action == "built" and result.reports == 4
    assert load.update(db, [raw]).action == "unchanged"
    (raw / "edu.txt").write_text(project_form("武威市教育局", 2023), encoding="utf-8")
    result = load.update(db, [raw])
    assert (result.action, result.reports, result.ok, result.unchanged) == ("updated", 1, 1, 1)
    result = load.update(db, [raw], rebuild=True)
    assert result.action == "built" and result.reports == 5
    assert not staged_files(db) and not wal_of(db).exists()


def test_an_outdated_database_is_rebuilt_by_the_app_and_refused_by_ingest(tmp_path):
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create table reports (report_id integer)")
    con.close()
    with pytest.raises(load.SchemaOutdated):
        load.ingest([SAMPLE], db, workers=1)
    with pytest.raises(QueryError, match="旧版本"):
        run_query("grades", db_path=db)
    assert load.update(db, [SAMPLE.parent]).action == "built" and n_reports(db) == 4


def test_an_unreadable_database_is_left_alone(tmp_path):
    db = tmp_path / "broken.duckdb"
    db.write_bytes(b"not a database" * 100)
    with pytest.raises(load.DatabaseUnreadable, match="未作任何改动"):
        load.update(db, [SAMPLE.parent])
    assert db.read_bytes() == b"not a database" * 100


def test_upload_destination_keeps_only_the_file_name(tmp_path):
    assert upload_destination("../../etc/passwd", tmp_path) == tmp_path / "passwd"
    assert upload_destination("示例数据_2022.txt", tmp_path).name == "示例数据_2022.txt"


def test_the_first_import_creates_the_database(tmp_path):
    db = tmp_path / "new.duckdb"
    staged = load.stage_uploads(db, [upload(tmp_path, "edu.txt", project_form("武威市教育局", 2023))])
    assert not db.exists() and n_reports(staged.path) == 1
    load.commit(staged)
    assert n_reports(db) == 1 and not staged_files(db)
