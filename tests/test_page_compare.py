"""年度对比: units side by side across years, or one indicator across years."""

from __future__ import annotations

from app_support import HOTLINE, app_db, app_env, chart_text, charts, open_page, tables  # noqa: F401


def test_units_across_years():
    at = open_page("compare")
    lines = charts(at)[0]["data"]
    assert len(lines) == 3  # the three units whose score fell most
    assert all(t["x"] for t in lines)
    at.multiselect(key="cmp_units").unselect(lines[0]["name"]).run()
    assert len(charts(at)[0]["data"]) == 2


def test_sidebar_units_and_value_change_the_figure():
    at = open_page("compare", units=["武威市教育局", "武威市交通运输局"])
    assert {t["name"] for t in charts(at)[0]["data"]} == {"武威市教育局", "武威市交通运输局"}
    before = chart_text(at)
    at.selectbox(key="cmp_value").select("execution_rate_pct").run()
    assert chart_text(at) != before and "预算执行率" in chart_text(at)


def test_one_indicator_across_years_and_units():
    at = open_page("compare", mode="indicator", q="接听率")
    assert at.selectbox(key="cmp_indicator").value == HOTLINE
    rows = tables(at)[0]
    assert {2021, 2022} <= set(rows["year"])
    assert HOTLINE in chart_text(at)
