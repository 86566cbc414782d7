"""The SQL layer against the demo corpus's ground truth: every expected figure below is computed in Python
from ground_truth.json (what the generator wrote), never from the database, and compared with the queries."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from dashboard.db import connect, run_query
from dashboard.demo.corpus import TRUTH_FILE, write_corpus
from dashboard.demo.generate import make_plan
from dashboard.load import ingest

YEARS = (2021, 2022, 2023)
TOL = 1e-6


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("demo_queries")
    write_corpus(out / "files", make_plan(10, YEARS, 11), ["txt"], workers=1)
    db = out / "demo.duckdb"
    summary = ingest([out / "files"], db, workers=1)
    assert not summary.failed, [f.error for f in summary.failed]
    truth = json.loads((out / "files" / TRUTH_FILE).read_text(encoding="utf-8"))
    con = connect(db)
    # The stored (canonical) unit name of each truth document, through its file.
    stored = dict(
        con.execute(
            "select distinct s.path, r.unit from reports r join sources s using (source_id)"
        ).fetchall()
    )
    unit_of = {
        doc["file"]: stored[next(p for p in stored if Path(p).name == doc["file"])]
        for doc in truth["documents"]
    }
    forms = [dict(f, unit=unit_of[doc["file"]]) for doc in truth["documents"] for f in doc["forms"]]
    yield con, forms
    con.close()


def grade(total: float | None) -> str | None:
    if total is None:
        return None
    return "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"


def competition_ranks(values: dict[str, float]) -> dict[str, int]:
    return {k: 1 + sum(1 for w in values.values() if w > v) for k, v in values.items()}


def recomputed(f: dict) -> float | None:
    """核算得分 = Σ得分 / Σ分值 × 100 (the execution line included)."""
    if f["computed_total"] is None or not f.get("weight_total"):
        return None
    return f["computed_total"] / f["weight_total"] * 100


def unit_totals(forms: list[dict]) -> dict[tuple[str, int], float]:
    """The documented unit score: the department form's reported total (else its 核算得分), else the mean of the
    project forms' scores."""
    dept, projects = {}, defaultdict(list)
    for f in forms:
        total = f["stated_total"] if f["stated_total"] is not None else recomputed(f)
        if f["kind"] == "department":
            dept[(f["unit"], f["year"])] = total
        else:
            projects[(f["unit"], f["year"])].append(total)
    keys = set(dept) | set(projects)
    return {k: dept[k] if k in dept else sum(projects[k]) / len(projects[k]) for k in keys}


def test_ranking_matches_the_ground_truth(demo):
    con, forms = demo
    totals = unit_totals(forms)
    for year in YEARS:
        expected = competition_ranks({u: t for (u, y), t in totals.items() if y == year})
        previous = competition_ranks({u: t for (u, y), t in totals.items() if y == year - 1})
        df = run_query("department_ranking", con=con, year=year, dataset="demo")
        got = {r["unit"]: r for r in df.to_dict(orient="records")}
        assert set(got) == set(expected)
        for unit, rank in expected.items():
            assert got[unit]["unit_total"] == pytest.approx(totals[(unit, year)], abs=TOL)
            assert got[unit]["rank"] == rank
            if unit in previous:
                assert got[unit]["prev_rank"] == previous[unit]
                assert got[unit]["rank_change"] == previous[unit] - rank
            else:
                assert pd.isna(got[unit]["prev_rank"])


def test_year_over_year_matches_the_ground_truth(demo):
    con, forms = demo
    totals = unit_totals(forms)
    df = run_query("year_over_year", con=con)
    assert len(df) == len(totals)
    for r in df.to_dict(orient="records"):
        key = (r["unit"], r["year"])
        assert r["unit_total"] == pytest.approx(totals[key], abs=TOL)
        prev = totals.get((r["unit"], r["year"] - 1))
        if prev is not None:
            assert r["unit_total_change"] == pytest.approx(totals[key] - prev, abs=TOL)


def test_grades_and_total_gaps_match_the_ground_truth(demo):
    con, forms = demo
    expected = {(f["unit"], f["year"], f["kind"], f["project"] or ""): f for f in forms}
    grades = run_query("grades", con=con)
    gaps = run_query("total_gap", con=con)
    assert len(grades) == len(gaps) == len(expected)
    changed = 0
    for g, t in zip(
        grades.to_dict(orient="records"),
        gaps.set_index("report_id").loc[grades["report_id"]].to_dict(orient="records"),
    ):
        key = (g["unit"], g["year"], g["kind"], "" if g["kind"] == "department" else g["form"])
        f = expected[key]
        assert (g["stated_grade"], g["computed_grade"]) == (grade(f["stated_total"]), grade(recomputed(f)))
        assert t["total_gap"] == pytest.approx(f["stated_total"] - f["computed_total"], abs=TOL)
        assert t["score_gap"] == pytest.approx(f["stated_total"] - recomputed(f), abs=TOL)
        changed += grade(f["stated_total"]) != grade(recomputed(f))
    assert int(grades["is_grade_changed"].sum()) == changed
    distribution = run_query("grade_distribution", con=con)
    for year in YEARS:
        for basis in ("stated", "computed"):
            want = defaultdict(int)
            for f in forms:
                if f["year"] == year:
                    want[grade(f["stated_total"] if basis == "stated" else recomputed(f))] += 1
            got = distribution[(distribution["year"] == year) & (distribution["basis"] == basis)]
            assert {r["grade"]: r["n_forms"] for r in got.to_dict(orient="records")} == {
                g: want.get(g, 0) for g in ("优", "良", "中", "差")
            }


def test_lost_points_match_the_ground_truth(demo):
    con, forms = demo
    for year in YEARS:
        lost = [
            (i["weight"] - i["score"])
            for f in forms
            if f["year"] == year
            for i in f["indicators"]
            if i["weight"] is not None and i["score"] is not None and i["weight"] - i["score"] > 0.00005
        ]
        df = run_query("low_scoring_indicators", con=con, year=year, min_points_lost=0.0001)
        assert len(df) == len(lost) > 0
        assert df["points_lost"].sum() == pytest.approx(sum(lost), abs=1e-6)
        kpis = run_query("overview_kpis", con=con, year=year).set_index("kpi")["value"]
        assert kpis["n_lost_points"] == len(lost)
        assert kpis["n_forms"] == sum(1 for f in forms if f["year"] == year)
        assert kpis["n_indicators"] == sum(len(f["indicators"]) for f in forms if f["year"] == year)


def test_drilldown_form_sums_match_the_ground_truth(demo):
    con, forms = demo
    df = run_query("drilldown", con=con, year=2022, max_depth=1)
    got = {
        (r["unit"], r["form"]): (r["weight"], r["score"])
        for r in df[df["level"] == "form"].to_dict("records")
    }
    for f in forms:
        if f["year"] == 2022:
            form = "部门整体支出" if f["kind"] == "department" else f["project"]
            weight, score = got[(f["unit"], form)]
            assert weight == pytest.approx(f["weight_total"], abs=TOL)
            assert score == pytest.approx(f["computed_total"], abs=TOL)


def test_execution_rates_match_the_ground_truth(demo):
    con, forms = demo
    df = run_query("execution_rates", con=con)
    got = {(r["unit"], r["year"]): r for r in df.to_dict(orient="records")}
    for f in forms:
        if f["kind"] != "department":
            continue
        row = got[(f["unit"], f["year"])]
        if f["budget_executed"] is not None and f["budget_full_year"]:
            want, basis = f["budget_executed"] / f["budget_full_year"] * 100, "computed"
        else:
            want, basis = f["execution_rate_stated_pct"], "stated"
        assert row["dept_rate_basis"] == basis
        assert row["dept_rate_pct"] == pytest.approx(want, abs=1e-4)  # the store keeps 4 decimals


def rule_ratio(i: dict) -> float | None:
    """The forms' own scoring rule, written independently of queries/score_check.sql."""
    t, a = i["target_value"], i["actual_value"]
    if t is None or a is None or i["weight"] is None or i["score"] is None:
        return None
    tu, au = i["target_unit"], i["actual_unit"]
    if tu and au and tu != au and "%" in (tu, au):
        return None
    op = i["target_op"]
    if op in ("<=", "<"):
        ratio = 1.0 if a <= t else (t / a if a > 0 else 0.0)
    elif op == "=":
        ratio = 1.0 if a == t else (min(a / t, t / a) if a > 0 and t > 0 else 0.0)
    else:
        ratio = 1.0 if a >= t else (a / t if t > 0 else 0.0)
    return min(max(ratio, 0.0), 1.0)


def test_score_check_matches_the_ground_truth(demo):
    con, forms = demo
    leniency = defaultdict(float)
    count = defaultdict(int)
    for f in forms:
        for i in f["indicators"]:
            ratio = rule_ratio(i)
            if ratio is not None:
                leniency[(f["unit"], f["year"])] += i["score"] - ratio * i["weight"]
                count[(f["unit"], f["year"])] += 1
    df = run_query("score_check", con=con, level="unit")
    got = {(r["unit"], r["year"]): r for r in df.to_dict(orient="records")}
    assert set(got) == set(count)
    for key, want in leniency.items():
        assert got[key]["n_quantitative"] == count[key]
        assert got[key]["leniency_points"] == pytest.approx(want, abs=1e-3)
    assert df["leniency_points"].is_monotonic_decreasing
