"""The derived tables (dashboard/schema.py DERIVED): the read-side views form_facts, indicator_facts and
form_points stored as tables by the writer, so a reader's query reads stored columns instead of recomputing
them (joins, grade bands, per-form sums over the indicators) on every call.

The views' SQL stays the one definition: views.sql is run in a scratch in-memory catalog of the writer's own
connection, whose search path finds the file's tables, and each table is `select * from` its view. Called by
the Store after every write (dashboard/load/writer.py), before the staged copy is swapped in, so a file readers
see always has them current; `meta.derived_version` records the definitions they were computed with, and a
reader uses them only when that matches (dashboard/db.py)."""

from __future__ import annotations

import duckdb

from dashboard import schema

SCRATCH = "jixiao_views"  # the in-memory catalog the views are created in


def _catalog(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("select current_database()").fetchone()
    assert row is not None
    return row[0]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create_views(con: duckdb.DuckDBPyConnection, db: str) -> None:
    """views.sql in the scratch catalog (created on first use, replaced each time: the file may have changed)."""
    attached = {r[0] for r in con.execute("select database_name from duckdb_databases()").fetchall()}
    if SCRATCH not in attached:
        con.execute(f"attach ':memory:' as {SCRATCH}")
    con.execute(f"use {SCRATCH}")
    try:
        con.execute(f"set search_path = '{SCRATCH}.main,{db}.main'")
        con.execute(schema.views_sql())
    finally:
        con.execute(f"use {_ident(db)}")


def _stored_version(con: duckdb.DuckDBPyConnection, db: str) -> str | None:
    row = con.execute(
        f"select value from {_ident(db)}.main.meta where key = ?", [schema.DERIVED_KEY]
    ).fetchone()
    return row[0] if row else None


def _tables(con: duckdb.DuckDBPyConnection, db: str) -> set[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = 'main'", [db]
    ).fetchall()
    return {r[0] for r in rows}


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> int:
    row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return int(row[0])


def _transaction(con: duckdb.DuckDBPyConnection, statements) -> None:
    con.execute("begin")
    try:
        for sql, params in statements:
            con.execute(sql, params)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def refresh(con: duckdb.DuckDBPyConnection) -> str:
    """Bring the derived tables of the connection's database up to date. Returns 'incremental' (tables current:
    rows of deleted reports removed, rows of new reports added, the others recomputed) or 'rebuilt' (missing,
    or computed with other definitions).

    Two transactions: the view tables (the stamp removed), then the macro tables computed from those and the
    stamp; a writer killed in between leaves no stamp, so readers compute the views and the next write rebuilds."""
    db = _catalog(con)
    _create_views(con, db)
    target = f"{_ident(db)}.main"
    stored = {d.table for d in schema.DERIVED} | {m.table for m in schema.DERIVED_MACROS}
    incremental = _stored_version(con, db) == schema.derived_version() and stored <= _tables(con, db)
    first: list[tuple[str, list]] = [(f"delete from {target}.meta where key = ?", [schema.DERIVED_KEY])]
    for d in schema.DERIVED:
        table, view = f"{target}.{d.table}", f"{SCRATCH}.main.{d.view}"
        if incremental and d.upkeep == "report":
            # Only what changed is written: a write that adds a few forms leaves the big tables' rows alone.
            gone = _scalar(
                con,
                f"select count(*) from {table} where report_id not in (select report_id from {target}.reports)",
            )
            newest = _scalar(con, f"select coalesce(max(report_id), 0) from {table}")
            if gone:
                first.append(
                    (
                        f"delete from {table} where report_id not in (select report_id from {target}.reports)",
                        [],
                    )
                )
            if _scalar(con, f"select count(*) from {target}.reports where report_id > ?", [newest]):
                first.append(
                    (
                        f"insert into {table} select * from {view} where report_id > ? order by {d.order}",
                        [newest],
                    )
                )
        else:
            first.append((f"create or replace table {table} as select * from {view} order by {d.order}", []))
    _transaction(con, first)
    # The macros read the stored view tables from now on (faster, and the same rows).
    con.execute(f"use {SCRATCH}")  # the views and macro calls below live in the scratch catalog
    try:
        con.execute(schema.derived_views_sql(_ident(db)))
        second: list[tuple[str, list]] = [
            (
                f"create or replace table {target}.{m.table} as select * from ({m.fill_sql()}) order by {m.order}",
                [],
            )
            for m in schema.DERIVED_MACROS
        ]
        second.append(
            (f"insert into {target}.meta values (?, ?)", [schema.DERIVED_KEY, schema.derived_version()])
        )
        _transaction(con, second)
    finally:
        con.execute(f"use {_ident(db)}")
    return "incremental" if incremental else "rebuilt"
