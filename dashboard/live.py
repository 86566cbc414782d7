"""The database the app reads while imports may replace it (no streamlit here).

DuckDB lets one process hold a file read-write, and then no one else may open it. The app therefore never
writes the file it reads: an import copies the database, loads the new documents into the copy through the
single writer (Store) and atomically swaps the copy in (os.replace). Readers use one read-only connection and
a cursor per query; on a swap the connection is closed and reopened, queries already running finish on the old
file. `generation` changes with every swap (and when another process replaces the file), so caches keyed on
it never serve figures from a replaced database.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard import paths
from dashboard.db import QueryError, run_query_with
from dashboard.ingest.model import Document


def uploads_dir(db: Path | None = None) -> Path:
    """Where forms imported through the app are kept (for rebuilds): an `uploads` folder beside the database,
    so data/uploads for the default data/jixiao.duckdb."""
    return Path(db or paths.default_db()).parent / "uploads"


def file_generation(path: Path) -> str:
    """Identity of the file now on disk: changes when it is replaced or rewritten."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return "missing"
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


class _ReadWriteLock:
    """Many readers or one writer; a waiting writer goes first, so a swap never waits behind a stream of reads."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class LiveDatabase:
    """One read-only connection to `path`, reopened whenever the file on disk changes.

    Queries run on cursors under a shared lock; reconnecting takes the lock exclusively, so no cursor of the old
    connection is running when it closes. That matters: DuckDB keeps one database instance per path and process,
    and a connection opened while the old instance is still busy would be handed the replaced file's data.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = _ReadWriteLock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._generation = "unopened"

    @property
    def exists(self) -> bool:
        return self.path.exists()

    def generation(self) -> str:
        """The generation of the data the next query will read (reconnects if the file was replaced)."""
        current = file_generation(self.path)
        if current != self._generation:
            with self._lock.writing():
                current = file_generation(self.path)
                if current != self._generation:
                    self._reconnect(current)
        return self._generation

    def _reconnect(self, current: str) -> None:
        self._close()
        if current != "missing":
            self._con = duckdb.connect(str(self.path), read_only=True)
        self._generation = current

    def _close(self) -> None:
        if self._con is not None:
            with suppress(duckdb.Error):
                self._con.close()
            self._con = None

    def close(self) -> None:
        with self._lock.writing():
            self._close()
            self._generation = "unopened"

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.generation()
        with self._lock.reading():
            if self._con is None:
                raise QueryError(f"数据库文件不存在：{self.path}（请先运行 jixiao app 或 jixiao ingest）")
            cur = self._con.cursor()
            try:
                yield cur
            finally:
                cur.close()

    def query(self, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Run queries/<name>.sql on a fresh cursor."""
        with self.cursor() as cur:
            return run_query_with(name, params or {}, con=cur)

    def replace_with(self, new_file: str | Path) -> None:
        """Atomically make `new_file` the database and reconnect, once the running queries have finished."""
        with self._lock.writing():
            self._close()
            os.replace(new_file, self.path)
            self._reconnect(file_generation(self.path))


# -- imports -------------------------------------------------------------------------------------------------------
@dataclass
class Upload:
    """One uploaded file: its name, bytes and the Document parsed from them (preview before commit)."""

    name: str
    data: bytes
    doc: Document
    dest: Path

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class ImportResult:
    files: int = 0
    reports: int = 0
    indicators: int = 0
    findings: int = 0
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)
    cross_findings: int = 0


_import_lock = threading.Lock()


def upload_destination(name: str, folder: Path | None = None) -> Path:
    """Where an uploaded file is kept: its own name (no folders), so a new version replaces the old one."""
    base = Path(name).name.strip().replace("\x00", "") or "上传文件"
    return (folder or uploads_dir()) / base


def commit_uploads(
    uploads: Sequence[Upload], live: LiveDatabase, on_step: Callable[[str, float], None] | None = None
) -> ImportResult:
    """Write the previewed documents into a copy of the database and swap it in; the files are kept under
    data/uploads so a rebuild includes them. On any failure the live database is left as it was."""
    from dashboard.store import Store

    step = on_step or (lambda _msg, _frac: None)
    ok = [u for u in uploads if u.doc.error is None]
    result = ImportResult(files=len(ok), failed=[u.doc.error or u.name for u in uploads if u.doc.error])
    if not ok:
        return result
    with _import_lock:
        db = live.path
        tmp = db.parent / f".{db.stem}.import-{uuid.uuid4().hex[:8]}{db.suffix}"
        written: list[tuple[Path, bytes | None]] = []
        try:
            step("复制数据库", 0.1)
            db.parent.mkdir(parents=True, exist_ok=True)
            if db.exists():
                shutil.copyfile(db, tmp)
            step("保存上传文件", 0.25)
            for u in ok:
                u.dest.parent.mkdir(parents=True, exist_ok=True)
                written.append((u.dest, u.dest.read_bytes() if u.dest.exists() else None))
                u.dest.write_bytes(u.data)
            step("写入数据库副本", 0.45)
            with Store(tmp) as store:
                results = store.load([u.doc for u in ok])
                step("跨表核查", 0.75)
                result.cross_findings = store.refresh_cross_findings()
            for r in results:
                if r.status == "failed":
                    result.failed.append(r.error or r.path)
                elif r.status == "unchanged":
                    result.unchanged += 1
                result.reports += r.reports
                result.indicators += r.indicators
                result.findings += r.findings
            step("切换到新数据库", 0.9)
            live.replace_with(tmp)
            step("完成", 1.0)
        except BaseException:
            tmp.unlink(missing_ok=True)
            for dest, old in written:  # put the upload folder back as it was
                if old is None:
                    dest.unlink(missing_ok=True)
                else:
                    dest.write_bytes(old)
            raise
        finally:
            Path(f"{tmp}.wal").unlink(missing_ok=True)
    return result


# -- building the default database ---------------------------------------------------------------------------------
def default_sources(db: Path | None = None) -> list[Path]:
    """What the app's database is built from: the real forms, the demo corpus where it exists, the uploads."""
    sources = [paths.RAW_DIR]
    demo = demo_corpus_dir()
    if demo is not None and demo.exists():
        sources.append(demo)
    uploads = uploads_dir(db)
    if uploads.exists():
        sources.append(uploads)
    return sources


def demo_corpus_dir() -> Path | None:
    """data/demo when the demo generator is installed (dashboard.demo); None otherwise."""
    try:
        from dashboard.demo.corpus import default_corpus_dir
    except ImportError:
        return None
    return default_corpus_dir()


def ensure_demo_corpus() -> Path | None:
    """Generate the default demo corpus on first use (deterministic); None when the generator is missing."""
    try:
        from dashboard.demo import ensure_default_corpus
    except ImportError:
        return None
    return ensure_default_corpus()


def is_current(db: Path) -> bool:
    """The database exists and was built with this schema."""
    if not db.exists():
        return False
    from dashboard import store

    check = getattr(store, "is_current", None)
    if check is not None:
        return bool(check(db))
    try:  # an older store without schema fingerprints: the read views must at least work
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return False
    try:
        run_query_with("filter_options", {}, con=con)
        return True
    except QueryError:
        return False
    finally:
        con.close()


def stale_files(db: Path, files: Iterable[Path]) -> list[Path]:
    """Files whose content the database has not seen (new or changed since the last build); the store skips
    a known sha256 anyway, and a file that failed before would fail again."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        seen = {s for (s,) in con.execute("select distinct sha256 from sources").fetchall()}
    finally:
        con.close()
    return [f for f in files if hashlib.sha256(f.read_bytes()).hexdigest() not in seen]


def build_database(
    db: Path,
    sources: Sequence[Path],
    *,
    rebuild: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> tuple[str, Any]:
    """Make `db` hold every form under `sources`: built from scratch when missing, outdated or asked for;
    otherwise only new or changed files are loaded. Always into a copy that is swapped in, so a reader of
    the old file never sees a half-built database. Returns (what was done, the ingest summary or None)."""
    from dashboard.ingest.pipeline import expand_paths, ingest

    files = expand_paths([s for s in sources if s.exists()])
    fresh = rebuild or not is_current(db)
    todo = files if fresh else stale_files(db, files)
    if not todo and not fresh:
        return "unchanged", None
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = db.parent / f".{db.stem}.build-{uuid.uuid4().hex[:8]}{db.suffix}"
    try:
        if not fresh:
            shutil.copyfile(db, tmp)
        done = 0

        def progress(_result: Any) -> None:
            nonlocal done
            done += 1
            if on_progress:
                on_progress(done, len(todo))

        summary = ingest(todo, tmp, workers=workers, on_progress=progress)
        os.replace(tmp, db)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
    return ("built" if fresh else "updated"), summary
