"""dashboard/charts.py: pure DataFrame -> figure functions, one theme with a CJK font, Chinese number formats,
exact values in the hover, one status colour mapping, the 示例数据 marker."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import charts, labels
from dashboard.db import run_query


def layout_font(fig: go.Figure) -> str:
    return fig.layout.template.layout.font.family


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (291.54, "291.54万元"),
        (0, "0万元"),
        (12345.6, "1.23亿元"),
        (1234.5, "1,234.5万元"),
        (None, "—"),
        (float("nan"), "—"),
    ],
)
def test_money_in_wan_the_chinese_way(value, text):
    assert labels.fmt_wan(value) == text


@pytest.mark.parametrize(("value", "text"), [(87, "87%"), (99.53, "99.5%"), (100.0, "100%"), (None, "—")])
def test_percent(value, text):
    assert labels.fmt_pct(value) == text


@pytest.mark.parametrize(("value", "text"), [(93, "93分"), (88.5, "88.5分"), (99.999, "100分")])
def test_scores(value, text):
    assert labels.fmt_score(value) == text


def test_signed_changes_and_rank_changes():
    assert labels.fmt_signed(2.5, "分") == "+2.5分"
    assert labels.fmt_signed(-1, "个") == "−1个"  # a real minus sign in text
    assert labels.fmt_signed(-1, "", ascii_minus=True) == "-1"  # st.metric reads the direction from '-'
    assert labels.fmt_signed(0.0, "分") == "0分"
    assert labels.fmt_rank_change(3) == "↑3"
    assert labels.fmt_rank_change(-2) == "↓2"
    assert labels.fmt_rank_change(0) == "持平"
    assert labels.fmt_rank_change(None) == "—"


def test_value_with_unit():
    assert labels.fmt_value(697600, "件") == "697,600件"
    assert labels.fmt_value(95, "%") == "95%"
    assert labels.fmt_exact(87.12345) == "87.1235"


def test_unit_status_uses_the_indicator_vocabulary():
    assert charts.unit_status(1.0) == "lost_points"
    assert charts.unit_status(0.0, 2) == "target_missed"
    assert charts.unit_status(0.0) == "ok"
    assert charts.unit_status(None) == "no_score"
    assert set(charts.STATUS_COLORS) == set(labels.STATUS_LABELS) == set(labels.STATUS_ORDER)


def ranking_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2022, 2022, 2022],
            "rank": [1, 2, 2],
            "unit": ["甲局", "乙局", "丙局"],
            "metric_value": [99.5, 93.25, 93.25],
            "n_ranked": [3, 3, 3],
            "is_tied": [False, True, True],
            "prev_rank": [2, 1, None],
            "rank_change": [1, -1, None],
            "grade": ["优", "优", "良"],
            "points_lost": [0.0, 6.75, 6.75],
            "unit_total": [99.5, 93.25, 89.5],
            "unit_recomputed_score": [99.5, 93.25, 93.25],
        }
    )


def test_ranking_chart():
    fig = charts.ranking_chart(ranking_frame(), "recomputed_score")
    bar = fig.data[0]
    assert layout_font(fig).startswith("Noto Sans CJK SC")
    assert list(bar.y) == ["1. 甲局", "2. 乙局", "2. 丙局"]
    assert [c[0] for c in bar.customdata] == ["甲局", "乙局", "丙局"]  # a click names the unit
    # Coloured by the unit's grade (one scale everywhere), not by "lost any point".
    assert list(bar.marker.color) == [
        charts.GRADE_COLORS["优"],
        charts.GRADE_COLORS["优"],
        charts.GRADE_COLORS["良"],
    ]
    assert bar.text[0] == "99.5分  ↑1" and bar.text[1] == "93.25分  ↓1"
    assert "93.25分" in bar.hovertext[1] and "并列" in bar.hovertext[1]  # exact value in the hover
    assert "上年名次：—" in bar.hovertext[2] and "名次变化：首年" in bar.hovertext[2]
    assert "自评得分：89.5分" in bar.hovertext[2] and "核算得分：93.25分" in bar.hovertext[2]
    assert fig.layout.xaxis.range[0] == 90  # scores near 100: the axis starts below the minimum, and says so
    assert "横轴自90起" in fig.layout.xaxis.title.text
    legend = [t.name for t in fig.data if t.showlegend]
    assert legend == ["优（90分及以上）", "良（80–90分）"]


def test_synthetic_marker_is_on_the_figure_itself():
    fig = charts.ranking_chart(ranking_frame(), "total", note=labels.SYNTHETIC_NOTE)
    assert fig.layout.title.subtitle.text == labels.SYNTHETIC_NOTE
    assert fig.layout.margin.t >= 84
    assert charts.ranking_chart(ranking_frame()).layout.title.subtitle.text is None


def test_empty_inputs_give_a_message_not_an_error():
    empty = ranking_frame().iloc[0:0]
    fig = charts.ranking_chart(empty)
    assert "没有" in fig.layout.annotations[0].text
    assert (
        "没有" in charts.watchlist_chart(pd.DataFrame(columns=["unit", "level3"])).layout.annotations[0].text
    )


def test_charts_from_the_sample_queries(sample_con):
    """Every chart function draws the sample's query rows, with the CJK font and hover text."""
    q = lambda name, **p: run_query(name, con=sample_con, **p)  # noqa: E731
    figures = {
        "ranking": charts.ranking_chart(q("department_ranking", year=2022)),
        "grades": charts.grade_chart(q("grade_distribution", year=2022)),
        "histogram": charts.histogram_chart(q("score_distribution", year=2022)),
        "box": charts.box_chart(q("score_distribution", year=2022)),
        "scatter": charts.execution_scatter(q("year_over_year", year=2022)),
        "treemap": charts.drill_treemap(q("drilldown", year=2022)),
        "indicator": charts.indicator_chart(
            q("indicator_history", indicator="群众来电咨询接听率").query("form == '政务服务经费'")
        ),
        "watchlist": charts.watchlist_chart(q("low_scoring_indicators", year=2022)),
        "findings": charts.findings_chart(q("findings_summary", year=2022)),
        "total_gap": charts.total_gap_chart(q("total_gap", year=2022)),
        "trend": charts.year_trend_chart(q("year_over_year"), "unit_total", "分", "历年得分"),
    }
    for name, fig in figures.items():
        assert layout_font(fig).startswith("Noto Sans CJK SC"), name
        assert fig.data, name
        assert not fig.layout.annotations or "没有" not in fig.layout.annotations[0].text, name


def test_watchlist_chart_puts_the_hotline_with_its_exact_figures(sample_con):
    rows = run_query("low_scoring_indicators", con=sample_con, year=2022)
    fig = charts.watchlist_chart(rows)
    bar = fig.data[0]
    hotline = next(i for i, label in enumerate(bar.y) if "群众来电咨询接听率" in label)
    assert "目标：100%" in bar.hovertext[hotline] and "实际：87%" in bar.hovertext[hotline]
    assert "得分：3/4分" in bar.hovertext[hotline]
    assert bar.customdata[hotline][0] == rows.loc[hotline, "indicator_id"]  # a click finds the indicator


def test_indicator_chart_shows_target_and_actual_in_the_grade_colour(sample_con):
    rows = run_query("indicator_history", con=sample_con, indicator="群众来电咨询接听率")
    fig = charts.indicator_chart(rows[rows["form"] == "政务服务经费"])
    target, actual = fig.data[0], fig.data[1]
    assert list(target.y) == [100] and list(actual.y) == [87]
    # Scored 3 of 4: 得分率 75% is 中 on the one grade scale.
    assert actual.marker.color[0] == charts.GRADE_COLORS["中"]
    assert [t.name for t in fig.data if t.showlegend][-1] == "中（得分率60–80%）"
    assert fig.layout.yaxis.ticksuffix == "%"


def test_treemap_areas_are_the_leaf_weights(sample_con):
    tree = run_query("drilldown", con=sample_con, year=2022)
    fig = charts.drill_treemap(tree)
    t = fig.data[0]
    leaves = tree["depth"] == 4
    assert sum(t.values) == pytest.approx(tree.loc[leaves, "weight"].fillna(0).sum())
    assert t.branchvalues == "remainder"
    assert set(t.marker.colors) <= set(charts.GRADE_COLORS.values())
    assert len(set(t.marker.colors)) > 1  # the 80% and 75% indicators stand out from the full marks


def test_leniency_chart_lists_only_units_scoring_above_their_numbers(sample_con):
    # The sample scores itself below its own numbers (87% of a 4-point target is 3.48, it gave 3): no bar.
    sample = run_query("score_check", con=sample_con, level="unit")
    assert (sample["leniency_points"] <= 0).all()
    assert "没有自评分高于" in charts.leniency_chart(sample).layout.annotations[0].text
    rows = pd.DataFrame(
        {
            "unit": ["甲局", "乙局", "丙局"],
            "year": [2022] * 3,
            "leniency_points": [2.0, -0.5, 0.07],
            "self_score": [30, 20, 10],
            "rule_score": [28, 20.5, 9.93],
            "n_quantitative": [5, 4, 3],
            "n_lenient": [1, 0, 1],
        }
    )
    bar = charts.leniency_chart(rows).data[0]
    assert list(bar.y) == ["甲局", "丙局"] and list(bar.text) == ["+2分", "+0.07分"]


def test_grade_chart_legend_names_the_bases_not_a_grade(sample_con):
    """The bars are coloured by grade; the legend tells 自评得分 from 核算得分. A bar trace's own swatch takes its
    first bar's colour (优's green), which reads as 'stated = 优': the legend's swatches are neutral instead."""
    fig = charts.grade_chart(run_query("grade_distribution", con=sample_con, year=2022))
    legend = [t for t in fig.data if t.showlegend is not False]
    assert [t.name for t in legend] == ["按自评得分", "按核算得分（斜线）"]
    grade_colours = set(charts.theme.GRADE_COLORS.values())
    assert not [t.name for t in legend if t.marker.color in grade_colours]
    assert legend[1].marker.pattern.shape == "/" and not legend[0].marker.pattern.shape
    bars = [t for t in fig.data if t.showlegend is False]
    assert [list(t.marker.color) for t in bars] == [[charts.theme.GRADE_COLORS[g] for g in "优良中差"]] * 2


def test_x_tick_labels_stand_off_from_the_lowest_y_tick_label(sample_con):
    """The execution-rate scatter's corner: the lowest y label is centred on the x axis line, so x labels keep
    more than half a label's height below it."""
    fig = charts.execution_scatter(run_query("year_over_year", con=sample_con, year=2022))
    standoff = fig.layout.template.layout.xaxis.ticklabelstandoff
    assert standoff is not None and standoff > fig.layout.template.layout.font.size / 2
