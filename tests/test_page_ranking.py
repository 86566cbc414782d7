"""部门排名: units ranked by a chosen metric with rank changes; the bars carry the unit for the drill-down click."""

from __future__ import annotations

from app_support import app_db, app_env, charts, open_page, tables  # noqa: F401


def bars(at):
    return next(t for t in charts(at)[0]["data"] if t.get("type") == "bar")


def test_ranking_renders_units_in_rank_order():
    at = open_page("ranking")
    bar = bars(at)
    # 2022 real data (the default) by the reported score: 卫健 99, 交通 95, the sample 88, 教育 85.
    assert [c[0] for c in bar["customdata"]] == [
        "武威市卫生健康委员会",
        "武威市交通运输局",
        "武威市政府政务服务中心",
        "武威市教育局",
    ]
    # Coloured by grade: 优, 优, 良, 良 — more than one colour.
    assert len(set(bar["marker"]["color"])) == 2
    table = tables(at)[0]
    assert list(table["rank"]) == [1, 2, 3, 4]
    sample = table[table["unit"] == "武威市政府政务服务中心"].iloc[0]
    # 88 reported beside 核算得分 93 / 95 × 100 = 97.89, 9.89 apart (flagged); first year: 首年, not None.
    assert (sample["unit_total"], sample["unit_recomputed_score"]) == (88, 97.89)
    assert sample["gap_text"] == "−9.89 ⚑" and (sample["grade"], sample["recomputed_grade"]) == ("良", "优")
    assert (sample["prev_rank_text"], sample["rank_change_text"]) == ("首年", "首年")
    # Every figure of the row from the department form: 2 points lost, its 19 findings.
    assert (sample["points_lost"], sample["n_findings"]) == (2, 19)


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
    assert "metric_value" not in tables(at)[0].columns  # the ranked figure is one of the columns, not twice


def test_unit_selection_narrows_the_rows_but_keeps_their_ranks():
    at = open_page("ranking")
    at.multiselect(key="units").select("武威市教育局").run()
    table = tables(at)[0]
    assert list(table["unit"]) == ["武威市教育局"]
    assert int(table["rank"].iloc[0]) > 1  # its rank among all units


def test_metric_comes_from_the_url():
    at = open_page("ranking", metric="execution_rate")
    assert at.selectbox(key="ranking_metric").value == "execution_rate"
