"""The leadership report (绩效分析报告): the current selection as a Word document and a PDF.

    content.py  the figures, tables, charts and sentences of a selection, gathered through queries/*.sql
    docx.py     the .docx (python-docx): real headings, table styles, page numbers, charts as PNG at print size
    pdf.py      the PDF: the same .docx converted by LibreOffice headless (fonts embedded)
    cli.py      `jixiao report`

`generate_report` is what the dashboard's one-click button and the CLI call. No streamlit here.
"""

from __future__ import annotations

from dashboard.report.build import (
    FORMATS,
    MIME,
    ProgressCallback,
    ReportError,
    ReportFiles,
    file_name,
    generate_report,
    report_bytes,
)

__all__ = [
    "FORMATS",
    "MIME",
    "ProgressCallback",
    "ReportError",
    "ReportFiles",
    "file_name",
    "generate_report",
    "report_bytes",
]
