"""Page widgets mirrored in the URL, page switches, metrics, picked rows and points, source texts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import labels, paths
from dashboard.selection import url_value_to_apply
from dashboard.ui.text import md_text

PAGES = {  # url_path -> the page file (relative to app.py), its title and icon
    "overview": ("views/overview.py", "总览", ":material/dashboard:"),
    "ranking": ("views/ranking.py", "部门排名", ":material/leaderboard:"),
    "distribution": ("views/distribution.py", "得分分布", ":material/bar_chart:"),
    "drilldown": ("views/drilldown.py", "指标下钻", ":material/account_tree:"),
    "watchlist": ("views/watchlist.py", "低分预警", ":material/warning:"),
    "compare": ("views/compare.py", "年度对比", ":material/timeline:"),
    "quality": ("views/quality.py", "数据质量", ":material/fact_check:"),
    "review": ("views/review.py", "复核清单", ":material/rule:"),
    "import": ("views/upload.py", "数据导入", ":material/upload_file:"),
    "admin": ("views/admin.py", "用户与日志", ":material/admin_panel_settings:"),
}


def url_widget(
    key: str, param: str, options: Sequence[Any], format_func: Callable[[Any], str] = str, default: Any = None
) -> None:
    """Before a page widget is drawn: take its value from the URL when a link or a page switch brought one."""
    synced = st.session_state.setdefault("_url_synced", {})
    url_text = st.query_params.get(param)
    if url_value_to_apply(url_text, synced.get(param), key in st.session_state):
        by_text = {format_func(o): o for o in options}
        if url_text in by_text:
            st.session_state[key] = by_text[url_text]
    if key in st.session_state and st.session_state[key] not in options:
        st.session_state[key] = default


def url_write(param: str, value: Any, default: Any = None, format_func: Callable[[Any], str] = str) -> None:
    """After the widget: put its value in the URL (left out when it is the default)."""
    synced = st.session_state.setdefault("_url_synced", {})
    if value is None or value == default:
        if param in st.query_params:
            del st.query_params[param]
        synced[param] = None
    else:
        text = format_func(value)
        if st.query_params.get(param) != text:
            st.query_params[param] = text
        synced[param] = text


def url_text_input(label: str, key: str, param: str, **kwargs: Any) -> str:
    synced = st.session_state.setdefault("_url_synced", {})
    url_text = st.query_params.get(param)
    if url_value_to_apply(url_text, synced.get(param), key in st.session_state):
        st.session_state[key] = url_text
    value = st.text_input(label, key=key, **kwargs)
    url_write(param, value.strip() or None)
    return value.strip()


def url_selectbox(
    label: str,
    options: Sequence[Any],
    key: str,
    param: str,
    format_func: Callable[[Any], str] = str,
    url_format: Callable[[Any], str] | None = None,
    pinned: bool = False,
    **kwargs: Any,
) -> Any:
    """A selectbox whose value is in the URL as `param` (url_format: the text used there, default the label).
    The first option is the default and left out of the URL, unless `pinned` (the default may change with the
    data, e.g. the first unit, so a shared link names it)."""
    options = list(options)
    if not options:
        return None
    fmt = url_format or format_func
    url_widget(key, param, options, fmt, options[0])
    value = st.selectbox(label, options, key=key, format_func=format_func, **kwargs)
    url_write(param, value, None if pinned else options[0], fmt)
    return value


def go_to(page: str, **params: Any) -> None:
    """Switch page with page parameters; the sidebar filters travel in their bound URL parameters."""
    path = PAGES[page][0]
    clean = {k: str(v) for k, v in params.items() if v is not None}
    st.session_state.setdefault("_url_synced", {}).update({k: None for k in clean})
    st.switch_page(path, query_params=clean)


def selected_row(event: Any) -> int | None:
    """The index of the row picked in a selectable table, if any."""
    try:
        rows = event.selection.rows
    except AttributeError:
        return None
    return rows[0] if rows else None


def selected_points(event: Any) -> list[dict[str, Any]]:
    try:
        return list(event.selection.points)
    except AttributeError:
        return []


def display_path(path: Any) -> str:
    """A path relative to the project where it lies inside it."""
    try:
        return str(paths.ROOT.joinpath(path).resolve().relative_to(paths.ROOT))
    except ValueError:
        return str(path)


def source_text(path: Any, line: Any) -> str:
    """'data/raw/000_0ed4b7e3fbc5b049.txt 第49行' — relative to the project where possible."""
    if not isinstance(path, str) or not path:
        return "—"
    shown = display_path(path)
    return f"{shown} 第{int(line)}行" if line is not None and not pd.isna(line) else shown


def metric(
    col: Any,
    label: str,
    value: str,
    delta: float | None = None,
    delta_text: str | None = None,
    inverse: bool = False,
    help: str | None = None,
    description: str | None = None,
) -> None:
    """st.metric with a numeric change: no arrow and no colour when nothing changed. Label and value are shown
    as text (they may come from a form); the delta is a number the page formatted."""
    label, value = md_text(label), md_text(value)
    if delta is None or labels.is_missing(delta):
        col.metric(label, value, help=help)
        return
    unchanged = abs(float(delta)) < 1e-9
    col.metric(
        label,
        value,
        delta=delta_text or labels.fmt_signed(delta, "", ascii_minus=True),
        delta_color="off" if unchanged else ("inverse" if inverse else "normal"),
        delta_arrow="off" if unchanged else "auto",
        delta_description=description,
        help=help,
    )
