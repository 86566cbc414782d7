"""The SQL layer in queries/: every file runs, returns what its header promises, and gives the figures worked
out by hand from the real sample (data/raw/000_0ed4b7e3fbc5b049.txt) and from the small corpus in
query_corpus.py (three units × two years plus one demo unit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.db import QueryError, list_queries, load_query, run_query
from tests.conftest import SAMPLE
from tests.query_corpus import DEMO, EDU, HEALTH, TRANSPORT

SAMPLE_UNIT = "武威市政府政务服务中心"
REQUIRED = {"indicator_history": {"indicator": "群众满意度"}, "file_forms": {"paths": [str(SAMPLE)]}}
ALL_QUERIES = list_queries()


def q(con, name: str, **params) -> pd.DataFrame:
    return run_query(name, con=con, **{**REQUIRED.get(name, {}), **params})


def by(df: pd.DataFrame, column: str) -> dict:
    """Rows keyed by one column's value."""
    return {row[column]: row for row in df.to_dict(orient="records")}


# -- every file ---------------------------------------------------------------------------------------------------


def test_the_issue_names_are_all_there():
    expected = {
        "execution_rates",
        "score_distribution",
        "department_ranking",
        "low_scoring_indicators",
        "indicator_search",
        "indicator_history",
        "drilldown",
        "year_over_year",
        "findings_summary",
        "total_gap",
        "grades",
        "score_check",
    }
    assert expected <= set(ALL_QUERIES)


@pytest.mark.parametrize("name", ALL_QUERIES)
def test_query_runs_on_the_sample_and_returns_its_header_columns(sample_con, name):
    query = load_query(name)
    df = q(sample_con, name)
    assert len(df) > 0
    assert list(df.columns) == query.column_names
    assert query.label, "a Chinese one-line label for `jixiao query --list`"


@pytest.mark.parametrize("name", ALL_QUERIES)
def test_query_runs_on_the_corpus_for_each_dataset(corpus_con, name):
    for dataset in (None, "real", "demo"):
        df = q(corpus_con, name, dataset=dataset)
        assert list(df.columns) == load_query(name).column_names


@pytest.mark.parametrize("name", ALL_QUERIES)
def test_the_real_sample_is_viewable_alone(sample_con, name):
    everything = q(sample_con, name)
    real = q(sample_con, name, dataset="real")
    demo = q(sample_con, name, dataset="demo")
    pd.testing.assert_frame_equal(real, everything)
    if name == "filter_options":  # lists the datasets that exist whatever the filter
        assert set(demo["dimension"]) == {"dataset"}
    else:
        assert demo.empty


@pytest.mark.parametrize("name", ALL_QUERIES)
def test_no_parameter_collides_with_run_query_arguments(name):
    assert not {"name", "con", "db_path"} & set(load_query(name).param_names)


@pytest.mark.parametrize("name", ALL_QUERIES)
def test_every_query_can_be_narrowed_to_one_dataset(name):
    param = {p.name: p for p in load_query(name).params}.get("dataset")
    assert param is not None and param.default is None and param.choices == ("real", "demo")


# -- parameter errors -------------------------------------------------------------------------------------------


def test_unknown_query(sample_con):
    with pytest.raises(QueryError, match="no_such_query"):
        run_query("no_such_query", con=sample_con)


def test_unknown_parameter_names_query_and_parameter(sample_con):
    with pytest.raises(QueryError, match=r"grades.*colour"):
        run_query("grades", con=sample_con, colour="red")


def test_missing_required_parameter(sample_con):
    with pytest.raises(QueryError, match=r"indicator_history.*indicator"):
        run_query("indicator_history", con=sample_con)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("department_ranking", {"year": "二〇二二"}),
        ("department_ranking", {"year": 2022.5}),
        ("department_ranking", {"year": True}),
        ("low_scoring_indicators", {"min_points_lost": "many"}),
        ("grades", {"changed_only": "maybe"}),
        ("low_scoring_indicators", {"keyword": 12345}),
    ],
)
def test_wrong_type(sample_con, name, params):
    with pytest.raises(QueryError, match=name):
        run_query(name, con=sample_con, **params)


def test_value_outside_the_declared_choices(sample_con):
    with pytest.raises(QueryError, match=r"department_ranking.*metric"):
        run_query("department_ranking", con=sample_con, metric="budget; drop table reports")
    with pytest.raises(QueryError, match="dataset"):
        run_query("grades", con=sample_con, dataset="fake")


def test_strings_and_numpy_values_are_converted_to_the_declared_type(sample_con):
    as_int = run_query("low_scoring_indicators", con=sample_con, year=2022, min_points_lost=2)
    as_text = run_query("low_scoring_indicators", con=sample_con, year="2022", min_points_lost="2")
    as_numpy = run_query(
        "low_scoring_indicators", con=sample_con, year=np.int64(2022), min_points_lost=np.float64(2)
    )
    pd.testing.assert_frame_equal(as_int, as_text)
    pd.testing.assert_frame_equal(as_int, as_numpy)
    assert len(as_int) == 2
    assert run_query("grades", con=sample_con, changed_only="true").shape[0] == 4


# -- low_scoring_indicators -------------------------------------------------------------------------------------


def test_five_indicators_lost_points_on_the_sample(sample_con):
    df = q(sample_con, "low_scoring_indicators")
    # By hand: 政务快速通道免费送达率 5→4, 服务便利化水平 5→4 (department form), 群众来电咨询接听率 4→3
    # (政务服务经费), 服务平台支撑能力 4→2 (对接改造项目), 党建工作创新能力 4→2 (党支部项目).
    assert sorted(zip(df["level3"], df["points_lost"])) == sorted(
        [
            ("政务快速通道免费送达率", 1.0),
            ("服务便利化水平", 1.0),
            ("群众来电咨询接听率", 1.0),
            ("服务平台支撑能力", 2.0),
            ("党建工作创新能力", 2.0),
        ]
    )
    assert (df["points_lost"] == df["weight"] - df["score"]).all()
    assert df["points_lost"].is_monotonic_decreasing


def test_hotline_items_come_first_among_equal_points_lost(sample_con):
    df = q(sample_con, "low_scoring_indicators", min_points_lost=1)
    one_point = df[df["points_lost"] == 1]
    # 群众来电咨询接听率 (name) and 政务快速通道免费送达率 (its target cell reads 群众来电咨询接听率100%) are
    # hotline items; 服务便利化水平 is not, so it comes last of the three.
    assert list(one_point["is_hotline"]) == [True, True, False]
    assert one_point.iloc[-1]["level3"] == "服务便利化水平"


def test_hotline_tops_the_list_of_its_project(sample_con):
    df = q(sample_con, "low_scoring_indicators", project="政务服务经费")
    top = df.iloc[0]
    assert (top["level3"], top["form"], top["unit"]) == ("群众来电咨询接听率", "政务服务经费", SAMPLE_UNIT)
    assert (top["target_value"], top["actual_value"], top["weight"], top["score"], top["points_lost"]) == (
        100,
        87,
        4,
        3,
        1,
    )
    assert top["is_target_met"] == False  # noqa: E712 - numpy bool
    assert top["source_line"] == 74 and top["path"].endswith("000_0ed4b7e3fbc5b049.txt")
    assert top["source_ref"] == "第74行"
    assert top["level_path"] == "产出指标 › 质量指标 › 群众来电咨询接听率"
    assert "12345" in top["note"]


@pytest.mark.parametrize("keyword", ["热线", "接通率", "接听率", "12345", "热线接通率"])
def test_hotline_synonyms_find_each_other(sample_con, keyword):
    df = q(sample_con, "low_scoring_indicators", keyword=keyword)
    assert set(df["level3"]) == {"群众来电咨询接听率", "政务快速通道免费送达率"}


def test_keyword_without_synonyms_and_other_filters(sample_con):
    assert list(q(sample_con, "low_scoring_indicators", keyword="便利化")["level3"]) == ["服务便利化水平"]
    assert q(sample_con, "low_scoring_indicators", keyword="不存在的指标").empty
    assert set(q(sample_con, "low_scoring_indicators", level1="履职效果")["level3"]) == {
        "政务快速通道免费送达率",
        "服务便利化水平",
    }
    assert set(q(sample_con, "low_scoring_indicators", min_points_lost=2)["level3"]) == {
        "服务平台支撑能力",
        "党建工作创新能力",
    }
    assert q(sample_con, "low_scoring_indicators", units=["别的单位"]).empty
    # Letters match whatever their case: the note of 服务平台支撑能力 mentions the “甘快办”政务APP.
    assert list(q(sample_con, "low_scoring_indicators", keyword="app")["level3"]) == ["服务平台支撑能力"]
    assert len(q(sample_con, "low_scoring_indicators", limit=2)) == 2
    assert len(q(sample_con, "low_scoring_indicators", kind="department")) == 2
    assert len(q(sample_con, "low_scoring_indicators", report_id=4)) == 1


def test_target_missed_with_full_score_is_listed_with_zero_points_lost(corpus_con):
    # Corpus: 卫健 2022 (h=25), 交通 农村公路建设 (h=25) and the demo unit scored the 87%-of-100% hotline 25/25.
    df = q(corpus_con, "low_scoring_indicators", year=2022)
    full = df[df["status"] == "target_missed"]
    assert sorted(full["unit"]) == sorted([HEALTH, TRANSPORT, DEMO])
    assert (full["points_lost"] == 0).all() and not full["is_target_met"].any()
    assert df.iloc[0]["unit"] == EDU and df.iloc[0]["points_lost"] == 20  # h=5: 25 − 5


# -- grades -----------------------------------------------------------------------------------------------------


def test_grades_of_the_sample(sample_con):
    df = by(q(sample_con, "grades"), "form")
    dept = df["部门整体支出"]
    assert (dept["stated_total"], dept["stated_grade"], dept["computed_total"], dept["computed_grade"]) == (
        88,
        "良",
        93,
        "优",
    )
    assert dept["recomputed_score"] == pytest.approx(9300 / 95)  # 核算得分: Σ得分 / Σ分值 × 100
    # 89 / 88 / 88 stated (良) against 核算得分 99 / 98 / 104 ÷ 106 × 100 = 98.11 (优): every form changes grade.
    assert {f: (r["stated_grade"], r["computed_grade"]) for f, r in df.items()} == {
        "部门整体支出": ("良", "优"),
        "政务服务经费": ("良", "优"),
        "武威市市级政务服务平台对接改造项目": ("良", "优"),
        "党支部标准化建设项目": ("良", "优"),
    }
    assert all(r["grade_change"] == "良→优" and r["is_grade_changed"] for r in df.values())
    assert len(q(sample_con, "grades", changed_only=True)) == 4


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (100, "优"),
        (104, "优"),
        (90, "优"),
        (89.99, "良"),
        (89.5, "良"),
        (80, "良"),
        (79.5, "中"),
        (60, "中"),
        (59.99, "差"),
        (0, "差"),
        (-3, "差"),
        (None, None),
    ],
)
def test_grade_scale_boundaries(sample_con, total, grade):
    got = sample_con.execute(
        "select g.grade from (select cast(? as double) as total) t left join grade_scale g"
        " on (g.min_total is null or t.total >= g.min_total) and (g.max_total is null or t.total < g.max_total)",
        [total],
    ).fetchall()
    assert got == [(grade,)]


def test_grade_distribution_of_the_sample(sample_con):
    df = q(sample_con, "grade_distribution")
    counts = {(r["basis"], r["grade"]): r["n_forms"] for r in df.to_dict(orient="records")}
    assert counts[("stated", "良")] == 4 and counts[("computed", "优")] == 4
    assert sum(counts.values()) == 8
    assert len(df) == 8  # all four grades listed for each basis, zeros included
    for _, group in df.groupby("basis"):
        assert group["n_forms"].sum() == group["n_graded"].iloc[0] == 4
        assert group["share_pct"].sum() == pytest.approx(100)


def test_a_form_without_scores_still_gets_a_grade_from_its_stated_total(corpus_con):
    df = q(corpus_con, "grades", units=[HEALTH], year=2021)
    blank = by(df, "form")["疫苗冷链经费"]
    assert pd.isna(blank["computed_total"])
    assert (blank["stated_grade"], blank["grade"], blank["total_basis"]) == ("优", "优", "stated")
    assert pd.isna(blank["computed_grade"]) and not blank["is_grade_changed"]


# -- total_gap, execution_rates ---------------------------------------------------------------------------------


def test_total_gap_of_the_sample(sample_con):
    df = q(sample_con, "total_gap")
    # stated − computed: 88 − 104, 89 − 99, 88 − 98, 88 − 93; largest |gap| first.
    assert list(df["total_gap"]) == [-16, -10, -10, -5]
    assert list(df["form"])[0] == "党支部标准化建设项目"
    assert by(df, "form")["党支部标准化建设项目"]["weight_gap"] == 100 - 106
    assert q(sample_con, "total_gap", min_abs_gap=10).shape[0] == 3


def test_total_gap_keeps_a_form_whose_computed_total_is_missing(corpus_con):
    df = by(q(corpus_con, "total_gap", units=[HEALTH], year=2021), "form")
    blank = df["疫苗冷链经费"]
    assert (blank["total_used"], blank["total_basis"]) == (94, "stated")
    assert pd.isna(blank["total_gap"])


def test_execution_rates_of_the_sample(sample_con):
    (row,) = q(sample_con, "execution_rates").to_dict(orient="records")
    # The department form lost its 实际支出数 cells: the stated 100% is used and says so.
    assert pd.isna(row["dept_rate_computed_pct"])
    assert (row["dept_rate_stated_pct"], row["dept_rate_pct"], row["dept_rate_basis"]) == (100, 100, "stated")
    assert row["dept_full_year_wan"] == pytest.approx(494.39)
    assert (row["basic_full_year_wan"], row["project_line_full_year_wan"]) == (
        pytest.approx(150.85),
        pytest.approx(343.54),
    )
    # Projects: 291.54 + 50 + 2 = 343.54 full-year, all executed: 100%, equal to the 项目支出 line.
    assert row["n_projects"] == 3
    assert row["projects_full_year_wan"] == pytest.approx(343.54)
    assert row["projects_executed_wan"] == pytest.approx(343.54)
    assert (row["projects_rate_pct"], row["projects_rate_basis"]) == (100, "computed")
    assert row["project_budget_gap_wan"] == 0


def test_execution_rates_of_the_corpus(corpus_con):
    df = by(q(corpus_con, "execution_rates", year=2022, dataset="real"), "unit")
    transport = df[TRANSPORT]
    # department form 500 / 500; projects 108 / 120 each → pooled 216 / 240 = 90%
    assert (transport["dept_rate_pct"], transport["dept_rate_basis"]) == (100, "computed")
    assert transport["projects_rate_computed_pct"] == pytest.approx(90)
    assert transport["project_budget_gap_wan"] == pytest.approx(350 - 240)
    assert pd.isna(df[EDU]["dept_report_id"])
    assert df[EDU]["projects_rate_pct"] == pytest.approx(90)


# -- department_ranking -----------------------------------------------------------------------------------------


def ranks(df: pd.DataFrame) -> dict[str, int]:
    return dict(zip(df["unit"], df["rank"]))


def test_ranking_of_the_sample_unit(sample_con):
    (row,) = q(sample_con, "department_ranking").to_dict(orient="records")
    assert (row["year"], row["rank"], row["n_ranked"], row["unit"]) == (2022, 1, 1, SAMPLE_UNIT)
    # The department form's reported 88 is the unit's score (良); its 核算得分 is 93 / 95 × 100 = 97.89 (优),
    # 9.89 points apart, so flagged. The raw Σ得分 93 is kept for auditors.
    assert (row["unit_total"], row["score_basis"], row["grade"]) == (88, "department", "良")
    assert row["unit_recomputed_score"] == pytest.approx(9300 / 95)
    assert (row["recomputed_grade"], row["unit_computed_total"]) == ("优", 93)
    assert row["score_gap"] == pytest.approx(88 - 9300 / 95) and row["is_score_gap_flagged"]
    # The projects' headline scores are their reported totals (89 + 88 + 88) / 3.
    assert row["projects_mean_total"] == pytest.approx((89 + 88 + 88) / 3)
    assert row["projects_mean_stated_total"] == pytest.approx((89 + 88 + 88) / 3)
    assert row["unit_stated_total"] == 88
    assert (row["n_score_forms"], row["n_forms_weight_off"]) == (1, 1)  # the department form, weights 95
    # Every figure of the row from the same form: the department form lost 1 + 1 = 2 of weights 95.
    assert (row["points_lost"], row["weight_scored"]) == (2, 95)
    assert row["points_lost_share_pct"] == pytest.approx(200 / 95)
    dept = "select count(*) from findings where report_id = (select report_id from reports where kind = 'department')"
    assert row["n_findings"] == sample_con.execute(dept).fetchone()[0]
    assert row["n_error_findings"] == sample_con.execute(dept + " and severity = 'error'").fetchone()[0]
    assert pd.isna(row["prev_rank"]) and pd.isna(row["rank_change"])


def test_ranking_with_a_tie_in_2021(corpus_con):
    df = q(corpus_con, "department_ranking", year=2021, dataset="real", metric="recomputed_score")
    # By 核算得分 (all weights 100): 教育 94, 卫健 94 (its form without scores has none), 交通 84.
    assert ranks(df) == {EDU: 1, HEALTH: 1, TRANSPORT: 3}
    assert dict(zip(df["unit"], df["is_tied"])) == {EDU: True, HEALTH: True, TRANSPORT: False}
    assert by(df, "unit")[HEALTH]["unit_recomputed_score"] == 94
    # The reported scores: 卫健 mean(90, 94) = 92 is no tie.
    reported = q(corpus_con, "department_ranking", year=2021, dataset="real")
    assert ranks(reported) == {EDU: 1, HEALTH: 2, TRANSPORT: 3}
    assert by(reported, "unit")[HEALTH]["unit_total"] == 92


def test_ranking_changes_in_2022(corpus_con):
    df = q(corpus_con, "department_ranking", dataset="real")  # year NULL = latest, 2022
    assert set(df["year"]) == {2022}
    # Reported 2022: 卫健 99, 交通 95, 教育 85 (its forms' own scores add up to 79); 2021: 教育 94, 卫健 92, 交通 84.
    assert ranks(df) == {HEALTH: 1, TRANSPORT: 2, EDU: 3}
    rows = by(df, "unit")
    assert {u: (r["prev_rank"], r["rank_change"]) for u, r in rows.items()} == {
        HEALTH: (2, 1),
        TRANSPORT: (3, 1),
        EDU: (1, -2),
    }
    assert (rows[EDU]["unit_total"], rows[EDU]["unit_recomputed_score"]) == (85, 79)
    assert rows[EDU]["score_gap"] == 6 and rows[EDU]["is_score_gap_flagged"]
    # 交通 has a department form (95) beside two projects (89, 99): the department form is its score.
    assert (rows[TRANSPORT]["unit_total"], rows[TRANSPORT]["score_basis"]) == (95, "department")
    assert rows[TRANSPORT]["projects_mean_total"] == 94


def test_ranking_with_demo_data_uses_competition_ranks(corpus_con):
    df = q(corpus_con, "department_ranking", year=2022)
    # 示例 99 and 卫健 99 share rank 1, so the next rank is 3, then 4 ("1134").
    assert ranks(df) == {DEMO: 1, HEALTH: 1, TRANSPORT: 3, EDU: 4}
    assert list(df["rank"]) == [1, 1, 3, 4]
    demo = q(corpus_con, "department_ranking", year=2022, dataset="demo")
    assert ranks(demo) == {DEMO: 1} and demo["dataset"].tolist() == ["demo"]


def test_ranking_by_other_metrics(corpus_con):
    recomputed = q(corpus_con, "department_ranking", metric="recomputed_score", dataset="real")
    # 2022 核算得分: 卫健 99, 交通 95 (department form), 教育 79; 2021: 教育 94 = 卫健 94, 交通 84.
    assert ranks(recomputed) == {HEALTH: 1, TRANSPORT: 2, EDU: 3}
    assert dict(zip(recomputed["unit"], recomputed["prev_rank"])) == {HEALTH: 1, TRANSPORT: 3, EDU: 1}

    share = q(corpus_con, "department_ranking", metric="points_lost_share", dataset="real")
    # Lower is better; the same forms as the score: 卫健 (1 + 0) / 100; 交通's department form 5 / 100;
    # 教育 (1 + 20) / 100.
    assert ranks(share) == {HEALTH: 1, TRANSPORT: 2, EDU: 3}
    assert dict(zip(share["unit"], share["metric_value"])) == pytest.approx(
        {HEALTH: 1.0, TRANSPORT: 5.0, EDU: 21.0}
    )
    assert not share["is_higher_better"].any()

    rate = q(corpus_con, "department_ranking", metric="execution_rate", dataset="real")
    # 交通's department form 500 / 500 = 100%; the others only have projects at 108 / 120 = 90%: a tie.
    assert ranks(rate) == {TRANSPORT: 1, HEALTH: 2, EDU: 2}

    projects_only = q(corpus_con, "department_ranking", kind="project", dataset="real")
    # Without the department form 交通's score is its projects' mean (89 + 99) / 2 = 94.
    assert by(projects_only, "unit")[TRANSPORT]["unit_total"] == 94
    assert ranks(projects_only) == {HEALTH: 1, TRANSPORT: 2, EDU: 3}


@pytest.mark.parametrize(
    "metric", ["total", "recomputed_score", "execution_rate", "points_lost_share", "findings"]
)
@pytest.mark.parametrize("dataset", [None, "real"])
@pytest.mark.parametrize("year", [2021, 2022])
def test_ranks_run_from_one_with_ties(corpus_con, metric, dataset, year):
    df = q(corpus_con, "department_ranking", metric=metric, dataset=dataset, year=year)
    ranked = df[df["rank"].notna()]
    assert len(ranked) == ranked["n_ranked"].iloc[0] > 0
    values = ranked["metric_value"].tolist()
    higher = bool(ranked["is_higher_better"].iloc[0])
    for rank, value in zip(ranked["rank"], values):
        better = sum(1 for v in values if (v > value if higher else v < value))
        assert rank == 1 + better
    assert ranked["rank"].min() == 1 and ranked["rank"].max() <= len(ranked)
    assert list(ranked["rank"]) == sorted(ranked["rank"])


# -- year_over_year ---------------------------------------------------------------------------------------------


def test_year_over_year_of_the_corpus(corpus_con):
    df = q(corpus_con, "year_over_year", dataset="real")
    rows = {(r["unit"], r["year"]): r for r in df.to_dict(orient="records")}
    transport = rows[(TRANSPORT, 2022)]
    assert (transport["unit_total"], transport["prev_unit_total"], transport["unit_total_change"]) == (
        95,
        84,
        11,
    )
    assert transport["budget_full_year_wan"] == 500 and transport["prev_budget_full_year_wan"] == 120
    edu = rows[(EDU, 2022)]
    # Reported 85 after 94 (核算得分 79 after 94); 交通's 2022 points lost are its department form's alone (1 item).
    assert (edu["unit_total_change"], edu["n_lost_points"], edu["prev_n_lost_points"]) == (-9, 2, 2)
    assert (edu["unit_recomputed_score"], transport["n_lost_points"]) == (79, 1)
    assert pd.isna(rows[(EDU, 2021)]["prev_unit_total"])
    assert len(q(corpus_con, "year_over_year", year=2022, dataset="real")) == 3


def test_year_over_year_agrees_with_the_ranking(corpus_con):
    for dataset in (None, "real"):
        yoy = q(corpus_con, "year_over_year", dataset=dataset)
        for year in (2021, 2022):
            ranking = q(corpus_con, "department_ranking", year=year, dataset=dataset)
            for r in ranking.to_dict(orient="records"):
                y = yoy[(yoy["unit"] == r["unit"]) & (yoy["year"] == year)].iloc[0]
                assert (y["unit_total"], y["score_basis"], y["n_findings"]) == (
                    r["unit_total"],
                    r["score_basis"],
                    r["n_findings"],
                )
                assert y["execution_rate_pct"] == pytest.approx(r["execution_rate_pct"])
                assert y["points_lost_share_pct"] == pytest.approx(r["points_lost_share_pct"])


# -- drilldown --------------------------------------------------------------------------------------------------


def test_drilldown_sums_match_the_forms(sample_con):
    df = q(sample_con, "drilldown")
    forms = by(df[df["level"] == "form"], "form")
    # weight_total / computed_total of each form (issue 2's table), execution line included.
    assert {f: (r["weight"], r["score"]) for f, r in forms.items()} == {
        "部门整体支出": (95, 93),
        "政务服务经费": (100, 99),
        "武威市市级政务服务平台对接改造项目": (100, 98),
        "党支部标准化建设项目": (106, 104),
    }
    (unit,) = df[df["level"] == "unit"].to_dict(orient="records")
    assert (unit["weight"], unit["score"], unit["points_lost"], unit["n_lost_points"]) == (401, 394, 7, 5)
    assert unit["n_indicators"] == 79 + 4  # 26 + 19 + 17 + 17 indicators and four execution lines


def test_drilldown_is_a_tree_whose_children_add_up(sample_con):
    df = q(sample_con, "drilldown")
    ids = set(df["node_id"])
    assert df["node_id"].is_unique
    assert set(df["parent_id"]) - ids == {""}
    assert list(df["depth"].iloc[:2]) == [0, 1]  # the unit first, then its first form
    for parent_id, children in df[df["parent_id"] != ""].groupby("parent_id"):
        parent = df[df["node_id"] == parent_id].iloc[0]
        assert children["weight"].sum() == pytest.approx(parent["weight"])
        assert children["score"].sum() == pytest.approx(parent["score"])
        assert children["n_indicators"].sum() == parent["n_indicators"]
        assert (children["depth"] == parent["depth"] + 1).all()
        assert df.index[df["node_id"] == parent_id][0] < children.index.min()  # parents before children
    leaves = df[df["level"] == "indicator"]
    assert (leaves["points_lost"] == leaves["weight"] - leaves["score"]).all()


def test_drilldown_leaf_points_to_its_source(sample_con):
    df = q(sample_con, "drilldown", report_id=2, level1="产出指标")
    leaf = df[(df["level"] == "indicator") & (df["indicator"] == "群众来电咨询接听率")].iloc[0]
    assert (leaf["source_line"], leaf["target_text"], leaf["actual_text"]) == (74, "100%", "87%")
    assert leaf["path"].endswith("000_0ed4b7e3fbc5b049.txt")
    assert leaf["status"] == "lost_points"
    assert set(df["level1"].dropna()) == {"产出指标"}
    execution = q(sample_con, "drilldown", report_id=1, level1="预算执行")
    leaf = execution[execution["level"] == "indicator"].iloc[0]
    # The department budget row lost its 实际支出数: the stated 100% is shown, and the note says so.
    assert (leaf["actual_text"], leaf["source_line"]) == ("100%", 7) and "填报" in leaf["note"]


# -- score_check ------------------------------------------------------------------------------------------------


def test_score_check_of_the_sample(sample_con):
    df = q(sample_con, "score_check")
    forms = by(df[df["level"] == "form"], "form")
    # Department form: 13 quantitative indicators, weights 50, self 48. Rule scores are full except
    # 政务快速通道免费送达率 87/100 × 5 = 4.35 and 服务便利化水平 95/100 × 5 = 4.75: 50 − 0.65 − 0.25 = 49.1.
    dept = forms["部门整体支出"]
    assert (dept["n_quantitative"], dept["weight"], dept["self_score"]) == (13, 50, 48)
    assert dept["rule_score"] == pytest.approx(49.1)
    assert dept["leniency_points"] == pytest.approx(-1.1)
    # 政务服务经费: 13 quantitative, weights 56, self 55; 群众来电咨询接听率 87/100 × 4 = 3.48.
    fee = forms["政务服务经费"]
    assert (fee["n_quantitative"], fee["weight"], fee["self_score"]) == (13, 56, 55)
    assert fee["rule_score"] == pytest.approx(55.48) and fee["leniency_points"] == pytest.approx(-0.48)
    assert forms["党支部标准化建设项目"]["leniency_points"] == 0
    (unit,) = df[df["level"] == "unit"].to_dict(orient="records")
    assert unit["leniency_points"] == pytest.approx(-1.58) and unit["n_lenient"] == 0
    hotline = df[(df["level"] == "indicator") & (df["indicator"] == "群众来电咨询接听率")].iloc[0]
    assert (hotline["target_op_used"], hotline["rule_ratio"], hotline["rule_score"]) == (">=", 0.87, 3.48)
    cap = df[(df["level"] == "indicator") & (df["indicator"] == "结转结余变动率")].iloc[0]
    assert (cap["target_op_used"], cap["actual_value"], cap["rule_score"]) == ("<=", 0, 2)  # ≤2%, actual 0%
    assert (df["leniency_points"] == (df["self_score"] - df["rule_score"]).round(4)).all()


def test_score_check_flags_units_that_score_above_their_numbers(corpus_con):
    df = q(corpus_con, "score_check", level="unit", year=2022, dataset="real")
    rows = by(df, "unit")
    # 卫健 gave 25/25 to an 87%-of-100% hotline: rule 0.87 × 25 = 21.75, leniency +3.25, the most lenient.
    assert df.iloc[0]["unit"] == HEALTH
    assert rows[HEALTH]["leniency_points"] == pytest.approx(3.25) and rows[HEALTH]["n_lenient"] == 1
    # 交通: department 90/95 × 50 = 47.368… vs 45; projects 21.75 vs 15 and 21.75 vs 25.
    assert rows[TRANSPORT]["leniency_points"] == pytest.approx(45 - 50 * 90 / 95 - 6.75 + 3.25, abs=1e-3)
    assert set(df["level"]) == {"unit"}


# -- score_distribution -----------------------------------------------------------------------------------------


def test_histogram_counts_add_up(sample_con):
    for group_by in ("level1", "unit", "year", "kind", "all"):
        df = q(sample_con, "score_distribution", group_by=group_by)
        for _, group in df.groupby("group_value"):
            assert group["n_in_bin"].sum() == group["n_in_group"].iloc[0]
        assert (
            df.drop_duplicates("group_value")["n_in_group"].sum() == 79
        )  # every indicator has weight and score


def test_score_distribution_of_the_sample(sample_con):
    df = q(sample_con, "score_distribution", group_by="level1", level1="履职效果")
    # 9 indicators of 履职效果: two scored 4/5 = 80%, seven full marks (bin 90–100, closed at 100).
    counts = dict(zip(df["bin_label"], df["n_in_bin"]))
    assert counts["80–90"] == 2 and counts["90–100"] == 7 and sum(counts.values()) == 9
    assert len(df) == 10
    totals = q(sample_con, "score_distribution", measure="total", group_by="all")
    # Reported totals 88, 88, 88, 89: quartiles by linear interpolation; all four below full marks.
    first = totals.iloc[0]
    assert (first["min_value"], first["median_value"], first["max_value"]) == (88, 88, 89)
    assert (first["p25_value"], first["p75_value"]) == (88, 88.25)
    assert (first["n_below_full"], first["below_full_share_pct"]) == (4, 100)
    assert "＞100" not in set(totals["bin_label"])
    # 核算得分 93/95, 98/100, 99/100, 104/106 × 100: on the 100-point scale, none above 100.
    scaled = q(sample_con, "score_distribution", measure="recomputed_score", group_by="all").iloc[0]
    assert scaled["median_value"] == pytest.approx((98 + 10400 / 106) / 2)
    assert (scaled["min_value"], scaled["max_value"]) == (pytest.approx(9300 / 95), 99)
    # 履职效果: two of nine indicators below full marks (80%); the 10th percentile lies between those two.
    assert (df.iloc[0]["n_below_full"], df.iloc[0]["p10_value"]) == (2, 80)
    stated = q(sample_con, "score_distribution", measure="stated_total", group_by="kind", bins=4)
    assert dict(zip(stated["group_value"] + stated["bin_label"], stated["n_in_bin"]))["项目75–100"] == 3


# -- search, history, findings, options, KPIs -------------------------------------------------------------------


def test_indicator_search(sample_con):
    df = q(sample_con, "indicator_search", keyword="接听率")
    assert list(df["indicator"]) == ["群众来电咨询接听率"]
    sat = q(sample_con, "indicator_search", keyword="群众满意度")
    assert sat.iloc[0]["indicator"] == "群众满意度" and sat.iloc[0]["is_exact_match"]
    assert sat.iloc[0]["n_indicators"] == 3  # one in each project form
    assert set(sat["indicator"]) == {"群众满意度", "企业满意度", "服务对象1的满意度", "服务对象2的满意度"}
    assert (
        len(q(sample_con, "indicator_search"))
        == sample_con.execute("select count(distinct level3) from indicators").fetchone()[0]
    )


def test_indicator_history(corpus_con):
    df = q(corpus_con, "indicator_history", indicator="群众来电咨询接听率", units=[EDU])
    assert list(df["year"]) == [2021, 2022]
    # 教育 2021 scored 20/25 = 80%, 2022 5/25 = 20%.
    last = df.iloc[-1]
    assert (last["prev_year"], last["prev_score_pct"], last["score_pct"], last["score_pct_change"]) == (
        2021,
        80,
        20,
        -60,
    )
    assert q(corpus_con, "indicator_history", indicator="没有这个指标").empty


def test_findings_summary_adds_up(sample_con):
    df = q(sample_con, "findings_summary")
    assert df["n_findings"].sum() == sample_con.execute("select count(*) from findings").fetchone()[0]
    assert df["share_of_unit_pct"].sum() == pytest.approx(100)
    mismatch = by(df, "rule")["total_mismatch"]
    assert (mismatch["n_findings"], mismatch["n_forms"], mismatch["severity"]) == (4, 4, "error")
    assert list(q(sample_con, "findings_summary", severity="error")["rule"]) == [
        "total_mismatch",
        "weights_not_100",
    ]


def test_findings_list_filters(sample_con):
    assert set(q(sample_con, "findings_list", severity="error")["rule"]) == {
        "total_mismatch",
        "weights_not_100",
    }
    assert set(q(sample_con, "findings_list", report_id=4, rule="total_mismatch")["message"]) == {
        "填报总分 88，重新计算为 104（相差 16）"
    }


def test_filter_options(sample_con, corpus_con):
    df = q(sample_con, "filter_options")
    options = {d: dict(zip(g["value"], g["n_forms"])) for d, g in df.groupby("dimension")}
    assert options["year"] == {"2022": 4}
    assert options["unit"] == {SAMPLE_UNIT: 4}
    assert options["kind"] == {"department": 1, "project": 3}
    assert set(options["level1"]) == {
        "部门管理",
        "履职效果",
        "能力建设",
        "服务对象满意度",
        "产出指标",
        "效益指标",
        "满意度指标",
    }
    assert options["dataset"] == {"real": 4}
    corpus = q(corpus_con, "filter_options", year=2021)
    assert set(corpus[corpus["dimension"] == "unit"]["value"]) == {EDU, HEALTH, TRANSPORT}
    assert list(corpus[corpus["dimension"] == "year"]["value"]) == ["2022", "2021"]


def test_overview_kpis(sample_con, corpus_con):
    kpis = dict(zip(*q(sample_con, "overview_kpis")[["kpi", "value"]].T.values))
    assert (kpis["n_units"], kpis["n_forms"], kpis["n_indicators"]) == (1, 4, 79)
    # The reported totals lead: (88 + 89 + 88 + 88) / 4 = 88.25, all four 良; 核算得分 beside them.
    assert kpis["mean_total"] == 88.25
    assert kpis["mean_stated_total"] == (88 + 89 + 88 + 88) / 4
    assert kpis["mean_recomputed_score"] == pytest.approx((9300 / 95 + 99 + 98 + 10400 / 106) / 4)
    assert (kpis["n_lost_points"], kpis["points_lost"], kpis["n_target_missed"]) == (5, 7, 3)
    assert (kpis["n_grade_excellent"], kpis["n_grade_good"], kpis["n_grade_changed"]) == (0, 4, 4)
    assert (kpis["n_score_gap_flagged"], kpis["n_forms_without_stated"]) == (4, 0)
    corpus = q(corpus_con, "overview_kpis", dataset="real").set_index("kpi")
    # 2022 real forms report 95, 89, 99, 85, 99 → 93.4; 2021: 84, 94, 90, 94 → 90.5.
    assert corpus.loc["mean_total", "value"] == pytest.approx(93.4)
    assert corpus.loc["mean_total", "prev_value"] == pytest.approx(90.5)
    assert corpus.loc["mean_total", "delta"] == pytest.approx(2.9)
    assert (corpus.loc["n_forms", "value"], corpus.loc["n_forms", "prev_value"]) == (5, 4)
