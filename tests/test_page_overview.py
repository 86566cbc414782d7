"""总览: headline figures with changes vs the previous year, grades, the points lost most; 示例数据 marker."""

from __future__ import annotations

import shutil

import pytest
from app_support import app_db, app_env, chart_text, metric_values, open_page  # noqa: F401
from conftest import SAMPLE

from dashboard.load import ingest


@pytest.fixture(scope="module")
def sample_only_db(tmp_path_factory: pytest.TempPathFactory):
    raw = tmp_path_factory.mktemp("sample_only") / "raw"
    raw.mkdir()
    shutil.copyfile(SAMPLE, raw / SAMPLE.name)
    db = raw.parent / "sample.duckdb"
    assert not ingest([raw], db, workers=1).failed
    return db


def test_with_only_the_real_sample_the_reported_scores_lead(sample_only_db, monkeypatch):
    """The sample's forms report 88, 89, 88, 88 (良): the headline is their mean, 核算得分 beside it."""
    monkeypatch.setenv("JIXIAO_DB", str(sample_only_db))
    at = open_page("overview")
    values = metric_values(at)
    assert values["平均自评得分"] == "88.25分"  # (88 + 89 + 88 + 88) / 4
    # 核算得分 = Σ得分 / Σ分值 × 100: (93/95 + 99/100 + 98/100 + 104/106) × 100 / 4 = 98.25
    assert values["平均核算得分"] == "98.25分"
    assert values["良（80–90分）"] == "4张" and values["优（90分及以上）"] == "0张"
    assert values["核算后等级变化"] == "4张"  # every form would be 优 on its 核算得分
    assert not at.warning  # real data only: no 示例数据 banner


def test_grade_metrics_name_the_bands_the_charts_use():
    """One grade scale everywhere: the 总览 metrics' bands read as the charts' legend (half-open bands, so 89.5
    is 良 and '良（80–89分）' would contradict it)."""
    from dashboard.charts.theme import grade_legend_name

    values = metric_values(open_page("overview"))
    for grade in ("优", "良", "中", "差"):
        assert grade_legend_name(grade) in values, grade
    assert not [k for k in values if "89分" in k or "59分" in k or "79分" in k]


def test_overview_opens_on_real_data_in_its_latest_year():
    at = open_page("overview")
    assert at.title[0].value == "总览 · 2022年"
    assert at.selectbox(key="dataset").value == "real"  # real forms exist: they are the default view
    values = metric_values(at)
    assert values["单位数"] == "4个"  # the sample's unit and three corpus units, not the demo unit
    assert values["自评表数"] == "9张"
    # Reported 88, 89, 88, 88 (sample) and 95, 89, 99, 85, 99 (corpus): 820 / 9 = 91.11.
    assert values["平均自评得分"] == "91.11分"
    assert not any("示例数据" in w.value for w in at.warning)


def test_demo_data_is_an_explicit_choice_and_carries_the_marker():
    at = open_page("overview")
    before = chart_text(at)
    at.selectbox(key="dataset").select_index(2).run()  # 全部（真实 + 示例）
    values = metric_values(at)
    assert values["单位数"] == "5个"  # plus the demo unit
    assert values["自评表数"] == "10张"
    assert any("示例数据" in w.value for w in at.warning)  # synthetic data in view
    text = chart_text(at)
    assert text != before
    assert "示例数据" in text  # the marker travels with the figures (and their exports)
    assert "自评等级分布" in text and "扣分最多的指标" in text
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


def test_a_year_without_forms_is_said_not_silently_replaced():
    at = open_page("overview", year="1999")
    assert any("没有1999年的自评表" in w.value for w in at.warning)
    assert at.title[0].value == "总览 · 2022年"


def test_a_link_reopens_the_same_view():
    at = open_page("overview", year="2021", dataset="真实数据")
    assert at.title[0].value == "总览 · 2021年"
    assert at.selectbox(key="dataset").value == "real"


def test_only_real_data_button_shows_the_real_sample():
    at = open_page("overview")
    at.selectbox(key="dataset").select_index(2).run()  # 全部（真实 + 示例）
    next(b for b in at.button if b.label == "只看真实数据").click().run()
    assert at.selectbox(key="dataset").value == "real"
    assert at.selectbox(key="year").value == 2022
    assert "群众来电咨询接听率" in chart_text(at)  # one click from the landing page to the hotline
