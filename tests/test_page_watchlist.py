"""低分预警: the hotline indicator is on the 2022 list; keyword search with synonyms; thresholds; row links."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from app_support import HOTLINE, SAMPLE_UNIT, app_db, app_env, chart_text, metric_values, open_page, tables  # noqa: F401


def test_hotline_appears_in_the_2022_watchlist():
    at = open_page("watchlist", year="2022")
    rows = tables(at)[0]
    hotline = rows[rows["level_path"].str.contains(HOTLINE) & (rows["unit"] == SAMPLE_UNIT)]
    assert len(hotline) >= 1
    assert hotline.iloc[0]["points_lost"] == 1 and bool(hotline.iloc[0]["is_hotline"])
    assert HOTLINE in chart_text(at)


def test_keyword_search_uses_synonyms_and_filters_change_the_list():
    at = open_page("watchlist")
    everything = len(tables(at)[0])
    at.text_input(key="watch_keyword").input("热线").run()
    rows = tables(at)[0]
    assert 0 < len(rows) < everything
    assert rows["is_hotline"].all()  # 热线 finds 接听率 / 接通率 / 12345
    assert metric_values(at)["预警指标"] == f"{len(rows)}个"
    at.selectbox(key="dataset").select("real").run()
    assert SAMPLE_UNIT in set(tables(at)[0]["unit"]) and "示例市示例局" not in set(tables(at)[0]["unit"])
    at.selectbox(key="watch_min").select(2.0).run()
    assert (tables(at)[0]["points_lost"] >= 2).all()


def test_keyword_comes_from_the_url():
    at = open_page("watchlist", q="接通率")
    assert at.text_input(key="watch_keyword").value == "接通率"
    assert tables(at)[0]["is_hotline"].all()


def test_each_row_links_to_its_drill_down():
    at = open_page("watchlist", dataset="真实数据")
    rows = tables(at)[0]
    link = urlsplit(rows.iloc[0]["link"])
    params = parse_qs(link.query)
    assert link.path == "drilldown"
    assert params["unit"] == [rows.iloc[0]["unit"]] and params["dataset"] == ["真实数据"]
    assert params["year"] == ["2022"] and params["indicator"][0].isdigit()
