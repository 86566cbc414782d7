"""BENCHMARKS.md from the JSON files the benchmarks wrote (test-artifacts/benchmarks/): written at the end of
`make bench` (tests/benchmarks/conftest.py), or by `python -m tests.benchmarks.report`."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test-artifacts" / "benchmarks"
TARGET = ROOT / "BENCHMARKS.md"

# Why a target is missed, from the profiles (cProfile of the parser, DuckDB's JSON profile of the queries), and
# what would close it. Kept here so a regenerated report keeps them.
NOTES = """\
## Where the time goes (profiles) and what would close the gaps

- **Ingest is bound by the parser, not the load side.** cProfile of 600 sample forms: `ingest/align.py`
  `Aligner.align` (the row-alignment dynamic programme, run three times a form by `align_twice` plus the budget
  table) takes ≈88% of the parse time; `emit_span` alone is called ≈37,000 times a form, almost all memo hits
  from the inner `for r … for q … for j` loops asking the same (token, role) cost once per open role. The load
  side (Store → DuckDB, cross-form rules, derived tables) is ≈1.5 ms a form. Proposals for the parser's owner:
  (1) compute each token's span costs `emit_span(i, j, q)` once per token before the `r` loop (a list per `q`),
  not once per (r, q): ≈m× fewer calls (m ≈ 10 roles); (2) for tab-separated text whose line has the header's
  cell count, place cells by column (`Aligner.columns`) and run the DP only on the lines that deviate, or
  split the DP at lines that must start a row; (3) skip the second pass of `align_twice` when the habits learned
  change no role's cost. Parallel parsing (`workers`, one process a core) already scales the pipeline beyond
  one core.
- **Queries.** The read side no longer recomputes joins, grade bands and per-form sums per call: `form_facts`,
  `indicator_facts`, `form_points`, `hotline_indicators` and the `unit_years` aggregates (for every dataset ×
  kind) are tables written by the writer after each load (dashboard/load/derived.py), sorted by year and unit.
  What remains above 2× bare DuckDB: queries that build a wide result row by row (the drill-down tree: a ROLLUP,
  two window functions and joins back for labels; its bare equivalent sums four numbers) and the low-score list
  (it reads 30 columns of every lost-points row of the year before its top-200 cut: a late-materialisation
  rewrite, selecting ids first and joining the texts of the 200 rows kept, would close most of it).
  `department_ranking` with the default metric reads 7,600 stored unit-year rows, yet spends its time in two
  window functions (rank and ties) and the previous-year self-join over 30 columns; bare DuckDB ranks three
  columns. Storing the ranks per (dataset, kind, metric) at write time would close it.
- **Planning, not execution, is most of a small query's time** (issue 15, `test_hot_queries_where_the_time_goes`
  reports it as `plan`): of the one-unit drill-down's ≈50 ms, ≈45 ms is DuckDB binding and optimising its text
  (the selection macros expand into every CTE that names them); on the stored tables it executes in ≈5 ms. The
  ranking: ≈26 of ≈45 ms. DuckDB's Python API cannot EXECUTE these as prepared statements with named parameters
  ("Unexpected prepared parameter"); fewer layers in the query text, or the per-selection result cache the app
  already has (`ui.query`), are what close it. `review_priority` now reads `note_key` and `measure_unit` stored
  in `derived_indicator_facts` (no regular expression over every note, no join with the 3 M raw indicator rows
  per call) and its indicators through `selected_indicators`.
- **"Before" column.** "before (views)" computes the views per call with today's query texts. For
  `low_scoring_indicators` that includes `hotline_indicators` over the whole corpus (the old query matched only
  the in-scope rows), so its ratio overstates the gain: measured separately on the old code, the low-score list
  (limit 200) took 181 ms and the ranking by points lost 123–180 ms against 51 and 59 ms here.
- **Unchanged queries.** `findings_*`, `indicator_history`, `indicator_search`, `filter_options`, `score_check`,
  `file_forms` and `source_files` read the findings table, the text columns or whole corpora; the derived tables
  do not change their cost. They are the next candidates (findings per unit-year; filter options per dataset).
- **pandas.** The pandas baselines run on frames already in memory over the few columns they need; a 5× lead
  over them needs every query down to single-digit milliseconds, which only precomputed results per selection
  (the next step after the derived tables) would give.
"""


def _load(name: str) -> dict | list | None:
    path = OUT / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{mem_kb / 2**20:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        mem = "RAM unknown"
    return (
        f"{cpu}, {os.cpu_count()} cores (shared with other jobs), {mem}; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, DuckDB {duckdb.__version__}"
    )


def _ms(r: dict) -> str:
    return f"{r['p50_ms']:.0f} / {r['p95_ms']:.0f}"


def render() -> str:
    q = _load("query_speed.json") or {}
    ingest = _load("ingest_speed.json") or {}
    report = _load("report_speed.json") or {}
    browser = _load("browser_timings.json") or []
    lines = [
        "# Benchmarks",
        "",
        f"Measured {dt.date.today().isoformat()} by `make bench` in one run on: {_machine()}. Timings in ms as "
        "p50 / p95 of 5 calls (a call over 2 s: of 2); the machine is shared, so compare ratios within a "
        "table, not absolute figures across runs.",
        "",
    ]
    tier = q.get("tier")
    if tier:
        lines += [
            f"Province tier: {tier['forms']:,} forms, {tier['indicators']:,} indicator rows "
            f"(tests/benchmarks/province.py; database {tier['file_mb']} MB with its derived tables).",
            "",
        ]
    targets: list[tuple[str, str, str]] = []
    side = q.get("side_by_side") or {}
    if side:
        worst_bare = max(r["jixiao"]["p50_ms"] / max(r["bare_duckdb"]["p50_ms"], 0.1) for r in side.values())
        worst_pd = min(r["pandas"]["p50_ms"] / max(r["jixiao"]["p50_ms"], 0.1) for r in side.values())
        targets.append(
            (
                "every core query within 2× of bare DuckDB",
                f"worst {worst_bare:.1f}×",
                "met" if worst_bare <= 2 else "missed",
            )
        )
        targets.append(
            (
                "every core query ≥ 5× faster than pandas",
                f"worst {worst_pd:.1f}×",
                "met" if worst_pd >= 5 else "missed",
            )
        )
    rss = q.get("reader_rss_mb")
    if rss:
        targets.append(
            (
                "reader RSS < 600 MB (province, page requests)",
                f"{rss['peak']} MB peak",
                "met" if rss["peak"] < 600 else "missed",
            )
        )
    rates = {k: v for k, v in ingest.items() if k.startswith("pipeline_txt_") and k.endswith("_per_s")}
    if rates:
        best = max(rates.values())
        targets.append(
            (
                "ingest ≥ 800 text forms/s (one core)",
                f"{best:.0f} forms/s",
                "met" if best >= 800 else "missed",
            )
        )
    if report:
        worst = max(r["seconds"] for r in report.values())
        targets.append(
            ("report for the busiest demo year < 10 s", f"{worst:.1f} s", "met" if worst < 10 else "missed")
        )
    if browser:
        inter = [r for r in browser if not r["interaction"].startswith("open ")]
        if inter:
            worst = max(r["browser_ms"] for r in inter)
            targets.append(
                (
                    "interaction settles < 1 s (demo corpus)",
                    f"worst {worst:.0f} ms",
                    "met" if worst < 1000 else "missed",
                )
            )
        runs = max(r["longest_run_ms"] for r in browser)
        targets.append(
            (
                "server time per rerun < 300 ms (demo corpus)",
                f"longest {runs:.0f} ms",
                "met" if runs < 300 else "missed",
            )
        )
    if targets:
        lines += ["## Targets", "", "| target | measured | |", "|---|---|---|"]
        lines += [f"| {t} | {m} | {s} |" for t, m, s in targets]
        lines += [""]
    if side:
        lines += [
            "## Side by side (province tier, same run)",
            "",
            "The dashboard query against the same core aggregation in bare DuckDB on the base tables and in pandas "
            "on DataFrames already in memory (tests/benchmarks/province.py).",
            "",
            "| query | Jixiao | bare DuckDB | pandas | Jixiao ÷ bare | pandas ÷ Jixiao |",
            "|---|---|---|---|---|---|",
        ]
        for key, r in side.items():
            j, b, p = r["jixiao"]["p50_ms"], r["bare_duckdb"]["p50_ms"], r["pandas"]["p50_ms"]
            lines.append(
                f"| `{key}` | {_ms(r['jixiao'])} | {_ms(r['bare_duckdb'])} | {_ms(r['pandas'])} | "
                f"{j / max(b, 0.1):.1f}× | {p / max(j, 0.1):.1f}× |"
            )
        lines += [""]
    hot = q.get("hot") or {}
    if hot:
        lines += [
            "## Hot queries: where a call's time goes (province tier)",
            "",
            "call = run_query to a DataFrame; plan = EXPLAIN alone (parse, bind, optimise, no execution); the "
            "heaviest operators from DuckDB's JSON profile (EXPLAIN ANALYZE's tree; ms summed over threads).",
            "",
            "| query | rows | call | plan | heaviest operators |",
            "|---|---|---|---|---|",
        ]
        for key, r in hot.items():
            ops = "; ".join(
                f"{o['operator']} {o['ms']:.0f} ms" + (f" ({o['detail']})" if o["detail"] else "")
                for o in r["operators"]
            ).replace("|", "\\|")
            lines.append(f"| `{key}` | {r['call']['rows']:,} | {_ms(r['call'])} | {_ms(r['plan'])} | {ops} |")
        lines += [""]
    queries = q.get("queries") or {}
    if queries:
        lines += [
            "## Every query: derived tables (now) and views computed per call (before)",
            "",
            "Warm p50 / p95; cold = a fresh connection's first call on the derived tables.",
            "",
            "| query | rows | now | before (views) | before ÷ now | cold |",
            "|---|---|---|---|---|---|",
        ]
        for key, r in queries.items():
            now, before = r["tables"]["p50_ms"], r["views"]["p50_ms"]
            lines.append(
                f"| `{key}` | {r['tables']['rows']:,} | {_ms(r['tables'])} | {_ms(r['views'])} | "
                f"{before / max(now, 0.1):.1f}× | {r['cold_ms']:.0f} |"
            )
        lines += [""]
    if rss:
        lines += [
            f"Reader memory (peak RSS of a fresh process opening the tier): {rss['after_open']} MB after opening, "
            f"{rss['peak']} MB after the page requests (test_query_speed.PAGE_CASES), "
            f"{rss.get('peak_every_query', '–')} MB after every query with a narrowing parameter, the unbounded "
            "lists of a whole year included (score_check: 387,600 rows, findings_list: 205,200 rows, converted "
            "to DataFrames).",
            "",
        ]
    if ingest:
        lines += ["## Ingest (one core)", "", "| measure | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in ingest.items()]
        lines += [""]
    if report:
        lines += [
            "## Report (demo corpus, busiest year)",
            "",
            "| year, dataset | seconds | docx KB | pdf KB |",
            "|---|---|---|---|",
        ]
        lines += [f"| {k} | {r['seconds']} | {r['docx_kb']} | {r['pdf_kb']} |" for k, r in report.items()]
        lines += [""]
    if browser:
        lines += [
            "## Browser (headless Chromium, demo corpus; tests/test_browser.py's last run)",
            "",
            "| interaction | browser ms | server ms | longest run ms |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {r['interaction']} | {r['browser_ms']:.0f} | {r['server_ms']:.0f} | {r['longest_run_ms']:.0f} |"
            for r in browser
        ]
        lines += [""]
    lines += [NOTES]
    return "\n".join(lines)


def write(target: Path = TARGET) -> Path:
    target.write_text(render(), encoding="utf-8")
    return target


if __name__ == "__main__":
    print(write())
