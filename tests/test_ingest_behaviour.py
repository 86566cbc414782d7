"""Batches, failures, re-ingest and replacement, unit aliases: the store's promises."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dashboard.ingest.parse import parse_bytes
from dashboard.load import ingest
from tests.formtext import project_form


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            t: con.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("sources", "reports", "indicators", "findings", "budget_lines", "goals")
        }
    finally:
        con.close()


def test_small_form_parses(tmp_path):
    doc = parse_bytes(tmp_path / "f.txt", project_form().encode())
    assert doc.error is None
    (r,) = doc.reports
    assert (r.kind, r.year, r.unit, r.project, r.supervisor) == (
        "project",
        2022,
        "武威市教育局",
        "校园安全经费",
        "武威市教育局",
    )
    assert r.computed_total == 9 + 25 + 3 + 30 + 10
    assert r.execution_rate_pct == pytest.approx(90.0)
    hotline = r.indicators[1]
    assert (hotline.level1, hotline.level2, hotline.level3) == ("产出指标", "质量指标", "群众来电咨询接听率")


def test_failed_files_do_not_stop_the_batch(tmp_path):
    good = write(tmp_path / "good.txt", project_form())
    empty = write(tmp_path / "empty.txt", "")
    prose = write(tmp_path / "prose.txt", "这是一份会议纪要。\n与绩效无关。\n")
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\x00\x01\x02garbage")
    unsupported = write(tmp_path / "form.rtf", "{\\rtf1}")
    db = tmp_path / "t.duckdb"
    summary = ingest([good, empty, prose, binary, unsupported], db, workers=1)
    assert summary.ok == 1
    errors = {Path(f.path).name: f.error for f in summary.failed}
    assert set(errors) == {"empty.txt", "prose.txt", "bin.txt", "form.rtf"}
    assert "empty.txt" in errors["empty.txt"] and "为空" in errors["empty.txt"]
    assert "prose.txt" in errors["prose.txt"] and "未识别到绩效自评表" in errors["prose.txt"]
    assert "不支持" in errors["form.rtf"]
    c = counts(db)
    assert c["sources"] == 5 and c["reports"] == 1
    con = duckdb.connect(str(db), read_only=True)
    statuses = dict(con.execute("select status, count(*) from sources group by all").fetchall())
    con.close()
    assert statuses == {"ok": 1, "failed": 4}


def test_form_cut_before_its_indicator_table_keeps_its_header_and_budget(tmp_path):
    text = "\n".join(project_form().splitlines()[:9]) + "\n"
    doc = parse_bytes(tmp_path / "cut.txt", text.encode())
    assert doc.error is None
    (r,) = doc.reports
    assert (r.year, r.unit, r.project) == (2022, "武威市教育局", "校园安全经费")
    total = r.budget_lines[0]
    assert (total.line, total.initial, total.full_year, total.executed) == ("年度资金总额", 100, 120, 108)
    assert r.indicators == []
    cut = [f for f in r.findings if f.rule == "truncated"]
    assert len(cut) == 1 and "指标表" in cut[0].message and cut[0].source_line == 9


def test_a_file_with_nothing_readable_names_file_and_line(tmp_path):
    text = "2022年武威市教育局预算项目支出绩效自评表\n本表由各单位填报，请于三月底前报送财政局。\n"
    doc = parse_bytes(tmp_path / "cut.txt", text.encode())
    assert doc.error is not None and doc.reports == []
    assert doc.error.startswith("cut.txt 第1行") and "指标" in doc.error


def test_reingest_same_file_adds_nothing(tmp_path):
    f = write(tmp_path / "a.txt", project_form())
    db = tmp_path / "t.duckdb"
    ingest([f], db, workers=1)
    before = counts(db)
    summary = ingest([f], db, workers=1)
    assert summary.count("unchanged") == 1 and summary.reports == 0
    assert counts(db) == before


def test_changed_file_replaces_earlier_version(tmp_path):
    f = write(tmp_path / "a.txt", project_form(hotline_score=3))
    db = tmp_path / "t.duckdb"
    ingest([f], db, workers=1)
    write(f, project_form(hotline_score=5, total=101))
    summary = ingest([f], db, workers=1)
    assert summary.count("replaced") == 1
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from sources").fetchone()[0] == 1
    assert con.execute("select computed_total from reports").fetchall() == [(79.0,)]
    con.close()


def test_same_form_from_another_file_supersedes(tmp_path):
    db = tmp_path / "t.duckdb"
    ingest([write(tmp_path / "v1.txt", project_form(hotline_score=3))], db, workers=1)
    ingest([write(tmp_path / "v2.txt", project_form(hotline_score=4, total=100))], db, workers=1)
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "select s.path, s.status, r.computed_total from sources s left join reports r "
        "using (source_id) order by s.source_id"
    ).fetchall()
    con.close()
    assert [(Path(p).name, st, t) for p, st, t in rows] == [
        ("v1.txt", "superseded", None),
        ("v2.txt", "ok", 78.0),
    ]


def test_gb18030_and_crlf(tmp_path):
    f = write(tmp_path / "gbk.txt", project_form().replace("\n", "\r\n"), encoding="gb18030")
    doc = parse_bytes(f, f.read_bytes())
    assert doc.error is None and doc.reports[0].unit == "武威市教育局"


def test_unit_spellings_are_one_unit(tmp_path):
    db = tmp_path / "t.duckdb"
    files = [
        write(tmp_path / "a.txt", project_form(unit="武威市人民政府政务服务中心", project="甲")),
        write(tmp_path / "b.txt", project_form(unit="武威市政府政务服务中心", project="乙")),
        write(tmp_path / "c.txt", project_form(unit="武威市政府政務服務中心", project="丙")),
        write(tmp_path / "d.txt", project_form(unit="001 武威市政府政务服务中心", project="丁")),
        write(tmp_path / "e.txt", project_form(unit="武威市教育局", project="戊")),
    ]
    ingest(files, db, workers=1)
    con = duckdb.connect(str(db), read_only=True)
    units = con.execute("select count(distinct unit_id), count(*) from reports").fetchone()
    aliases = con.execute("select name, len(aliases) from units order by unit_id").fetchall()
    con.close()
    assert units == (2, 5)
    assert aliases[0][0] == "武威市人民政府政务服务中心" and aliases[0][1] == 3


def test_cross_form_rules(tmp_path):
    db = tmp_path / "t.duckdb"
    note = "受疫情影响部分工作延后，下一步将加强统筹调度确保按期完成"
    a = project_form(unit="武威市教育局").replace("接通率不高", note)
    b = project_form(unit="武威市交通运输局", supervisor="武威市交通运输局").replace("接通率不高", note)
    ingest([write(tmp_path / "a.txt", a), write(tmp_path / "b.txt", b)], db, workers=1)
    con = duckdb.connect(str(db), read_only=True)
    n = con.execute("select count(*) from findings where rule = 'copied_note'").fetchone()[0]
    con.close()
    assert n == 2


def test_database_of_an_older_schema_is_refused_not_half_migrated(tmp_path):
    from dashboard.db import QueryError, run_query
    from dashboard.load import SchemaOutdated
    from dashboard.load.files import read_state
    from dashboard.load.store import Store

    db = tmp_path / "t.duckdb"
    ingest([write(tmp_path / "a.txt", project_form())], db, workers=1)
    assert read_state(db).is_current
    con = duckdb.connect(str(db))
    con.execute("update meta set value = 'old' where key = 'schema_version'")
    con.close()
    assert not read_state(db).is_current
    with pytest.raises(SchemaOutdated, match="jixiao ingest --rebuild"):
        ingest([write(tmp_path / "b.txt", project_form(unit="武威市交通运输局"))], db, workers=1)
    with pytest.raises(SchemaOutdated, match="jixiao ingest --rebuild"):
        Store(db)
    with pytest.raises(QueryError, match="旧版本"):  # readers refuse it too, with the way out
        run_query("grades", db_path=db)
    assert ingest([tmp_path / "a.txt"], db, rebuild=True, workers=1).reports == 1


def test_demo_copy_of_a_form_never_replaces_the_real_one(tmp_path):
    db = tmp_path / "t.duckdb"
    ingest([write(tmp_path / "real.txt", project_form())], db, workers=1)
    ingest([write(tmp_path / "copy_示例数据.txt", project_form(hotline_score=4, total=100))], db, workers=1)
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("select is_synthetic, computed_total from reports order by report_id").fetchall()
    con.close()
    assert rows == [(False, 77.0), (True, 78.0)]


def test_blank_scores_are_a_finding(tmp_path):
    text = project_form().replace("\t100%\t87%\t25\t3\t接通率不高\t", "\t100%\t87%\t25\t\t\t")
    doc = parse_bytes(tmp_path / "f.txt", text.encode())
    (r,) = doc.reports
    missing = [f for f in r.findings if f.rule == "missing_score"]
    assert len(missing) == 1 and missing[0].indicator_seq == 2
