"""The 数据导入 page with the new containers: a GBK-named zip gives one preview row per member (named
`x.zip!/path`), committed members are kept under uploads/x.zip!/… and a rebuild reads them back; a saved web
page previews like its text."""

from __future__ import annotations

import shutil

import pytest
from app_support import app_db, app_env, open_page  # noqa: F401
from formtext import project_form

from dashboard.ingest.sources import parse_source
from dashboard.load import expand_paths
from tests.containers import write_gbk_zip, write_html
from tests.formats import grid_from_text


@pytest.fixture
def own_db(app_db, tmp_path, monkeypatch):  # noqa: F811 - app_db is the imported fixture
    db = tmp_path / "app.duckdb"
    shutil.copyfile(app_db, db)
    monkeypatch.setenv("JIXIAO_DB", str(db))
    return db


def test_zip_and_web_page_upload(own_db, tmp_path):
    edu = project_form("武威市教育局", 2023, "校园安全经费", "武威市教育局").encode("utf-8")
    health = project_form("武威市卫生健康委员会", 2023, "疫情防控经费", "武威市卫生健康委员会").encode()
    archive = write_gbk_zip({"2023年/教育局.txt": edu, "坏的.docx": b"not a docx"}, tmp_path / "批量.zip")
    page = write_html(grid_from_text(health.decode()), chrome=True, encoding="gb18030")
    at = open_page("import")
    at.file_uploader[0].set_value(
        [("批量.zip", archive.read_bytes(), "application/zip"), ("卫健委.html", page, "text/html")]
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    preview = at.dataframe[0].value
    assert list(preview["name"]) == ["批量.zip!/2023年/教育局.txt", "批量.zip!/坏的.docx", "卫健委.html"]
    assert list(preview["status"]) == ["可导入", "解析失败", "可导入"]
    assert list(preview["forms"]) == [1, 0, 1]
    assert "文件已损坏或不是 Word 文档" in preview["error"].iloc[1]
    next(b for b in at.button if b.label.startswith("确认导入")).click().run()
    assert not at.exception
    kept = own_db.parent / "uploads" / "批量.zip!" / "2023年" / "教育局.txt"
    assert kept.read_bytes() == edu
    # A rebuild finds the kept member under the same path the database stores, and reads it.
    assert kept in expand_paths([own_db.parent / "uploads"])
    doc = parse_source(kept)
    assert doc.error is None and doc.path == str(kept) and [r.unit for r in doc.reports] == ["武威市教育局"]
