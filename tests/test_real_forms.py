"""Real published forms, scored against what a careful human reads off them (`jixiao eval`).

`tests/fixtures/realforms/` (the team's first 13 excerpts) and `tests/fixtures/real/` (44 more) are saved exactly
as published, from 16 provinces; `expected.json` beside them is the hand reading. These tests hold the parser to
what it reads today, so a change that reads one form better and another worse shows up: the floors are the
measured figures (rounded down), the issue's target of 90% overall is not reached yet (see the closing note of
the real-forms issue: the rest are text layers of PDFs in reading order and OCR garbage).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.evaluate import evaluate
from dashboard.ingest.readers.glued import split_figures, unglue

FIXTURES = Path(__file__).parent / "fixtures"
FIRST = FIXTURES / "realforms"
MORE = FIXTURES / "real"


@pytest.fixture(scope="module")
def result():
    return evaluate([FIRST, MORE])


def test_the_corpus_is_what_the_issue_asks(result):
    files = {(s.folder, s.file) for s in result.files}
    assert len(files) == 57
    provinces = {p for s in result.files for p in s.provinces} - {"（未标注）"}
    assert len(provinces) >= 15
    families = {f for s in result.files for f in s.families}
    assert {"transfer", "sichuan", "chongqing", "hebei", "criteria", "checklist", "fenzhi_first"} <= families


def test_no_real_form_is_rejected_whole(result):
    assert [(s.file, s.rejected) for s in result.files if s.rejected] == []


def test_overall_field_accuracy_does_not_fall(result):
    print(f"real forms: {result.correct}/{result.total} fields = {result.accuracy:.1%}")
    assert result.accuracy >= 0.90


def test_the_first_corpus_reads_almost_whole(result):
    first = [s for s in result.files if Path(s.folder).name == "realforms"]
    correct, total = sum(s.correct for s in first), sum(s.total for s in first)
    assert correct / total >= 0.94
    # the text forms (all but the two OCR dumps 08 and 12) are read field for field but for two rows
    text = [s for s in first if not s.file.startswith(("08_", "12_"))]
    assert sum(s.total - s.correct for s in text) <= 8


@pytest.mark.parametrize(
    ("figure", "following", "after", "cells"),
    [
        # 年度资金总额:202010100.00%10 -> 全年预算 20, 执行 20, 分值 10, 执行率 100.00% (20/20), then 得分 10
        ("202010100.00%", None, "", ["20", "20", "10", "100.00%"]),
        # three amounts 64.8 (their ratio is the rate), then 100%
        ("64.864.864.8100%", None, "", ["64.8", "64.8", "64.8", "100%"]),
        ("194.9194.9100%", None, "", ["194.9", "194.9", "100%"]),
        # a weight before a percentage target: 20 then 100% (20100% is no rate)
        ("20100%", None, "", ["20", "100%"]),
        # a weight before a target its actual repeats: 10 then 20万元
        ("1020万元", "20万元", "", ["10", "20万元"]),
        # weight and score
        ("1010", None, "", ["10", "10"]),
        ("2018", None, "figure", ["20", "18"]),
        # 总分 10098: the weights' 100, the score 98
        ("10098", None, "total", ["100", "98"]),
        # what is one figure stays one
        ("2018", None, "", ["2018"]),
        ("2022年", None, "figure", ["2022年"]),
        ("86.5%", None, "", ["86.5%"]),
        ("100.00%", None, "", ["100.00%"]),
        ("1500万元", None, "", ["1500万元"]),
        # after a name and its 计量单位 (real/32: 完成率%901010010): target, weight, actual, score
        ("901010010", None, "row", ["90", "10", "100", "10"]),
        ("250105010", None, "row", ["250", "10", "50", "10"]),
        ("0.4100.110", None, "row", ["0.4", "10", "0.1", "10"]),
        # real/42: weight, target and actual all 12.5
        ("12.512.512.5", None, "", ["12.5", "12.5", "12.5"]),
    ],
)
def test_split_figures(figure, following, after, cells):
    assert split_figures(figure, following, after) == cells


def test_unglue_a_row_of_a_form_run_together():
    # from real/19: the indicator rows of a 中江县 form copied with no separator at all
    line = (
        "绩效指标一级指标二级指标三级指标分值年度指标值全年实际值得分未完成原因及拟采取的改进措施产出指标(70分)数量指标"
        "安装坡面水标尺10≥266米≥266米10水标尺宽度10≥50厘米≥50厘米10质量指标项目(工程)验收合格率20100%100%20"
        "成本指标项目计划总投资1020万元20万元10效益指标(20分)群众生产生活条件改善状况10显著提升显著提升10总分100100"
    )
    assert unglue(line).split() == [
        "绩效指标", "一级指标", "二级指标", "三级指标", "分值", "年度指标值", "全年实际值", "得分",
        "未完成原因及拟采取的改进措施", "产出指标(70分)", "数量指标",
        "安装坡面水标尺", "10", "≥266米", "≥266米", "10",
        "水标尺宽度", "10", "≥50厘米", "≥50厘米", "10",
        "质量指标", "项目(工程)验收合格率", "20", "100%", "100%", "20",
        "成本指标", "项目计划总投资", "10", "20万元", "20万元", "10",
        "效益指标(20分)", "群众生产生活条件改善状况", "10", "显著提升", "显著提升", "10",
        "总分", "100", "100",
    ]  # fmt: skip


def test_unglue_rows_with_their_measure_unit_and_no_separator():
    # from real/32: a Chongqing 部门整体 form, 指标名称 计量单位 指标性质(empty) 指标值 权重 完成值 得分 run together
    line = "指标得分(分)说明天然林和公益林管护当期任务完成率%901010010国家级公益林管护面积万亩2810810"
    assert unglue(line).split() == [
        "指标得分(分)", "说明", "天然林和公益林管护当期任务完成率", "%", "90", "10", "100", "10",
        "国家级公益林管护面积", "万亩", "28", "10", "8", "10",
    ]  # fmt: skip


def test_free_line_pieces_broken_brackets_and_a_name_run_into_its_target():
    from dashboard.ingest.cells import tokens_of
    from dashboard.ingest.model import Row

    # real/36: 相关性(5 分) is one label; real/31: 22.5 科目调整次数≤10次 is a score, then a name and its target
    row = Row(
        line=1, ref="第1行", cells=["相关性(5 分) 5 明确性(5 分) 22.5 科目调整次数≤10次 22.5 满意度≥95%"]
    )
    assert [t.text for t in tokens_of([row])] == [
        "相关性(5分)", "5", "明确性(5分)", "22.5", "科目调整次数", "≤10次", "22.5", "满意度", "≥95%",
    ]  # fmt: skip


def test_a_note_that_names_columns_is_not_taken_for_a_glued_form():
    from dashboard.ingest.readers.glued import is_glued

    note = (
        "注：1.部门（单位）整体支出绩效自评采取打分评价形式，满分为100分，各部门可根据指标的重要程度自主确定各项二、三级指标的"
        "权重分值，原则上一级指标分值统一设置为：预算执行率10分、部门管理指标20分、履职效果指标50分。"
    )
    assert not is_glued(note)


def _reports(name: str):
    from dashboard.ingest.parse import parse_file

    path = next(MORE.glob(f"{name}_*"))
    doc = parse_file(path)
    assert doc.error is None
    return doc.reports


def test_a_total_label_printed_after_its_figures_and_a_level_name_inside_the_header():
    # real/18: 全年预算数(A) 全年执行数(B) 7165.32 6992.95 … 年度资金总额; 一级指标 二级指标 数量指标 三级指标 年度目标指标值
    (report,) = _reports("18")
    total = report.total_line
    assert (total.line, total.full_year, total.executed) == ("年度资金总额", 7165.32, 6992.95)
    (ind,) = report.indicators
    assert (ind.level2, ind.level3, ind.target_text) == ("数量指标", "享受社会保险补贴人员数量", "4443")


def test_a_criteria_table_under_its_own_title_with_broken_level_names():
    # real/36: 2017 年部门整体支出绩效评价得分表; 部门决 策(25 分) 目标任务(15 分) 相关性(5 分) 5 …
    dept = [r for r in _reports("36") if r.kind == "department"]
    assert len(dept) == 1
    first = dept[0].indicators[0]
    assert (first.level1, first.level2, first.level3, first.score) == (
        "部门决策",
        "目标任务",
        "相关性(5分)",
        5,
    )
    assert [i.score for i in dept[0].indicators] == [5, 5, 5, 2, 4, 1]


def test_a_budget_written_as_labels_and_values():
    # real/35: 计划安排资金 (万元) | 1187 | 实际到位资金 (万元) | 1023 | 实际支出 (万元) | 1078.78; 项目单位; 主管部门 empty
    (report,) = _reports("35")
    total = report.total_line
    assert (total.full_year, total.executed) == (1187, 1078.78)
    assert report.unit == "湖南省岳阳市长江修防处"
    assert report.supervisor is None


def test_a_web_page_heading_repeated_masked_above_the_table():
    # real/22: 雅安市名山区林业局2024年度林业草原改革发展资金绩效评价表, page chrome, ****2024年度…绩效评价表
    reports = _reports("22")
    assert len(reports) == 1
    (report,) = reports
    assert (report.kind, report.unit, report.project) == (
        "transfer",
        "雅安市名山区林业局",
        "林业草原改革发展资金",
    )


def test_a_document_preview_cut_into_numbered_chunks_inside_a_figure():
    # real/42: 1、… 分值(10分)执行率(B/A)得分 … 年度资金总额:310.2154.741050%5 …申报的数量12.51 / 3、2.512.5完成值…
    (report,) = _reports("42")
    total = report.total_line
    assert (total.initial, total.executed, total.weight, total.execution_rate_stated_pct, total.score) == (
        310.2,
        154.74,
        10,
        50,
        5,
    )
    assert report.supervisor == "北京市海淀区人民政府学院路街道办事处"
    (ind,) = report.indicators
    assert (ind.weight, ind.target_text, ind.actual_text, ind.score) == (12.5, "12.5", "12.5", 12.5)
    assert ind.source_ref == "第19行"  # the line where the joined chunks begin


def test_a_report_style_fund_block_with_its_total_line_first():
    # real/63: 工作活动(项目)名称 | 第四次经济普查经费; 预算安排 (万元) | 实际到位金额 | 实际支出金额 | 结余金额;
    # 合计 | 8 | 8 | 7.9879 | 0.0121 (a budget line, not the form's 合计); then 二、工作活动(项目)绩效目标情况
    (report,) = _reports("63")
    assert (report.unit, report.supervisor, report.project) == (
        "宁晋县统计局",
        "宁晋县统计局",
        "第四次经济普查经费",
    )
    assert report.stated_total is None
    lines = [
        (b.line, b.initial, b.executed, b.source_ref) for b in report.budget_lines if b.initial is not None
    ]
    assert lines == [("合计", 8, 7.9879, "第29行"), ("县财政资金", 8, 7.9879, "第32行")]
    assert not any(b.line.startswith("二、") for b in report.budget_lines)


def test_a_budget_labelled_in_a_sentence_with_its_breakdown_after():
    # real/23: 资金情况(万元)年度金额(提前下达):208万元资金使用情况(万元)合计:109.8万元中央财政165万元中央财政84.5万元…
    (report,) = _reports("23")
    (line,) = report.budget_lines
    assert (line.full_year, line.executed) == (208, 109.8)


def test_an_ocr_copy_with_dashes_read_as_yi_and_a_scrambled_weight_header():
    # real/20 (OCR): 自评得分98财政审…; 考值参分 (参考分值); 项目目标完整性4一目标明确、内容细化、目标量化4; 预算执行率10一100%9
    (report,) = _reports("20")
    assert report.stated_total == 98
    by_name = {i.level3: i for i in report.indicators}
    first = by_name["项目目标完整性"]
    assert (first.weight, first.target_text, first.actual_text, first.score) == (
        4,
        "一",
        "目标明确、内容细化、目标量化",
        4,
    )
    rate = by_name["预算执行率"]
    assert (rate.weight, rate.target_text, rate.actual_text, rate.score) == (10, "一", "100%", 9)


def test_a_department_form_titled_by_its_kind_names_its_unit_on_the_部门_line():
    # real/43: 部门整体支出绩效自评表 | … / 部门 | 金寨县茶谷和美丽乡村建设服务中心 (the title's 部门 is the kind)
    (report,) = _reports("43")
    assert report.unit == "金寨县茶谷和美丽乡村建设服务中心"


def test_a_box_drawing_double_line_typed_for_the_equals_sign():
    # real/47: | 社会效益 指标 | 政策知晓率 | ═ | 100 | % | 98% | 10 | 9 |
    (report,) = _reports("47")
    ind = next(i for i in report.indicators if i.level3 == "政策知晓率")
    assert (ind.op_text, ind.target_text, ind.target_op, ind.target_value) == ("═", "═100%", "=", 100)
    assert (ind.actual_text, ind.weight, ind.score) == ("98%", 10, 9)


def test_the_second_reading_is_skipped_only_where_it_would_find_the_same_rows(monkeypatch):
    # align_twice returns the first reading when the table's habits cannot change it; check that claim on every
    # table of the real corpus and the sample by reading each such table a second time anyway.
    from dashboard.ingest import align
    from dashboard.ingest.parse import parse_file
    from tests.conftest import SAMPLE

    def plain(rows):
        return [
            ({r: [t.text for t in ts] for r, ts in row.cells.items()}, [t.text for t in row.dropped])
            for row in rows
        ]

    checked = []
    original = align.Aligner.align_twice

    def checking(self, tokens):
        first = self.align(tokens)
        fill = align.habits(first, self.roles)
        if fill and align._habits_change_nothing(first, fill):
            assert plain(align.with_habits(self, fill).align(tokens)) == plain(first)
            checked.append(len(tokens))
        return original(self, tokens)

    monkeypatch.setattr(align.Aligner, "align_twice", checking)
    for path in [SAMPLE, *sorted(MORE.glob("*.txt")), *sorted(FIXTURES.glob("realforms/*.txt"))]:
        parse_file(path)
    assert (
        len(checked) >= 5
    )  # the shortcut is taken (the sample's tables among them), and each time it was right
