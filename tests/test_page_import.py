"""数据导入: limits with Chinese messages; the uploads are loaded into a staged copy and the preview runs the
ordinary queries on it (forms, findings over several forms, the ranking effect) before anything changes;
确认 swaps the copy in, 放弃 deletes it and leaves everything as it was."""

from __future__ import annotations

import shutil

import pytest
from app_support import app_db, app_env, open_page  # noqa: F401
from formtext import project_form
from query_corpus import EDU, corpus_files, department_form

from dashboard.db import run_query


@pytest.fixture
def own_db(app_db, tmp_path, monkeypatch):  # noqa: F811 - app_db is the imported fixture
    """Imports change the database: work on a copy, with its own uploads folder beside it."""
    db = tmp_path / "app.duckdb"
    shutil.copyfile(app_db, db)
    monkeypatch.setenv("JIXIAO_DB", str(db))
    return db


def staged_copies(db):
    return sorted(db.parent.glob(f".{db.name}.stage-*"))


def upload(at, *files):
    at.file_uploader[0].set_value(list(files)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_preview_then_commit(own_db):
    at = open_page("import")
    form = project_form("武威市教育局", 2023, "校园安全经费", "武威市教育局", total=80).encode("utf-8")
    upload(at, ("edu_2023.txt", form, "text/plain"))
    preview = at.dataframe[0].value
    assert list(preview["status"]) == ["可导入"] and list(preview["forms"]) == [1]
    forms = at.dataframe[1].value  # as stored in the copy: project h=3 computes 9 + 25 + 3 + 30 + 10 = 77
    # Graded on the reported 80 (良); its 核算得分 77 of weights 100 would be 中.
    assert list(forms["computed_total"]) == [77] and list(forms["grade"]) == ["良"]
    findings = at.dataframe[2].value
    assert any("填报总分" in r for r in findings["description"])  # stated 80 ≠ 77: found before committing
    ranking = at.dataframe[3].value.set_index("unit")  # EDU has no other 2023 form: first of one
    assert (ranking.loc[EDU, "rank_after"], ranking.loc[EDU, "n_ranked"]) == (1, 1)
    assert not (own_db.parent / "uploads").exists()  # nothing written yet
    assert len(staged_copies(own_db)) == 1
    commit = next(b for b in at.button if b.label.startswith("确认导入"))
    commit.click().run()
    assert not at.exception
    assert any("已导入 1 个文件" in s.value for s in at.success)
    assert (own_db.parent / "uploads" / "edu_2023.txt").read_bytes() == form
    assert "2023" in at.selectbox(key="year").options  # the sidebar reads the new database at once
    assert not staged_copies(own_db)


def test_the_preview_shows_the_cross_form_finding_the_committed_data_shows(own_db):
    """A department form for 教育局 2022 states 项目支出 350 万元; its one project form in the database has 120:
    a finding that only the forms together give (project_budget_mismatch), shown before committing."""
    at = open_page("import")
    upload(at, ("edu_dept_2022.txt", department_form(EDU, 2022).encode("utf-8"), "text/plain"))
    findings = at.dataframe[2].value
    previewed = findings[findings["description"].str.contains("项目支出")]
    assert len(previewed) == 1 and bool(previewed.iloc[0]["is_new"])
    assert "350" in previewed.iloc[0]["message"] and "120" in previewed.iloc[0]["message"]
    before = run_query("findings_list", db_path=own_db, rule="project_budget_mismatch", units=[EDU])
    assert before.empty  # not in the database until 确认
    next(b for b in at.button if b.label.startswith("确认导入")).click().run()
    assert not at.exception
    committed = run_query("findings_list", db_path=own_db, rule="project_budget_mismatch", units=[EDU])
    assert list(committed["message"]) == list(previewed["message"])


def test_same_file_again_is_recognised(own_db):
    at = open_page("import")
    known = corpus_files()["edu_2021.txt"].encode("utf-8")  # already in the database
    upload(at, ("edu_2021.txt", known, "text/plain"))
    assert list(at.dataframe[0].value["status"]) == ["已导入过（内容相同）"]
    assert next(b for b in at.button if b.label.startswith("确认导入")).disabled


def test_limits_and_unreadable_files_have_chinese_messages(own_db):
    at = open_page("import")
    big = b"x" * (10 * 1024 * 1024 + 1)
    upload(
        at,
        ("huge.txt", big, "text/plain"),
        ("setup.exe", b"MZ\x90", "application/octet-stream"),
        ("empty.txt", b"", "text/plain"),
        ("notes.txt", "随便写的几行字\n".encode(), "text/plain"),
    )
    errors = " ".join(e.value for e in at.error)
    assert "超过上限 10 MB" in errors and "不支持的文件类型“.exe”" in errors and "文件是空的" in errors
    preview = at.dataframe[0].value
    assert list(preview["status"]) == ["解析失败"] and "未识别到绩效自评表" in preview["error"].iloc[0]
    assert next(b for b in at.button if b.label.startswith("确认导入")).disabled


def test_discard_leaves_the_database_alone(own_db):
    at = open_page("import")
    before = own_db.stat().st_mtime_ns
    upload(at, ("edu_2023.txt", project_form("武威市教育局", 2023).encode("utf-8"), "text/plain"))
    assert len(staged_copies(own_db)) == 1
    next(b for b in at.button if b.label == "放弃").click().run()
    assert not at.dataframe  # the preview is gone, the uploader is empty again
    assert own_db.stat().st_mtime_ns == before
    assert not (own_db.parent / "uploads").exists() and not staged_copies(own_db)


def test_unicode_gbk_and_cut_text_files_are_previewed_with_their_encoding(own_db):
    """Excel's "Unicode 文本" (UTF-16 LE with BOM), a GBK file and a file cut inside its last character."""
    at = open_page("import")
    unicode_text = "\ufeff" + project_form("武威市教育局", 2023, "甲项目").replace("\n", "\r\n")
    cut = (project_form("武威市教育局", 2023, "乙项目") + "填表人：张三").encode("utf-8")[:-1]
    upload(
        at,
        ("unicode.txt", unicode_text.encode("utf-16-le"), "text/plain"),
        ("gbk.txt", project_form("武威市教育局", 2023, "丙项目").encode("gb18030"), "text/plain"),
        ("cut.txt", cut, "text/plain"),
    )
    preview = at.dataframe[0].value.set_index("name")
    assert preview["encoding"].to_dict() == {
        "unicode.txt": "UTF-16 LE（Unicode 文本）",
        "gbk.txt": "GB18030 / GBK",
        "cut.txt": "UTF-8",
    }
    assert set(preview["status"]) == {"可导入"} and list(preview["forms"]) == [1, 1, 1]
    forms = at.dataframe[1].value
    assert sorted(forms["computed_total"]) == [77, 77, 77]
    findings = at.dataframe[2].value
    cut_messages = [m for m in findings["message"] if "最后一个字符中途结束" in m]
    assert cut_messages == [
        "文件“cut.txt”在最后一个字符中途结束（UTF-8，舍弃了不完整的 2 个字节），文件可能不完整；已读取其余内容"
    ]
