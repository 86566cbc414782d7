"""The `jixiao` command line: ingest forms, list findings."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dashboard import paths
from dashboard.app_cli import register as register_app_command
from dashboard.auth_cli import user_app
from dashboard.cell_safety import terminal_text
from dashboard.demo.cli import register as register_demo_command
from dashboard.query_cli import register as register_query_command
from dashboard.report.cli import register as register_report_command
from dashboard.review.cli import register as register_review_command
from dashboard.spark.cli import EngineOption, MasterOption
from dashboard.spark.cli import register as register_export_command

app = typer.Typer(
    help="绩效看板 Jixiao：预算绩效自评表的导入、核查与分析。", no_args_is_help=True, add_completion=False
)
console = Console()

DbOption = typer.Option(
    None, "--db", help="DuckDB 数据库文件（默认 data/jixiao.duckdb，或环境变量 JIXIAO_DB）"
)


app.add_typer(user_app, name="user")


def _db(db: Path | None) -> Path:
    return db or paths.default_db()


@app.command()
def ingest(
    inputs: list[Path] = typer.Argument(None, help="文件或文件夹（默认 data/raw 下全部表格）"),
    db: Path | None = DbOption,
    workers: int | None = typer.Option(None, help="解析进程数（默认 CPU 核数）"),
    rebuild: bool = typer.Option(
        False, "--rebuild", help="不沿用现有数据库，从头导入（完成后替换现有数据库）"
    ),
    batch_size: int | None = typer.Option(None, "--batch-size", min=1, help="每批写入的文件数（默认 200）"),
    engine: str = EngineOption,
    out: Path | None = typer.Option(
        None,
        "--out",
        help="--engine spark 时的输出目录（按年度分区的 Parquet，与 jixiao export parquet 相同）",
    ),
    master: str | None = MasterOption,
) -> None:
    """导入自评表：解析、核查并写入数据库（写入副本，完成后整体替换，看板运行时也可导入）。"""
    if engine == "spark":
        from dashboard.spark.cli import ingest_spark_command

        ingest_spark_command(list(inputs or []), out, master, console)
        return
    from dashboard import load

    targets = list(inputs) if inputs else [paths.RAW_DIR]
    files = load.expand_paths(targets)
    with Progress(
        TextColumn("[bold]导入"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("ingest", total=len(files))
        try:
            result = load.ingest(
                targets,
                _db(db),
                rebuild=rebuild,
                workers=workers,
                batch_size=batch_size,
                on_progress=lambda _: progress.advance(task),
            )
        except (load.SchemaOutdated, load.DatabaseBusy, load.DatabaseUnreadable) as e:
            progress.stop()
            console.print(f"[red]{escape(str(e))}[/red]")
            raise typer.Exit(code=2 if isinstance(e, load.SchemaOutdated) else 3) from e

    table = Table(title=f"导入结果（{escape(str(_db(db)))}）")
    for col in ("文件成功", "文件失败", "未变化", "其中替换", "自评表", "指标", "核查发现"):
        table.add_column(col, justify="right")
    table.add_row(
        str(result.ok),
        str(len(result.failed)),
        str(result.unchanged),
        str(result.count("replaced")),
        str(result.reports),
        str(result.indicators),
        str(result.findings),
    )
    console.print(table)
    if result.adopted:
        console.print("接续了上次中断的导入：其已写入的批次均已保留。")
    if result.superseded:
        console.print(
            f"{result.superseded} 张自评表被同一次导入中后面的文件替换（同一单位、年度、项目只保留一份）。"
        )
    for failure in result.failed:
        console.print(f"[red]失败[/red] {escape(failure.error or failure.path)}")
    if result.failed:
        raise typer.Exit(code=1)


@app.command()
def findings(
    db: Path | None = DbOption,
    rule: str | None = typer.Option(None, help="只看某条规则，例如 total_mismatch"),
) -> None:
    """列出核查发现（按单位、表格、规则）。"""
    from dashboard.db import run_query

    df = run_query("findings_list", db_path=_db(db), rule=rule)
    table = Table(title=f"核查发现：{len(df)} 条")
    for col in ("单位", "年度", "表格", "规则", "级别", "位置", "说明"):
        table.add_column(col, overflow="fold")
    for row in df.astype(object).where(df.notna(), None).itertuples(index=False):
        table.add_row(  # form text as text: no rich markup, no terminal escape sequences
            *map(
                terminal_text,
                (
                    row.unit or "",
                    str(row.year or ""),
                    row.form,
                    row.rule,
                    row.severity,
                    f"{Path(row.path).name}:{row.source_line or ''}",
                    row.message,
                ),
            )
        )
    console.print(table)


@app.command(name="eval")
def eval_command(
    folders: list[Path] = typer.Argument(..., help="含 expected.json 的文件夹（真实表格及其人工读数）"),
    mismatches: bool = typer.Option(True, "--mismatches/--no-mismatches", help="列出每一处不一致"),
) -> None:
    """评测解析准确率：导入每个文件夹的表格，与 expected.json 逐字段比较。"""
    from dashboard.evaluate import evaluate

    result = evaluate(folders)
    table = Table(title="逐文件准确率")
    for col in ("文件", "字段", "正确", "准确率", "说明"):
        table.add_column(col, overflow="fold")
    for f in result.files:
        table.add_row(
            f"{f.folder}/{f.file}",
            str(f.total),
            str(f.correct),
            f"{f.accuracy:.1%}",
            f"整份被拒：{f.rejected}" if f.rejected else "",
        )
    console.print(table)
    if mismatches:
        for f in result.files:
            for m in f.mismatches:
                console.print(f"[yellow]不一致[/yellow] {m.describe()}", highlight=False, soft_wrap=True)
    for attr, title in (("families", "按模板类型"), ("provinces", "按省份")):
        t = Table(title=title)
        for col in ("类别", "文件", "字段", "准确率"):
            t.add_column(col)
        for label, (correct, total, n) in result.by(attr).items():
            t.add_row(label, str(n), str(total), f"{correct / total:.1%}" if total else "—")
        console.print(t)
    rejected = sum(1 for f in result.files if f.rejected)
    console.print(
        f"总计：{len(result.files)} 个文件，{result.total} 个字段，正确 {result.correct} 个，"
        f"整份被拒 {rejected} 个文件，字段准确率 {result.accuracy:.1%}",
        highlight=False,
    )


register_query_command(app)
register_demo_command(app)
register_app_command(app)
register_report_command(app)
register_review_command(app)
register_export_command(app)


@app.command()
def backup(out: Path = typer.Argument(..., help="备份文件"), db: Path | None = DbOption) -> None:
    """备份数据库：在写入锁下检查点后复制，重新打开校验各表行数（复核与审计日志一并复制）。"""
    from dashboard.load.backup import BackupError
    from dashboard.load.backup import backup as do_backup
    from dashboard.load.files import DatabaseBusy

    try:
        counts = do_backup(_db(db), out)
    except (BackupError, DatabaseBusy) as e:
        console.print(escape(str(e)), style="red")
        raise typer.Exit(1) from None
    console.print(f"已备份到 {escape(str(out))}：{len(counts)} 张表，{sum(counts.values())} 行，校验一致")


@app.command()
def restore(src: Path = typer.Argument(..., help="备份文件"), db: Path | None = DbOption) -> None:
    """从备份恢复数据库：校验后经写入锁与原子替换换入，看板随即读到恢复的数据。"""
    from dashboard.load.backup import BackupError
    from dashboard.load.backup import restore as do_restore
    from dashboard.load.files import DatabaseBusy

    try:
        counts = do_restore(src, _db(db))
    except (BackupError, DatabaseBusy) as e:
        console.print(escape(str(e)), style="red")
        raise typer.Exit(1) from None
    console.print(f"已恢复 {escape(str(_db(db)))}：{len(counts)} 张表，{sum(counts.values())} 行，校验一致")


if __name__ == "__main__":
    app()
