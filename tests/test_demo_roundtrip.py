"""The demo corpus: generate -> ingest -> compare with ground_truth.json, field by field and defect by defect."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dashboard.cli import app
from dashboard.demo.corpus import TRUTH_FILE, ensure_default_corpus, render, write_corpus
from dashboard.demo.generate import Rates, generate_document, make_plan
from dashboard.demo.model import PLANTED_RULES
from dashboard.demo.verify import compare
from dashboard.ingest.parse import parse_bytes
from dashboard.load import ingest

SEED = 7
# Defects planted far more often than in the default corpus, so that a small corpus carries every rule.
DENSE = Rates(
    total_mismatch=0.12,
    weights_not_100=0.1,
    score_out_of_range=0.1,
    duplicate_indicator=0.15,
    full_score_target_missed=0.12,
    unexplained_deduction=0.12,
    missing_budget_cell_department=0.35,
    missing_budget_cell_project=0.1,
    execution_rate_mismatch=0.15,
    project_budget_mismatch=0.3,
    copied_note_pairs_per_unit=0.2,
    glued_label=0.03,
)
YEARS = (2021, 2022, 2023)


def small_plan(seed: int = SEED):
    return make_plan(6, YEARS, seed, rates=DENSE)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    write_corpus(out, small_plan(), ["txt"], workers=1)
    return out


@pytest.fixture(scope="module")
def truth(corpus: Path) -> dict:
    return json.loads((corpus / TRUTH_FILE).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def corpus_db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo_db") / "demo.duckdb"
    summary = ingest([corpus], db, workers=1)
    assert not summary.failed, [f.error for f in summary.failed]
    return db


@pytest.fixture(scope="module")
def comparison(corpus_db: Path, truth: dict):
    return compare(corpus_db, truth)


@pytest.fixture(scope="module")
def texts(corpus: Path) -> dict[str, str]:
    out = {}
    for p in sorted(corpus.rglob("*.txt")):
        data = p.read_bytes()
        try:
            out[p.name] = data.decode("utf-8")
        except UnicodeDecodeError:
            out[p.name] = data.decode("gb18030")
    return out


def test_round_trip_accuracy(comparison):
    assert comparison.forms >= 50 and comparison.indicators >= 900
    assert comparison.accuracy >= 0.995, comparison.summary()


def test_every_planted_defect_is_found_by_its_rule(comparison, truth):
    planted = {d["rule"] for d in truth["defects"]}
    assert planted == set(PLANTED_RULES), "the small corpus should carry every planted rule"
    assert not comparison.missing_defects, comparison.summary()
    assert comparison.found_by_rule == comparison.planted_by_rule


def test_planted_rules_report_nothing_where_nothing_was_planted(comparison):
    assert not comparison.unexpected_findings, comparison.summary()
    # Rows the parser could not place, or forms without year/unit, would be gaps in the generator or parser.
    for rule in ("unparsed_row", "missing_score", "missing_metadata", "truncated", "missing_total"):
        assert comparison.rule_counts[rule] == 0, rule


def test_hotline_indicators_come_back_as_written(corpus_db, truth):
    want = [
        (doc["file"], i)
        for doc in truth["documents"]
        for f in doc["forms"]
        if f["kind"] == "department" and f["unit"] == "祁连市政府政务服务中心"
        for i in f["indicators"]
        if i["level3"] == "群众来电咨询接听率"
    ]
    assert want, "the hotline host reports its answer rate"
    con = duckdb.connect(str(corpus_db), read_only=True)
    try:
        for file, ind in want:
            got = con.execute(
                """select i.target_text, i.target_value, i.target_unit, i.actual_value, i.weight, i.score
                   from indicators i join reports r using (report_id) join sources s using (source_id)
                   where s.path like ? and r.kind = 'department' and i.level3 = '群众来电咨询接听率'""",
                [f"%{file}"],
            ).fetchone()
            assert got == (
                ind["target_text"],
                ind["target_value"],
                ind["target_unit"],
                ind["actual_value"],
                ind["weight"],
                ind["score"],
            )
    finally:
        con.close()


def test_unit_spellings_resolve_to_one_unit_each(corpus_db, truth):
    written = {(f["unit"], f["unit_written"]) for d in truth["documents"] for f in d["forms"]}
    assert any(u != w for u, w in written), "some forms spell their unit differently"
    con = duckdb.connect(str(corpus_db), read_only=True)
    try:
        n_units = con.execute("select count(distinct unit_id) from reports").fetchone()[0]
        synthetic = con.execute("select bool_and(is_synthetic) from sources").fetchone()[0]
    finally:
        con.close()
    assert n_units == len({u for u, _ in written}) == 6
    assert synthetic is True


def test_budgets_add_up(truth):
    for doc in truth["documents"]:
        dept, *projects = doc["forms"]
        lines = {b["line"]: b for b in dept["budget_lines"]}
        mismatch = any(
            d["rule"] == "project_budget_mismatch" for d in truth["defects"] if d["file"] == doc["file"]
        )
        total = round(sum(p["budget_full_year"] for p in projects), 2)
        assert (abs(lines["项目支出"]["full_year"] - total) > 0.005) == mismatch
        assert lines["全年支出"]["full_year"] == pytest.approx(
            lines["基本支出"]["full_year"] + lines["项目支出"]["full_year"]
        )
        assert 1 <= len(projects) <= 6


def test_generation_is_deterministic(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_corpus(a, small_plan(), ["txt"], workers=1)
    write_corpus(b, small_plan(), ["txt"], workers=2)
    write_corpus(c, small_plan(SEED + 1), ["txt"], workers=1)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    assert (a / TRUTH_FILE).read_bytes() != (c / TRUTH_FILE).read_bytes()
    # Office files carry no timestamps that would differ, even a second apart (openpyxl stamps the time of saving
    # into docProps/core.xml: renders that straddled a second used to differ, so this test was flaky).
    one, two = generate_document(small_plan(), 1, 2022), generate_document(small_plan(), 1, 2022)
    first = {}
    for fmt in ("xlsx", "docx"):
        one.format = fmt
        first[fmt] = render(one)
    time.sleep(1.05)
    for fmt in ("xlsx", "docx"):
        two.format = fmt
        assert render(two) == first[fmt], fmt


def test_text_has_the_samples_messiness(texts, truth, comparison):
    allt = "\n".join(texts.values())
    lines = allt.splitlines()
    assert any(line.startswith("## ") and line.endswith("绩效自评表") for line in lines)
    assert any(not line.startswith("#") and line.endswith("预算项目支出绩效自评表") for line in lines)
    assert sum(line.startswith("\t\t") for line in lines) > 100  # lost merged cells: blank = same as above
    assert "<p>目标1完成情况" in allt and "</p> <p>" in allt
    assert "m <sup>2</sup>" in allt
    assert "≧" in allt or "≦" in allt
    assert "部门(单位)名称\t年初预算数\t全年预算数(A)\t实际支出数(B)\t执行率(B/A)\t分值\t得分" in allt
    assert "\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分" in allt
    assert "其中：当年财政拨款" in allt and "其中:当年财政拨款" in allt
    # Level names one column right (`| 能力建设 | …`) and left (`时效指标 | 指标1: …`).
    assert re.search(r"^\t(部门管理|履职效果|能力建设|服务对象满意度)\t", allt, re.M)
    assert re.search(r"^(数量|质量|时效|成本)指标\t指标\d: ", allt, re.M)
    # The department budget row that lost its 实际支出数 cell, as in the sample.
    lost = [
        d for d in truth["defects"] if d["rule"] == "missing_budget_cell" and d["budget_line"] == "全年支出"
    ]
    assert lost
    row = next(line for line in texts[lost[0]["file"]].splitlines() if line.startswith("部门(单位)整体支出"))
    assert len(row.split("\t")) == 7
    # A project whose name stands above the table while 项目名称 holds department names.
    assert comparison.rule_counts["project_name_from_title"] > 0
    assert re.search(r"^项目名称\t祁连市[^\t]+\t\t\t祁连市", allt, re.M)
    # A value cell with an indicator's name glued on, an unnamed duplicated row, spilled cells.
    glued = [
        i
        for d in truth["documents"]
        for f in d["forms"]
        for i in f["indicators"]
        if i["target_text"] and re.match(r"^[\u4e00-\u9fff“].*\d", i["target_text"])
    ]
    assert glued and comparison.rule_counts["glued_label"] >= len(glued)
    assert comparison.rule_counts["unnamed_indicator"] > 0
    assert comparison.rule_counts["extra_cells"] > 0
    assert "原则上一级指标分值统一设置为" in allt


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_office_formats_have_real_merges_and_round_trip(tmp_path, fmt):
    out = tmp_path / fmt
    write_corpus(out, make_plan(2, (2022,), SEED, rates=DENSE), [fmt], workers=1)
    files = sorted(out.rglob(f"*.{fmt}"))
    assert len(files) == 2
    data = files[0].read_bytes()
    if fmt == "xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data))
        ranges = [r for ws in wb.worksheets for r in ws.merged_cells.ranges]
        assert any(
            r.max_row > r.min_row and r.min_col == r.max_col for r in ranges
        )  # level names merged down
        assert any(r.max_col > r.min_col for r in ranges)  # titles and long texts merged across
    else:
        xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
        assert 'w:vMerge w:val="restart"' in xml and "<w:vMerge/>" in xml and "w:gridSpan" in xml
    db = tmp_path / f"{fmt}.duckdb"
    summary = ingest([out], db, workers=1)
    assert not summary.failed, [f.error for f in summary.failed]
    result = compare(db, out / TRUTH_FILE)
    assert result.accuracy >= 0.995, result.summary()
    assert not result.missing_defects and not result.unexpected_findings, result.summary()


def test_default_corpus_is_generated_once(tmp_path):
    out = tmp_path / "demo"
    path = ensure_default_corpus(out, units=2, years=(2022,), workers=1)
    assert path == out
    truth_file = out / TRUTH_FILE
    stamp = truth_file.stat().st_mtime_ns
    files = sorted(p.name for p in out.rglob("*.txt"))
    assert len(files) == 2 and all("示例数据" in f for f in files)
    assert ensure_default_corpus(out, units=2, years=(2022,), workers=1) == out
    assert truth_file.stat().st_mtime_ns == stamp  # same seed and size: nothing rewritten
    ensure_default_corpus(out, units=2, years=(2022,), seed=99, workers=1)
    assert json.loads((out / "generator.json").read_text(encoding="utf-8"))["seed"] == 99
    assert not list(tmp_path.glob(".demo.tmp-*"))


def test_cli_demo(tmp_path):
    runner = CliRunner()
    out = tmp_path / "cli"
    result = runner.invoke(
        app, ["demo", "--units", "3", "--years", "2021-2022", "--out", str(out), "--workers", "1", "--verify"]
    )
    assert result.exit_code == 0, result.output
    assert "示例数据已生成" in result.output and "100.0000%" in result.output
    truth = json.loads((out / TRUTH_FILE).read_text(encoding="utf-8"))
    assert truth["generator"]["units"] == 3 and truth["generator"]["years"] == [2021, 2022]
    assert len(list(out.rglob("*.txt"))) == 6
    bad = runner.invoke(app, ["demo", "--formats", "pdf", "--out", str(tmp_path / "x")])
    assert bad.exit_code != 0
    # A smaller corpus written over a bigger one leaves no stale file behind.
    again = runner.invoke(
        app, ["demo", "--units", "1", "--years", "2022", "--out", str(out), "--workers", "1"]
    )
    assert again.exit_code == 0, again.output
    assert [p.name for p in out.rglob("*.txt")] == ["示例数据_2022_0001_祁连市人民政府办公室.txt"]
    # A folder that is not a demo corpus is never written into.
    other = tmp_path / "other"
    other.mkdir()
    (other / "mine.txt").write_text("keep", encoding="utf-8")
    refused = runner.invoke(app, ["demo", "--units", "1", "--years", "2022", "--out", str(other)])
    assert refused.exit_code != 0 and (other / "mine.txt").read_text(encoding="utf-8") == "keep"


# -- parser behaviour the corpus exposed -------------------------------------------------------------------
FORM_HEAD = """## 2022年祁连市测试局预算项目支出绩效自评表
项目名称\t测试项目\t\t\t\t\t\t
主管部门\t祁连市测试局\t\t\t实施单位\t祁连市测试局\t\t
项目资金（万元）\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分
\t年度资金总额\t10\t10\t10\t10\t100%\t10
一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施
"""


def _parse(rows: str):
    doc = parse_bytes("f.txt", (FORM_HEAD + rows + "总分\t\t\t\t\t100\t100\t\n").encode())
    assert doc.error is None, doc.error
    (report,) = doc.reports
    return report


def test_named_row_after_an_unnamed_duplicate_is_not_a_duplicate():
    r = _parse(
        "产出指标\t质量指标\t指标1: 验收合格率\t100%\t100%\t30\t30\t无偏差\n"
        "\t\t\t100%\t100%\t30\t30\t无偏差\n"
        "\t\t指标2: 资金使用合规率\t100%\t100%\t30\t30\t无偏差\n"
    )
    dups = [f.indicator_seq for f in r.findings if f.rule == "duplicate_indicator"]
    assert dups == [2]
    assert [i.level3 for i in r.indicators] == ["验收合格率", None, "资金使用合规率"]


def test_unnamed_row_with_its_level_names_restated_keeps_them_as_levels():
    # What an xlsx/docx reader gives for an unnamed row: the merged level cells expanded, the name cell empty.
    r = _parse(
        "产出指标\t质量指标\t指标1: 验收合格率\t100%\t100%\t30\t30\t无偏差\n"
        "产出指标\t质量指标\t\t100%\t100%\t30\t30\t无偏差\n"
        "满意度指标\t服务对象满意度指标\t指标1: 群众满意度\t≥95%\t97%\t30\t30\t无偏差\n"
    )
    unnamed = r.indicators[1]
    assert (unnamed.level1, unnamed.level2, unnamed.level3) == ("产出指标", "质量指标", None)
    assert {f.rule for f in r.findings if f.indicator_seq == 2} >= {
        "unnamed_indicator",
        "duplicate_indicator",
    }
