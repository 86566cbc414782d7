"""The schema contract as data: the tables of dashboard/sql/tables.sql, their columns and DuckDB types, and how
each is laid out as Parquet. Pure: no database, no Spark.

Every table that belongs to a form is partitioned by the form's year (hive layout, `year=2023/`): `reports` by
its own column, the tables under a report (budget_lines, goals, indicators, findings, report_notes,
level1_norms) by their report's year, carried only as the partition key (readers select the contract's columns,
so it never becomes a column of theirs). The other tables are small and written whole. The schema has no
province column, so there is no province partition yet: a `province` column on reports would become a second
partition key here (PARTITIONS).
"""

from __future__ import annotations

import functools
import re

from dashboard import schema

# The partition keys of the tables that have them; reports carries its year, the others take their report's.
PARTITIONS = ("year",)
OWN_YEAR = {"reports"}
REPORT_YEAR = {"budget_lines", "goals", "indicators", "findings", "report_notes", "level1_norms"}
# The order rows are written in (the ids the writer assigned), so an export of the same data is the same files.
ORDER_BY = {
    "sources": "source_id",
    "units": "unit_id",
    "reports": "report_id",
    "budget_lines": "report_id, source_line, line",
    "goals": "report_id, seq",
    "indicators": "indicator_id",
    "findings": "finding_id",
    "report_notes": "report_id, source_line, label",
    "level1_norms": "report_id, level1",
    "rules": "rule",
    "meta": "key",
    "review_marks": "form_key, marked_at",
}

_TABLE = re.compile(r"create table if not exists (\w+) \((.*?)\n\);", re.S)
_COLUMN = re.compile(r"^\s*(\w+)\s+([a-z]+(?:\[\])?)", re.I)


@functools.cache
def tables() -> dict[str, tuple[tuple[str, str], ...]]:
    """{table: ((column, DuckDB type), …)} in the contract's order."""
    out = {}
    for name, body in _TABLE.findall(schema.tables_sql()):
        cols = []
        for line in body.splitlines():
            line = line.split("--", 1)[0]
            m = _COLUMN.match(line)
            if m:
                cols.append((m.group(1), m.group(2).upper()))
        out[name] = tuple(cols)
    return out


def columns(table: str) -> list[str]:
    return [c for c, _ in tables()[table]]


def partitioned(table: str) -> bool:
    return table in OWN_YEAR | REPORT_YEAR


# DuckDB type → Spark SQL type, for the columns of the contract (tables.sql uses no others).
SPARK_TYPES = {
    "INTEGER": "int",
    "BIGINT": "bigint",
    "DOUBLE": "double",
    "VARCHAR": "string",
    "BOOLEAN": "boolean",
    "TIMESTAMP": "timestamp_ntz",  # DuckDB TIMESTAMP has no time zone
    "VARCHAR[]": "array<string>",
}


def spark_type(duckdb_type: str) -> str:
    return SPARK_TYPES[duckdb_type.upper()]
