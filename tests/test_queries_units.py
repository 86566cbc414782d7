"""Every query with a selection of two units: the aggregates follow the selection, and match figures worked out
by hand from the corpus of query_corpus.py (real data, 2022 unless said otherwise):

    武威市教育局 (EDU): one project form, h=5: execution 9 of 10, indicators 25/25, 5/25 (群众来电咨询接听率 100% →
        87%, target missed), 30/30, 10/10: computed 79 (中), stated 85 (良: total_mismatch); lost 1 + 20 = 21 of
        100. Budget 120 full-year, 108 executed: 90%. 2021: h=20, computed 94.
    武威市交通运输局 (TRANSPORT): department form x=5: execution 10/10, 20/20, 45/50 (12345热线接通率 ≥95% → 90%),
        10/10, 10/10: 95 (优), budget 500/500 (100%), 项目支出 350; project 道路养护经费 h=15: 89 (良), lost 1 + 10;
        project 农村公路建设 h=25: 99 (优), lost 1, full score although 87% < 100% (full_score_target_missed, and
        full_score_with_note for its note). Projects' budgets 120 + 120 = 240 ≠ 350: project_budget_mismatch.
        Unit: 95 (department form), lost 5 + 11 + 1 = 17 of 300 = 5.667%. 2021: one project h=10, computed 84.
    Two units together: 4 forms, mean total (79 + 95 + 89 + 99) / 4 = 90.5, mean stated (85 + 95 + 89 + 99) / 4
        = 92, mean execution rate (90 + 100 + 90 + 90) / 4 = 92.5; 16 indicators, 3 lost points (20 + 5 + 10 =
        35), 4 miss their target; findings 4 (1 error); grades 优 2, 良 1, 中 1; 1 grade changes (EDU 良 → 中).
The third real unit (卫健委, 99 in 2022) and the demo unit are in the database but never in these figures.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.db import list_queries, load_query, run_query
from dashboard.selection import Selection
from tests.query_corpus import EDU, TRANSPORT

TWO = Selection(dataset="real", year=2022, units=(EDU, TRANSPORT))
HOTLINE = "群众来电咨询接听率"


def q(con, name: str, sel: Selection = TWO, **params) -> pd.DataFrame:
    return run_query(name, con=con, **{**sel.params_for(load_query(name)), **params})


def check_overview_kpis(con):
    k = q(con, "overview_kpis").set_index("kpi")["value"].to_dict()
    assert {n: k[n] for n in ("n_units", "n_forms", "n_department_forms", "n_project_forms")} == {
        "n_units": 2,
        "n_forms": 4,
        "n_department_forms": 1,
        "n_project_forms": 3,
    }
    # Reported 85 (教育), 95, 89, 99 (交通) → 92; 核算得分 79, 95, 89, 99 → 90.5.
    assert (k["mean_total"], k["mean_stated_total"], k["mean_execution_rate_pct"]) == (92.0, 92.0, 92.5)
    assert k["mean_recomputed_score"] == 90.5
    assert (k["n_indicators"], k["n_lost_points"], k["points_lost"], k["n_target_missed"]) == (16, 3, 35, 4)
    assert (k["n_findings"], k["n_error_findings"], k["n_grade_changed"]) == (4, 1, 1)
    # 95, 99 优; 85, 89 良; 教育's 核算得分 79 would be 中 (the one grade change).
    assert (k["n_grade_excellent"], k["n_grade_good"], k["n_grade_fair"], k["n_grade_poor"]) == (2, 2, 0, 0)
    prev = q(con, "overview_kpis").set_index("kpi")["prev_value"]
    assert (prev["n_forms"], prev["mean_total"], prev["points_lost"]) == (2, (94 + 84) / 2, 5 + 15)


def check_selection_summary(con):
    cur, prev = q(con, "selection_summary").to_dict(orient="records")
    assert (cur["year"], cur["n_forms"], cur["mean_total"], cur["points_lost"]) == (2022, 4, 92, 35)
    assert cur["mean_recomputed_score"] == 90.5
    assert (cur["dept_budget_full_year_wan"], cur["n_dept_budgets"]) == (500, 1)
    assert (prev["year"], prev["n_forms"], prev["mean_total"]) == (2021, 2, 89)


def check_department_ranking(con):
    df = q(con, "department_ranking").set_index("unit")
    assert set(df.index) == {EDU, TRANSPORT}
    # ranks among all three real units (卫健委 99 is first), so 95 is second and 85 third
    assert (df.loc[TRANSPORT, "rank"], df.loc[EDU, "rank"]) == (2, 3)
    assert (df.loc[TRANSPORT, "unit_total"], df.loc[EDU, "unit_total"]) == (95, 85)
    # 交通's figures all come from its department form: 5 points lost of 100, its one finding
    # (project_budget_mismatch); the two findings on its 农村公路建设 project are not in the row.
    assert (df.loc[TRANSPORT, "points_lost"], df.loc[EDU, "points_lost"]) == (5, 21)
    assert df.loc[TRANSPORT, "points_lost_share_pct"] == pytest.approx(5)
    assert (df.loc[TRANSPORT, "n_findings"], df.loc[EDU, "n_findings"]) == (1, 1)


def check_year_over_year(con):
    df = q(con, "year_over_year").set_index("unit")
    assert set(df.index) == {EDU, TRANSPORT} and set(df["year"]) == {2022}
    assert (df.loc[EDU, "unit_total_change"], df.loc[TRANSPORT, "unit_total_change"]) == (85 - 94, 95 - 84)
    assert q(con, "year_over_year", year=None)["unit"].value_counts().to_dict() == {EDU: 2, TRANSPORT: 2}


def check_drilldown(con):
    df = q(con, "drilldown", max_depth=1)
    units = df[df["level"] == "unit"].set_index("unit")
    assert (units.loc[EDU, "weight"], units.loc[EDU, "score"]) == (100, 79)
    assert (units.loc[TRANSPORT, "weight"], units.loc[TRANSPORT, "score"]) == (300, 95 + 89 + 99)
    assert (df["level"] == "form").sum() == 4


def check_execution_rates(con):
    df = q(con, "execution_rates").set_index("unit")
    assert set(df.index) == {EDU, TRANSPORT}
    assert df.loc[EDU, "projects_rate_pct"] == pytest.approx(90)
    assert df.loc[TRANSPORT, "dept_rate_pct"] == 100
    assert df.loc[TRANSPORT, "projects_rate_pct"] == pytest.approx((108 + 108) / (120 + 120) * 100)
    assert df.loc[TRANSPORT, "project_budget_gap_wan"] == 350 - 240


def check_findings_list(con):
    df = q(con, "findings_list")
    assert sorted(zip(df["unit"], df["rule"])) == sorted(
        [
            (EDU, "total_mismatch"),
            (TRANSPORT, "project_budget_mismatch"),
            (TRANSPORT, "full_score_target_missed"),
            (TRANSPORT, "full_score_with_note"),
        ]
    )


def check_findings_summary(con):
    df = q(con, "findings_summary")
    assert df.groupby("unit")["n_findings"].sum().to_dict() == {EDU: 1, TRANSPORT: 3}


def check_findings_by_rule(con):
    df = q(con, "findings_by_rule").set_index("rule")
    assert df["n_findings"].sum() == 4 and df.loc["total_mismatch", "n_units"] == 1
    assert df["share_pct"].sum() == pytest.approx(100)


def check_grade_distribution(con):
    df = q(con, "grade_distribution")
    computed = df[df["basis"] == "computed"].set_index("grade")["n_forms"].to_dict()
    stated = df[df["basis"] == "stated"].set_index("grade")["n_forms"].to_dict()
    assert computed == {"优": 2, "良": 1, "中": 1, "差": 0}
    assert stated == {"优": 2, "良": 2, "中": 0, "差": 0}  # EDU states 85


def check_grades(con):
    df = q(con, "grades")
    assert len(df) == 4 and set(df["unit"]) == {EDU, TRANSPORT}
    assert list(q(con, "grades", changed_only=True)["grade_change"]) == ["良→中"]


def check_total_gap(con):
    df = q(con, "total_gap")
    assert len(df) == 4 and df.iloc[0]["unit"] == EDU and df.iloc[0]["total_gap"] == 85 - 79


def check_low_scoring_indicators(con):
    df = q(con, "low_scoring_indicators")
    assert len(df) == 4 and df["points_lost"].sum() == 20 + 5 + 10 + 0
    assert df.groupby("unit").size().to_dict() == {EDU: 1, TRANSPORT: 3}


def check_indicator_search(con):
    df = q(con, "indicator_search", keyword="接听率").set_index("indicator")
    assert df.loc[HOTLINE, "n_forms"] == 3 and df.loc[HOTLINE, "n_units"] == 2  # EDU, roads, rural
    assert df.loc[HOTLINE, "points_lost"] == 20 + 10


def check_indicator_history(con):
    df = q(con, "indicator_history", indicator=HOTLINE)  # across years: it ignores $year
    assert sorted(zip(df["unit"], df["year"])) == sorted(
        [(EDU, 2021), (EDU, 2022), (TRANSPORT, 2021), (TRANSPORT, 2022), (TRANSPORT, 2022)]
    )


def check_score_check(con):
    df = q(con, "score_check", level="unit").set_index("unit")
    # rule scores: 87/100 × 25 = 21.75 for the hotline items; 90/95 × 50 = 47.3684 for the department's
    assert df.loc[EDU, "leniency_points"] == pytest.approx(5 - 21.75)
    assert df.loc[TRANSPORT, "leniency_points"] == pytest.approx((45 - 47.3684) + (15 - 21.75) + (25 - 21.75))
    assert (df.loc[TRANSPORT, "n_quantitative"], df.loc[TRANSPORT, "n_lenient"]) == (3 + 4 + 4, 1)


def check_score_distribution(con):
    df = q(con, "score_distribution", group_by="unit")
    groups = df.drop_duplicates("group_value").set_index("group_value")["n_in_group"].to_dict()
    assert groups == {EDU: 4, TRANSPORT: 12}


def check_selection_sources(con):
    df = q(con, "selection_sources")
    assert sorted(df["file_name"]) == sorted(
        ["edu_2022.txt", "transport_2022_dept.txt", "transport_2022_roads.txt", "transport_2022_rural.txt"]
    )


def check_review_signals(con):
    # 复核信号 (issue 16): the rural form's full score on 87% < 100% (25 − 25 × 0.87 = 3.25 lenient), EDU's
    # stated 85 over computed 79, TRANSPORT's 项目支出 350 over its projects' 120 + 120, the 接通率不高 notes (5
    # characters) on the three forms that lost hotline points, 安全事故's target 0 without a unit
    df = q(con, "review_signals", empty_notes=["无偏差"])
    assert set(df["unit"]) == {EDU, TRANSPORT}
    got = {(u, fm, s): f for u, fm, s, f in zip(df["unit"], df["form"], df["signal"], df["figure"])}
    assert got[(TRANSPORT, "农村公路建设", "lenient_score")] == pytest.approx(3.25)
    assert got[(TRANSPORT, "农村公路建设", "full_score_target_missed")] == 25
    assert got[(EDU, "校园安全经费", "total_above_computed")] == 6
    assert got[(TRANSPORT, "部门整体支出", "project_budget_short")] == 350 - 240
    assert sorted(k[1] for k in got if k[2] == "short_note") == [
        "校园安全经费",
        "道路养护经费",
        "部门整体支出",
    ]
    assert len(df) == 10


def check_review_priority(con):
    df = q(con, "review_priority", empty_notes=["无偏差"])
    assert len(df) == 4 and set(df["unit"]) == {EDU, TRANSPORT}
    first = df.iloc[0]
    assert (first["unit"], first["form"], first["priority_score"]) == (TRANSPORT, "农村公路建设", 3 + 3 + 0.5)
    assert (
        df.set_index("form").loc["校园安全经费", "reasons"]
        == "填报总分比核算总分高6分；1项扣分说明不足8个字；1项定量目标无计量单位"
    )


CHECKS = {name.removeprefix("check_"): f for name, f in dict(globals()).items() if name.startswith("check_")}
NOT_SELECTIONS = {
    "filter_options",
    "source_files",
    "file_forms",
    "eval_forms",
    "eval_indicators",
    "review_note_pool",  # the whole dataset's notes, which a selected form's notes are compared with
    "review_rules",  # the review rules, the same for every selection
}


def test_every_selection_query_has_a_two_unit_check():
    assert set(CHECKS) == set(list_queries()) - NOT_SELECTIONS


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_two_units(corpus_con, name):
    CHECKS[name](corpus_con)
