"""`jixiao backup` / `jixiao restore`: a checkpointed copy taken under the writers' lock, verified by re-opening
(every table's row count), and a restore through the lock → copy → swap path."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dashboard.cli import app as cli
from dashboard.load import DatabaseBusy, files
from dashboard.load.backup import BackupError, backup, restore, table_counts


@pytest.fixture
def db(query_corpus_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "live.duckdb"
    shutil.copyfile(query_corpus_db, copy)
    return copy


def test_backup_is_checkpointed_and_has_every_row(db, tmp_path):
    out = tmp_path / "b" / "backup.duckdb"
    counts = backup(db, out)
    assert counts == table_counts(db) and counts["reports"] == 10 and counts["indicators"] == 40
    assert not files.wal_of(out).exists()
    assert table_counts(out) == counts


def test_backup_waits_for_the_writers_lock(db, tmp_path):
    with files.write_lock(db, "导入"), pytest.raises(DatabaseBusy, match="导入"):
        backup(db, tmp_path / "x.duckdb", wait=0)
    assert not (tmp_path / "x.duckdb").exists()


def test_restore_swaps_the_backup_in(db, tmp_path):
    out = tmp_path / "backup.duckdb"
    backup(db, out)
    con = duckdb.connect(str(db))
    con.execute("delete from findings")
    con.close()
    assert table_counts(db)["findings"] == 0
    r = CliRunner().invoke(cli, ["restore", str(out), "--db", str(db)])
    assert r.exit_code == 0, r.output
    assert table_counts(db) == table_counts(out) and table_counts(db)["findings"] > 0


def test_restore_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    bad = tmp_path / "bad.duckdb"
    duckdb.connect(str(bad)).close()
    before = table_counts(db)
    with pytest.raises(BackupError, match="表结构"):
        restore(bad, db)
    assert table_counts(db) == before


def test_backup_cli(db, tmp_path):
    r = CliRunner().invoke(cli, ["backup", str(tmp_path / "c.duckdb"), "--db", str(db)])
    assert r.exit_code == 0 and "校验一致" in r.output
