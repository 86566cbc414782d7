"""`jixiao review`: the 复核清单 for a selection, printed, or written as CSV / XLSX for the review team."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dashboard import paths
from dashboard.cell_safety import terminal_text


class Output(StrEnum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"


def parse_weights(values: list[str] | None, known: list[str]) -> dict[str, float]:
    """`--weight similar_note=0 --weight lenient_score=5` -> {…}; an unknown signal or a bad number is a
    typer.BadParameter naming it."""
    out: dict[str, float] = {}
    for value in values or []:
        name, sep, number = value.partition("=")
        name = name.strip()
        if not sep or name not in known:
            raise typer.BadParameter(f"--weight {value!r}：应为 信号=权重，信号为 {'、'.join(known)} 之一")
        try:
            out[name] = float(number)
        except ValueError:
            raise typer.BadParameter(f"--weight {value!r}：权重应为数字") from None
        if out[name] < 0:
            raise typer.BadParameter(f"--weight {value!r}：权重不能为负数")
    return out


def review(
    year: int | None = typer.Option(None, "--year", "-y", help="年度（默认：数据中最新的年度）"),
    units: list[str] = typer.Option(
        None, "--units", "-u", help="单位名称，可重复或用逗号分隔（默认：全部单位）"
    ),
    dataset: str | None = typer.Option(
        None, "--dataset", help="real（真实数据）或 demo（示例数据），默认两者"
    ),
    kind: str | None = typer.Option(
        None, "--kind", help="只看 department（部门整体）或 project（项目）自评表"
    ),
    signal: str | None = typer.Option(None, "--signal", help="只列出触发该信号的表（信号名见 --rules）"),
    weight: list[str] = typer.Option(None, "--weight", "-w", help="改变某信号的权重：信号=权重，可重复"),
    top: int = typer.Option(20, "--top", min=1, help="列出前几张表（table 格式）"),
    fmt: Output = typer.Option(
        Output.table, "--format", "-f", help="table（屏幕）、csv 或 xlsx（含触发明细）"
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="输出文件（csv / xlsx 必填）"),
    rules: bool = typer.Option(False, "--rules", help="只列出各信号的规则与默认权重"),
    db: Path | None = typer.Option(
        None, "--db", help="DuckDB 数据库文件（默认 data/jixiao.duckdb，或环境变量 JIXIAO_DB）"
    ),
) -> None:
    """复核清单：按复核优先分列出应优先复核的自评表及理由（自评宽松、目标设置、偏差说明、预算执行）。"""
    from dashboard.db import QueryError, connect, query_runner
    from dashboard.export import table_csv
    from dashboard.report.cli import split_units
    from dashboard.review import export, signals
    from dashboard.selection import Options, Selection

    console = Console()
    if fmt is not Output.table and out is None:
        raise typer.BadParameter("csv / xlsx 格式需要 --out 输出文件", param_hint="--out")
    try:
        con = connect(db or paths.default_db())
    except QueryError as e:
        console.print(f"[red]{escape(str(e))}[/red]")
        raise typer.Exit(code=2) from e
    try:
        run = query_runner(con)
        rule_rows = signals.rules(run)
        if rules:
            t = Table(title="复核信号")
            for col in ("信号", "类别", "名称", "默认权重", "规则"):
                t.add_column(col)
            for r in rule_rows.itertuples():
                t.add_row(r.signal, r.group_label, r.signal_label, f"{r.default_weight:g}", escape(r.rule))
            console.print(t)
            return
        known = list(rule_rows["signal"])
        if signal is not None and signal not in known:
            raise typer.BadParameter(
                f"没有信号 {signal!r}（可用：{'、'.join(known)}）", param_hint="--signal"
            )
        weights = {
            **dict(zip(rule_rows["signal"], rule_rows["default_weight"])),
            **parse_weights(weight, known),
        }
        if year is None:
            year = Options.from_frame(run("filter_options", None, dataset=dataset)).latest_year
        sel = Selection(year=year, units=split_units(units), kind=kind, dataset=dataset)
        groups = signals.note_groups(run, dataset)
        rows = signals.priority(run, sel, groups, weights, signal=signal, min_score=0.0001)
        fired = signals.signals(run, sel, groups)
        fired = fired[fired["report_id"].isin(rows["report_id"])]
    except QueryError as e:
        console.print(f"[red]{escape(str(e))}[/red]")
        raise typer.Exit(code=2) from e
    finally:
        con.close()

    if fmt is Output.table:
        t = Table(title=f"复核清单（{escape(sel.describe())}，{len(rows)}张表有复核信号）")
        for col in ("顺序", "单位", "年度", "自评表", "优先分", "复核理由"):
            t.add_column(col, overflow="fold")
        for r in rows.head(top).itertuples():
            t.add_row(
                str(r.rank),
                terminal_text(r.unit),
                str(r.year),
                terminal_text(r.form),
                f"{r.priority_score:g}",
                terminal_text(r.reasons),
            )
        console.print(t)
        return
    assert out is not None
    if fmt is Output.csv:
        out.write_bytes(table_csv(rows.drop(columns=["signals"]).rename(columns=export.PRIORITY_COLUMNS)))
    else:
        ids = [int(i) for i in fired.loc[fired["signal"] == "similar_note", "indicator_id"].dropna()]
        members = groups.members
        cluster = members[
            members["group_id"].isin(set(members.loc[members["indicator_id"].isin(ids), "group_id"]))
        ]
        rule_rows = rule_rows.assign(weight=rule_rows["signal"].map(weights))
        out.write_bytes(export.review_xlsx(rows, fired, cluster, rule_rows))
    console.print(f"已写出 {escape(str(out))}（{len(rows)}张表）")


def register(app: typer.Typer) -> None:
    app.command(name="review")(review)
