"""Read side: open the database read-only and run the named SQL files in queries/ with bound parameters.

Each query file starts with a header comment:

    -- One row per …                      (what a row is; the first line is the description)
    -- params: $year INTEGER = NULL, $top INTEGER = 20
    -- columns: unit, year, …

Parameters are declared with a type and an optional default; a parameter without a default is required.
Values are always bound, never pasted into SQL text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard import paths


class QueryError(Exception):
    """A query could not be run as asked: unknown name, unknown or missing parameter, or a DuckDB error."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    required: bool


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    description: str
    params: tuple[Param, ...]
    columns: str

    @property
    def param_names(self) -> list[str]:
        return [p.name for p in self.params]


_PARAM = re.compile(r"\$(?P<name>[a-z_][a-z0-9_]*)\s+(?P<type>[A-Z]+(?:\[\])?)(?:\s*=\s*(?P<default>[^,]+))?", re.I)


def _literal(text: str | None, type_: str) -> Any:
    if text is None:
        return None
    t = text.strip()
    if t.upper() == "NULL":
        return None
    if t.startswith("'") and t.endswith("'"):
        return t[1:-1]
    upper = type_.upper()
    if upper in ("INTEGER", "BIGINT"):
        return int(t)
    if upper in ("DOUBLE", "FLOAT", "DECIMAL"):
        return float(t)
    if upper == "BOOLEAN":
        return t.lower() == "true"
    return t


def parse_header(name: str, sql: str) -> Query:
    comments = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        comments.append(line[2:].strip())
    description = comments[0] if comments else ""
    params: list[Param] = []
    columns = ""
    for c in comments:
        if c.lower().startswith("params:"):
            for m in _PARAM.finditer(c.split(":", 1)[1]):
                default = m.group("default")
                params.append(Param(m.group("name"), m.group("type"), _literal(default, m.group("type")),
                                    default is None))
        elif c.lower().startswith("columns:"):
            columns = c.split(":", 1)[1].strip()
    return Query(name, sql, description, tuple(params), columns)


@functools.cache
def load_query(name: str, queries_dir: Path = paths.QUERIES_DIR) -> Query:
    if not re.fullmatch(r"[a-z0-9_]+", name or ""):
        raise QueryError(f"查询名称无效：{name!r}")
    path = queries_dir / f"{name}.sql"
    if not path.exists():
        known = ", ".join(list_queries(queries_dir))
        raise QueryError(f"没有名为 {name!r} 的查询（可用：{known}）")
    return parse_header(name, path.read_text(encoding="utf-8"))


def list_queries(queries_dir: Path = paths.QUERIES_DIR) -> list[str]:
    return sorted(p.stem for p in queries_dir.glob("*.sql"))


def connect(db_path: str | Path | None = None, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    path = Path(db_path) if db_path else paths.default_db()
    if read_only and not path.exists():
        raise QueryError(f"数据库文件不存在：{path}（请先运行 jixiao ingest）")
    return duckdb.connect(str(path), read_only=read_only)


def bind(query: Query, params: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(params) - set(query.param_names))
    if unknown:
        raise QueryError(f"查询 {query.name} 没有参数 {', '.join(unknown)}（可用：{', '.join(query.param_names) or '无'}）")
    bound = {}
    for p in query.params:
        if p.name in params:
            bound[p.name] = params[p.name]
        elif p.required:
            raise QueryError(f"查询 {query.name} 缺少必填参数 {p.name}（{p.type}）")
        else:
            bound[p.name] = p.default
    return bound


def run_query(name: str, con: duckdb.DuckDBPyConnection | None = None, db_path: str | Path | None = None,
              **params: Any) -> pd.DataFrame:
    """Run queries/<name>.sql with bound parameters and return a DataFrame."""
    query = load_query(name)
    bound = bind(query, params)
    own = con is None
    connection = connect(db_path) if own else con
    try:
        cursor = connection.cursor()
        try:
            return cursor.execute(query.sql, bound).df()
        finally:
            cursor.close()
    except duckdb.Error as e:
        raise QueryError(f"查询 {name} 执行失败：{e}") from e
    finally:
        if own:
            connection.close()
