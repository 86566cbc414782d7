"""`jixiao report`: the leadership report (绩效分析报告) for a year and optionally some units, as .docx or PDF."""

from __future__ import annotations

import re
import time
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from dashboard import paths


class ReportFormat(StrEnum):
    docx = "docx"
    pdf = "pdf"


class Dataset(StrEnum):
    real = "real"
    demo = "demo"


class Kind(StrEnum):
    department = "department"
    project = "project"


def split_units(values: list[str] | None) -> tuple[str, ...]:
    """`--units 甲 --units 乙,丙` -> ('甲', '乙', '丙'); commas (also ，、) separate names too."""
    names: list[str] = []
    for value in values or []:
        names.extend(n.strip() for n in re.split(r"[,，、]", value) if n.strip())
    return tuple(dict.fromkeys(names))


def report(
    year: int | None = typer.Option(None, "--year", "-y", help="年度（默认：数据中最新的年度）"),
    units: list[str] = typer.Option(
        None, "--units", "-u", help="单位名称，可重复或用逗号分隔（默认：全部单位）"
    ),
    dataset: Dataset | None = typer.Option(
        None, "--dataset", help="real（真实数据）或 demo（示例数据），默认两者"
    ),
    kind: Kind | None = typer.Option(
        None, "--kind", help="只看 department（部门整体）或 project（项目）自评表"
    ),
    level1: str | None = typer.Option(None, "--level1", help="只看某个一级指标（影响得分分布与扣分指标）"),
    fmt: ReportFormat | None = typer.Option(
        None, "--format", "-f", help="docx 或 pdf（默认按 --out 的扩展名，否则 docx）"
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="输出文件（默认：当前目录下的“绩效分析报告_年度_范围”）"
    ),
    db: Path | None = typer.Option(
        None, "--db", help="DuckDB 数据库文件（默认 data/jixiao.duckdb，或环境变量 JIXIAO_DB）"
    ),
) -> None:
    """生成绩效分析报告（Word 或 PDF）：图表、排名、扣分指标、数据质量与各单位摘要。"""
    from dashboard.db import QueryError
    from dashboard.report import ReportError, generate_report
    from dashboard.selection import Selection

    console = Console(stderr=True)
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out else ""
        fmt = ReportFormat(suffix) if suffix in ("docx", "pdf") else ReportFormat.docx
    elif out is not None and out.suffix.lower() not in ("", f".{fmt.value}"):
        console.print(f"[red]错误[/red]：--out 的扩展名 {escape(out.suffix)} 与 --format {fmt.value} 不一致")
        raise typer.Exit(code=2)
    selection = Selection(
        year=year,
        units=split_units(units),
        dataset=dataset.value if dataset else None,
        kind=kind.value if kind else None,
        level1=level1,
    )
    started = time.perf_counter()
    with Progress(
        TextColumn("[bold]生成报告"),
        BarColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=1.0)
        try:
            files = generate_report(
                selection,
                (fmt.value,),
                db_path=db or paths.default_db(),
                progress=lambda f, m: progress.update(task, completed=f, description=m),
            )
        except (ReportError, QueryError) as e:
            progress.stop()
            console.print(f"[red]错误[/red]：{escape(str(e))}")
            raise typer.Exit(code=1) from None
    data = files[fmt.value]
    target = out or Path(files.file_name(fmt.value))
    if target.suffix == "":
        target = target.with_suffix(f".{fmt.value}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    console.print(
        f"已生成 {escape(str(target))}（{len(data) / 1024:,.0f} KB，用时 {time.perf_counter() - started:.1f} 秒）"
    )


def register(app: typer.Typer) -> None:
    """Add `report` to the `jixiao` command line."""
    app.command(name="report")(report)
