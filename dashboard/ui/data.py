"""The app's database and queries: one SharedReader per file (cache_resource), query results cached per
parameters and database generation (cache_data), so a swapped-in database is read at once and never mixed."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import paths
from dashboard.db import load_query
from dashboard.reader import SharedReader
from dashboard.selection import Options, Selection


@st.cache_resource(show_spinner=False)
def _live(path: str) -> SharedReader:
    return SharedReader(path)


def database() -> SharedReader:
    return _live(str(paths.default_db()))


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached_query(
    db_path: str, generation: str, name: str, items: tuple[tuple[str, Any], ...]
) -> pd.DataFrame:
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in items}
    return _live(db_path).query(name, params)


def query(name: str, sel: Selection | None = None, *, db: str | None = None, **params: Any) -> pd.DataFrame:
    """queries/<name>.sql with the selection's parameters (`params` add to or override them; None binds NULL),
    cached per parameters and database generation. A parameter the query does not declare is an error.
    `db`: another database file to read (the import preview's staged copy), default the app's."""
    reader = _live(db) if db else database()
    bound = {**(sel.params_for(load_query(name)) if sel is not None else {}), **params}
    bound["scope"] = _scope_param()  # the session's access scope, whatever the caller passed
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in bound.items()))
    started = time.perf_counter()
    df = _cached_query(str(reader.path), reader.generation(), name, key)
    _timings().append((name, time.perf_counter() - started))
    return df


def _scope_param() -> list[str] | None:
    from dashboard.ui.login import current_scope

    scope = current_scope()
    return list(scope) if scope is not None else None


def close_reader(path: str | Path) -> None:
    """Close the reader of a database file that is going away (a staged copy after 确认 or 放弃)."""
    _live(str(path)).close()


def log_run_time(page: str, seconds: float) -> None:
    """With JIXIAO_TIMINGS=1, print the server time of every script run (the browser test reads it)."""
    if os.environ.get("JIXIAO_TIMINGS"):
        queries = _timings()
        print(
            f"jixiao-timing page={page} run_ms={seconds * 1000:.1f} queries={len(queries)} "
            f"query_ms={sum(t for _, t in queries) * 1000:.1f}",
            file=sys.stderr,
            flush=True,
        )
    _timings().clear()


def clear_caches() -> None:
    """After an import: forget cached results (the generation key would miss them anyway) and free memory."""
    _cached_query.clear()
    _options.clear()


def _timings() -> list[tuple[str, float]]:
    return st.session_state.setdefault("_query_timings", [])


@st.cache_data(show_spinner=False, max_entries=200)
def _options(
    db_path: str, generation: str, dataset: str | None, year: int | None, scope: tuple[str, ...] | None = None
) -> Options:
    df = _live(db_path).query(
        "filter_options",
        {"dataset": dataset, "year": year, "scope": list(scope) if scope is not None else None},
    )
    return Options.from_frame(df)


def load_options(dataset: str | None, year: int | None) -> Options:
    live = database()
    scope = _scope_param()
    return _options(
        str(live.path), live.generation(), dataset, year, tuple(scope) if scope is not None else None
    )


def missing_database_message() -> None:
    st.error(
        f"还没有数据库（{database().path}）。请在项目目录运行 `make run`（或 `jixiao app`），它会先导入 "
        "data/raw 中的自评表和示例数据，再启动看板；也可以在“数据导入”页上传自评表。"
    )
