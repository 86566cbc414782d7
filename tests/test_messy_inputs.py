"""Inputs real departments send: web copies, decoys, cut-off forms, other templates, broken files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from dashboard.ingest.parse import parse_bytes
from tests.formtext import project_form

TITLE = "## 2022年武威市教育局预算项目支出绩效自评表"


def parse(text: str, name: str = "f.txt"):
    return parse_bytes(name, text.encode("utf-8"))


def only_report(doc):
    assert doc.error is None, doc.error
    assert len(doc.reports) == 1
    return doc.reports[0]


def rules(report) -> list[str]:
    return sorted(f.rule for f in report.findings)


def test_tail_of_a_previous_form_is_ingested_and_a_decoy_table_skipped():
    tail = "\t\t指标2: 企业满意度\t≥95%\t≥95%\t5\t5\t无偏差\t\n总分\t\t\t\t\t100\t88\t\t\n"
    decoy = (
        "2022年部门基础数据表\n一级指标\t二级指标\t三级指标\t分值\t得分\n人员\t在编人数\t实有人数\t30\t28\n"
    )
    doc = parse(tail + project_form() + decoy)
    assert doc.error is None and len(doc.reports) == 2
    cut, form = doc.reports
    # The tail: its one complete row and its stated total, said to start mid-form; no year or unit to rank by.
    (row,) = cut.indicators
    assert (row.level3, row.target_text, row.actual_text, row.weight, row.score) == (
        "企业满意度",
        "≥95%",
        "≥95%",
        5,
        5,
    )
    assert cut.stated_total == 88 and cut.stated_weight_total == 100
    assert {"starts_mid_form", "missing_metadata"} <= set(rules(cut))
    assert form.project == "校园安全经费" and len(form.indicators) == 4
    assert len(doc.skipped) == 1 and "基础数据表" in doc.skipped[0]


def test_form_cut_off_mid_table_is_ingested_with_a_truncated_finding():
    lines = project_form().splitlines()
    cut = "\n".join(lines[: lines.index(next(x for x in lines if x.startswith("效益指标")))]) + "\n"
    r = only_report(parse(cut))
    assert len(r.indicators) == 2
    assert "truncated" in rules(r)
    assert r.stated_total is None


def test_traditional_characters_are_matched_and_kept():
    text = (
        project_form(unit="武威市教育局").replace("产出指标", "產出指標").replace("满意度指标", "滿意度指標")
    )
    text = text.replace("安保人员", "安保人員").replace("服务对象满意度指标", "服務對象滿意度指標")
    r = only_report(parse(text))
    assert [i.level1 for i in r.indicators] == ["产出指标", "产出指标", "效益指标", "满意度指标"]
    assert r.indicators[0].level3 == "安保人員"  # names keep their original characters
    assert r.indicators[3].level2 == "服务对象满意度指标"


def test_header_broken_over_two_lines_and_spaced_level_names():
    text = project_form()
    text = text.replace("偏差原因分析及改进措施\t", "偏差原因分析及改进\n措施\t")
    text = text.replace("产出指标\t数量指标", "产 出 指 标(50分)\t数量指标")
    r = only_report(parse(text))
    assert r.indicators[0].level1 == "产出指标"
    assert r.indicators[0].note == "无偏差"
    assert not [f for f in r.findings if f.rule == "unparsed_row"]


def test_blank_actual_and_score_stay_null_in_aligned_rows():
    text = project_form().replace("\t100%\t87%\t25\t3\t接通率不高\t", "\t100%\t\t25\t\t\t")
    r = only_report(parse(text))
    hotline = r.indicators[1]
    assert (hotline.target_value, hotline.actual_text, hotline.weight, hotline.score) == (
        100.0,
        None,
        25.0,
        None,
    )


def test_decimal_weights_and_percent_with_decimals():
    text = project_form().replace("\t≥20人\t22人\t25\t25\t", "\t≥20人\t22人\t24.5\t24.5\t")
    text = text.replace("\t100%\t87%\t25\t3\t", "\t100.00%\t87.50%\t25.5\t20.25\t")
    r = only_report(parse(text))
    assert [i.weight for i in r.indicators[:2]] == [24.5, 25.5]
    assert (r.indicators[1].target_value, r.indicators[1].actual_value, r.indicators[1].score) == (
        100,
        87.5,
        20.25,
    )


def test_total_row_with_weights_only():
    text = project_form().replace("总分\t\t\t\t\t100\t99\t\t", "合计\t\t\t\t\t100\t\t\t")
    r = only_report(parse(text))
    assert r.stated_weight_total == 100 and r.stated_total is None


def test_department_form_with_other_level1_classes():
    text = (
        "\n".join(
            [
                "## 2023年度某县财政局部门整体支出绩效自评表",
                "部门(单位)名称\t年初预算数\t全年预算数(A)\t实际支出数(B)\t执行率(B/A)\t分值\t得分",
                "部门整体支出(万元)\t全年支出\t500\t520\t494\t95%\t10\t9.5",
                "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施",
                "决策\t目标设定\t绩效目标合理性\t合理\t合理\t10\t10\t无偏差",
                "过程\t资金管理\t资金使用合规性\t合规\t合规\t20\t18\t存在个别报销手续不全",
                "产出\t数量\t完成审计项目数\t≥30个\t32个\t30\t30\t无偏差",
                "效益\t社会效益\t群众满意度\t≥90%\t93%\t30\t30\t无偏差",
                "合计\t\t\t\t\t100\t97.5\t",
            ]
        )
        + "\n"
    )
    r = only_report(parse(text))
    assert (r.kind, r.year, r.unit) == ("department", 2023, "某县财政局")
    assert [i.level1 for i in r.indicators] == ["决策", "过程", "产出指标", "效益指标"]
    assert r.level1_norms_origin == "none" and "level1_weight_off_norm" not in rules(r)
    assert r.computed_total == 97.5 and r.execution_rate_pct == pytest.approx(95.0)


def test_year_on_a_line_of_its_own_and_code_prefixed_project(tmp_path):
    r = only_report(
        parse_bytes("s.txt", (Path(__file__).parent / "fixtures" / "sichuan_2023.txt").read_bytes())
    )
    assert (r.year, r.project, r.project_code, r.template) == (
        2023,
        "城乡义务教育营养改善计划",
        "51000023T000000123456",
        "sichuan",
    )
    assert [(n.label, n.text) for n in r.notes][:3] == [
        ("评价结论", "项目总体完成良好，资金使用规范。"),
        ("存在问题", "资金拨付存在个别延迟。"),
        ("改进措施", "加强资金调度，确保按时拨付。"),
    ]
    rate = r.indicators[3]
    assert (rate.target_op, rate.target_value, rate.target_unit, rate.actual_value) == (">=", 95.0, "%", 90.0)


# -- broken files ------------------------------------------------------------------------------------------


def _xlsx_bytes(with_formula: bool) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r, line in enumerate(project_form().splitlines(), start=1):
        for c, cell in enumerate(line.split("\t"), start=1):
            ws.cell(r, c, cell or None)
    if with_formula:
        ws["G16"] = "=SUM(G12:G15)"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("broken.xlsx", b"PK\x03\x04 this is not a workbook", "已损坏"),
        (
            "locked.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "EncryptedPackage".encode("utf-16-le"),
            "已加密",
        ),
        ("broken.docx", b"not a zip", "已损坏"),
        ("broken.pdf", b"%PDF-1.4 garbage", "PDF"),
        ("notes.pdf", None, "没有文字层"),
        ("formulas.xlsx", None, "公式"),
    ],
)
def test_broken_files_get_a_clear_error_naming_the_file(name, data, message, tmp_path):
    if name == "formulas.xlsx":
        data = _xlsx_bytes(with_formula=True)
    if name == "notes.pdf":
        from reportlab.pdfgen import canvas

        buf = io.BytesIO()
        c = canvas.Canvas(buf)
        c.rect(50, 50, 200, 200)  # a scan has shapes, no text
        c.save()
        data = buf.getvalue()
    doc = parse_bytes(tmp_path / name, data)
    assert doc.reports == []
    assert doc.error.startswith(name) and message in doc.error


def test_workbook_with_cached_values_reads():
    doc = parse_bytes("ok.xlsx", _xlsx_bytes(with_formula=False))
    assert only_report(doc).computed_total == 77


def test_utf8_bom_crlf_and_non_breaking_spaces():
    text = (
        project_form()
        .replace("\n", "\r\n")
        .replace("校园安全经费", "校园安全经费\u00a0")
        .replace("≥20人", "≥\u00a020人")
    )
    r = only_report(parse_bytes("bom.txt", b"\xef\xbb\xbf" + text.encode("utf-8")))
    assert r.project == "校园安全经费"
    assert (r.indicators[0].target_op, r.indicators[0].target_value) == (">=", 20.0)
