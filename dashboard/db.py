"""Read side: open the database read-only and run the named SQL files in queries/ with bound parameters.

Each query file starts with a header comment:

    -- One row per …                      (what a row is; the first line is the description)
    -- label: 一行中文说明                  (shown by `jixiao query --list`)
    -- params: $year INTEGER = NULL, $top INTEGER = 20,
    --   $metric VARCHAR = 'computed_total' [computed_total|stated_total]
    -- columns: unit, year, …

Parameters are declared with a type and an optional default; a parameter without a default is required. A list
in brackets names the only values a parameter accepts. The declaration may continue on comment lines that start
with `$`. Values are converted to the declared type (so the CLI can pass strings) and always bound, never pasted
into SQL text; a parameter the header does not declare is an error, never dropped. `VARCHAR[]` takes a list
(the CLI's `甲,乙` is split at commas); NULL means all, an empty list none.

A query that reads the current selection says which of the selection's fields it does not use, and why:

    -- ignores: $level1 (a unit's figures cover all its indicators)

so the caller (dashboard/selection.py) passes every other field and an undeclared one fails loudly.

Connections: `connect()` opens an in-memory catalog that holds the read-side views and macros
(dashboard/sql/views.sql) and attaches the database file read-only behind it as `store`; the views are created
on every open and never stored in the file. Every cursor gets the search path `memory.main, store.main`, so
queries name views and tables alike without a catalog.
"""

from __future__ import annotations

import functools
import math
import numbers
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard import paths, schema

STORE = "store"  # the catalog the database file is attached as
Connection = duckdb.DuckDBPyConnection  # what connect() returns, for modules that do not import duckdb
SEARCH_PATH = f"set search_path = 'memory.main,{STORE}.main'"


class QueryError(Exception):
    """A query could not be run as asked: unknown name, unknown or missing parameter, or a DuckDB error."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    required: bool
    choices: tuple[str, ...] = ()

    def describe(self) -> str:
        """`$metric VARCHAR = 'computed_total' [computed_total|stated_total]`, as in the header."""
        text = f"${self.name} {self.type}"
        if not self.required:
            text += " = " + (
                "NULL"
                if self.default is None
                else repr(self.default)
                if isinstance(self.default, str)
                else str(self.default).lower()
                if isinstance(self.default, bool)
                else str(self.default)
            )
        if self.choices:
            text += " [" + "|".join(self.choices) + "]"
        return text


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    description: str
    params: tuple[Param, ...]
    columns: str
    label: str = ""  # the `-- label:` line: a one-line description in Chinese, for the CLI and the app
    ignores: tuple[str, ...] = ()  # selection fields the query does not use (the `-- ignores:` line)

    @property
    def param_names(self) -> list[str]:
        return [p.name for p in self.params]

    @property
    def column_names(self) -> list[str]:
        """The columns the header promises, in order."""
        return [c.strip() for c in self.columns.split(",") if c.strip()]


_PARAM = re.compile(
    r"\$(?P<name>[a-z_][a-z0-9_]*)\s+(?P<type>[A-Z]+(?:\[\])?)"
    r"(?:\s*=\s*(?P<default>'[^']*'|[^,\[\s]+))?"
    r"(?:\s*\[(?P<choices>[^\]]*)\])?",
    re.I,
)


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
    label = ""
    ignores: list[str] = []
    section = None  # the key whose value may continue on the next comment lines: params | columns
    for c in comments:
        key = c.split(":", 1)[0].lower() if re.match(r"[a-z]+:", c, re.I) else None
        if key == "params" or (section == "params" and c.startswith("$")):
            section = "params"
            text = c.split(":", 1)[1] if key == "params" else c
            for m in _PARAM.finditer(text):
                default = m.group("default")
                choices = tuple(x.strip() for x in (m.group("choices") or "").split("|") if x.strip())
                params.append(
                    Param(
                        m.group("name"),
                        m.group("type"),
                        _literal(default, m.group("type")),
                        default is None,
                        choices,
                    )
                )
        elif key == "columns":
            section = "columns"
            columns = c.split(":", 1)[1].strip()
        elif section == "columns" and c and key is None:
            columns = f"{columns.rstrip(',')}, {c.strip()}"
        else:
            section = None
            if key == "label":
                label = c.split(":", 1)[1].strip()
            elif key == "ignores":
                ignores = re.findall(r"\$([a-z_][a-z0-9_]*)", c.split(":", 1)[1])
    return Query(name, sql, description, tuple(params), columns, label, tuple(ignores))


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


def connect(db_path: str | Path | None = None, *, derived: bool = True) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the database with the read-side views (see the module docstring). Raises
    QueryError when the file is missing, cannot be opened or was built with other tables.

    The views the writer also stores as tables (dashboard/schema.py DERIVED) read those tables when the file's
    are current (computed with these definitions); `derived=False` always computes the views (tests compare)."""
    path = Path(db_path) if db_path else paths.default_db()
    if not path.exists():
        raise QueryError(f"数据库文件不存在：{path}（请先运行 jixiao app 或 jixiao ingest）")
    con = duckdb.connect(":memory:")
    try:
        literal = str(path).replace("'", "''")
        con.execute(f"attach '{literal}' as {STORE} (read_only)")
        _check_tables(con, path)
        con.execute(SEARCH_PATH)
        con.execute(schema.views_sql())
        if derived and _derived_current(con):
            con.execute(schema.use_derived_sql(STORE))
    except duckdb.Error as e:
        con.close()
        raise QueryError(f"无法打开数据库 {path}：{e}") from e
    except BaseException:
        con.close()
        raise
    return con


def _derived_current(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(f"select value from {STORE}.main.meta where key = ?", [schema.DERIVED_KEY]).fetchone()
    return row is not None and row[0] == schema.derived_version()


def _check_tables(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    try:
        row = con.execute(
            f"select value from {STORE}.main.meta where key = ?", [schema.SCHEMA_VERSION_KEY]
        ).fetchone()
    except duckdb.CatalogException:
        row = None
    if not row or row[0] != schema.schema_version():
        raise QueryError(
            f"数据库 {path} 由旧版本的表结构生成，请运行 jixiao app（自动重建）或 jixiao ingest --rebuild"
        )


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of a connection from `connect()`, with the search path that finds views and tables."""
    cur = con.cursor()
    try:
        cur.execute(SEARCH_PATH)
    except duckdb.Error as e:
        cur.close()
        raise QueryError(f"不是由 dashboard.db.connect 打开的连接：{e}") from e
    return cur


_TRUE = {"true", "1", "yes", "y", "是", "真"}
_FALSE = {"false", "0", "no", "n", "否", "假"}


def coerce(value: Any, type_: str) -> Any:
    """`value` as the declared SQL type; strings are parsed (the CLI passes strings). Raises ValueError."""
    if value is None:
        return None
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()  # numpy scalars from DataFrame cells
    upper = type_.upper()
    if upper in ("INTEGER", "BIGINT"):
        if isinstance(value, bool):
            raise ValueError(value)
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            return int(value)
        raise ValueError(value)
    if upper in ("DOUBLE", "FLOAT", "DECIMAL"):
        if isinstance(value, bool):
            raise ValueError(value)
        number = float(value) if isinstance(value, numbers.Real | str) else math.nan
        if math.isnan(number) or math.isinf(number):
            raise ValueError(value)
        return number
    if upper == "BOOLEAN":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError(value)
    if upper == "VARCHAR":
        if isinstance(value, str):
            return value
        raise ValueError(value)
    if upper.endswith("[]"):
        items = re.split(r"[,，、]", value) if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ValueError(value)
        element = upper[:-2]
        out = [coerce(v.strip() if isinstance(v, str) else v, element) for v in items]
        return [v for v in out if v is not None and v != ""]
    return value


_TYPE_LABELS = {
    "INTEGER": "整数",
    "BIGINT": "整数",
    "DOUBLE": "数值",
    "FLOAT": "数值",
    "DECIMAL": "数值",
    "BOOLEAN": "布尔值（true/false）",
    "VARCHAR": "文本",
    "VARCHAR[]": "文本列表",
    "INTEGER[]": "整数列表",
}


def bind(query: Query, params: dict[str, Any]) -> dict[str, Any]:
    """The values to bind: given ones converted to their declared types, defaults for the rest."""
    unknown = sorted(set(params) - set(query.param_names))
    if unknown:
        raise QueryError(
            f"查询 {query.name} 没有参数 {', '.join(unknown)}（可用：{', '.join(query.param_names) or '无'}）"
        )
    bound = {}
    for p in query.params:
        if p.name in params:
            try:
                value = coerce(params[p.name], p.type)
            except (ValueError, TypeError, OverflowError):
                label = _TYPE_LABELS.get(p.type.upper(), p.type)
                raise QueryError(
                    f"查询 {query.name} 的参数 {p.name} 应为{label}（{p.type}），收到 {params[p.name]!r}"
                ) from None
            if p.choices and value is not None and str(value) not in p.choices:
                raise QueryError(
                    f"查询 {query.name} 的参数 {p.name} 只能取 {'、'.join(p.choices)}，收到 {value!r}"
                )
            bound[p.name] = value
        elif p.required:
            raise QueryError(f"查询 {query.name} 缺少必填参数 {p.name}（{p.type}）")
        else:
            bound[p.name] = p.default
    return bound


def run_query(
    name: str, con: duckdb.DuckDBPyConnection | None = None, db_path: str | Path | None = None, **params: Any
) -> pd.DataFrame:
    """Run queries/<name>.sql with bound parameters and return a DataFrame."""
    return run_query_with(name, params, con=con, db_path=db_path)


def run_query_with(
    name: str,
    params: Mapping[str, Any],
    con: duckdb.DuckDBPyConnection | None = None,
    db_path: str | Path | None = None,
) -> pd.DataFrame:
    """Like run_query, with the parameters in a mapping (any key, even `name`, is checked against the header)."""
    query = load_query(name)
    bound = bind(query, dict(params))
    connection = connect(db_path) if con is None else con
    try:
        cur = cursor(connection)
        try:
            return cur.execute(query.sql, bound).df()
        finally:
            cur.close()
    except duckdb.Error as e:
        raise QueryError(f"查询 {name} 执行失败：{e}") from e
    finally:
        if con is None:
            connection.close()


# What reads a query for a selection: `run(name, selection, **params) -> DataFrame`. The app's is the cached
# `ui.query`; `query_runner(con)` makes one over a connection (the CLI, the report builder).
QueryRunner = Callable[..., pd.DataFrame]


def query_runner(con: duckdb.DuckDBPyConnection) -> QueryRunner:
    """A QueryRunner over `con`: the selection's parameters for the query (dashboard.selection), then `params`."""

    def run(name: str, sel: Any = None, /, **params: Any) -> pd.DataFrame:
        selected = sel.params_for(load_query(name)) if sel is not None else {}
        if "scope" in params and sel is not None and params["scope"] != selected.get("scope"):
            raise QueryError(f"查询 {name}：访问范围只能来自选择（Selection.scope），不能另行指定")
        return run_query_with(name, {**selected, **params}, con=con)

    return run
