"""The database the app reads while writers may replace it (no streamlit here).

Nothing writes the file readers use: a writer (dashboard/load/) loads into a copy and swaps it in with one
rename. The app reads through one SharedReader per file: one read-only connection and a cursor per query; when
the file on disk is replaced, the connection is closed and reopened before the next query, and queries already
running finish on the old file. `generation()` changes with every swap, so caches keyed on it never serve
figures from a replaced database.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard.db import QueryError, connect, run_query_with
from dashboard.db import cursor as db_cursor
from dashboard.paths import MISSING, generation


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


class SharedReader:
    """One read-only connection to `path` (dashboard/db.py `connect`), reopened whenever the file on disk is
    replaced: a writer swaps a new file in, the next query here reads it.

    Queries run on cursors under a shared lock; reconnecting takes the lock exclusively, so no cursor of the old
    connection is running when it closes.
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
        current = generation(self.path)
        if current != self._generation:
            with self._lock.writing():
                current = generation(self.path)
                if current != self._generation:
                    self._reconnect(current)
        return self._generation

    def _reconnect(self, current: str) -> None:
        self._close()
        if current != MISSING:
            self._con = connect(self.path)
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
            cur = db_cursor(self._con)
            try:
                yield cur
            finally:
                cur.close()

    def query(self, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Run queries/<name>.sql on a fresh cursor."""
        with self.cursor() as cur:
            return run_query_with(name, params or {}, con=cur)
