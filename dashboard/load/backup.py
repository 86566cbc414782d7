"""`jixiao backup OUT` / `jixiao restore IN`: a consistent copy of the database, verified by re-opening it.

backup: under the writers' lock (so no import or 复核 mark is half in it), the database and its WAL are copied
beside it as a staged copy, the copy is opened read-write and checkpointed (the WAL folded in), closed, and
re-opened read-only: every table's row count must equal the database's. Then it is moved to OUT, with the
复核 marks log (`.review-marks.jsonl`) and the audit log (`.audit.jsonl`) copied beside it.
restore: IN is checked the same way (it opens, its tables are this version's, the counts are read), then
copied in through the lock → staged copy → atomic swap path every write takes; readers follow the swap.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from dashboard import schema
from dashboard.load import files
from dashboard.paths import generation

BACKUP, RESTORE = "backup", "restore"
SIDE_LOGS = (".review-marks.jsonl", ".audit.jsonl")


class BackupError(Exception):
    """A copy that cannot be made or does not match."""


def table_counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        counts = {}
        for t in tables:
            row = con.execute(f'select count(*) from "{t}"').fetchone()
            counts[t] = int(row[0]) if row else 0
        return counts
    finally:
        con.close()


def _schema_version(path: Path) -> str | None:
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute("select value from meta where key = ?", [schema.SCHEMA_VERSION_KEY]).fetchone()
    except duckdb.Error:
        row = None
    finally:
        con.close()
    return row[0] if row else None


def backup(db: Path, out: Path, *, wait: float = 30.0) -> dict[str, int]:
    """Write a checkpointed copy of `db` to `out`; returns its table row counts (equal to the database's)."""
    db, out = Path(db), Path(out)
    if not db.exists():
        raise BackupError(f"数据库文件不存在：{db}")
    with files.write_lock(db, "jixiao backup", wait=wait):
        expected = table_counts(db)
        staged = files.stage(db, BACKUP, fresh=False)
        try:
            con = duckdb.connect(str(staged.path))
            try:
                con.execute("checkpoint")
            finally:
                con.close()
            got = table_counts(staged.path)
            if got != expected:
                raise BackupError(f"备份校验失败：行数不一致 {got} ≠ {expected}")
            files.wal_of(staged.path).unlink(missing_ok=True)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(staged.path), str(out))
        except BaseException:
            files.remove(staged.path)
            raise
        _copy_side_logs(db, out)
    if table_counts(out) != expected:
        raise BackupError(f"备份校验失败：{out} 重新打开后行数不一致")
    return expected


def _copy_side_logs(src: Path, dst: Path) -> None:
    """The logs kept beside a database file (SIDE_LOGS) follow it to its copy."""
    for suffix in SIDE_LOGS:
        side = src.with_name(src.name + suffix)
        if side.exists():
            shutil.copyfile(side, dst.with_name(dst.name + suffix))


def restore(src: Path, db: Path, *, wait: float = 30.0) -> dict[str, int]:
    """Replace `db` with the backup `src` (checked first) through the lock → copy → swap path."""
    src, db = Path(src), Path(db)
    if not src.exists():
        raise BackupError(f"备份文件不存在：{src}")
    try:
        expected = table_counts(src)
        version = _schema_version(src)
    except duckdb.Error as e:
        raise BackupError(f"无法打开备份 {src}：{e}") from e
    if version != schema.schema_version():
        raise BackupError(f"备份 {src} 的表结构不是当前版本，未恢复")
    with files.write_lock(db, "jixiao restore", wait=wait):
        staged = files.Staged(db, files._staged_path(db, RESTORE), f"{generation(db)}|copy", RESTORE)
        try:
            shutil.copyfile(src, staged.path)
            if table_counts(staged.path) != expected:
                raise BackupError("恢复校验失败：副本行数与备份不一致")
            files.wal_of(staged.path).unlink(missing_ok=True)
            files.swap_in(staged)
        except BaseException:
            files.remove(staged.path)
            raise
        _copy_side_logs(src, db)
    got = table_counts(db)
    if got != expected:
        raise BackupError(f"恢复校验失败：{db} 行数 {got} ≠ 备份 {expected}")
    return got
