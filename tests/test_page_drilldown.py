"""指标下钻: unit → form → classes → indicator, with target, actual, weight, score, note and source."""

from __future__ import annotations

import os

from app_support import HOTLINE, SAMPLE_UNIT, app_db, app_env, chart_text, metric_values, open_page, tables  # noqa: F401

from dashboard.db import connect, run_query


def lookup(name: str, **params):
    con = connect(os.environ["JIXIAO_DB"])
    try:
        return run_query(name, con=con, **params)
    finally:
        con.close()


def test_drilldown_shows_the_units_tree_and_indicators():
    at = open_page("drilldown", unit=SAMPLE_UNIT)
    assert at.selectbox(key="drill_unit").value == SAMPLE_UNIT
    assert "treemap" in chart_text(at)
    leaves = tables(at)[0]
    assert HOTLINE in set(leaves["indicator"])
    assert len(leaves) == 26 + 19 + 17 + 17  # the four forms' indicators (the unnamed one included)


def test_a_link_opens_one_indicator_with_target_actual_note_and_source():
    row = lookup("low_scoring_indicators", keyword="接听率", project="政务服务经费").iloc[0]
    at = open_page(
        "drilldown", unit=SAMPLE_UNIT, form=str(row["report_id"]), indicator=str(row["indicator_id"])
    )
    assert at.subheader[0].value == HOTLINE
    values = metric_values(at)
    assert values["目标"] == "100%" and values["实际"] == "87%"
    assert values["分值"] == "4分" and values["得分"] == "3分" and values["扣分"] == "1分"
    assert any("000_0ed4b7e3fbc5b049.txt 第" in m.value for m in at.markdown)
    assert any("接通率" in t.value for t in at.text)  # the deviation note, shown as plain text
    assert "历年实际值与目标值" in chart_text(at)


def test_form_selection_and_filters_change_the_tree():
    at = open_page("drilldown", unit=SAMPLE_UNIT)
    before = chart_text(at)
    assert at.selectbox(key="drill_form").options[0] == "全部自评表（4张）"
    project = lookup("grades", units=[SAMPLE_UNIT], kind="project").iloc[0]
    at.selectbox(key="drill_form").select(int(project["report_id"])).run()
    assert chart_text(at) != before
    assert set(tables(at)[0]["form"]) == {project["form"]}
    at.selectbox(key="level1").select("产出指标").run()
    assert set(tables(at)[0]["level1"]) == {"产出指标"}


def test_another_unit_and_year():
    at = open_page("drilldown", unit="武威市教育局", year="2021")
    assert at.selectbox(key="drill_unit").value == "武威市教育局"
    assert set(tables(at)[0]["form"]) == {"校园安全经费"}
