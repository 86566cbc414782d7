"""dashboard/ui/report.py: the one-click report button builds both files for the current filters, with a progress
bar, and offers them for download; a report of another view is not offered."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.report.pdf import soffice_path

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
    reason="charts are rendered by kaleido with the system Chromium",
)

SCRIPT = """
import streamlit as st
from dashboard import ui
from dashboard.selection import Selection

year = st.selectbox("年度", [2022, 2021], key="year")
ui.report_button(Selection(year=year, dataset="real"))
"""


@pytest.fixture
def app(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("JIXIAO_DB", str(sample_db))
    st.cache_data.clear()
    st.cache_resource.clear()
    script = tmp_path / "report_page.py"
    script.write_text(SCRIPT, encoding="utf-8")
    at = AppTest.from_file(str(script), default_timeout=120)
    at.run()
    yield at
    st.cache_data.clear()
    st.cache_resource.clear()


def test_one_click_builds_word_and_pdf(app: AppTest):
    assert not app.exception
    assert [b.label for b in app.button] == ["生成绩效分析报告"]
    assert not app.get("download_button")
    app.button(key="report-build").click().run()
    assert not app.exception and not app.error
    labels = [d.proto.label for d in app.get("download_button")]
    assert labels == (["下载 Word", "下载 PDF"] if soffice_path() else ["下载 Word"])
    _, files = app.session_state["_report_files_report"]
    assert docx.Document(io.BytesIO(files["docx"])).paragraphs[3].text == "绩效分析报告"
    if soffice_path():
        assert files["pdf"].startswith(b"%PDF")
    app.selectbox(key="year").select(2021).run()  # another view: the 2022 files are not offered for it
    assert not app.get("download_button")


def test_a_view_without_forms_shows_the_reason(app: AppTest):
    app.selectbox(key="year").select(2021).run()
    app.button(key="report-build").click().run()
    assert not app.exception
    assert "没有自评表" in app.error[0].value
