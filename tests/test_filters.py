"""dashboard/filters.py: what the sidebar filters mean for each query and how they read and write the URL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pandas as pd

from dashboard.db import run_query
from dashboard.filters import (
    Filters,
    Options,
    apply_units,
    from_query_params,
    page_link,
    to_query_params,
    url_value_to_apply,
)

OPTIONS = Options(
    years=(2024, 2023, 2022),
    units=("甲局", "乙局", "丙局"),
    kinds=("department", "project"),
    level1s=("产出指标", "效益指标"),
    datasets=("real", "demo"),
)


def test_options_from_the_filter_options_query(sample_con):
    options = Options.from_frame(run_query("filter_options", con=sample_con))
    assert options.years == (2022,)
    assert options.units == ("武威市政府政务服务中心",)
    assert options.kinds == ("department", "project")
    assert "产出指标" in options.level1s
    assert options.datasets == ("real",)
    assert options.latest_year == 2022 and options.has_real and not options.has_demo


def test_params_follow_what_each_query_declares():
    f = Filters(year=2022, units=("甲局",), kind="project", level1="产出指标", dataset="real")
    assert f.params_for("low_scoring_indicators") == {
        "dataset": "real",
        "year": 2022,
        "kind": "project",
        "level1": "产出指标",
        "unit": "甲局",
    }
    # department_ranking has no $unit or $level1; execution_rates no $kind
    assert f.params_for("department_ranking", metric="findings") == {
        "dataset": "real",
        "year": 2022,
        "kind": "project",
        "metric": "findings",
    }
    assert f.params_for("execution_rates") == {"dataset": "real", "year": 2022, "unit": "甲局"}
    # an override of None drops a filter (a page looking across years)
    assert "year" not in f.params_for("year_over_year", year=None)


def test_several_units_filter_rows_one_unit_goes_to_sql():
    one, two = Filters(units=("甲局",)), Filters(units=("甲局", "乙局"))
    assert "unit" in one.params_for("low_scoring_indicators")
    assert not one.unit_rows_filter("low_scoring_indicators")
    assert "unit" not in two.params_for("low_scoring_indicators")
    assert two.unit_rows_filter("low_scoring_indicators")
    assert one.unit_rows_filter("department_ranking")  # no $unit: rows are filtered
    assert not Filters().unit_rows_filter("department_ranking")
    df = pd.DataFrame({"unit": ["甲局", "乙局", "丙局"], "v": [1, 2, 3]})
    assert list(apply_units(df, ("甲局", "丙局"))["v"]) == [1, 3]
    assert len(apply_units(df, ())) == 3
    assert len(apply_units(pd.DataFrame({"v": [1]}), ("甲局",))) == 1  # no unit column: unchanged


def test_url_holds_labels_and_leaves_defaults_out():
    f = Filters(year=2024, units=(), dataset=None)
    assert to_query_params(f, OPTIONS) == {}
    f = Filters(year=2022, units=("甲局", "丙局"), kind="department", level1="产出指标", dataset="demo")
    assert to_query_params(f, OPTIONS) == {
        "dataset": "示例数据",
        "year": "2022",
        "units": ["甲局", "丙局"],
        "kind": "部门整体",
        "level1": "产出指标",
    }


def test_url_round_trip():
    for f in (
        Filters(year=2024),
        Filters(year=2022, units=("乙局",), kind="project", dataset="real"),
        Filters(year=2023, units=("甲局", "丙局"), level1="效益指标"),
    ):
        assert from_query_params(to_query_params(f, OPTIONS), OPTIONS) == f


def test_invalid_url_values_are_ignored():
    f = from_query_params(
        {
            "year": "1999",
            "units": ["甲局", "不存在的局", "甲局"],
            "kind": "其他",
            "dataset": "真实数据",
            "level1": "无此类",
        },
        OPTIONS,
    )
    assert f == Filters(year=2024, units=("甲局",), kind=None, level1=None, dataset="real")


def test_page_link_keeps_the_filters_and_pins_the_year():
    f = Filters(year=2024, units=("甲局",), dataset="demo")
    link = page_link("drilldown", f, OPTIONS, unit="甲局", form=12, indicator=345)
    parts = urlsplit(link)
    assert parts.path == "drilldown"
    assert parse_qs(parts.query) == {
        "dataset": ["示例数据"],
        "year": ["2024"],
        "units": ["甲局"],
        "unit": ["甲局"],
        "form": ["12"],
        "indicator": ["345"],
    }
    assert page_link("ranking", Filters(), Options()) == "ranking"


def test_page_widgets_take_the_url_only_when_it_brings_something_new():
    assert url_value_to_apply("甲局", None, has_state=False)  # a link or a page switch
    assert url_value_to_apply("乙局", "甲局", has_state=True)  # the URL changed since the page wrote it
    assert not url_value_to_apply("甲局", "甲局", has_state=True)  # the page wrote it: the widget wins
    assert not url_value_to_apply(None, "甲局", has_state=True)


def test_describe():
    assert (
        Filters(year=2022, units=("甲局", "乙局"), kind="department", dataset="real").describe()
        == "2022年 · 真实数据 · 部门整体 · 2个单位"
    )
    assert Filters().describe() == "全部年度"


def test_synthetic_marker_follows_the_dataset():
    assert Filters().shows_synthetic(OPTIONS)
    assert Filters(dataset="demo").shows_synthetic(OPTIONS)
    assert not Filters(dataset="real").shows_synthetic(OPTIONS)
    assert not Filters().shows_synthetic(Options(datasets=("real",)))
