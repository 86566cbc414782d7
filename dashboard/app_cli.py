"""`jixiao app`: make sure the database holds the default data, then run the Streamlit dashboard.

On first start (or when the tables changed) the database is built from data/raw, the demo corpus (generated
on first use when the demo generator is installed) and data/uploads; later starts only load files that are new
or changed. The build goes through the one write path (dashboard/load/): into a copy that is swapped in, so a
running reader never sees half a database. When another writer (a `jixiao ingest`, another app starting) holds
the database, the app says so in one line and opens the data as it is, read-only; the writer's swap shows up
in the app by itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
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


def default_sources(db: Path) -> list[Path]:
    """What the app's database is built from: the real forms, the demo corpus where it exists, the uploads."""
    sources = [paths.RAW_DIR]
    demo = demo_corpus_dir()
    if demo is not None and demo.exists():
        sources.append(demo)
    uploads = paths.uploads_dir(db)
    if uploads.exists():
        sources.append(uploads)
    return sources


def demo_corpus_dir() -> Path | None:
    """data/demo when the demo generator is installed (dashboard.demo); None otherwise."""
    try:
        from dashboard.demo.corpus import default_corpus_dir
    except ImportError:
        return None
    return default_corpus_dir()


def ensure_demo_corpus() -> Path | None:
    """Generate the default demo corpus on first use (deterministic); None when the generator is missing."""
    try:
        from dashboard.demo import ensure_default_corpus
    except ImportError:
        return None
    return ensure_default_corpus()


def prepare_database(db: Path, *, demo: bool = True, rebuild: bool = False) -> str:
    """Build or update the database; returns what was done: 'built' | 'updated' | 'unchanged', or 'busy' when
    another writer holds it (then nothing was written and the app reads the database as it is)."""
    from dashboard import load

    if demo:
        with console.status("准备示例数据（首次运行时生成，约需数秒）…"):
            corpus = ensure_demo_corpus()
        if corpus is None:
            console.print(
                "[yellow]未安装示例数据生成器（dashboard.demo），只导入 data/raw 中的真实自评表。[/yellow]"
            )
    sources = [s for s in default_sources(db) if demo or s != demo_corpus_dir()]
    with Progress(
        TextColumn("[bold]导入自评表"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("build", total=None)
        done = 0

        def on_progress(_result: load.FileResult) -> None:
            nonlocal done
            done += 1
            progress.update(task, completed=done)

        try:
            result = load.update(db, sources, rebuild=rebuild, on_progress=on_progress)
        except load.DatabaseBusy as e:
            progress.stop()
            console.print(
                f"[yellow]{escape(str(e))}看板先以只读方式打开现有数据，写入完成后自动显示新数据。[/yellow]"
            )
            return "busy"
        except load.DatabaseUnreadable as e:
            progress.stop()
            console.print(f"[red]{escape(str(e))}[/red]")
            raise typer.Exit(code=1) from None
    if result.action == "unchanged":
        console.print(f"数据库已是最新：{db}")
        return result.action
    verb = "已建立数据库" if result.action == "built" else "已更新数据库"
    resumed = "（接续上次中断的导入）" if result.adopted else ""
    console.print(
        f"{verb} {db}{resumed}：{result.ok} 个文件，{result.reports} 张自评表，{result.indicators} 个指标，"
        f"{result.findings} 条核查发现"
        + (f"，[red]{len(result.failed)} 个文件失败[/red]" if result.failed else "")
    )
    for failure in result.failed:
        console.print(f"[red]失败[/red] {escape(failure.error or failure.path)}")
    return result.action


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
