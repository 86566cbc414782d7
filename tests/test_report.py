"""The leadership report (dashboard/report): both formats for the real sample's year 2022, opened again with
python-docx and pdfplumber; the 示例数据 marker; the CLI; the queries it adds; chart sizes at print resolution.

The generated files and a PNG of the PDF's first pages are kept in test-artifacts/report/ for a human look."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import unicodedata
from collections import Counter

import docx
import pandas as pd
import pdfplumber
import pytest
from docx.shared import Emu
from pdfminer.pdftypes import resolve1
from typer.testing import CliRunner

from dashboard import charts, labels
from dashboard.cli import app
from dashboard.db import run_query
from dashboard.report import ReportError, file_name, generate_report
from dashboard.report.build import CHART_DPI, chart_geometry, with_dpi
from dashboard.report.gather import gather
from dashboard.report.pdf import soffice_path
from dashboard.selection import Selection
from tests.conftest import ROOT, SAMPLE
from tests.query_corpus import DEMO

ARTIFACTS = ROOT / "test-artifacts" / "report"
UNIT = "武威市政府政务服务中心"
HOTLINE = "群众来电咨询接听率"
TODAY = dt.date(2026, 11, 27)
SAMPLE_2022 = Selection(year=2022, dataset="real")

needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
    reason="charts are rendered by kaleido with the system Chromium",
)
needs_soffice = pytest.mark.skipif(soffice_path() is None, reason="the PDF is converted by LibreOffice")


def nfkc(text: str) -> str:
    """PDF text from Noto CJK may come back as radical look-alikes (⼼ for 心)."""
    return unicodedata.normalize("NFKC", text)


@pytest.fixture(scope="module")
def sample_files(sample_db) -> dict[str, bytes]:
    if soffice_path() is None or (
        shutil.which("chromium") is None and shutil.which("chromium-browser") is None
    ):
        pytest.skip("needs Chromium and LibreOffice (make system-deps)")
    steps: list[tuple[float, str]] = []
    files = generate_report(
        SAMPLE_2022, db_path=sample_db, today=TODAY, progress=lambda f, m: steps.append((f, m))
    )
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(steps) >= 8  # a real progress bar
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for fmt, data in files.items():
        (ARTIFACTS / file_name(SAMPLE_2022, fmt)).write_bytes(data)
    return files


@pytest.fixture(scope="module")
def word(sample_files) -> docx.document.Document:
    return docx.Document(io.BytesIO(sample_files["docx"]))


def table_with_header(document, first_cells: list[str]):
    for table in document.tables:
        header = [c.text for c in table.rows[0].cells]
        if header[: len(first_cells)] == first_cells:
            return table
    raise AssertionError(f"no table starting with {first_cells}")


def rows_of(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows[1:]]


# -- the Word document ----------------------------------------------------------------------------------------------
def test_docx_has_real_headings(word):
    by_style: dict[str, list[str]] = {}
    for p in word.paragraphs:
        by_style.setdefault(p.style.name, []).append(p.text)
    assert by_style["Title"] == ["绩效分析报告"]
    assert by_style["Heading 1"] == [
        "一、总体情况",
        "二、单位排名",
        "三、得分分布",
        "四、预算执行",
        "五、扣分及未达目标指标",
        "六、数据质量",
        "七、复核建议",
        "附录一　各单位情况摘要",
        "附录二　数据来源",
        "附录三　口径说明",
    ]
    assert UNIT in by_style["Heading 2"]  # the unit's one-page summary
    assert {"（一）填报总分与重新计算总分", "（二）核查发现"} <= set(by_style["Heading 2"])


def test_cover_names_year_scope_date_and_source_file(word):
    cover = word.tables[0]
    facts = {row.cells[0].text: row.cells[1].text for row in cover.rows}
    assert facts["年度"] == "2022年"
    assert facts["范围"] == UNIT
    assert facts["数据集"] == "真实数据"
    assert facts["生成日期"] == "2026年11月27日"
    assert facts["数据来源"] == SAMPLE.name
    assert facts["自评表"] == "4张（部门整体支出1张、项目支出3张）"
    assert "示例数据" not in "\n".join(p.text for p in word.paragraphs)  # real data only: no marker


def test_summary_paragraph_says_only_what_the_figures_say(word):
    text = "\n".join(p.text for p in word.paragraphs)
    assert "共4张自评表" in text
    # issue 13: the reported totals lead (88, 89, 88, 88 -> 88.25); recomputed on the 100-point scale beside them
    # (93/95, 99/100, 98/100, 104/106 -> 97.89, 99, 98, 98.11 -> 98.25)
    assert "平均自评得分88.25分（按各项得分与分值核算为98.25分）" in text
    assert f"{UNIT}自评得分88分，等级为良" in text
    assert "平均预算执行率100%" in text and "全年预算合计494.39万元" in text
    assert "79个绩效指标中，5个扣分，合计扣7分" in text
    assert f"“政务服务经费”的“{HOTLINE}”：目标100%，实际87%，扣1分" in text
    assert "导入核查共发现问题27条，其中错误6条" in text


def test_low_scoring_table_lists_the_five_sample_indicators_hotline_first_on_ties(word):
    table = table_with_header(
        word, ["序号", "单位", "自评表", "指标", "目标", "实际", "分值", "得分", "偏差说明"]
    )
    rows = rows_of(table)
    assert [r[3] for r in rows] == [
        "党建工作创新能力",
        "服务平台支撑能力",
        HOTLINE,
        "政务快速通道免费送达率",
        "服务便利化水平",
    ]
    # the query's order: points lost (2, 2, 1, 1, 1), hotline items first among equal points lost
    hotline = rows[2]
    assert hotline[1:8] == [UNIT, "政务服务经费", HOTLINE, "100%", "87%", "4", "3"]
    assert "12345" in hotline[8] and hotline[9] == "第74行"
    assert all(run.bold for run in table.rows[3].cells[3].paragraphs[0].runs)  # hotline items in bold
    assert not any(run.bold for run in table.rows[5].cells[3].paragraphs[0].runs)


def test_ranking_execution_quality_and_unit_tables(word):
    ranking = rows_of(table_with_header(word, ["名次", "单位", "自评得分"]))
    # the department form's reported 88 (良), recomputed 93/95 = 97.89, its own 95 − 93 = 2 points lost and
    # findings, a first year (首年)
    assert ranking == [["1", UNIT, "88分", "97.89分", "良", "100%", "2分", "19条", "首年"]]
    totals = rows_of(table_with_header(word, ["单位", "自评表", "自评得分", "核算得分", "差值", "等级"]))
    assert len(totals) == 4 and {r[5] for r in totals} == {"良→优"}
    # reported − recomputed on the 100-point scale: 88 − 104/106·100, 89 − 99, 88 − 98, 88 − 93/95·100
    assert [r[4] for r in totals] == ["−10.11分", "−10分", "−10分", "−9.89分"]
    execution = rows_of(table_with_header(word, ["单位", "部门预算\n（万元）"]))
    assert execution == [[UNIT, "494.39", "—", "100%", "填报值", "3个", "343.54", "100%"]]
    findings = rows_of(table_with_header(word, ["单位", "发现", "错误", "警告", "提示"]))
    assert findings[0][:5] == [UNIT, "27", "6", "8", "13"]
    forms = rows_of(table_with_header(word, ["自评表", "类型"]))  # the unit page
    assert forms[0][:4] == ["部门整体支出", "部门整体", "88分", "97.89分"]  # 93 / 95 × 100


def test_tables_use_a_word_table_style(word):
    styles = {t.style.name for t in word.tables if t.style is not None}
    assert "Medium Shading 1 Accent 1" in styles  # built-in: the reader can switch it in Table Design


def test_charts_are_embedded_at_print_resolution(word):
    shapes = word.inline_shapes
    assert len(shapes) == 4  # ranking, score distribution, execution rate, findings
    for shape in shapes:
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        image = word.part.related_parts[blip.embed].image
        assert image.content_type == "image/png"
        printed_in = Emu(shape.width).inches
        assert image.px_width / printed_in >= 200
        assert abs(image.px_height / image.px_width - shape.height / shape.width) < 0.01  # not stretched
        assert image.horz_dpi >= 200  # pHYs: Word's "reset size" gives the printed size back


def test_footer_has_a_page_number_field(word):
    body = word.sections[1]
    footer_xml = body.footer._element.xml
    assert "PAGE" in footer_xml and "fldChar" in footer_xml
    assert not word.sections[0].footer.paragraphs[0].text  # no number on the cover


# -- the PDF --------------------------------------------------------------------------------------------------------
@needs_soffice
def test_pdf_pages_text_and_embedded_fonts(sample_files):
    with pdfplumber.open(io.BytesIO(sample_files["pdf"])) as pdf:
        assert 6 <= len(pdf.pages) <= 16
        text = nfkc("\n".join(page.extract_text() or "" for page in pdf.pages))
        fonts = {}
        for page in pdf.pages:
            resources = resolve1(page.page_obj.attrs.get("Resources")) or {}
            for name, ref in (resolve1(resources.get("Font")) or {}).items():
                fonts[name] = resolve1(ref)
    for needle in ("绩效分析报告", UNIT, "接听率", "87%", "2022"):
        assert nfkc(needle) in text, needle
    assert fonts
    for font in fonts.values():
        if font.get("Subtype").name == "Type0":
            font = resolve1(resolve1(font["DescendantFonts"])[0])
        descriptor = resolve1(font.get("FontDescriptor"))
        assert descriptor is not None, font
        assert {"FontFile", "FontFile2", "FontFile3"} & set(descriptor), (
            f"font not embedded: {font.get('BaseFont')}"
        )


def visible_chars(text: str) -> Counter:
    return Counter(ch for ch in nfkc(text) if not ch.isspace())


@needs_soffice
def test_pdf_shows_every_character_of_the_word_document(sample_files, word):
    """Nothing is lost in the conversion: LibreOffice 7.4 once dropped the rows of a table whose repeated header
    fell at a page foot; such a loss shows up here as characters the PDF lacks."""
    texts = [p.text for p in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            cells = {id(c._tc): c.text for c in row.cells}  # merged cells once
            texts.extend(cells.values())
    with pdfplumber.open(io.BytesIO(sample_files["pdf"])) as pdf:
        pdf_text = "".join(page.extract_text() or "" for page in pdf.pages)
    wanted, shown = visible_chars("".join(texts)), visible_chars(pdf_text)
    missing = {ch: n - shown[ch] for ch, n in wanted.items() if n > shown[ch]}
    assert not missing


@needs_soffice
def test_pdf_first_pages_render_to_png(sample_files):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    pdf = ARTIFACTS / file_name(SAMPLE_2022, "pdf")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "3", str(pdf), str(ARTIFACTS / "sample_page")],
        check=True,
    )
    pages = sorted(ARTIFACTS.glob("sample_page-*.png"))
    assert len(pages) == 3 and all(p.stat().st_size > 10_000 for p in pages)


# -- synthetic data, selections, errors ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def corpus_db(query_corpus_db):
    return query_corpus_db


def test_demo_data_is_marked_on_cover_header_and_charts(corpus_db):
    content = gather(Selection(year=2022), db_path=corpus_db, today=TODAY)
    assert content.is_synthetic and content.dataset_label == "真实数据与示例数据"
    assert all(labels.SYNTHETIC_NOTE in (c.figure.layout.title.subtitle.text or "") for c in content.charts)
    real = gather(Selection(year=2022, dataset="real"), db_path=corpus_db, today=TODAY)
    assert not real.is_synthetic
    assert not any(c.figure.layout.title.subtitle.text for c in real.charts)
    assert "示例数据" in file_name(Selection(year=2022, dataset="demo"), "pdf")


@needs_chromium
def test_demo_report_docx_carries_the_marker(corpus_db):
    files = generate_report(Selection(year=2022, units=(DEMO,)), ("docx",), db_path=corpus_db)
    assert (
        files.file_name("docx") == f"绩效分析报告_2022年_{DEMO}_示例数据.docx"
    )  # known once the data is read
    document = docx.Document(io.BytesIO(files["docx"]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert labels.SYNTHETIC_NOTE in text  # on the cover
    assert labels.SYNTHETIC_NOTE in document.sections[1].header.paragraphs[0].text  # on every page
    assert DEMO in [
        p.text for p in document.paragraphs if p.style.name == "Heading 2"
    ]  # its one-page summary


def test_summary_names_the_top_loser_once(corpus_db):
    # Corpus 2022, real data: 教育's hotline item lost 20 points (25 − 5), the most of all and alone at the top.
    lost = gather(Selection(year=2022, dataset="real"), db_path=corpus_db, today=TODAY).summary[2]
    assert (
        "扣分最多的是武威市教育局“校园安全经费”的“群众来电咨询接听率”，扣20分。" in lost
    )  # not 各扣: one item
    assert lost.count("群众来电咨询接听率") == 2 and "即为其一（目标100%，实际87%）" in lost


def test_several_units_narrow_every_part(corpus_db):
    everything = gather(Selection(year=2022), db_path=corpus_db, today=TODAY)
    units = tuple(p.unit for p in everything.unit_pages[:2])
    two = gather(Selection(year=2022, units=units), db_path=corpus_db, today=TODAY)
    assert [p.unit for p in two.unit_pages] == list(units)
    assert {r[1] for r in two.ranking.rows} == set(units)
    assert {r[0] for r in two.findings.rows} <= set(units)
    assert {r[1] for r in two.low_scoring.rows} <= set(units)
    assert two.scope.startswith("2个单位：")
    assert {t.name for t in two.distribution_chart.figure.data} == set(units)  # one series per unit


def test_no_forms_and_unknown_units_are_clear_errors(sample_db):
    with pytest.raises(ReportError, match="没有自评表"):
        gather(Selection(year=2030), db_path=sample_db)
    with pytest.raises(ReportError, match="没有自评表"):
        gather(Selection(year=2022, units=("不存在的单位",)), db_path=sample_db)
    with pytest.raises(ReportError, match="以下单位在2022年没有自评表：不存在的单位"):
        gather(Selection(year=2022, units=(UNIT, "不存在的单位")), db_path=sample_db)
    with pytest.raises(ReportError, match="格式"):
        generate_report(SAMPLE_2022, ("odt",), db_path=sample_db)


def test_the_report_takes_the_dashboard_selection():
    assert file_name(Selection(year=2022, units=("甲",)), "docx") == "绩效分析报告_2022年_甲.docx"


# -- the CLI --------------------------------------------------------------------------------------------------------
@needs_chromium
def test_cli_names_the_file_after_year_and_scope(sample_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["report", "--units", UNIT, "--db", str(sample_db)])  # latest year, docx
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"绩效分析报告_2022年_{UNIT}.docx").exists()


@needs_chromium
def test_cli_writes_the_report(sample_db, tmp_path):
    out = tmp_path / "报告.docx"
    result = CliRunner().invoke(
        app, ["report", "--year", "2022", "--dataset", "real", "--out", str(out), "--db", str(sample_db)]
    )
    assert result.exit_code == 0, result.output
    assert out.exists() and docx.Document(str(out)).paragraphs
    assert "已生成" in result.output


def test_cli_errors(sample_db, tmp_path):
    result = CliRunner().invoke(
        app, ["report", "--year", "2030", "--out", str(tmp_path / "x.docx"), "--db", str(sample_db)]
    )
    assert result.exit_code == 1 and "没有自评表" in result.output
    result = CliRunner().invoke(
        app, ["report", "--format", "pdf", "--out", str(tmp_path / "x.docx"), "--db", str(sample_db)]
    )
    assert result.exit_code == 2 and "扩展名" in result.output


# -- the queries the report adds ------------------------------------------------------------------------------------
def test_selection_summary_agrees_with_overview_kpis(sample_con, corpus_db):
    from dashboard.db import connect

    corpus = connect(corpus_db)
    try:
        for con, params in (
            (sample_con, {}),
            (corpus, {"year": 2022}),
            (corpus, {"year": 2022, "dataset": "real"}),
            (corpus, {"year": 2021}),
        ):
            kpis = run_query("overview_kpis", con=con, **params).set_index("kpi")
            summary = run_query("selection_summary", con=con, **params)
            for _, row in summary.iterrows():
                column = "value" if row["is_selected_year"] else "prev_value"
                for kpi, value in kpis[column].items():
                    if kpi in summary.columns and not pd.isna(value):
                        assert row[kpi] == pytest.approx(value), (params, kpi)
    finally:
        corpus.close()


def test_selection_summary_and_sources_for_some_units(sample_con):
    alone = run_query("selection_summary", con=sample_con, units=[UNIT])
    assert len(alone) == 1 and alone.iloc[0]["n_forms"] == 4 and alone.iloc[0]["n_units"] == 1
    assert alone.iloc[0]["dept_budget_full_year_wan"] == pytest.approx(494.39)
    assert run_query("selection_summary", con=sample_con, units=["别的单位"]).empty
    sources = run_query("selection_sources", con=sample_con, year=2022, units=[UNIT])
    assert list(sources["file_name"]) == [SAMPLE.name]
    assert sources.iloc[0]["n_forms"] == 4 and sources.iloc[0]["dataset"] == "real"
    assert run_query("selection_sources", con=sample_con, year=2021).empty


# -- print geometry ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("css_height", [240, 460, 1136, 1500])
def test_chart_geometry_gives_at_least_200_dpi_and_fits_the_page(css_height):
    width_in, height_in, scale = chart_geometry(css_height, 6.5)
    assert width_in <= 6.5 and height_in <= 8.0 + 1e-9
    assert 700 * scale / width_in >= CHART_DPI >= 200
    assert height_in / width_in == pytest.approx(css_height / 700)


def test_png_dpi_chunk():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\x00" * 13 + b"\x00\x00\x00\x00" + b"rest"
    out = with_dpi(png, 254)
    assert b"pHYs" in out and out.endswith(b"rest")
    assert with_dpi(out, 300) == out  # once only


# -- the charts the report adds to charts.py ------------------------------------------------------------------------
def test_execution_rate_chart_and_findings_rule_chart(sample_con):
    rates = run_query("execution_rates", con=sample_con, year=2022)
    fig = charts.execution_rate_chart(rates)
    assert [t.name for t in fig.data if t.type == "bar"] == ["部门整体", "项目（合计）"]
    assert list(fig.data[0].text) == ["100%"] and "填报值" in fig.data[0].hovertext[0]
    assert [t.name for t in charts.execution_rate_chart(rates, projects=False).data if t.type == "bar"] == [
        "部门整体"
    ]
    findings = run_query("findings_summary", con=sample_con, year=2022)
    fig = charts.findings_rule_chart(findings)
    bars = fig.data[0]
    assert sum(bars.x) == 27
    colours = list(bars.marker.color)
    severities = [charts.SEVERITY_COLORS[s] for s in ("error", "warning", "info")]
    assert colours == sorted(colours, key=severities.index)  # errors first, then warnings, then notes
    assert charts.findings_rule_chart(findings.iloc[0:0]).layout.annotations[0].text == "没有核查发现"


@pytest.mark.parametrize("path", sorted((ROOT / "dashboard" / "report").glob("*.py")), ids=lambda p: p.name)
def test_the_report_package_does_not_import_streamlit(path):
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(
        m.split(".")[0] == "streamlit" for m in modules
    )  # the app's glue is dashboard/ui/report.py
