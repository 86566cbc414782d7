"""数据质量: findings by rule and unit, stated vs recomputed totals and grades, self-score vs rule-score."""

from __future__ import annotations

from app_support import SAMPLE_UNIT, app_db, app_env, chart_text, charts, open_page, tables  # noqa: F401


def test_quality_renders_findings_totals_and_leniency():
    at = open_page("quality")
    assert len(charts(at)) == 4
    by_rule, details = tables(at)[0], tables(at)[1]
    assert by_rule["n_findings"].sum() == len(details)
    assert any(d.startswith("填报总分与重新计算的总分") for d in by_rule["description"])
    gaps = tables(at)[2]
    sample_dept = gaps[(gaps["unit"] == SAMPLE_UNIT) & (gaps["form"] == "部门整体支出")].iloc[0]
    assert (sample_dept["stated_total"], sample_dept["computed_total"]) == (88, 93)
    assert (sample_dept["stated_grade"], sample_dept["computed_grade"]) == ("良", "优")
    assert sample_dept["link"].startswith("drilldown?")


def test_rule_and_filters_change_the_figures():
    at = open_page("quality")
    before = chart_text(at)
    at.selectbox(key="quality_rule").select("total_mismatch").run()
    descriptions = set(tables(at)[1]["description"])
    assert len(descriptions) == 1 and descriptions.pop().startswith("填报总分与重新计算的总分")
    at.selectbox(key="year").select(2021).run()
    assert chart_text(at) != before
