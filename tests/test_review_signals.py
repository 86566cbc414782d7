"""The review signals (queries/review_signals.sql, review_priority.sql) on figures worked out by hand: the
tiny corpus of review_corpus.py, and the real sample's four forms."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from review_corpus import NOTE_A, NOTE_B, write_corpus

from dashboard.db import QueryError, connect, query_runner, run_query
from dashboard.load import ingest
from dashboard.review import signals as review
from dashboard.selection import Selection


@pytest.fixture(scope="module")
def review_con(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("review")
    db = folder / "review.duckdb"
    summary = ingest([write_corpus(folder / "raw")], db, workers=1)
    assert not summary.failed, [f.error for f in summary.failed]
    con = connect(db)
    yield con
    con.close()


def fired(con, sel: Selection | None = None) -> Counter:
    sel = sel or Selection()
    run = query_runner(con)
    rows = review.signals(run, sel, review.note_groups(run, sel.dataset))
    return Counter(zip(rows["unit"], rows["year"], rows["signal"], rows["indicator"].fillna("")))


def test_each_signal_fires_where_it_was_planted_and_nowhere_else(review_con):
    got = fired(review_con)
    expected = Counter(
        {
            ("甲局", 2022, "executed_over_budget", ""): 2,  # 年度资金总额 and 当年财政拨款 lines, 110 > 100
            ("甲局", 2022, "lenient_score", "服务件数"): 1,
            ("甲局", 2022, "full_score_target_missed", "服务件数"): 1,
            ("甲局", 2022, "vague_target", "服务质量"): 1,
            ("甲局", 2022, "target_far_exceeded", "办结件数"): 1,
            ("甲局", 2022, "target_without_unit", "受益村数"): 1,
            ("甲局", 2022, "lost_no_reason", "受益村数"): 1,
            ("甲局", 2022, "short_note", "群众满意度"): 1,
            ("甲局", 2022, "total_above_computed", ""): 1,
            ("乙局", 2021, "full_score_target_missed", "培训人数"): 1,
            ("乙局", 2021, "full_score_target_missed", "改造面积"): 1,
            ("乙局", 2021, "full_score_target_missed", "宣传次数"): 1,
            ("乙局", 2021, "lenient_score", "培训人数"): 1,
            ("乙局", 2021, "lenient_score", "改造面积"): 1,
            ("乙局", 2021, "lenient_score", "宣传次数"): 1,
            ("乙局", 2021, "full_marks", ""): 1,
            ("乙局", 2022, "full_marks", ""): 1,
            ("乙局", 2022, "all_at_target", ""): 1,
            ("乙局", 2022, "execution_always_100", ""): 1,
            ("丙局", 2022, "target_unchanged", "培训人次"): 1,
            ("丙局", 2022, "few_quantitative", ""): 1,
            ("丙局", 2022, "similar_note", "培训人次"): 1,
            ("丁局", 2021, "lenient_score", "服务次数"): 1,
            ("丁局", 2021, "similar_note", "服务次数"): 1,
        }
    )
    assert got == expected


def test_figures_and_details_say_what_was_seen(review_con):
    run = query_runner(review_con)
    rows = review.signals(run, Selection(), review.note_groups(run, None)).set_index(
        ["unit", "year", "signal"]
    )
    assert rows.loc[("丁局", 2021, "lenient_score"), "figure"] == pytest.approx(5)  # 45 − 50 × 40/50
    assert (
        rows.loc[("甲局", 2022, "lenient_score"), "detail"]
        == "服务件数：目标≥100件，实际90件，应得18分，自评20分"
    )
    assert rows.loc[("甲局", 2022, "total_above_computed"), "figure"] == pytest.approx(2)
    assert rows.loc[("甲局", 2022, "target_far_exceeded"), "figure"] == pytest.approx(2)
    assert rows.loc[("丙局", 2022, "target_unchanged"), "figure"] == pytest.approx(10)  # 130 − 120
    assert rows.loc[("丙局", 2022, "few_quantitative"), "detail"] == "定量指标1/4项"
    assert rows.loc[("乙局", 2022, "full_marks"), "detail"] == "自评100分（满分），本单位当年1/1张表满分"
    # every row names its source line: the triggering indicator's own row in the file
    lenient = rows.loc[("丁局", 2021, "lenient_score")]
    line = Path(lenient["path"]).read_text(encoding="utf-8").splitlines()[int(lenient["source_line"]) - 1]
    assert "服务次数" in line and "40次" in line


def test_the_priority_is_the_weighted_sum_with_reasons_in_chinese(review_con):
    run = query_runner(review_con)
    groups = review.note_groups(run, None)
    df = review.priority(run, Selection(), groups).set_index(["unit", "year"])
    # 甲局 2022: lenient 3 + full-score-missed 3 + total above 2 + over budget 2 + far exceeded 2 + no reason 2
    #   + vague 1 + short note 1 + no unit 0.5 = 16.5
    assert df.loc[("甲局", 2022), "priority_score"] == 16.5
    assert df.loc[("甲局", 2022), "rank"] == 1
    assert df.loc[("乙局", 2021), "priority_score"] == 3 + 3 + 1
    assert (
        df.loc[("乙局", 2021), "reasons"]
        == "3项定量指标自评分高于评分规则，共多15.5分；3项定量指标未达目标仍得满分；自评100分（满分），本单位当年1/1张表满分"
    )
    assert (
        df.loc[("丁局", 2021), "reasons"]
        == "1项定量指标自评分高于评分规则，共多5分；1条偏差说明与其他1个单位雷同"
    )
    assert (
        df.loc[("丙局", 2021), "priority_score"] == 0
        and df.loc[("丙局", 2021), "reasons"] == "未发现复核信号"
    )
    # the analyst's weights: lenient_score off, similar_note 10
    df = review.priority(run, Selection(), groups, {"lenient_score": 0, "similar_note": 10}).set_index(
        ["unit", "year"]
    )
    assert df.loc[("丁局", 2021), "priority_score"] == 10 and df.loc[("丁局", 2021), "signals"] == [
        "similar_note"
    ]
    assert df.loc[("甲局", 2022), "priority_score"] == 16.5 - 3
    assert list(df["rank"])[:2] == [1, 2] and df.iloc[0]["priority_score"] == 16.5 - 3


def test_signal_filter_and_selection_follow_the_units(review_con):
    run = query_runner(review_con)
    groups = review.note_groups(run, None)
    df = review.priority(run, Selection(), groups, signal="lenient_score")
    assert sorted(zip(df["unit"], df["year"])) == [("丁局", 2021), ("乙局", 2021), ("甲局", 2022)]
    # the note groups are over the whole dataset: 丙局's note is similar to 丁局's even when only 丙局 is selected
    rows = review.signals(run, Selection(units=("丙局",)), groups)
    assert set(rows["unit"]) == {"丙局"} and "similar_note" in set(rows["signal"])


def test_without_word_lists_their_signals_do_not_fire(review_con):
    rows = run_query("review_signals", con=review_con)
    assert not {"vague_target", "similar_note"} & set(rows["signal"])
    # without the empty-note list 无偏差 is a (short) note, not a missing one
    short = rows[rows["signal"] == "short_note"]
    assert "lost_no_reason" not in set(rows["signal"]) and set(short["indicator"]) == {
        "受益村数",
        "群众满意度",
    }
    with pytest.raises(QueryError, match="review_priority 的参数 weights"):
        run_query("review_priority", con=review_con, weights="x")


def test_the_similar_note_group_holds_both_notes(review_con):
    groups = review.note_groups(query_runner(review_con), None)
    assert sorted(groups.members["note"]) == sorted([NOTE_A, NOTE_B])
    assert set(groups.members["n_units"]) == {2} and set(groups.members["n_years"]) == {2}


# The real sample (武威市政府政务服务中心 2022), read by hand from data/raw/000_0ed4b7e3fbc5b049.txt:
#   部门整体支出: 结转结余变动率 ≤2% → 0% (under half the ceiling); 年办件量 ≥80000 has no unit; 政务快速通道免费
#     送达率 scored 4 of 5 with no note.
#   政务服务经费: 志愿服务水平 target 提升; 软件平台维护个数 target 3 without a unit.
#   武威市市级政务服务平台对接改造项目: 服务效能 and 服务平台支撑能力 target 提升; 电子印章制作数量 ≥1000 → 1588
#     (1.59 ×); 事项公布数量, 电子印章制作数量, 数据信息交换数量, 用户注册数量 have no unit.
#   党支部标准化建设项目: 党支部集中学习次数 ≥12 → 42, 组织生活会开展次数 ≥12 → 38, 党建带群建活动开展次数 ≥2 → 5
#     (each ≥ 1.5 ×), the same three without a unit.
SAMPLE_SIGNALS = {
    "部门整体支出": {
        ("target_far_exceeded", "结转结余变动率"),
        ("target_without_unit", "年办件量"),
        ("lost_no_reason", "政务快速通道免费送达率"),
    },
    "政务服务经费": {("vague_target", "志愿服务水平"), ("target_without_unit", "软件平台维护个数")},
    "武威市市级政务服务平台对接改造项目": {
        ("vague_target", "服务效能"),
        ("vague_target", "服务平台支撑能力"),
        ("target_far_exceeded", "电子印章制作数量"),
        ("target_without_unit", "事项公布数量"),
        ("target_without_unit", "电子印章制作数量"),
        ("target_without_unit", "数据信息交换数量"),
        ("target_without_unit", "用户注册数量"),
    },
    "党支部标准化建设项目": {
        ("target_far_exceeded", "党支部集中学习次数"),
        ("target_far_exceeded", "组织生活会开展次数"),
        ("target_far_exceeded", "党建带群建活动开展次数"),
        ("target_without_unit", "党支部集中学习次数"),
        ("target_without_unit", "组织生活会开展次数"),
        ("target_without_unit", "党建带群建活动开展次数"),
    },
}


def test_the_sample_forms_signals_by_hand(sample_con):
    run = query_runner(sample_con)
    rows = review.signals(run, Selection(year=2022), review.note_groups(run, None))
    got = {form: set(zip(g["signal"], g["indicator"])) for form, g in rows.groupby("form")}
    assert got == SAMPLE_SIGNALS
    top = review.priority(run, Selection(year=2022), review.note_groups(run, None))
    assert list(top["form"])[0] == "部门整体支出" and top.iloc[0]["priority_score"] == 2 + 2 + 0.5
