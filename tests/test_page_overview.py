"""总览: headline figures with changes vs the previous year, grades, the points lost most; 示例数据 marker."""

from __future__ import annotations

from app_support import app_db, app_env, chart_text, metric_values, open_page  # noqa: F401


def test_overview_renders_the_latest_year_with_the_demo_marker():
    at = open_page("overview")
    assert at.title[0].value == "总览 · 2022年"
    values = metric_values(at)
    assert values["单位数"] == "5个"  # the sample's unit, three corpus units and one demo unit
    assert values["自评表数"] == "10张"
    assert any("示例数据" in w.value for w in at.warning)  # synthetic data in view
    text = chart_text(at)
    assert "示例数据" in text  # the marker travels with the figures (and their exports)
    assert "自评等级分布" in text and "扣分最多的指标" in text


def test_dataset_filter_changes_the_figures_and_drops_the_marker():
    at = open_page("overview")
    before = chart_text(at)
    at.selectbox(key="dataset").select("real").run()
    assert metric_values(at)["单位数"] == "4个"
    assert not any("示例数据" in w.value for w in at.warning)
    assert chart_text(at) != before
    # The URL is written by the browser side of a bound widget (checked in test_browser.py); the reverse
    # direction, a URL opening a view, is test_a_link_reopens_the_same_view.


def test_year_filter_changes_the_figures_and_shows_changes_vs_the_previous_year():
    at = open_page("overview")
    latest = metric_values(at)
    at.selectbox(key="year").select(2021).run()
    assert at.title[0].value == "总览 · 2021年"
    assert metric_values(at) != latest
    units = next(m for m in at.metric if m.label == "单位数")
    assert units.value == "3个"


def test_a_link_reopens_the_same_view():
    at = open_page("overview", year="2021", dataset="真实数据")
    assert at.title[0].value == "总览 · 2021年"
    assert at.selectbox(key="dataset").value == "real"


def test_only_real_data_button_shows_the_real_sample():
    at = open_page("overview")
    next(b for b in at.button if b.label == "只看真实数据").click().run()
    assert at.selectbox(key="dataset").value == "real"
    assert at.selectbox(key="year").value == 2022
    assert "群众来电咨询接听率" in chart_text(at)  # one click from the landing page to the hotline
