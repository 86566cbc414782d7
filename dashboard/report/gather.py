"""What the report shows for a selection, gathered through queries/*.sql: every number comes from a query (read
through the app's cached path, or a connection of its own that is closed before anything is rendered), the
sentences are sentences.py's, the tables tables.py's, the charts dashboard/charts' (the app's own), rendered to
PNG later (build.py) once their printed size is known."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from dashboard import charts
from dashboard.db import QueryRunner, connect, query_runner
from dashboard.labels import SYNTHETIC_NOTE, as_int
from dashboard.report import sentences, tables
from dashboard.report.model import Chart, ReportContent, ReportError
from dashboard.report.review import gather_review, review_intro, top_forms_table, weaknesses_table
from dashboard.selection import Selection


def gather(
    selection: Selection,
    *,
    run: QueryRunner | None = None,
    db_path: str | Path | None = None,
    today: dt.date | None = None,
    step: Callable[[str], object] | None = None,
) -> ReportContent:
    """Everything the report shows for `selection`. Reads through `run(name, selection, **params)` (the app's
    cached query path), or opens `db_path` (default: the project database) read-only for the time it reads."""
    if run is not None:
        return _gather(selection, run, today or dt.date.today(), step or (lambda _m: None))
    con = connect(db_path)
    try:
        return _gather(selection, query_runner(con), today or dt.date.today(), step or (lambda _m: None))
    finally:
        con.close()


def _gather(s: Selection, run: QueryRunner, today: dt.date, step: Callable[[str], object]) -> ReportContent:
    summary_rows = run("selection_summary", s)
    current = summary_rows[summary_rows["is_selected_year"]]
    if current.empty:
        raise ReportError(sentences.no_data_message(s))
    cur = current.iloc[0]
    year = int(cur["year"])
    s_year = s.replace(year=year)
    prev_rows = summary_rows[~summary_rows["is_selected_year"]]
    prev = prev_rows.iloc[0] if len(prev_rows) else None
    step("排名与执行率")

    ranking_all = run("department_ranking", s_year, units=None)  # every unit: ranks are among all of them
    missing = [u for u in s.units if u not in set(ranking_all["unit"])]
    if missing:
        raise ReportError(f"以下单位在{year}年没有自评表：{'、'.join(missing)}")
    ranking = run("department_ranking", s_year) if s.units else ranking_all
    n_all_ranked = as_int(ranking_all["n_ranked"].max()) if len(ranking_all) else 0
    yoy = run("year_over_year", s_year)
    execution = run("execution_rates", s_year)
    step("得分分布与低分指标")
    if len(s.units) > 1:  # one series per selected unit
        distribution = run("score_distribution", s_year, group_by="unit")
        distribution_groups, distribution_by = distribution, "单位"
    else:
        distribution = run("score_distribution", s_year, group_by="all")
        distribution_groups, distribution_by = (
            run("score_distribution", s_year, group_by="level1"),
            "一级指标",
        )
    low = run("low_scoring_indicators", s_year)
    step("数据质量")
    totals = run("total_gap", s_year)
    findings = run("findings_summary", s_year)  # per unit, whatever the form kind
    sources = run("selection_sources", s_year)
    step("复核建议")
    review_top, review_rows = gather_review(s_year, run)

    is_synthetic = as_int(cur["n_synthetic_forms"]) > 0
    note = SYNTHETIC_NOTE if is_synthetic else None
    scope = sentences.scope_text(s, ranking)
    dataset_label = sentences.dataset_text(
        s.dataset, as_int(cur["n_synthetic_forms"]), as_int(cur["n_forms"])
    )
    scope_line = sentences.scope_line(scope, s.kind, s.level1)

    unit_pages = tables.unit_pages(year, ranking, yoy, totals, low, findings, n_all_ranked)
    return ReportContent(
        selection=s,
        year=year,
        generated_on=today,
        is_synthetic=is_synthetic,
        scope=scope,
        dataset_label=dataset_label,
        cover_facts=tables.cover_facts(year, scope_line, dataset_label, today, cur, sources),
        sources=tables.sources_table(sources),
        summary=sentences.summary(year, cur, prev, ranking, n_all_ranked, low, totals, sources, s),
        kpis=tables.kpi_table(year, cur, prev),
        ranking_intro=sentences.ranking_intro(n_all_ranked, bool(s.units)),
        ranking_chart=Chart(
            "ranking",
            f"{year}年各单位自评得分排名",
            charts.ranking_chart(ranking, "total", note=note, title=f"{year}年 单位排名：自评得分"),
        ),
        ranking=tables.ranking_table(year, ranking, n_all_ranked),
        distribution_intro=sentences.distribution_intro(len(s.units) > 1),
        distribution_chart=Chart(
            "distribution",
            f"{year}年指标得分率分布" + ("（按单位）" if len(s.units) > 1 else ""),
            charts.histogram_chart(
                distribution,
                note=note,
                title=f"{year}年 指标得分率分布" + ("（按单位）" if len(s.units) > 1 else ""),
            ),
        ),
        distribution=tables.distribution_table(year, distribution_groups, distribution_by),
        execution_intro=sentences.execution_intro(len(execution) > tables.EXECUTION_CHART_PROJECTS),
        execution_chart=Chart(
            "execution",
            f"{year}年各单位预算执行率",
            charts.execution_rate_chart(
                execution,
                note=note,
                title=f"{year}年 各单位预算执行率",
                projects=len(execution) <= tables.EXECUTION_CHART_PROJECTS,
            ),
        ),
        execution=tables.execution_table(year, execution),
        low_scoring_intro=sentences.LOW_SCORING_INTRO,
        low_scoring=tables.low_scoring_table(year, low),
        quality_intro=sentences.QUALITY_INTRO,
        totals=tables.totals_table(year, totals),
        findings_chart=Chart(
            "findings",
            f"{year}年核查发现（按问题类型）",
            charts.findings_rule_chart(findings, note=note, title=f"{year}年 核查发现：按问题类型"),
        ),
        findings=tables.findings_table(year, findings),
        unit_pages=unit_pages,
        definitions=sentences.definitions(),
        review_intro=review_intro(year, review_top, as_int(cur["n_forms"])),
        review_forms=top_forms_table(year, review_top),
        review_units=weaknesses_table(year, review_rows),
    )
