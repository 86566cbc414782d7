"""The database file's life: the writers' lock, staged copies and the atomic swap.

DuckDB lets one process hold a file read-write, and then no other process may open it, not even read-only. So
nothing ever writes the file readers use. A writer takes the lock beside the database (`X.duckdb.lock`, an
flock released by the kernel when the process dies), copies the database into a staged file in the same folder
(with its write-ahead log, if a crashed program left one), loads into the copy, checkpoints and closes it, and
swaps it in with one rename. Readers keep reading the old file meanwhile and move to the new one on their next
query (dashboard/reader.py). A writer that cannot take the lock says so and writes nothing.

A staged copy carries, in its `meta` table, the generation of the file it was made from. When a writer is killed
(kill -9, power cut), its copy stays behind with every batch it committed; the next writer that finds the
database still at that generation takes the copy over instead of starting again, so no committed batch is lost.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboard import schema
from dashboard.paths import generation

LOAD = "load"  # a batch load (jixiao ingest, jixiao app's start-up): may be taken over after a crash
UPLOAD = "upload"  # the 数据导入 page's preview: only its user may commit it


class DatabaseBusy(Exception):
    """Another writer holds the database (or another program has it open read-write): nothing was written."""


class DatabaseUnreadable(Exception):
    """The database file exists but cannot be opened; it is left as it is."""


class StaleStage(Exception):
    """The database changed after the copy was made (another import was committed meanwhile)."""


def wal_of(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def lock_of(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


# -- the writers' lock ---------------------------------------------------------------------------------------------
@contextlib.contextmanager
def write_lock(db: Path, holder: str, *, wait: float = 0.0) -> Iterator[None]:
    """Hold the writers' lock of `db` (waiting up to `wait` seconds for it), or raise DatabaseBusy saying who has
    it. The lock file holds the holder's description for that message; it is never deleted."""
    db.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_of(db), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DatabaseBusy(busy_message(db, _lock_holder(fd))) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        started = dt.datetime.now().strftime("%H:%M:%S")
        os.pwrite(fd, f"{holder}，进程 {os.getpid()}，{started} 开始".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _lock_holder(fd: int) -> str:
    try:
        return os.pread(fd, 400, 0).decode("utf-8", "replace").strip() or "另一个写入进程"
    except OSError:
        return "另一个写入进程"


def busy_message(db: Path, holder: str) -> str:
    return f"数据库 {db} 正在由{holder}写入，本次未写入任何数据；请等它完成后再试。"


def lock_holder(db: Path) -> str | None:
    """Who holds the writers' lock of `db` now, or None when no one does (for messages, never for decisions)."""
    path = lock_of(db)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _lock_holder(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


# -- what is in the database ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DbState:
    """What a writer needs to know of the database before it copies it."""

    schema_version: str | None
    ok_shas: frozenset[str]  # files stored (status ok or superseded)
    tried_shas: frozenset[str]  # every file tried, failed ones included
    derived_version: str | None = (
        None  # the definitions its derived tables were computed with (load/derived.py)
    )

    @property
    def is_current(self) -> bool:
        return self.schema_version == schema.schema_version()

    @property
    def is_derived_current(self) -> bool:
        return self.derived_version == schema.derived_version()


def read_state(db: Path) -> DbState | None:
    """The database's schema fingerprint and the files it holds; None when there is no database. Raises
    DatabaseBusy when another program has it open read-write, DatabaseUnreadable when it cannot be opened."""
    if not db.exists():
        return None
    con = _open_read_only(db)
    try:
        try:
            row = con.execute("select value from meta where key = ?", [schema.SCHEMA_VERSION_KEY]).fetchone()
            rows = con.execute("select sha256, status from sources").fetchall()
            derived = con.execute("select value from meta where key = ?", [schema.DERIVED_KEY]).fetchone()
        except duckdb.CatalogException:
            return DbState(None, frozenset(), frozenset())
    finally:
        con.close()
    return DbState(
        row[0] if row else None,
        frozenset(s for s, status in rows if status != "failed"),
        frozenset(s for s, _ in rows),
        derived[0] if derived else None,
    )


def _open_read_only(db: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(db), read_only=True)
    except duckdb.IOException as e:
        if "lock" in str(e).lower():
            raise DatabaseBusy(busy_message(db, "另一个程序（以读写方式打开）")) from e
        raise DatabaseUnreadable(
            f"数据库 {db} 无法打开（{e}），未作任何改动；可用 --rebuild 重新导入。"
        ) from e
    except duckdb.Error as e:
        raise DatabaseUnreadable(
            f"数据库 {db} 无法打开（{e}），未作任何改动；可用 --rebuild 重新导入。"
        ) from e


# -- staged copies -------------------------------------------------------------------------------------------------
_STAGED = re.compile(r"^\.(?P<db>.+)\.stage-(?P<purpose>[a-z]+)-(?P<pid>\d+)-(?P<token>[0-9a-f]+)\.duckdb$")


@dataclass
class Staged:
    """A copy of `db` being loaded (or loaded and waiting to be committed)."""

    db: Path
    path: Path
    base: str  # the generation of `db` the copy was made from, with the mode: "<generation>|copy" or "|fresh"
    purpose: str = LOAD
    adopted: bool = False

    @property
    def base_generation(self) -> str:
        return self.base.rsplit("|", 1)[0]


def _staged_path(db: Path, purpose: str) -> Path:
    return db.parent / f".{db.name}.stage-{purpose}-{os.getpid()}-{uuid.uuid4().hex[:8]}.duckdb"


def stage(db: Path, purpose: str, *, fresh: bool) -> Staged:
    """A new staged copy of `db` (an empty file when `fresh`), the write-ahead log included. Call it holding
    the writers' lock."""
    path = _staged_path(db, purpose)
    base = f"{generation(db)}|{'fresh' if fresh else 'copy'}"
    if not fresh and db.exists():
        con = _open_read_only(db)  # no other program can open it read-write while we copy
        try:
            shutil.copyfile(db, path)
            if wal_of(db).exists():  # committed transactions a crashed program left in the log
                shutil.copyfile(wal_of(db), wal_of(path))
        except BaseException:
            remove(path)
            raise
        finally:
            con.close()
    return Staged(db, path, base, purpose)


def take_over_or_clean(db: Path, *, fresh: bool, allow: bool = True) -> Staged | None:
    """Look at the copies left beside `db` by writers that died: take over (rename to our own) the first
    batch-load copy made from the database as it is now, in the same mode, when `allow`; remove the others.
    Copies of live processes are left alone. Call it holding the writers' lock."""
    taken: Staged | None = None
    wanted = f"{generation(db)}|{'fresh' if fresh else 'copy'}"
    for path in sorted(db.parent.glob(f".{db.name}.stage-*.duckdb")):
        m = _STAGED.match(path.name)
        if not m or m.group("db") != db.name or _alive(int(m.group("pid"))):
            continue
        if taken is None and allow and m.group("purpose") == LOAD and _base_of(path) == wanted:
            own = _staged_path(db, LOAD)
            if wal_of(path).exists():
                os.replace(wal_of(path), wal_of(own))
            os.replace(path, own)
            taken = Staged(db, own, wanted, LOAD, adopted=True)
        else:
            remove(path)
    return taken


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _base_of(path: Path) -> str | None:
    """The base a staged copy records, with its schema fingerprint checked; None when it cannot be read."""
    try:
        con = duckdb.connect(str(path))  # replays the copy's log: what the dead writer committed
    except duckdb.Error:
        return None
    try:
        rows = dict(con.execute("select key, value from meta").fetchall())
    except duckdb.Error:
        return None
    finally:
        con.close()
    if rows.get(schema.SCHEMA_VERSION_KEY) != schema.schema_version():
        return None
    return rows.get(schema.BASE_GENERATION_KEY)


def swap_in(staged: Staged) -> None:
    """Make the staged copy the database, atomically: readers see the old file or the new one, never a mix. The
    copy must be closed (checkpointed: no log beside it); the old database's log, if any, is moved away first,
    so the new file is never opened with a log that does not belong to it."""
    db = staged.db
    if generation(db) != staged.base_generation:
        raise StaleStage(f"数据库 {db} 在复制之后已被更新")
    log = wal_of(staged.path)
    if log.exists():
        if log.stat().st_size:
            raise RuntimeError(f"暂存副本 {staged.path} 仍有未写入的日志，未替换数据库")
        log.unlink()
    _fsync(staged.path)
    aside = None
    if wal_of(db).exists():
        aside = db.with_name(f".{db.name}.wal-{uuid.uuid4().hex[:8]}")
        os.replace(wal_of(db), aside)
    os.replace(staged.path, db)
    _fsync(db.parent)
    if aside is not None:
        aside.unlink(missing_ok=True)


def remove(path: Path) -> None:
    """Delete a staged copy and its log."""
    path.unlink(missing_ok=True)
    wal_of(path).unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
