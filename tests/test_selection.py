"""dashboard/selection.py: what the selection means for each query and how it reads and writes the URL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard.db import QueryError, list_queries, load_query, run_query
from dashboard.selection import (
    KEYS,
    Options,
    Selection,
    from_query_params,
    page_link,
    to_query_params,
    url_value_to_apply,
)
from tests.test_queries_units import NOT_SELECTIONS  # queries that are not about a selection

OPTIONS = Options(
    years=(2024, 2023, 2022),
    units=("甲局", "乙局", "丙局"),
    kinds=("department", "project"),
    level1s=("产出指标", "效益指标"),
    datasets=("real", "demo"),
    latest_year=2024,
)


def test_options_from_the_filter_options_query(sample_con):
    options = Options.from_frame(run_query("filter_options", con=sample_con))
    assert options.years == (2022,)
    assert options.units == ("武威市政府政务服务中心",)
    assert options.kinds == ("department", "project")
    assert "产出指标" in options.level1s
    assert options.datasets == ("real",)
    assert options.latest_year == 2022 and options.has_real and not options.has_demo


def test_every_field_goes_to_every_query_that_does_not_ignore_it():
    sel = Selection(year=2022, units=("甲局",), kind="project", level1="产出指标", dataset="real")
    assert sel.params_for(load_query("low_scoring_indicators")) == {
        "dataset": "real",
        "year": 2022,
        "kind": "project",
        "level1": "产出指标",
        "units": ["甲局"],
        "scope": None,
    }
    # department_ranking says it ignores $level1; execution_rates also $kind
    assert sel.params_for(load_query("department_ranking")) == {
        "dataset": "real",
        "year": 2022,
        "kind": "project",
        "units": ["甲局"],
        "scope": None,
    }
    assert sel.params_for(load_query("execution_rates")) == {
        "dataset": "real",
        "year": 2022,
        "units": ["甲局"],
        "scope": None,
    }
    assert Selection().params()["units"] is None  # no units chosen: all


@pytest.mark.parametrize("name", sorted(set(list_queries()) - NOT_SELECTIONS))
def test_each_query_takes_or_says_it_ignores_every_field(name):
    query = load_query(name)
    assert "units" in query.param_names, "units are a list: $units VARCHAR[]"
    for key in KEYS:
        assert (key in query.param_names) != (key in query.ignores), key


@pytest.mark.parametrize("name", list_queries())
def test_every_query_binds_the_access_scope_and_none_may_ignore_it(name):
    query = load_query(name)
    assert "scope" in query.param_names and "scope" not in query.ignores
    assert (
        "$scope" in query.sql.split("\n-- columns:")[-1].split("\n", 1)[-1]
    )  # used in the body, not only declared
    assert Selection(scope=("甲局",)).params_for(query)["scope"] == ["甲局"]


def test_a_parameter_a_query_does_not_declare_fails_loudly(sample_con):
    class Header:  # a query header that forgot to say it ignores level1
        ignores = ()

    params = Selection(year=2022, level1="产出指标").params_for(Header())
    with pytest.raises(QueryError, match=r"department_ranking 没有参数 level1"):
        run_query("department_ranking", con=sample_con, **params)


def test_several_units_are_one_list_parameter(corpus_con):
    from tests.query_corpus import EDU, HEALTH

    sel = Selection(year=2022, units=(EDU, HEALTH), dataset="real")
    df = run_query(
        "low_scoring_indicators", con=corpus_con, **sel.params_for(load_query("low_scoring_indicators"))
    )
    assert set(df["unit"]) == {EDU, HEALTH}


def test_the_access_scope_caps_the_units():
    scoped = Selection(units=("甲局", "乙局"), scope=("乙局", "丙局"))
    assert scoped.params()["units"] == ["乙局"]
    assert Selection(scope=("丙局",)).params()["units"] == ["丙局"]
    assert Selection(units=("甲局",), scope=("丙局",)).params()["units"] == []  # nothing, not everything


def test_url_holds_labels_and_leaves_defaults_out():
    assert to_query_params(Selection(year=2024), OPTIONS) == {}
    sel = Selection(year=2022, units=("甲局", "丙局"), kind="department", level1="产出指标", dataset="demo")
    assert to_query_params(sel, OPTIONS) == {
        "dataset": "示例数据",
        "year": "2022",
        "units": ["甲局", "丙局"],
        "kind": "部门整体",
        "level1": "产出指标",
    }


def test_url_round_trip():
    for sel in (
        Selection(year=2024),
        Selection(year=2022, units=("乙局",), kind="project", dataset="real"),
        Selection(year=2023, units=("甲局", "丙局"), level1="效益指标"),
    ):
        assert from_query_params(to_query_params(sel, OPTIONS), OPTIONS) == sel


def test_invalid_url_values_are_ignored():
    sel = from_query_params(
        {
            "year": "1999",
            "units": ["甲局", "不存在的局", "甲局"],
            "kind": "其他",
            "dataset": "真实数据",
            "level1": "无此类",
        },
        OPTIONS,
    )
    assert sel == Selection(year=2024, units=("甲局",), kind=None, level1=None, dataset="real")


def test_page_link_keeps_the_selection_and_pins_the_year():
    sel = Selection(year=2024, units=("甲局",), dataset="demo")
    link = page_link("drilldown", sel, OPTIONS, unit="甲局", form=12, indicator=345)
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
    assert page_link("ranking", Selection(), Options()) == "ranking"


def test_page_widgets_take_the_url_only_when_it_brings_something_new():
    assert url_value_to_apply("甲局", None, has_state=False)  # a link or a page switch
    assert url_value_to_apply("乙局", "甲局", has_state=True)  # the URL changed since the page wrote it
    assert not url_value_to_apply("甲局", "甲局", has_state=True)  # the page wrote it: the widget wins
    assert not url_value_to_apply(None, "甲局", has_state=True)


def test_describe():
    sel = Selection(year=2022, units=("甲局", "乙局"), kind="department", dataset="real")
    assert sel.describe() == "2022年 · 真实数据 · 部门整体 · 2个单位"
    assert Selection().describe() == "全部年度"


def test_synthetic_marker_follows_the_dataset():
    assert Selection().shows_synthetic(OPTIONS)
    assert Selection(dataset="demo").shows_synthetic(OPTIONS)
    assert not Selection(dataset="real").shows_synthetic(OPTIONS)
    assert not Selection().shows_synthetic(Options(datasets=("real",)))


def test_the_sql_labels_are_the_labels_module_ones(corpus_con):
    """filter_options and form_facts label datasets and kinds in SQL: the same words as dashboard/labels.py."""
    from dashboard.labels import DATASET_LABELS, KIND_LABELS

    df = run_query("filter_options", con=corpus_con)
    for dimension, expected in (("dataset", DATASET_LABELS), ("kind", KIND_LABELS)):
        rows = df[df["dimension"] == dimension]
        assert dict(zip(rows["value"], rows["label"])) == expected
