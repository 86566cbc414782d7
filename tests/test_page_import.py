"""数据导入: limits with Chinese messages, preview (forms and findings) before commit, commit swaps the database
in without leaving the app unable to read, discard leaves everything as it was."""

from __future__ import annotations

import shutil

import pytest
from app_support import app_db, app_env, open_page  # noqa: F401
from formtext import project_form
from query_corpus import corpus_files


@pytest.fixture
def own_db(app_db, tmp_path, monkeypatch):  # noqa: F811 - app_db is the imported fixture
    """Imports change the database: work on a copy, with its own uploads folder beside it."""
    db = tmp_path / "app.duckdb"
    shutil.copyfile(app_db, db)
    monkeypatch.setenv("JIXIAO_DB", str(db))
    return db


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
    findings = at.dataframe[2].value  # the form table, then its findings
    assert "total_mismatch" not in set(findings.columns)
    assert any("填报总分" in r for r in findings["rule"])  # stated 80 ≠ computed: found before committing
    assert not (own_db.parent / "uploads").exists()  # nothing written yet
    commit = next(b for b in at.button if b.label.startswith("确认导入"))
    commit.click().run()
    assert not at.exception
    assert any("已导入 1 个文件" in s.value for s in at.success)
    assert (own_db.parent / "uploads" / "edu_2023.txt").read_bytes() == form
    assert "2023" in at.selectbox(key="year").options  # the sidebar reads the new database at once


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
        ("photo.png", b"\x89PNG", "image/png"),
        ("empty.txt", b"", "text/plain"),
        ("notes.txt", "随便写的几行字\n".encode(), "text/plain"),
    )
    errors = " ".join(e.value for e in at.error)
    assert "超过上限 10 MB" in errors and "不支持的文件类型“.png”" in errors and "文件是空的" in errors
    preview = at.dataframe[0].value
    assert list(preview["status"]) == ["解析失败"] and "未识别到绩效自评表" in preview["error"].iloc[0]
    assert next(b for b in at.button if b.label.startswith("确认导入")).disabled


def test_discard_leaves_the_database_alone(own_db):
    at = open_page("import")
    before = own_db.stat().st_mtime_ns
    upload(at, ("edu_2023.txt", project_form("武威市教育局", 2023).encode("utf-8"), "text/plain"))
    next(b for b in at.button if b.label == "放弃").click().run()
    assert not at.dataframe  # the preview is gone, the uploader is empty again
    assert own_db.stat().st_mtime_ns == before
    assert not (own_db.parent / "uploads").exists()
