"""The dashboard's one-click report: a button that builds the 绩效分析报告 of the current view (Word and PDF) with a
progress bar, then offers both files for download. Streamlit glue only; the report itself is dashboard/report/.

A page adds it with one call: `ui.report_button(sel)` (sel: the selection from ui.current()). The report
reads through the app's cached query path, so no cursor is held while charts render and LibreOffice converts.
"""

from __future__ import annotations

import streamlit as st

from dashboard import report
from dashboard.report.pdf import soffice_path
from dashboard.selection import Selection
from dashboard.ui.data import query
from dashboard.ui.login import record


def report_button(selection: Selection, *, key: str = "report") -> None:
    """Draw the 生成报告 button for `selection`; after a build, the Word / PDF download buttons."""
    state_key = f"_report_files_{key}"
    row = st.container(horizontal=True, gap="small", vertical_alignment="center")
    clicked = row.button(
        "生成绩效分析报告",
        key=f"{key}-build",
        icon=":material/description:",
        help="把当前筛选范围（年度、单位、数据集、表格类型）生成 Word 与 PDF 报告，约需 10–20 秒",
    )
    if clicked:
        formats = ("docx", "pdf") if soffice_path() else ("docx",)
        bar = st.progress(0.0, text="准备生成报告")
        try:
            files = report.generate_report(
                selection,
                formats,
                run=query,
                progress=lambda done, message: bar.progress(min(max(done, 0.0), 1.0), text=message),
            )
        except report.ReportError as e:
            bar.empty()
            st.error(str(e))
            return
        bar.empty()
        record(
            "report", selection.describe(), {"scope": list(selection.scope or ()), "formats": list(formats)}
        )
        st.session_state[state_key] = (selection, files)
    stored = st.session_state.get(state_key)
    if not stored or stored[0] != selection:  # a report of another view is not offered for this one
        return
    _, files = stored
    for fmt, label in (("docx", "下载 Word"), ("pdf", "下载 PDF")):
        if fmt in files:
            row.download_button(
                label,
                data=files[fmt],
                file_name=files.file_name(fmt),
                mime=report.MIME[fmt],
                key=f"{key}-{fmt}",
                on_click="ignore",
                icon=":material/download:",
            )
    if "pdf" not in files:
        st.caption("服务器未安装 LibreOffice，只生成了 Word 版（运行 make system-deps 安装后可生成 PDF）。")
