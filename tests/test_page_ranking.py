"""部门排名: units ranked by a chosen metric with rank changes; the bars carry the unit for the drill-down click."""

from __future__ import annotations

from app_support import app_db, app_env, charts, open_page, tables  # noqa: F401


def bars(at):
    return next(t for t in charts(at)[0]["data"] if t.get("type") == "bar")


def test_ranking_renders_units_in_rank_order():
    at = open_page("ranking")
    bar = bars(at)
    # 2022 by computed total: the demo unit and 卫健 tie at 99, then the sample (93), 交通 95 …
    assert bar["y"][0].startswith("1. ")
    assert [c[0] for c in bar["customdata"]][:2] == sorted([c[0] for c in bar["customdata"]][:2])
    table = tables(at)[0]
    assert list(table["rank"])[:2] == [1, 1]
    assert "武威市政府政务服务中心" in set(table["unit"])


def test_metric_and_filters_change_the_ranking():
    at = open_page("ranking")
    before = bars(at)
    at.selectbox(key="ranking_metric").select("findings").run()
    after = bars(at)
    assert after["x"] != before["x"]
    assert "核查发现数" in charts(at)[0]["layout"]["title"]["text"]
    at.selectbox(key="kind").select("department").run()
    assert {c[0] for c in bars(at)["customdata"]} == {"武威市交通运输局", "武威市政府政务服务中心"}
    at.selectbox(key="kind").select(None).run()
    at.selectbox(key="year").select(2021).run()
    assert len(bars(at)["y"]) == 3


def test_unit_selection_narrows_the_rows_but_keeps_their_ranks():
    at = open_page("ranking")
    at.multiselect(key="units").select("武威市教育局").run()
    table = tables(at)[0]
    assert list(table["unit"]) == ["武威市教育局"]
    assert int(table["rank"].iloc[0]) > 1  # its rank among all units


def test_metric_comes_from_the_url():
    at = open_page("ranking", metric="execution_rate")
    assert at.selectbox(key="ranking_metric").value == "execution_rate"
