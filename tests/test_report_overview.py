"""The one-click report on the 总览 page: one button builds the Word and PDF files of the current view."""

from __future__ import annotations

import io
import shutil

import docx
import pytest
from app_support import app_db, app_env, open_page  # noqa: F401

from dashboard.report.pdf import soffice_path

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
    reason="charts are rendered by kaleido with the system Chromium",
)


def test_the_overview_page_builds_the_report_of_its_view():
    at = open_page("overview")
    at.selectbox(key="dataset").select_index(2).run()  # 全部（真实 + 示例）: demo data chosen explicitly
    next(b for b in at.button if b.label == "生成绩效分析报告").click().run()
    assert not at.exception and not at.error
    labels = [d.proto.label for d in at.get("download_button") if d.proto.label.startswith("下载 ")]
    assert labels == (["下载 Word", "下载 PDF"] if soffice_path() else ["下载 Word"])
    _, files = at.session_state["_report_files_report"]
    assert files.file_name("pdf") == "绩效分析报告_2022年_示例数据.pdf"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(files["docx"])).paragraphs)
    assert "示例数据" in text  # the view holds the demo unit: the report says so
    assert "2022年度" in text
