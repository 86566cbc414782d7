"""`jixiao query`: list the SQL files in queries/ and run one with parameters, as a table, CSV, XLSX or JSON.

CSV and XLSX go through the exports' cell guard (dashboard/cell_safety.py): form text never becomes a formula."""

from __future__ import annotations

import json
import math
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dashboard import paths
from dashboard.cell_safety import terminal_text

NULL_WORDS = {"", "null"}


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"
    json = "json"


def parse_params(pairs: list[str]) -> dict[str, str | None]:
    """`["year=2022", "unit="]` -> `{"year": "2022", "unit": None}`; an empty value or NULL means NULL. A
    parameter given twice is an error naming it (which value was meant is not guessed)."""
    params: dict[str, str | None] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().lstrip("$")
        if not sep or not key:
            raise typer.BadParameter(f"参数应写成 名称=值，收到 {pair!r}", param_hint="--param")
        if key in params:
            raise typer.BadParameter(
                f"参数 {key} 重复给出（{key}={params[key] or ''} 与 {pair}），每个参数只能给一次",
                param_hint="--param",
            )
        params[key] = None if value.strip().lower() in NULL_WORDS else value
    return params


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:.4f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _records(df: Any) -> list[dict[str, Any]]:
    """Rows as plain Python values, NULL/NaN as None (for JSON and the table)."""
    clean = df.astype(object).where(df.notna(), None)
    rows = clean.to_dict(orient="records")
    for row in rows:
        for key, value in row.items():
            if hasattr(value, "item"):  # numpy scalars
                row[key] = value.item()
            elif hasattr(value, "isoformat"):
                row[key] = value.isoformat()
    return rows


def print_query_list(console: Console) -> None:
    from dashboard.db import list_queries, load_query

    table = Table(title="可用查询（queries/*.sql）", show_lines=True)
    table.add_column("名称", no_wrap=True)
    table.add_column("参数", overflow="fold")
    table.add_column("说明", overflow="fold")
    for name in list_queries():
        q = load_query(name)
        params = "\n".join(p.describe() + ("（必填）" if p.required else "") for p in q.params) or "（无）"
        table.add_row(name, escape(params), escape(q.label or q.description))
    console.print(table)


def print_result(df: Any, name: str, fmt: OutputFormat, console: Console, out: Path | None = None) -> None:
    from dashboard import cell_safety, export

    if out is not None and fmt is not OutputFormat.table:
        if fmt is OutputFormat.xlsx:
            out.write_bytes(export.table_xlsx(df, name))
        elif fmt is OutputFormat.csv:
            out.write_bytes(export.table_csv(df))
        else:
            out.write_text(
                json.dumps(_records(df), ensure_ascii=False, indent=2, default=str) + "\n", "utf-8"
            )
        Console(stderr=True).print(f"已写出 {escape(str(out))}（{len(df)} 行）")
    elif fmt is OutputFormat.csv:
        cell_safety.csv_frame(df).to_csv(sys.stdout, index=False)
    elif fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(_records(df), ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        table = Table(title=f"{name}：{len(df)} 行")
        for col in df.columns:
            table.add_column(escape(str(col)), overflow="fold")
        for row in _records(df):
            table.add_row(*(terminal_text(_cell(v)) for v in row.values()))
        console.print(table)


def query(
    name: str | None = typer.Argument(None, help="查询名称，即 queries/ 下的文件名（不含 .sql）"),
    param: list[str] = typer.Option(
        None, "--param", "-p", help="参数，写成 名称=值，可重复；值留空或写 NULL 表示不筛选"
    ),
    fmt: OutputFormat = typer.Option(
        OutputFormat.table, "--format", "-f", help="输出格式：table、csv、xlsx 或 json"
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="写入文件（xlsx 必填；csv、json 不给时输出到屏幕）"
    ),
    db: Path | None = typer.Option(
        None, "--db", help="DuckDB 数据库文件（默认 data/jixiao.duckdb，或环境变量 JIXIAO_DB）"
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="最多输出的行数"),
    show_list: bool = typer.Option(False, "--list", "-l", help="列出全部查询、参数及说明"),
    engine: str = typer.Option("duckdb", "--engine", help="执行引擎：duckdb（默认）或 spark（需 --parquet）"),
    parquet: Path | None = typer.Option(
        None, "--parquet", help="读取 Parquet 目录（jixiao export parquet 的输出）而不是数据库文件"
    ),
    master: str | None = typer.Option(None, "--master", help="Spark 集群地址（默认 local[*]）"),
) -> None:
    """运行 queries/ 中的 SQL 查询（jixiao query --list 查看全部）。"""
    from dashboard.db import QueryError, run_query_with

    console = Console()
    errors = Console(stderr=True)
    if show_list:
        print_query_list(console)
        return
    if not name:
        errors.print("[red]错误[/red]：请给出查询名称，或用 jixiao query --list 查看全部查询")
        raise typer.Exit(code=2)
    if fmt is OutputFormat.xlsx and out is None:
        raise typer.BadParameter("xlsx 格式需要 --out 输出文件", param_hint="--out")
    params = parse_params(param or [])
    try:
        if engine not in ("duckdb", "spark"):
            raise QueryError(f"未知的引擎 {engine!r}（可选：duckdb、spark）")
        if engine == "spark" or parquet is not None:
            from dashboard.spark.cli import Engine, run_query_on

            df = run_query_on(name, params, Engine(engine), parquet, master)
        else:
            df = run_query_with(name, params, db_path=db or paths.default_db())
    except QueryError as e:
        errors.print(f"[red]错误[/red]：{escape(str(e))}")
        raise typer.Exit(code=1) from None
    if limit is not None:
        df = df.head(limit)
    print_result(df, name, fmt, console, out)


def register(app: typer.Typer) -> None:
    """Add `query` to the `jixiao` command line."""
    app.command(name="query")(query)
