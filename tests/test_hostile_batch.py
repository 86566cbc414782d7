"""One folder of hostile and broken files with valid forms among them (issue 14), ingested in one batch: each bad
file fails with a Chinese message that names it (no traceback, no internal error), the valid forms are stored
exactly as they are when ingested alone, and no row of a failed file is left in any table."""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import duckdb
import pytest

from dashboard.ingest import limits
from dashboard.load import ingest
from tests.conftest import SAMPLE
from tests.formtext import project_form

CHILD_TABLES = ("budget_lines", "goals", "indicators", "findings", "report_notes", "level1_norms")


def _cut_form() -> bytes:
    """A valid form whose file ends one byte into its last character (a download that stopped short)."""
    return (project_form(project="丙项目") + "填表人：张三").encode("utf-8")[:-1]


def bad_files() -> dict[str, tuple[bytes, str]]:
    """file name -> (content, words its error message must hold)."""
    rng = random.Random(14)
    junk = bytes(rng.randrange(256) for _ in range(4096))
    long_note = project_form(project="长项目").replace("接通率不高", "长" * (limits.CELL_CHARS + 1))
    return {
        "空文件.txt": (b"", "文件为空"),
        "只有空白.txt": (b" \r\n\t \n", "文件为空"),
        "二进制乱码.txt": (b"\x00\x01" + junk, "不是文本文件"),
        "编码错误.txt": (
            "绩效自评表\n".encode() * 3 + b"\x80\x80\xff\xfe" + "项目".encode() * 20,
            "无法识别文件编码",
        ),
        "不是压缩包.xlsx": (b"this is not a zip file " * 20, "不是 Excel 工作簿"),
        "随机字节.docx": (junk, "不是 Word 文档"),
        "坏压缩包.zip": (b"PK\x03\x04broken" * 5, "压缩包已损坏"),
        "假PDF.pdf": (b"%PDF-1.4\n" + junk[:200], "无法打开 PDF"),
        "超长单元格.txt": (long_note.encode("utf-8"), "单元格内容过长"),
        "不是自评表.txt": ("这是一封信，不是自评表。\n".encode() * 5, "未识别到绩效自评表"),
        "UTF16坏.txt": (codecs.BOM_UTF16_LE + b"\x00\xdc" * 50 + "表".encode("utf-16-le") * 10, "UTF-16"),
    }


def good_files() -> dict[str, bytes]:
    return {
        SAMPLE.name: SAMPLE.read_bytes(),
        "Unicode文本.txt": codecs.BOM_UTF16_LE
        + project_form(project="甲项目").replace("\n", "\r\n").encode("utf-16-le"),
        "GBK.txt": project_form(project="乙项目").encode("gb18030"),
        "截断.txt": _cut_form(),
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("hostile")
    folder, alone_folder = root / "in", root / "alone"
    folder.mkdir()
    alone_folder.mkdir()
    for name, (data, _) in bad_files().items():
        (folder / name).write_bytes(data)
    for name, data in good_files().items():
        (folder / name).write_bytes(data)
        (alone_folder / name).write_bytes(data)
    result = ingest([folder], root / "batch.duckdb", workers=1)
    alone = ingest([alone_folder], root / "alone.duckdb", workers=1)
    assert not alone.failed, alone.failed
    return result, root / "batch.duckdb", root / "alone.duckdb"


def test_every_bad_file_fails_with_a_chinese_message_naming_it(batch):
    result, _, _ = batch
    by_name = {Path(f.path).name: f for f in result.files}
    for name, (_, words) in bad_files().items():
        f = by_name[name]
        assert f.status == "failed", (name, f)
        assert f.error.startswith(f"{name}: ") and words in f.error, (name, f.error)
        assert "内部错误" not in f.error and "Traceback" not in f.error, f.error
    assert sorted(Path(f.path).name for f in result.failed) == sorted(bad_files())


def test_the_valid_forms_are_loaded_as_when_alone(batch):
    result, db, alone_db = batch
    by_name = {Path(f.path).name: f for f in result.files}
    assert {n: by_name[n].status for n in good_files()} == dict.fromkeys(good_files(), "ok")
    assert [by_name[n].reports for n in good_files()] == [4, 1, 1, 1]

    def forms(path: Path) -> list[tuple]:
        con = duckdb.connect(str(path), read_only=True)
        try:
            return con.execute(
                "select regexp_extract(s.path, '[^/]+$'), r.kind, r.year, r.unit, r.project, r.computed_total, "
                "i.seq, i.level3, i.target_text, i.actual_text, i.weight, i.score, i.note "
                "from reports r join sources s using (source_id) join indicators i using (report_id) "
                "order by 1, r.project, i.seq"
            ).fetchall()
        finally:
            con.close()

    stored = forms(db)
    assert stored == forms(alone_db)
    assert {row[4] for row in stored} >= {"甲项目", "乙项目", "丙项目"}


def test_the_cut_file_keeps_its_form_and_says_it_was_cut(batch):
    _, db, _ = batch
    con = duckdb.connect(str(db), read_only=True)
    try:
        messages = con.execute(
            "select f.message from findings f join reports r using (report_id) join sources s using (source_id) "
            "where f.rule = 'truncated' and s.path like '%截断.txt'"
        ).fetchall()
        total = con.execute(
            "select stated_total, computed_total from reports where project = '丙项目'"
        ).fetchone()
    finally:
        con.close()
    assert messages == [
        (
            "文件“截断.txt”在最后一个字符中途结束（UTF-8，舍弃了不完整的 2 个字节），文件可能不完整；已读取其余内容",
        )
    ]
    assert total == (99.0, 77.0)  # as the uncut form: 9 + 25 + 3 + 30 + 10


def test_no_row_of_a_failed_file_remains(batch):
    result, db, _ = batch
    con = duckdb.connect(str(db), read_only=True)
    try:
        sources = con.execute("select path, status, n_reports, error from sources").fetchall()
        assert len(sources) == len(bad_files()) + len(good_files())  # one row per file tried
        failed = {Path(p).name: (n, e) for p, st, n, e in sources if st == "failed"}
        assert set(failed) == set(bad_files())
        assert all(n == 0 and e for n, e in failed.values())
        orphans = con.execute(
            "select count(*) from reports r join sources s using (source_id) where s.status <> 'ok'"
        ).fetchone()[0]
        assert orphans == 0
        n_reports = con.execute("select count(*) from reports").fetchone()[0]
        assert n_reports == sum(f.reports for f in result.files) == 7
        for table in CHILD_TABLES:
            dangling = con.execute(
                f"select count(*) from {table} where report_id not in (select report_id from reports)"
            ).fetchone()[0]
            assert dangling == 0, table
        n_indicators = con.execute("select count(*) from indicators").fetchone()[0]
        assert n_indicators == result.indicators > 0
    finally:
        con.close()


def test_a_second_run_changes_nothing(batch):
    """The failed files are tried again and fail again with the same messages; the stored forms stay."""
    result, db, _ = batch
    folder = Path(db).parent / "in"
    again = ingest([folder], db, workers=1)
    assert again.ok == 0 and again.unchanged == len(good_files())
    assert sorted((Path(f.path).name, f.error) for f in again.failed) == sorted(
        (Path(f.path).name, f.error) for f in result.failed
    )
    con = duckdb.connect(str(db), read_only=True)
    try:
        counts = con.execute("select count(*), count(distinct path) from sources").fetchone()
        assert con.execute("select count(*) from reports").fetchone()[0] == 7
    finally:
        con.close()
    assert counts == (len(bad_files()) + len(good_files()),) * 2
