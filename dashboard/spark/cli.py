"""The command line of dashboard/spark/: `jixiao export parquet`, and the pieces `jixiao ingest --engine spark`
and `jixiao query --engine spark / --parquet` call (dashboard/cli.py, dashboard/query_cli.py)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dashboard import paths

export_app = typer.Typer(help="导出数据（Parquet 等），供 Spark 或其他引擎读取。", no_args_is_help=True)


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


EngineOption = typer.Option(Engine.duckdb, "--engine", help="执行引擎：duckdb（默认）或 spark")
MasterOption = typer.Option(
    None, "--master", help="Spark 集群地址（默认 local[*]，即本机；例如 spark://主机:7077）"
)


@export_app.command("parquet")
def export_parquet_command(
    out: Path = typer.Option(..., "--out", help="输出目录（按年度分区的 Parquet，附 schema.json）"),
    db: Path | None = typer.Option(None, "--db", help="DuckDB 数据库文件（默认 data/jixiao.duckdb）"),
) -> None:
    """把数据库的全部表导出为按年度分区的 Parquet（重复导出结果相同）。"""
    from dashboard.db import QueryError
    from dashboard.spark.export import export_parquet

    console = Console()
    try:
        result = export_parquet(out, db or paths.default_db())
    except QueryError as e:
        Console(stderr=True).print(f"[red]错误[/red]：{escape(str(e))}")
        raise typer.Exit(code=1) from None
    table = Table(title=f"已导出 Parquet（{escape(str(result.out))}）")
    table.add_column("表")
    table.add_column("行数", justify="right")
    for name, n in result.rows.items():
        table.add_row(name, str(n))
    console.print(table)
    console.print(f"共 {result.files} 个 Parquet 文件；表结构见 schema.json。")


def run_query_on(
    name: str, params: dict[str, Any], engine: Engine, parquet: Path | None, master: str | None
) -> Any:
    """`jixiao query` on Parquet: DuckDB's read_parquet (engine duckdb) or Spark SQL. Raises QueryError."""
    from dashboard.db import QueryError, run_query_with

    if parquet is None:
        raise QueryError(
            "--engine spark 需要 --parquet 目录（由 jixiao export parquet 或 jixiao ingest --engine spark 生成）"
        )
    if not parquet.is_dir():
        raise QueryError(f"Parquet 目录不存在：{parquet}")
    if engine is Engine.spark:
        from dashboard.spark.run import open_parquet, run_query_spark
        from dashboard.spark.session import SparkUnavailable

        try:
            spark = open_parquet(parquet, master)
        except SparkUnavailable as e:
            raise QueryError(str(e)) from None
        return run_query_spark(spark, name, params)
    from dashboard.spark.slice import connect_parquet

    con = connect_parquet(parquet)
    try:
        return run_query_with(name, params, con=con)
    finally:
        con.close()


def ingest_spark_command(inputs: list[Path], out: Path | None, master: str | None, console: Console) -> None:
    """`jixiao ingest --engine spark PATHS --out DIR`."""
    from dashboard.spark.ingest import ingest_spark
    from dashboard.spark.session import SparkUnavailable

    if out is None:
        console.print("[red]--engine spark 需要 --out 目录（写入按年度分区的 Parquet）[/red]")
        raise typer.Exit(code=2)
    try:
        result = ingest_spark(inputs or [paths.RAW_DIR], out, master=master)
    except SparkUnavailable as e:
        console.print(f"[red]{escape(str(e))}[/red]")
        raise typer.Exit(code=3) from None
    table = Table(title=f"Spark 导入结果（{escape(str(out))}）")
    for col in ("文件", "成功", "失败", "未变化", "被替换", "自评表", "指标", "核查发现"):
        table.add_column(col, justify="right")
    table.add_row(
        str(result.files),
        str(result.ok),
        str(len(result.failed)),
        str(result.unchanged),
        str(result.superseded),
        str(result.rows.get("reports", 0)),
        str(result.rows.get("indicators", 0)),
        str(result.rows.get("findings", 0)),
    )
    console.print(table)
    for _, error in result.failed:
        console.print(f"[red]失败[/red] {escape(error)}")
    if result.failed:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add `export` (with `export parquet`) to the `jixiao` command line."""
    app.add_typer(export_app, name="export")
