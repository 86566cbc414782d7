"""The leadership report (绩效分析报告): the current selection as a Word document and a PDF.

    gather.py     the figures of a selection, read through queries/*.sql, assembled into the report's content
    sentences.py  the summary, intros, definitions: templates filled with those figures
    tables.py     the tables (and the cover's facts), each from one query's rows
    model.py      the records: Table, Chart, UnitPage, ReportContent
    build.py      generate_report: gather, render the charts at print size, write .docx, convert to PDF
    docx.py       the .docx (python-docx): real headings, table styles, page numbers, charts as PNG at print size
    pdf.py        the PDF: the same .docx converted by LibreOffice headless (fonts embedded)
    cli.py        `jixiao report`

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
