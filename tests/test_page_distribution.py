"""得分分布: histograms and quantile boxes by level-1 class, unit, year or kind; execution rate vs score."""

from __future__ import annotations

import json
import re

from app_support import app_db, app_env, chart_text, charts, open_page, tables  # noqa: F401

from dashboard.labels import SCORE_LABEL


def test_distribution_renders_histogram_box_and_scatter():
    at = open_page("distribution")
    figures = charts(at)
    assert len(figures) == 3
    kinds = [{t["type"] for t in f["data"]} for f in figures]
    assert "bar" in kinds[0] and "box" in kinds[1] and "scatter" in kinds[2]
    assert "产出指标" in {t["name"] for t in figures[0]["data"]}  # grouped by level-1 class


def test_grouping_and_filters_change_the_figures():
    at = open_page("distribution")
    before = chart_text(at)
    at.selectbox(key="dist_group").select("year").run()
    groups = {t["name"] for t in charts(at)[0]["data"]}
    assert groups == {"2021", "2022"}  # across years when grouped by year
    at.selectbox(key="dist_measure").select("total").run()
    assert chart_text(at) != before
    at.selectbox(key="dist_group").select("unit").run()
    at.multiselect(key="units").select("武威市教育局").select("武威市交通运输局").run()
    assert set(tables(at)[0]["group_value"]) == {"武威市教育局", "武威市交通运输局"}


def test_level1_filter_narrows_the_indicators():
    at = open_page("distribution")
    at.selectbox(key="level1").select("产出指标").run()
    assert {t["name"] for t in charts(at)[0]["data"]} == {"产出指标"}


def test_download_names_are_words_not_codes():
    """The charts' and the quantile table's file names say the measure and grouping in Chinese (the audit found
    得分分布_2022年_score_pct_level1.png)."""
    at = open_page("distribution")
    at.selectbox(key="dist_measure").select("total").run()
    names = [json.loads(c.proto.config)["toImageButtonOptions"]["filename"] for c in at.get("plotly_chart")]
    assert names[:2] == [f"得分分布_2022年_{SCORE_LABEL}_按单位", f"得分分位数_2022年_{SCORE_LABEL}_按单位"]
    assert not any(re.search(r"[A-Za-z]", n) for n in names)
