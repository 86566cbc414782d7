"""`jixiao export parquet --out DIR [--db FILE]`: every table of the schema contract as Parquet, written by
DuckDB's own writer through the ordinary read-only connection (dashboard/db.py).

Layout (contract.py): DIR/<table>/year=<y>/data_0.parquet for the tables of a form, DIR/<table>/data_0.parquet
for the others, and DIR/schema.json (the tables, their columns and types, the partition keys, the schema
fingerprint). A form without a year lands in year=NULL (DuckDB's and Spark's readers give it back as NULL).

Re-export is idempotent: rows are written in id order into a staging folder beside DIR, then each table's
folder is swapped in whole (rename), so the same database gives the same files and a reader never sees half a
table. Files in DIR that are not ours are left alone.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from dashboard import db, schema
from dashboard.spark import contract

SCHEMA_FILE = "schema.json"


@dataclass
class ExportResult:
    out: Path
    rows: dict[str, int]  # table -> rows written
    files: int


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def select_sql(table: str) -> str:
    """The rows of `table` as exported: the contract's columns in order, plus the year of its form when
    partitioned by one."""
    cols = ", ".join(f"t.{c}" for c in contract.columns(table))
    order = ", ".join(f"t.{c.strip()}" for c in contract.ORDER_BY[table].split(","))
    source = f"{db.STORE}.main.{table}"
    if table in contract.OWN_YEAR:
        return f"select {cols} from {source} t order by {order}"
    if table in contract.REPORT_YEAR:
        return (
            f"select {cols}, r.year as year from {source} t "
            f"left join {db.STORE}.main.reports r on r.report_id = t.report_id order by {order}"
        )
    return f"select {cols} from {source} t order by {order}"


def schema_document() -> dict:
    return {
        "schema_version": schema.schema_version(),
        "partition_by": list(contract.PARTITIONS),
        "tables": {
            name: {
                "columns": [{"name": c, "type": t} for c, t in cols],
                "partitioned_by": list(contract.PARTITIONS) if contract.partitioned(name) else [],
            }
            for name, cols in contract.tables().items()
        },
    }


def export_parquet(out: str | Path, db_path: str | Path | None = None) -> ExportResult:
    """Write every table of the database as Parquet under `out` (see the module docstring)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    rows: dict[str, int] = {}
    con = db.connect(db_path)
    try:
        con.execute("set preserve_insertion_order = true")
        for table in contract.tables():
            target = staging / table
            sql = select_sql(table)
            rows[table] = con.execute(f"select count(*) from ({sql})").fetchone()[0]  # type: ignore[index]
            if contract.partitioned(table):
                options = "format parquet, partition_by (year), compression zstd"
                con.execute(f"copy ({sql}) to {_quote(target)} ({options})")
                if rows[table] == 0:  # keep an empty table readable: one empty file with its columns
                    (target / "year=NULL").mkdir(parents=True, exist_ok=True)
                    empty = f"select * exclude (year) from ({sql}) limit 0"
                    con.execute(
                        f"copy ({empty}) to {_quote(target / 'year=NULL' / 'data_0.parquet')} (format parquet)"
                    )
            else:
                target.mkdir()
                con.execute(
                    f"copy ({sql}) to {_quote(target / 'data_0.parquet')} (format parquet, compression zstd)"
                )
    except Exception:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        con.close()
    (staging / SCHEMA_FILE).write_text(json.dumps(schema_document(), ensure_ascii=False, indent=2), "utf-8")
    files = swap_in(staging, out)
    return ExportResult(out, rows, files)


def swap_in(staging: Path, out: Path) -> int:
    """Move each table folder (and schema.json) of `staging` into `out`, replacing what was there."""
    files = 0
    for entry in sorted(staging.iterdir()):
        target = out / entry.name
        if entry.is_dir():
            files += sum(1 for p in entry.rglob("*.parquet"))
            old = out / f".old-{entry.name}-{os.getpid()}"
            if target.exists():
                os.replace(target, old)
            os.replace(entry, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(entry, target)
    staging.rmdir()
    return files


def read_schema(out: str | Path) -> dict:
    path = Path(out) / SCHEMA_FILE
    if not path.exists():
        raise FileNotFoundError(f"{out} 不是 jixiao 导出的 Parquet 目录（缺少 {SCHEMA_FILE}）")
    return json.loads(path.read_text("utf-8"))
