"""The province tier (≈150k forms, ≈3M indicators) and the side-by-side baselines of the query benchmark.

The tier is the ingested sample replicated by SQL: 38,000 copies of its four forms over 7,600 units × 5 years,
one copy in seven marked demo, a tenth of the scores lowered; the derived tables are then refreshed exactly as
the writer does after a load. Built once and cached outside git (test-artifacts/bench-cache/, keyed by the
schema and view definitions). The figures of the replicated forms are not meaningful (totals no longer add up);
only the sizes are.

BARE: the core aggregation of a dashboard query written directly on the stored base tables (reports,
indicators) in DuckDB: what an analyst with the raw tables would write. PANDAS: the same on DataFrames already
in memory. Both return the rows the dashboard shows (same filter, same grouping, same order and limit), without
the labels, links and secondary columns of the real query."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd

from dashboard import schema
from dashboard.load import ingest
from dashboard.load.derived import refresh
from tests.conftest import ROOT, SAMPLE

CACHE = ROOT / "test-artifacts" / "bench-cache"
COPIES = 38_000  # × 4 forms = 152,000 forms; × 79 indicators ≈ 3.0M rows
EPS = 0.00005


def replicate(sample_db: str, target: str, copies: int) -> None:
    con = duckdb.connect(target)
    con.execute(schema.tables_sql())
    con.execute(f"attach '{sample_db}' as s (read_only)")
    con.execute(f"create temp table copies as select range as c from range({copies})")
    con.execute("""insert into sources by name select * exclude (c) replace (
        source_id + c as source_id, c % 7 = 0 as is_synthetic) from s.sources cross join copies""")
    con.execute("""insert into reports by name select * exclude (c) replace (
        report_id + c * 4 as report_id, source_id + c as source_id, 2018 + c % 5 as year,
        '单位' || cast(c // 5 as varchar) as unit, c // 5 + 1 as unit_id, c % 7 = 0 as is_synthetic,
        computed_total - c % 13 as computed_total, stated_total - c % 11 as stated_total)
        from s.reports cross join copies""")
    con.execute("""insert into indicators by name select * exclude (c) replace (
        indicator_id + c * 100 as indicator_id, report_id + c * 4 as report_id,
        case when hash(indicator_id, c) % 10 = 0 then round(weight * (hash(c, indicator_id) % 100) / 100.0)
             else score end as score)
        from s.indicators cross join copies""")
    con.execute("""insert into budget_lines by name select * exclude (c) replace (report_id + c * 4 as report_id)
        from s.budget_lines cross join copies""")
    con.execute("""insert into findings by name select * exclude (c) replace (finding_id + c * 100 as finding_id,
        report_id + c * 4 as report_id, indicator_id + c * 100 as indicator_id) from s.findings cross join copies""")
    con.execute("insert into rules select * from s.rules")
    con.execute("insert into meta select * from s.meta")
    con.execute("detach s")
    refresh(con)
    con.execute("checkpoint")
    con.close()


def province_db(copies: int = COPIES) -> Path:
    """The cached province-tier database (built on first use, ≈1 min)."""
    key = hashlib.sha256(
        (schema.derived_version() + SAMPLE.read_bytes().hex()[:4096] + str(copies)).encode()
    ).hexdigest()[:12]
    db = CACHE / f"province-{copies}-{key}.duckdb"
    if db.exists():
        return db
    CACHE.mkdir(parents=True, exist_ok=True)
    for old in CACHE.glob(f"province-{copies}-*.duckdb"):
        old.unlink()
    sample = CACHE / "sample.duckdb"
    sample.unlink(missing_ok=True)
    ingest([SAMPLE], sample, workers=1)
    part = db.with_suffix(".part")
    part.unlink(missing_ok=True)
    replicate(str(sample), str(part), copies)
    part.rename(db)
    return db


# -- bare DuckDB, on the base tables ------------------------------------------------------------------------
BARE_RANKING_SHARE = """
with forms as (
    select report_id, unit_id, unit, year, execution_weight - execution_score as x_lost,
           case when execution_score is not null then coalesce(execution_weight, 0) else 0 end as x_weight
    from reports where year in ($year, $year - 1) and unit_id is not null
),
per_form as (
    select report_id, sum(weight - score) as lost,
           sum(weight) filter (where weight is not null and score is not null) as scored
    from indicators where report_id in (select report_id from forms) group by report_id
),
units as (
    select f.unit_id, any_value(f.unit) as unit, f.year,
           sum(coalesce(p.lost, 0) + coalesce(f.x_lost, 0)) / sum(coalesce(p.scored, 0) + f.x_weight) * 100 as share
    from forms f left join per_form p using (report_id) group by f.unit_id, f.year
),
ranked as (select *, rank() over (partition by year order by share nulls last) as rank from units)
select r.unit_id, r.unit, r.share, r.rank, p.rank as prev_rank
from ranked r left join ranked p on p.unit_id = r.unit_id and p.year = r.year - 1
where r.year = $year order by r.rank nulls last, r.unit
"""

BARE_RANKING_TOTAL = """
with units as (
    select unit_id, any_value(unit) as unit, year,
           coalesce(max(coalesce(computed_total, stated_total)) filter (where kind = 'department'),
                    avg(coalesce(computed_total, stated_total)) filter (where kind = 'project')) as total
    from reports where year in ($year, $year - 1) and unit_id is not null group by unit_id, year
),
ranked as (select *, rank() over (partition by year order by -total nulls last) as rank from units)
select r.unit_id, r.unit, r.total, r.rank, p.rank as prev_rank
from ranked r left join ranked p on p.unit_id = r.unit_id and p.year = r.year - 1
where r.year = $year order by r.rank nulls last, r.unit
"""

BARE_LOW_SCORING = f"""
select i.indicator_id, r.unit, r.year, i.level1, i.level2, i.level3, i.weight, i.score,
       i.weight - i.score as points_lost
from indicators i join reports r using (report_id)
where r.year = $year and (i.weight - i.score > {EPS} or i.target_met = false)
order by points_lost desc nulls last, r.unit, i.source_line
limit 200
"""

BARE_DISTRIBUTION = """
with v as (
    select coalesce(i.level1, '（未分类）') as level1, i.score / i.weight * 100 as value
    from indicators i join reports r using (report_id)
    where r.year = $year and i.weight > 0 and i.score is not null
)
select level1, least(greatest(cast(floor(value / 10) as integer), -1), 10) as bin, count(*) as n,
       any_value(q) as quartiles
from v join (select level1, quantile_cont(value, [0.25, 0.5, 0.75]) as q from v group by level1) using (level1)
group by level1, bin order by level1, bin
"""

BARE_DRILLDOWN = """
select r.report_id, i.level1, i.level2, i.indicator_id, count(*) as n, sum(i.weight) as weight,
       sum(i.score) as score, sum(i.weight - i.score) as points_lost
from indicators i join reports r using (report_id)
where r.unit = $unit
group by rollup (r.report_id, i.level1, i.level2, i.indicator_id)
order by r.report_id nulls first, i.level1 nulls first, i.level2 nulls first, i.indicator_id nulls first
"""


def bare(con: duckdb.DuckDBPyConnection, sql: str, **params) -> pd.DataFrame:
    return con.execute(sql, params).df()


# -- pandas, on DataFrames in memory -----------------------------------------------------------------------
def pandas_frames(db: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        reports = con.execute(
            "select report_id, unit_id, unit, year, kind, computed_total, stated_total, execution_weight, "
            "execution_score from reports"
        ).df()
        indicators = con.execute(
            "select indicator_id, report_id, level1, level2, level3, weight, score, target_met, source_line "
            "from indicators"
        ).df()
    finally:
        con.close()
    return reports, indicators


def pd_ranking_share(reports: pd.DataFrame, indicators: pd.DataFrame, year: int) -> pd.DataFrame:
    forms = reports[reports.year.isin([year, year - 1]) & reports.unit_id.notna()]
    ind = indicators[indicators.report_id.isin(forms.report_id)]
    both = ind.weight.notna() & ind.score.notna()
    per_form = (
        pd.DataFrame(
            {"report_id": ind.report_id, "lost": ind.weight - ind.score, "scored": ind.weight.where(both)}
        )
        .groupby("report_id")
        .sum(min_count=1)
    )
    f = forms.join(per_form, on="report_id")
    f = f.assign(
        lost=f.lost.fillna(0) + (f.execution_weight - f.execution_score).fillna(0),
        scored=f.scored.fillna(0) + f.execution_weight.fillna(0).where(f.execution_score.notna(), 0),
    )
    units = f.groupby(["unit_id", "year"]).agg(
        unit=("unit", "first"), lost=("lost", "sum"), scored=("scored", "sum")
    )
    units["share"] = units.lost / units.scored * 100
    units["rank"] = units.groupby(level="year").share.rank(method="min")
    units = units.reset_index()
    cur = units[units.year == year]
    prev = units[units.year == year - 1][["unit_id", "rank"]].rename(columns={"rank": "prev_rank"})
    return cur.merge(prev, on="unit_id", how="left").sort_values(["rank", "unit"])


def pd_ranking_total(reports: pd.DataFrame, year: int) -> pd.DataFrame:
    f = reports[reports.year.isin([year, year - 1]) & reports.unit_id.notna()]
    f = f.assign(total=f.computed_total.fillna(f.stated_total))
    dept = f[f.kind == "department"].groupby(["unit_id", "year"]).total.max()
    proj = f[f.kind == "project"].groupby(["unit_id", "year"]).total.mean()
    units = f.groupby(["unit_id", "year"]).unit.first().to_frame()
    units["total"] = dept.reindex(units.index).fillna(proj.reindex(units.index))
    units["rank"] = units.groupby(level="year").total.rank(method="min", ascending=False)
    units = units.reset_index()
    cur = units[units.year == year]
    prev = units[units.year == year - 1][["unit_id", "rank"]].rename(columns={"rank": "prev_rank"})
    return cur.merge(prev, on="unit_id", how="left").sort_values(["rank", "unit"])


def pd_low_scoring(reports: pd.DataFrame, indicators: pd.DataFrame, year: int) -> pd.DataFrame:
    ids = reports.loc[reports.year == year, ["report_id", "unit", "year"]]
    lost = indicators.weight - indicators.score
    keep = (lost > EPS) | (indicators.target_met == False)  # noqa: E712 (a nullable column)
    rows = indicators[keep].merge(ids, on="report_id")
    rows = rows.assign(points_lost=rows.weight - rows.score)
    return rows.sort_values(["points_lost", "unit", "source_line"], ascending=[False, True, True]).head(200)


def pd_distribution(reports: pd.DataFrame, indicators: pd.DataFrame, year: int) -> pd.DataFrame:
    ids = reports.loc[reports.year == year, "report_id"]
    i = indicators[indicators.report_id.isin(ids) & (indicators.weight > 0) & indicators.score.notna()]
    v = pd.DataFrame({"level1": i.level1.fillna("（未分类）"), "value": i.score / i.weight * 100})
    v["bin"] = (v.value // 10).clip(-1, 10).astype(int)
    counts = v.groupby(["level1", "bin"]).size().rename("n").reset_index()
    q = v.groupby("level1").value.quantile([0.25, 0.5, 0.75]).unstack()
    return counts.join(q, on="level1")


def pd_drilldown(reports: pd.DataFrame, indicators: pd.DataFrame, unit: str) -> pd.DataFrame:
    ids = reports.loc[reports.unit == unit, "report_id"]
    i = indicators[indicators.report_id.isin(ids)]
    i = i.assign(points_lost=i.weight - i.score)
    levels = ["report_id", "level1", "level2", "indicator_id"]
    agg = {
        "n": ("weight", "size"),
        "weight": ("weight", "sum"),
        "score": ("score", "sum"),
        "points_lost": ("points_lost", "sum"),
    }
    parts = [i.assign(all=0).groupby("all").agg(**agg).reset_index(drop=True)]
    for depth in range(1, len(levels) + 1):
        parts.append(i.groupby(levels[:depth], dropna=False).agg(**agg).reset_index())
    return pd.concat(parts, ignore_index=True)
