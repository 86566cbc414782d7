"""The dashboard's read side over a Parquet folder (`jixiao export parquet`, `jixiao ingest --engine spark`):
an in-memory DuckDB whose `store` catalog holds one view per table over `read_parquet` (hive partitions,
the contract's columns and types), then the read-side views and macros as `dashboard.db.connect` makes them. So
`run_query(name, con=connect_parquet(DIR))`, the report builder and `jixiao query --parquet DIR` read Parquet
exactly as they read a database file. `years` keeps one slice (a province's recent years, say): the year
partitions outside it are never opened.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

from dashboard import db, schema
from dashboard.spark import contract
from dashboard.spark.export import read_schema


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# The partition key as written: DuckDB writes a missing year as year=NULL, Spark as __HIVE_DEFAULT_PARTITION__.
PARTITION_YEAR = "nullif(nullif(year, 'NULL'), '__HIVE_DEFAULT_PARTITION__')"


def table_sql(root: Path, table: str, years: list[int] | None = None) -> str:
    """`select <the contract's columns, typed> from read_parquet(...)`, the years' partitions only."""
    cols = ", ".join(
        f"cast({PARTITION_YEAR} as integer) as year" if c == "year" else f"cast({c} as {t}) as {c}"
        for c, t in contract.tables()[table]
    )
    if contract.partitioned(table):
        path = _literal(str(root / table / "*" / "*.parquet"))
        source = f"read_parquet({path}, hive_partitioning = true, hive_types_autocast = false)"
        listed = ", ".join(f"'{int(y)}'" for y in years) if years is not None else ""
        where = "" if years is None else f" where year in ({listed or 'null'})"
        return f"select {cols} from {source}{where}"
    return f"select {cols} from read_parquet({_literal(str(root / table / '*.parquet'))})"


def connect_parquet(root: str | Path, years: Iterable[int] | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection over the Parquet folder `root` with the read-side views (see the docstring)."""
    root = Path(root)
    try:
        found = read_schema(root)
    except FileNotFoundError as e:
        raise db.QueryError(str(e)) from None
    if found.get("schema_version") != schema.schema_version():
        raise db.QueryError(f"{root} 由旧版本的表结构导出，请重新运行 jixiao export parquet")
    wanted = None if years is None else sorted({int(y) for y in years})
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach ':memory:' as {db.STORE}")
        for table in contract.tables():
            con.execute(f"create view {db.STORE}.main.{table} as {table_sql(root, table, wanted)}")
        con.execute(db.SEARCH_PATH)
        con.execute(schema.views_sql())
    except duckdb.Error as e:
        con.close()
        raise db.QueryError(f"无法读取 Parquet 目录 {root}：{e}") from e
    return con
