"""`jixiao ingest --engine spark PATHS… --out DIR`: the parser runs inside Spark tasks, the result is the same
Parquet tables as `jixiao export parquet` of a DuckDB ingest of the same files.

1. The file list (dashboard.load.expand_paths, as `jixiao ingest`) becomes a DataFrame (file_index, path)
   spread over the tasks. `mapInArrow` hands each task Arrow batches of it; the task parses each file with the
   same code as the DuckDB ingest (dashboard.ingest.parse.parse_file, never raises; anything that still escapes
   is that file's error), turns the Documents into rows keyed by (file, form, item) (rows.py) and writes them as
   Arrow batches to Parquet under DIR/.staging-…/<table>/part-<task>.parquet (shared storage on a cluster); it
   yields one summary row per file.
2. Spark SQL over the staged rows does what the single writer does: a file whose content (sha256) came earlier
   in the list is skipped (as `unchanged`); failed files keep their `sources` row with the error; ids are
   numbered in file order; unit names are resolved by the same UnitRegistry over the distinct names in order of
   first appearance (a small list, resolved on the driver); a form loaded twice (kind, year, unit, project,
   dataset) keeps the later copy, and a file left without forms becomes `superseded`; then the cross-form rules
   (dashboard/ingest/cross_rules.sql, translated) are computed in Spark SQL.
3. The tables are written partitioned by year (contract.py) into a staging folder and swapped into DIR
   (export.swap_in), with schema.json, `rules` and `meta`.

This is a full build of DIR from the files given (no incremental update: re-run it over all files, or keep using
`jixiao ingest` + `jixiao export parquet` for a database that grows file by file).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard import schema
from dashboard.spark import contract, rows

SUMMARY_SCHEMA = "file_index int, path string, status string, error string, n_reports int"


@dataclass
class SparkIngestResult:
    out: Path
    files: int
    ok: int
    failed: list[tuple[str, str]]  # (path, error)
    unchanged: int
    superseded: int
    rows: dict[str, int] = field(default_factory=dict)


def _arrow_schema(table: str) -> Any:
    import pyarrow as pa

    types = {
        "INTEGER": pa.int32(),
        "BIGINT": pa.int64(),
        "DOUBLE": pa.float64(),
        "VARCHAR": pa.string(),
        "BOOLEAN": pa.bool_(),
        "TIMESTAMP": pa.timestamp("us"),
        "VARCHAR[]": pa.list_(pa.string()),
    }
    return pa.schema([(c, types[t]) for c, t in rows.staged_columns(table)])


def parse_partition(staging: str) -> Any:
    """The function each Spark task runs (mapInArrow): parse its files, write their rows as Parquet under
    `staging`, yield one summary row per file."""

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from dashboard.ingest.model import Document
        from dashboard.ingest.parse import parse_file

        now = dt.datetime.now().replace(microsecond=0)
        tables: dict[str, list[dict]] = {t: [] for t in rows.TABLES}
        summary: list[dict] = []
        for batch in batches:
            for file_index, path in zip(
                batch.column("file_index").to_pylist(), batch.column("path").to_pylist()
            ):
                try:
                    doc = parse_file(path)
                    produced = rows.document_rows(doc, file_index, now)
                except Exception as e:  # never lose a file: whatever escapes is its error
                    doc = Document(path=path, sha256="", format=Path(path).suffix.lstrip("."))
                    doc.error = f"{Path(path).name}: 解析任务出错（{type(e).__name__}: {e}）"
                    produced = rows.document_rows(doc, file_index, now)
                for table, found in produced.items():
                    tables[table].extend(found)
                summary.append(
                    {
                        "file_index": file_index,
                        "path": path,
                        "status": "failed" if doc.error else "ok",
                        "error": doc.error,
                        "n_reports": len(doc.reports),
                    }
                )
        part = uuid.uuid4().hex  # a retried task writes new files; its summary rows say which files count
        for table, found in tables.items():
            if found:
                target = Path(staging) / table
                target.mkdir(parents=True, exist_ok=True)
                arrow = pa.Table.from_pylist(found, schema=_arrow_schema(table))
                pq.write_table(arrow, target / f"part-{part}.parquet")
        if summary:
            yield pa.RecordBatch.from_pylist(
                summary,
                schema=pa.schema(
                    [
                        ("file_index", pa.int32()),
                        ("path", pa.string()),
                        ("status", pa.string()),
                        ("error", pa.string()),
                        ("n_reports", pa.int32()),
                    ]
                ),
            )

    return run


def _spark_schema(table: str) -> str:
    return ", ".join(f"{c} {contract.spark_type(t)}" for c, t in rows.staged_columns(table))


def ingest_spark(
    targets: Iterable[str | Path], out: str | Path, master: str | None = None, partitions: int | None = None
) -> SparkIngestResult:
    from dashboard.ingest.units import UnitRegistry
    from dashboard.ingest.validate import RULES, cross_rules_params, cross_rules_sql
    from dashboard.load.batch import expand_paths
    from dashboard.spark import export, translate
    from dashboard.spark.session import get_session

    files = [str(p) for p in expand_paths(list(targets))]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    work = out / f".staging-spark-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    staged, final = work / "parsed", work / "tables"
    staged.mkdir(parents=True)
    final.mkdir()
    spark = get_session(master)
    try:
        n = partitions or max(1, min(len(files), spark.sparkContext.defaultParallelism * 4))
        listing = spark.createDataFrame([(i, p) for i, p in enumerate(files)], "file_index int, path string")
        listing = listing.repartition(n) if files else listing
        summary = listing.mapInArrow(parse_partition(str(staged)), SUMMARY_SCHEMA).toArrow().to_pylist()
        # Only the files a finished task reported count (a retried task's earlier files are ignored).
        for table in rows.TABLES:
            path = staged / table
            df = (
                spark.read.schema(_spark_schema(table)).parquet(str(path))
                if path.exists()
                else spark.createDataFrame([], _spark_schema(table))
            )
            df.createOrReplaceTempView(f"staged_{table}")
        spark.createDataFrame(summary, SUMMARY_SCHEMA).createOrReplaceTempView("summary")
        _build(spark, UnitRegistry, RULES, translate, cross_rules_params, cross_rules_sql)
        written = _write(spark, final, export)
        statuses = {
            r[0]: r[1] for r in spark.sql("select status, count(*) from sources group by status").collect()
        }
        failed = [
            (r[0], r[1])
            for r in spark.sql(
                "select path, error from sources where status = 'failed' order by source_id"
            ).collect()
        ]
        result = SparkIngestResult(
            out,
            files=len(files),
            ok=statuses.get("ok", 0) + statuses.get("superseded", 0),
            failed=failed,
            unchanged=len(files) - sum(statuses.values()),
            superseded=statuses.get("superseded", 0),
            rows=written,
        )
        export.swap_in(final, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


# The single writer's rules, in Spark SQL over the staged rows (see the module docstring).
_KEPT_SOURCES = """
select s.*
from staged_sources s
join summary m on m.file_index = s.file_index
qualify s.status = 'failed'
    or row_number() over (partition by s.status, s.sha256 order by s.file_index) = 1
"""
_SOURCE_IDS = """
select s.*, cast(row_number() over (order by s.file_index) as int) as source_id from kept_sources s
"""
_REPORTS = """
select r.*, s.source_id, s.is_synthetic as file_synthetic,
       cast(row_number() over (order by r.file_index, r.r_seq) as int) as report_id
from staged_reports r join numbered_sources s on s.file_index = r.file_index and s.status = 'ok'
"""
_SUPERSEDED = """
select report_id from (
    select report_id, max(report_id) over (
        partition by kind, year, unit_id, coalesce(project, ''), coalesce(is_synthetic, false)) as newest
    from resolved_reports where year is not null and unit_id is not null
) where report_id < newest
"""


def _build(
    spark: Any, UnitRegistry: Any, RULES: Any, translate: Any, cross_params: Any, cross_sql: Any
) -> None:
    sql = spark.sql
    sql(_KEPT_SOURCES).createOrReplaceTempView("kept_sources")
    sql(_SOURCE_IDS).cache().createOrReplaceTempView("numbered_sources")
    sql(_REPORTS).cache().createOrReplaceTempView("numbered_reports")
    # Units: the distinct names in order of first appearance, resolved as the single writer resolves them.
    names = sql(
        "select unit_raw from numbered_reports where unit_raw is not null and unit_raw <> '' "
        "group by unit_raw order by min(report_id)"
    ).collect()
    registry = UnitRegistry()
    resolved = [(raw, *registry.resolve(raw)) for (raw,) in names]
    spark.createDataFrame(resolved, "unit_raw string, unit_id int, unit string").createOrReplaceTempView(
        "unit_names"
    )
    spark.createDataFrame(
        [(i, registry.names[i], registry.aliases[i]) for i in sorted(registry.names)],
        "unit_id int, name string, aliases array<string>",
    ).createOrReplaceTempView("units")
    sql(
        "select r.*, u.unit_id, u.unit from numbered_reports r left join unit_names u on u.unit_raw = r.unit_raw"
    ).cache().createOrReplaceTempView("resolved_reports")
    sql(_SUPERSEDED).cache().createOrReplaceTempView("superseded")
    reports_cols = ", ".join(f"r.{c}" for c in contract.columns("reports"))
    sql(
        f"select {reports_cols}, r.file_index, r.r_seq from resolved_reports r "
        "left anti join superseded x on x.report_id = r.report_id"
    ).cache().createOrReplaceTempView("kept_reports")
    sql(
        "select s.*, case when s.status = 'ok' and s.n_reports > 0 and not exists ("
        "  select 1 from kept_reports k where k.source_id = s.source_id) then 'superseded' else s.status end"
        " as final_status from numbered_sources s"
    ).createOrReplaceTempView("final_sources")
    cols = ", ".join("final_status as status" if c == "status" else c for c in contract.columns("sources"))
    sql(f"select {cols} from final_sources").createOrReplaceTempView("sources")
    sql("select * from kept_reports").createOrReplaceTempView("reports_keyed")
    sql(f"select {', '.join(contract.columns('reports'))} from kept_reports").createOrReplaceTempView(
        "reports"
    )
    for table in ("budget_lines", "goals", "report_notes", "level1_norms"):
        cols = ", ".join("k.report_id" if c == "report_id" else f"t.{c}" for c in contract.columns(table))
        sql(
            f"select {cols} from staged_{table} t join reports_keyed k"
            " on k.file_index = t.file_index and k.r_seq = t.r_seq"
        ).createOrReplaceTempView(table)
    indicator_cols = ", ".join(
        "k.report_id" if c == "report_id" else "i.indicator_id" if c == "indicator_id" else f"t.{c}"
        for c in contract.columns("indicators")
    )
    sql(
        "select t.file_index, t.r_seq, t.i_seq,"
        " cast(row_number() over (order by t.file_index, t.r_seq, t.i_seq) as int) as indicator_id"
        " from staged_indicators t join numbered_reports r on r.file_index = t.file_index and r.r_seq = t.r_seq"
    ).cache().createOrReplaceTempView("indicator_ids")
    sql(
        f"select {indicator_cols} from staged_indicators t"
        " join indicator_ids i on i.file_index = t.file_index and i.r_seq = t.r_seq and i.i_seq = t.i_seq"
        " join reports_keyed k on k.file_index = t.file_index and k.r_seq = t.r_seq"
    ).cache().createOrReplaceTempView("indicators")
    finding_cols = ", ".join(
        {"report_id": "k.report_id", "indicator_id": "i.indicator_id", "finding_id": "f.finding_id"}.get(
            c, f"t.{c}"
        )
        for c in contract.columns("findings")
    )
    sql(
        "select t.file_index, t.r_seq, t.f_seq,"
        " cast(row_number() over (order by t.file_index, t.r_seq, t.f_seq) as int) as finding_id"
        " from staged_findings t join numbered_reports r on r.file_index = t.file_index and r.r_seq = t.r_seq"
    ).createOrReplaceTempView("finding_ids")
    sql(
        f"select {finding_cols} from staged_findings t"
        " join finding_ids f on f.file_index = t.file_index and f.r_seq = t.r_seq and f.f_seq = t.f_seq"
        " join reports_keyed k on k.file_index = t.file_index and k.r_seq = t.r_seq"
        " left join indicator_ids i on i.file_index = t.file_index and i.r_seq = t.r_seq"
        "  and i.i_seq = t.indicator_i_seq"
    ).cache().createOrReplaceTempView("form_findings")
    start = sql("select coalesce(max(finding_id), 0) + 1 from finding_ids").collect()[0][0]
    params = cross_params(start)
    types = {k: "INTEGER" if isinstance(v, int) else "VARCHAR" for k, v in params.items()}
    _, select = translate.translate_insert_select(cross_sql(), "cross_rules.sql", types)
    sql("select * from form_findings").createOrReplaceTempView("findings")
    cross = sql(select, args=params)
    cross = cross.toDF(*contract.columns("findings"))
    cross.cache().createOrReplaceTempView("cross_findings")
    sql("select * from form_findings union all select * from cross_findings").createOrReplaceTempView(
        "findings"
    )
    spark.createDataFrame(
        [(rule, sev, desc) for rule, (sev, desc) in RULES.items()],
        "rule string, severity string, description string",
    ).createOrReplaceTempView("rules")
    spark.createDataFrame(
        [(schema.SCHEMA_VERSION_KEY, schema.schema_version())], "key string, value string"
    ).createOrReplaceTempView("meta")
    # 复核 marks are set later by reviewers (dashboard/load/marks.py): a fresh ingest has none.
    spark.createDataFrame(
        [], ", ".join(f"{c} {contract.spark_type(t)}" for c, t in contract.tables()["review_marks"])
    ).createOrReplaceTempView("review_marks")


def _write(spark: Any, final: Path, export: Any) -> dict[str, int]:
    """Each table as Parquet under `final` in the export's layout; returns the rows per table."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    written = {}
    for table, cols in contract.tables().items():
        typed = ", ".join(f"cast({c} as {contract.spark_type(t)}) as {c}" for c, t in cols)
        target = final / table
        if contract.partitioned(table):
            if table == "reports":
                df = spark.sql(f"select {typed} from reports")
            else:
                df = spark.sql(
                    f"select {', '.join('t.' + c for c, _ in cols)}, r.year from (select {typed} from {table}) t"
                    " left join reports r on r.report_id = t.report_id"
                )
            df.repartition("year").write.mode("overwrite").partitionBy("year").parquet(str(target))
        else:
            df = spark.sql(f"select {typed} from {table}")
            df.coalesce(1).write.mode("overwrite").parquet(str(target))
        written[table] = sum(pq.ParquetFile(p).metadata.num_rows for p in target.rglob("*.parquet"))
        if written[table] == 0 and contract.partitioned(table):  # keep an empty table readable, as the export
            shutil.rmtree(target, ignore_errors=True)
            (target / "year=NULL").mkdir(parents=True)
            pq.write_table(
                pa.Table.from_pylist([], schema=_arrow_schema_of(cols)),
                target / "year=NULL" / "data_0.parquet",
            )
    (final / export.SCHEMA_FILE).write_text(
        json.dumps(export.schema_document(), ensure_ascii=False, indent=2), "utf-8"
    )
    return written


def _arrow_schema_of(cols: Iterable[tuple[str, str]]) -> Any:
    import pyarrow as pa

    types = {
        "INTEGER": pa.int32(),
        "BIGINT": pa.int64(),
        "DOUBLE": pa.float64(),
        "VARCHAR": pa.string(),
        "BOOLEAN": pa.bool_(),
        "TIMESTAMP": pa.timestamp("us"),
        "VARCHAR[]": pa.list_(pa.string()),
    }
    return pa.schema([(c, types[t]) for c, t in cols])
