"""The real sample document: every figure the foundation issue hand-read from the file."""

from __future__ import annotations

import pytest

PROJECT_FORMS = ["政务服务经费", "武威市市级政务服务平台对接改造项目", "党支部标准化建设项目"]


def report(con, project):
    where = "project is null" if project is None else "project = ?"
    params = [] if project is None else [project]
    return con.execute(f"select * from reports where {where}", params).df().iloc[0]


@pytest.mark.parametrize(
    ("project", "n_indicators", "weight_total", "computed_total", "stated_total", "budget"),
    [
        (None, 26, 95, 93, 88, (361.95, 494.39, None)),
        ("政务服务经费", 19, 100, 99, 89, (245, 291.54, 291.54)),
        ("武威市市级政务服务平台对接改造项目", 17, 100, 98, 88, (0, 50, 50)),
        ("党支部标准化建设项目", 17, 106, 104, 88, (2, 2, 2)),
    ],
)
def test_report_figures(
    sample_con, project, n_indicators, weight_total, computed_total, stated_total, budget
):
    r = report(sample_con, project)
    n = sample_con.execute(
        "select count(*) from indicators where report_id = ?", [int(r.report_id)]
    ).fetchone()[0]
    assert n == n_indicators
    assert r.weight_total == weight_total
    assert r.computed_total == computed_total
    assert r.stated_total == stated_total
    initial, full_year, executed = budget
    assert r.budget_initial == initial
    assert r.budget_full_year == full_year
    if executed is None:
        assert r.budget_executed != r.budget_executed or r.budget_executed is None  # NaN/None: kept NULL
    else:
        assert r.budget_executed == executed


def test_four_forms_with_year_unit_supervisor(sample_con):
    rows = sample_con.execute(
        "select kind, year, unit, supervisor, project from reports order by source_line"
    ).fetchall()
    assert [r[0] for r in rows] == ["department", "project", "project", "project"]
    assert {r[1] for r in rows} == {2022}
    assert {r[2] for r in rows} == {"武威市政府政务服务中心"}
    assert [r[4] for r in rows[1:]] == PROJECT_FORMS
    assert {r[3] for r in rows[1:]} == {"武威市人民政府办公室"}
    assert rows[0][4] is None


def test_department_execution_figures(sample_con):
    r = report(sample_con, None)
    assert r.execution_rate_stated_pct == 100
    assert r.execution_weight == 10 and r.execution_score == 10
    executed_null = sample_con.execute(
        "select execution_rate_pct is null and budget_executed is null from reports where kind = 'department'"
    ).fetchone()[0]
    assert executed_null


def test_hotline_indicator(sample_con):
    row = sample_con.execute(
        """select i.level1, i.level2, i.target_text, i.target_value, i.target_unit, i.actual_value, i.weight,
                  i.score, i.source_line, i.target_met
           from indicators i join reports r using (report_id)
           where r.project = '政务服务经费' and i.level3 = '群众来电咨询接听率'"""
    ).fetchone()
    assert row == ("产出指标", "质量指标", "100%", 100.0, "%", 87.0, 4.0, 3.0, 74, False)


def test_five_indicators_lost_points(sample_con):
    rows = sample_con.execute(
        """select r.project, i.level3, i.weight - i.score from indicators i join reports r using (report_id)
           where i.score < i.weight order by i.source_line"""
    ).fetchall()
    assert rows == [
        (None, "政务快速通道免费送达率", 1.0),
        (None, "服务便利化水平", 1.0),
        ("政务服务经费", "群众来电咨询接听率", 1.0),
        ("武威市市级政务服务平台对接改造项目", "服务平台支撑能力", 2.0),
        ("党支部标准化建设项目", "党建工作创新能力", 2.0),
    ]


def test_project_budgets_add_up_to_department_project_spending(sample_con):
    dept, projects = sample_con.execute(
        """select (select full_year from budget_lines b join reports r using (report_id)
                   where r.kind = 'department' and b.line = '项目支出'),
                  (select sum(budget_full_year) from reports where kind = 'project')"""
    ).fetchone()
    assert dept == pytest.approx(343.54) and projects == pytest.approx(343.54)
    n = sample_con.execute("select count(*) from findings where rule = 'project_budget_mismatch'").fetchone()[
        0
    ]
    assert n == 0


def test_budget_lines_both_column_orders(sample_con):
    # Department: 执行率·分值·得分; project: 分值·执行率·得分. Both map by header words.
    dept = sample_con.execute(
        """select b.line, b.initial, b.full_year, b.executed, b.execution_rate_stated_pct, b.weight, b.score
           from budget_lines b join reports r using (report_id) where r.kind = 'department' order by b.source_line"""
    ).fetchall()
    assert dept == [
        ("全年支出", 361.95, 494.39, None, 100.0, 10.0, 10.0),
        ("基本支出", 116.95, 150.85, None, 100.0, None, None),
        ("项目支出", 245.0, 343.54, None, 100.0, None, None),
    ]
    project = sample_con.execute(
        """select b.line, b.initial, b.full_year, b.executed, b.execution_rate_stated_pct, b.weight, b.score
           from budget_lines b join reports r using (report_id) where r.project = '政务服务经费'
           order by b.source_line"""
    ).fetchall()
    assert project[:2] == [
        ("年度资金总额", 245.0, 291.54, 291.54, 100.0, 10.0, 10.0),
        ("当年财政拨款", 245.0, 291.54, 291.54, 100.0, None, None),
    ]
    assert [p[0] for p in project[2:]] == ["上年结转资金", "其他资金"]


def test_goals_paired_and_html_stripped(sample_con):
    goals = sample_con.execute(
        """select seq, goal_text, outcome_text from goals join reports using (report_id)
           where kind = 'department' order by seq"""
    ).fetchall()
    assert len(goals) == 4
    assert goals[1][1].startswith("目标2") and goals[1][2].startswith("目标2完成情况")
    assert all("<p>" not in (g[1] + g[2]) for g in goals)


def rules_of(con, project):
    where = "r.project is null" if project is None else "r.project = ?"
    return sorted(
        con.execute(
            f"select f.rule from findings f join reports r using (report_id) where {where}",
            [] if project is None else [project],
        ).fetchall()
    )


def test_department_findings(sample_con):
    rules = [r[0] for r in rules_of(sample_con, None)]
    for rule in (
        "total_mismatch",
        "weights_not_100",
        "level1_weight_off_norm",
        "unexplained_deduction",
        "full_score_with_note",
    ):
        assert rule in rules
    assert rules.count("missing_budget_cell") == 3
    msg = sample_con.execute(
        "select message from findings where rule = 'level1_weight_off_norm' and message like '%履职效果%'"
    ).fetchone()[0]
    assert "45" in msg and "50" in msg


def test_party_project_findings(sample_con):
    rules = [r[0] for r in rules_of(sample_con, "党支部标准化建设项目")]
    assert {
        "total_mismatch",
        "weights_not_100",
        "unnamed_indicator",
        "duplicate_indicator",
        "level1_weight_off_norm",
    } <= set(rules)
    unnamed = sample_con.execute(
        """select i.level1, i.level2, i.level3, i.source_line from indicators i join reports r using (report_id)
           where r.project = '党支部标准化建设项目' and i.level3 is null"""
    ).fetchall()
    assert unnamed == [("产出指标", "时效指标", None, 155)]


def test_project_name_from_title_line(sample_con):
    msg = sample_con.execute(
        "select message from findings where rule = 'project_name_from_title'"
    ).fetchone()[0]
    assert "武威市人民政府办公室" in msg and "武威市市级政务服务平台对接改造项目" in msg


def test_level1_norms_come_from_the_forms_notes(sample_con):
    rows = sample_con.execute(
        """select r.kind, n.level1, n.weight, n.origin from level1_norms n join reports r using (report_id)
           where r.project is null or r.project = '政务服务经费' order by r.kind, n.level1"""
    ).fetchall()
    dept = {lvl: w for kind, lvl, w, origin in rows if kind == "department"}
    proj = {lvl: w for kind, lvl, w, origin in rows if kind == "project"}
    assert dept == {"预算执行": 10, "部门管理": 20, "履职效果": 50, "能力建设": 10, "服务对象满意度": 10}
    assert proj == {"产出指标": 50, "效益指标": 30, "满意度指标": 10, "预算执行": 10}
    assert {r[3] for r in rows} == {"notes"}


def test_every_indicator_traceable_to_a_line(sample_con):
    missing = sample_con.execute(
        "select count(*) from indicators where source_line is null or raw_text is null or raw_text = ''"
    ).fetchone()[0]
    assert missing == 0
    path = sample_con.execute("select path from sources").fetchone()[0]
    assert path.endswith("000_0ed4b7e3fbc5b049.txt")
