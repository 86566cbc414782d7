"""`jixiao app`: make sure the database holds the default data, then run the Streamlit dashboard.

On first start (or when the schema changed) the database is built from data/raw, the demo corpus (generated
on first use when the demo generator is installed) and data/uploads; later starts only load files that are new
or changed. The build goes into a copy that is swapped in, so a running reader never sees half a database.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dashboard import paths

console = Console()


def streamlit_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """The command that serves the dashboard (run from the project root, where .streamlit/config.toml is)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(paths.ROOT / "dashboard" / "app.py"),
        "--server.address",
        address,
        "--server.port",
        str(port),
    ]


def prepare_database(db: Path, *, demo: bool = True, rebuild: bool = False) -> str:
    """Build or update the database; returns what was done ('built' | 'updated' | 'unchanged')."""
    from dashboard import live

    if demo:
        with console.status("准备示例数据（首次运行时生成，约需数秒）…"):
            corpus = live.ensure_demo_corpus()
        if corpus is None:
            console.print(
                "[yellow]未安装示例数据生成器（dashboard.demo），只导入 data/raw 中的真实自评表。[/yellow]"
            )
    sources = [s for s in live.default_sources(db) if demo or s != live.demo_corpus_dir()]
    with Progress(
        TextColumn("[bold]导入自评表"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("build", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        action, summary = live.build_database(db, sources, rebuild=rebuild, on_progress=on_progress)
    if summary is not None:
        verb = "已建立数据库" if action == "built" else "已更新数据库"
        console.print(
            f"{verb} {db}：{summary.ok} 个文件，{summary.reports} 张自评表，{summary.indicators} 个指标，"
            f"{summary.findings} 条核查发现"
            + (f"，[red]{len(summary.failed)} 个文件失败[/red]" if summary.failed else "")
        )
        for failure in summary.failed:
            console.print(f"[red]失败[/red] {failure.error}")
    else:
        console.print(f"数据库已是最新：{db}")
    return action


def app_command(
    port: int = typer.Option(8501, "--port", help="端口"),
    address: str = typer.Option("127.0.0.1", "--address", help="监听地址（默认只在本机可访问）"),
    db: Path | None = typer.Option(
        None, "--db", help="DuckDB 数据库文件（默认 data/jixiao.duckdb，或环境变量 JIXIAO_DB）"
    ),
    demo: bool = typer.Option(True, "--demo/--no-demo", help="是否包含示例数据（虚构的演示自评表）"),
    rebuild: bool = typer.Option(False, "--rebuild", help="重新导入全部文件、重建数据库"),
    prepare_only: bool = typer.Option(False, "--prepare-only", help="只准备数据库，不启动看板"),
) -> None:
    """启动绩效看板：首次运行时先导入自评表（含示例数据），再在浏览器中打开。"""
    target = db or paths.default_db()
    prepare_database(target, demo=demo, rebuild=rebuild)
    if prepare_only:
        return
    os.environ["JIXIAO_DB"] = str(target.resolve())
    command = streamlit_command(port, address)
    console.print(f"看板地址：[bold]http://{address}:{port}[/bold]（按 Ctrl+C 停止）")
    os.chdir(paths.ROOT)
    os.execv(command[0], command)


def register(app: typer.Typer) -> None:
    """Add `app` to the `jixiao` command line."""
    app.command(name="app")(app_command)
