"""复核清单: the forms to check first with their reasons, the rows that triggered the chosen one, the signal
filter from the URL, weights, and the link to the drill-down (figures of test_queries_units.py's corpus)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from app_support import app_db, app_env, metric_values, open_page, tables  # noqa: F401
from query_corpus import EDU, TRANSPORT

RURAL = "农村公路建设"


def test_the_list_puts_the_lenient_form_first_with_its_reasons():
    at = open_page("review", year="2022", dataset="真实数据")
    rules, rows, triggering = tables(at)[:3]
    assert len(rules) == 16 and rules["weight"].sum() > 0
    first = rows.iloc[0]
    # 农村公路建设: lenient 3 + full score on a missed target 3 + 安全事故's target 0 without a unit 0.5
    assert (first["unit"], first["form"], first["priority_score"]) == (TRANSPORT, RURAL, 6.5)
    assert first["reasons"].startswith(
        "1项定量指标自评分高于评分规则，共多3.25分；1项定量指标未达目标仍得满分"
    )
    assert set(rows["unit"]) >= {EDU, TRANSPORT}
    assert (rows["priority_score"] > 0).all()  # only flagged forms by default
    # the chosen form's triggering rows, each with its source line and a link to its indicator
    assert set(triggering["signal_label"]) == {"自评分高于评分规则", "未达目标仍得满分", "定量目标无计量单位"}
    assert triggering["source"].str.contains(r"transport_2022_rural\.txt 第\d+行").all()
    link = parse_qs(urlsplit(triggering["link"].iloc[0]).query)
    assert link["unit"] == [TRANSPORT] and "indicator" in link
    assert metric_values(at)["待复核自评表"] == f"{len(rows)}张"


def test_a_row_opens_the_drill_down_of_its_form():
    at = open_page("review", year="2022", dataset="真实数据")
    rows = tables(at)[1]
    query = parse_qs(urlsplit(rows.iloc[0]["link"]).query)
    assert (
        query["unit"] == [TRANSPORT]
        and query["year"] == ["2022"]
        and "form" in query
        and "indicator" in query
    )


def test_the_signal_filter_comes_from_the_url():
    at = open_page("review", year="2022", dataset="真实数据", signal="total_above_computed")
    assert at.selectbox(key="review_signal").value == "total_above_computed"
    rows = tables(at)[1]
    assert list(rows["unit"]) == [EDU] and rows.iloc[0]["reasons"].startswith("填报总分比核算总分高6分")


def test_all_forms_can_be_listed():
    at = open_page("review", year="2022", dataset="真实数据")
    at.toggle(key="review_flagged").set_value(False).run()
    everything = tables(at)[1]
    # every real 2022 form: the sample's 4, EDU's 1, TRANSPORT's 3, HEALTH's 1, in priority order
    assert len(everything) == 4 + 1 + 3 + 1 and not at.exception
    assert list(everything["priority_score"]) == sorted(everything["priority_score"], reverse=True)
