"""`jixiao demo`: write a synthetic corpus of self-evaluation forms (示例数据) with its ground truth."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from dashboard.demo import city as V
from dashboard.demo.corpus import (
    DEFAULT_UNITS,
    FORMATS,
    TRUTH_FILE,
    NotADemoFolder,
    default_corpus_dir,
    write_corpus,
)
from dashboard.demo.generate import DEFAULT_SEED, make_plan

console = Console()

TIERS = ("default", "province")
PROVINCE_UNITS = 7700  # 14 cities and their counties: ≈150k forms, ≈2.8M indicators over 2019–2024


def parse_years(text: str) -> tuple[int, ...]:
    """`2019-2024`, `2022`, or `2019,2021,2023`."""
    text = text.strip()
    m = re.fullmatch(r"(\d{4})\s*[-–~]\s*(\d{4})", text)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        if a > b:
            raise typer.BadParameter(f"年度范围“{text}”起止颠倒")
        return tuple(range(a, b + 1))
    try:
        years = tuple(sorted({int(y) for y in re.split(r"[,，\s]+", text) if y}))
    except ValueError:
        raise typer.BadParameter(f"无法识别的年度“{text}”（示例：2019-2024 或 2022）") from None
    if not years:
        raise typer.BadParameter("至少需要一个年度")
    return years


def parse_formats(text: str) -> tuple[str, ...]:
    formats = tuple(f.strip().lower().lstrip(".") for f in re.split(r"[,，\s]+", text) if f.strip())
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise typer.BadParameter(f"不支持的格式：{'、'.join(bad) or '（空）'}（可选：{'、'.join(FORMATS)}）")
    return formats


def demo(
    units: int | None = typer.Option(None, "--units", help="单位数（默认 40；province 档为 7700）"),
    years: str = typer.Option("2019-2024", "--years", help="年度，如 2019-2024 或 2022"),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="随机种子：同一种子生成完全相同的文件"),
    formats: str = typer.Option(
        "txt", "--formats", help="文件格式，逗号分隔：txt,xlsx,docx（多种时每份文件取其一）"
    ),
    out: Path | None = typer.Option(
        None, "--out", help="输出目录（默认 data/demo；province 档为 data/bench/province）"
    ),
    tier: str = typer.Option(
        "default", "--tier", help="规模：default（约 40 个单位）或 province（约 15 万张表）"
    ),
    workers: int | None = typer.Option(None, "--workers", help="生成进程数（默认 CPU 核数）"),
    verify: bool = typer.Option(
        False, "--verify", help="生成后导入临时数据库，与 ground_truth.json 逐字段核对"
    ),
) -> None:
    """生成示例数据：虚构单位的部门整体及项目支出绩效自评表，附 ground_truth.json（标准答案与植入的问题）。"""
    if tier not in TIERS:
        raise typer.BadParameter(f"未知的规模“{tier}”（可选：{'、'.join(TIERS)}）", param_hint="--tier")
    province = tier == "province"
    year_list = parse_years(years)
    format_list = parse_formats(formats)
    n_units = units if units is not None else (PROVINCE_UNITS if province else DEFAULT_UNITS)
    if n_units < 1:
        raise typer.BadParameter("单位数至少为 1", param_hint="--units")
    from dashboard import paths

    target = out or (paths.ROOT / "data" / "bench" / "province" if province else default_corpus_dir())
    cities = V.CITY_NAMES if province else (V.CITY,)
    try:
        plan = make_plan(n_units, year_list, seed, cities=cities)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--units") from None
    if verify and province:
        raise typer.BadParameter(
            "province 档只写汇总版 ground_truth.json，不能逐字段核对；请用较小的 --units",
            param_hint="--verify",
        )
    n_workers = workers or os.cpu_count() or 1
    total = len(plan.units) * len(plan.years)
    with Progress(
        TextColumn("[bold]生成示例数据"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("demo", total=total)
        try:
            stats = write_corpus(
                target,
                plan,
                format_list,
                workers=n_workers,
                full_truth=not province,
                on_progress=lambda n: progress.advance(task, n),
            )
        except NotADemoFolder as e:
            raise typer.BadParameter(str(e), param_hint="--out") from None

    table = Table(title="示例数据已生成（虚构数据，文件名均含“示例数据”）")
    table.add_column("项目")
    table.add_column("数量", justify="right")
    table.add_row("单位", str(stats.units))
    table.add_row(
        "年度", f"{stats.years[0]}–{stats.years[-1]}" if len(stats.years) > 1 else str(stats.years[0])
    )
    table.add_row("文件", "，".join(f"{k} {v}" for k, v in sorted(stats.files_by_format.items())))
    table.add_row("部门整体表", str(stats.department_forms))
    table.add_row("项目表", str(stats.forms - stats.department_forms))
    table.add_row("指标", str(stats.indicators))
    for cause, n in sorted(stats.planted.items()):
        table.add_row(f"植入问题 {cause}", str(n))
    table.add_row("应报出的核查发现（含连带）", str(sum(stats.defects.values())))
    table.add_row("用时", f"{stats.seconds:.1f} 秒（{n_workers} 个进程）")
    console.print(table)
    console.print(f"输出目录：{target}\n标准答案：{target / TRUTH_FILE}")
    if verify:
        _verify(target)


def _verify(target: Path) -> None:
    from dashboard.demo.verify import compare
    from dashboard.load import ingest

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "verify.duckdb"
        summary = ingest([target], db)
        result = compare(db, target / TRUTH_FILE)
    console.print(f"导入：成功 {summary.ok} 个文件，失败 {len(summary.failed)} 个")
    console.print(result.summary())
    found = sum(result.found_by_rule.values())
    planted = sum(result.planted_by_rule.values())
    console.print(f"植入问题被对应规则发现：{found}/{planted}")
    if summary.failed or result.accuracy < 0.995 or result.missing_defects:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.command(name="demo")(demo)
