"""Streamlit glue shared by the pages, as a small package (pages call `ui.<name>`):

    data.py       the cached database and queries (one reader per file, results per database generation)
    sidebar.py    the selection widgets bound to the URL, the selection of this run, the 示例数据 marker
    widgets.py    page widgets mirrored in the URL, page switches, metrics, picked rows and points
    downloads.py  charts and tables with their PNG / SVG / PDF and CSV / XLSX downloads
    report.py     the one-click 绩效分析报告 button
    imports.py    the 数据导入 page's work: limits, parsing, the staged copy it previews
    review.py     the 复核清单 page's work: note groups, review queries with weights, the team's workbook
    text.py       md_text / md_code: form-derived text put into a Markdown element shows as written

Pages import only this package, dashboard.charts and dashboard.labels (tests/test_architecture.py).
"""

from dashboard.ui import imports, review
from dashboard.ui.chrome import FAVICON, chinese_chrome
from dashboard.ui.data import (
    clear_caches,
    close_reader,
    database,
    load_options,
    log_run_time,
    missing_database_message,
    query,
)
from dashboard.ui.downloads import PLOTLY_CONFIG, chart, export_buttons, table
from dashboard.ui.login import admin_panel, allowed_pages, current_scope, gate, record
from dashboard.ui.report import report_button
from dashboard.ui.sidebar import current, note, page_link, sidebar, synthetic_banner
from dashboard.ui.text import md_code, md_text
from dashboard.ui.widgets import (
    PAGES,
    display_path,
    go_to,
    metric,
    selected_points,
    selected_row,
    source_text,
    url_selectbox,
    url_text_input,
    url_widget,
    url_write,
)

__all__ = [
    "md_code",
    "md_text",
    "admin_panel",
    "allowed_pages",
    "current_scope",
    "gate",
    "record",
    "FAVICON",
    "chinese_chrome",
    "PAGES",
    "PLOTLY_CONFIG",
    "chart",
    "clear_caches",
    "close_reader",
    "current",
    "database",
    "display_path",
    "export_buttons",
    "go_to",
    "imports",
    "load_options",
    "log_run_time",
    "metric",
    "missing_database_message",
    "note",
    "page_link",
    "query",
    "report_button",
    "review",
    "selected_points",
    "selected_row",
    "sidebar",
    "source_text",
    "synthetic_banner",
    "table",
    "url_selectbox",
    "url_text_input",
    "url_widget",
    "url_write",
]
