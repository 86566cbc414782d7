"""Streamlit glue shared by the pages: the cached database and queries, the current filters, charts with their
export buttons, tables with CSV / XLSX downloads, URL-synced page widgets and the 示例数据 marker."""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import export, labels, paths
from dashboard.db import load_query
from dashboard.labels import dataset_label, kind_label, level1_label, year_label
from dashboard.reader import SharedReader
from dashboard.selection import Options, Selection, url_value_to_apply

PAGES = {  # url_path -> the page file (relative to app.py), its title and icon
    "overview": ("views/overview.py", "总览", ":material/dashboard:"),
    "ranking": ("views/ranking.py", "部门排名", ":material/leaderboard:"),
    "distribution": ("views/distribution.py", "得分分布", ":material/bar_chart:"),
    "drilldown": ("views/drilldown.py", "指标下钻", ":material/account_tree:"),
    "watchlist": ("views/watchlist.py", "低分预警", ":material/warning:"),
    "compare": ("views/compare.py", "年度对比", ":material/timeline:"),
    "quality": ("views/quality.py", "数据质量", ":material/fact_check:"),
    "import": ("views/upload.py", "数据导入", ":material/upload_file:"),
}

PLOTLY_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "jixiao-chart"},
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
}


# -- database ------------------------------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _live(path: str) -> SharedReader:
    return SharedReader(path)


def database() -> SharedReader:
    return _live(str(paths.default_db()))


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached_query(
    db_path: str, generation: str, name: str, items: tuple[tuple[str, Any], ...]
) -> pd.DataFrame:
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in items}
    return _live(db_path).query(name, params)


def query(name: str, sel: Selection | None = None, *, db: str | None = None, **params: Any) -> pd.DataFrame:
    """queries/<name>.sql with the selection's parameters (`params` add to or override them; None binds NULL),
    cached per parameters and database generation. A parameter the query does not declare is an error.
    `db`: another database file to read (the import preview's staged copy), default the app's."""
    reader = _live(db) if db else database()
    bound = {**(sel.params_for(load_query(name)) if sel is not None else {}), **params}
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in bound.items()))
    started = time.perf_counter()
    df = _cached_query(str(reader.path), reader.generation(), name, key)
    _timings().append((name, time.perf_counter() - started))
    return df


def close_reader(path: str | Path) -> None:
    """Close the reader of a database file that is going away (a staged copy after 确认 or 放弃)."""
    _live(str(path)).close()


def log_run_time(page: str, seconds: float) -> None:
    """With JIXIAO_TIMINGS=1, print the server time of every script run (the browser test reads it)."""
    if os.environ.get("JIXIAO_TIMINGS"):
        queries = _timings()
        print(
            f"jixiao-timing page={page} run_ms={seconds * 1000:.1f} queries={len(queries)} "
            f"query_ms={sum(t for _, t in queries) * 1000:.1f}",
            file=sys.stderr,
            flush=True,
        )
    _timings().clear()


def clear_caches() -> None:
    """After an import: forget cached results (the generation key would miss them anyway) and free memory."""
    _cached_query.clear()
    _options.clear()


def _timings() -> list[tuple[str, float]]:
    return st.session_state.setdefault("_query_timings", [])


@st.cache_data(show_spinner=False, max_entries=200)
def _options(db_path: str, generation: str, dataset: str | None, year: int | None) -> Options:
    df = _live(db_path).query("filter_options", {"dataset": dataset, "year": year})
    return Options.from_frame(df)


def load_options(dataset: str | None, year: int | None) -> Options:
    live = database()
    return _options(str(live.path), live.generation(), dataset, year)


def missing_database_message() -> None:
    st.error(
        f"还没有数据库（{database().path}）。请在项目目录运行 `make run`（或 `jixiao app`），它会先导入 "
        "data/raw 中的自评表和示例数据，再启动看板；也可以在“数据导入”页上传自评表。"
    )


# -- the selection -------------------------------------------------------------------------------------------------
def sidebar() -> tuple[Selection, Options]:
    sel, options = render_sidebar(load_options)
    st.session_state["_selection"] = (sel, options)
    return sel, options


def current() -> tuple[Selection, Options]:
    """The selection drawn by the sidebar in this run (app.py draws it before the page)."""
    if "_selection" not in st.session_state:
        return sidebar()
    return st.session_state["_selection"]


def render_sidebar(options_for: Callable[[str | None, int | None], Options]) -> tuple[Selection, Options]:
    """Draw the selection widgets; `options_for(dataset, year)` gives the valid values (units follow the year)."""
    state = st.session_state
    all_options = options_for(None, None)
    sb = st.sidebar
    sb.markdown("**筛选**")

    datasets: list[str | None] = [None, *[d for d in ("real", "demo") if d in all_options.datasets]]
    if len(datasets) > 2:
        _keep_valid(state, "dataset", datasets, None)
        dataset = sb.selectbox(
            "数据集",
            datasets,
            key="dataset",
            bind="query-params",
            format_func=dataset_label,
            help="真实数据：导入的真实自评表；示例数据：为演示生成的虚构自评表",
        )
    else:
        dataset = None

    year_options = options_for(dataset, None)
    latest = year_options.latest_year
    years: list[int | None] = [latest, *[y for y in year_options.years if y != latest]] if latest else [None]
    _keep_valid(state, "year", years, years[0])
    year = sb.selectbox("年度", years, key="year", bind="query-params", format_func=year_label)

    options = options_for(dataset, year)
    if "units" in state:
        kept = [u for u in state["units"] if u in options.units]
        if kept != list(state["units"]):
            state["units"] = kept
    units = sb.multiselect(
        "单位", list(options.units), key="units", bind="query-params", placeholder="全部单位"
    )

    kinds: list[str | None] = [None, *options.kinds]
    _keep_valid(state, "kind", kinds, None)
    kind = sb.selectbox("表格类型", kinds, key="kind", bind="query-params", format_func=kind_label)

    level1s: list[str | None] = [None, *options.level1s]
    _keep_valid(state, "level1", level1s, None)
    level1 = sb.selectbox(
        "一级指标",
        level1s,
        key="level1",
        bind="query-params",
        format_func=level1_label,
        help="只影响指标层面的图表（得分分布、指标下钻、低分预警）",
    )

    sb.button("重置筛选", on_click=_reset, args=(years[0],), width="stretch")
    sel = Selection(dataset=dataset, year=year, units=tuple(units), kind=kind, level1=level1)
    return sel, dataclasses.replace(options, datasets=all_options.datasets)


def _keep_valid(state: Any, key: str, options: list, fallback: Any) -> None:
    if key in state and state[key] not in options:
        state[key] = fallback


def _reset(latest_year: int | None) -> None:
    st.session_state["dataset"] = None
    st.session_state["year"] = latest_year
    st.session_state["units"] = []
    st.session_state["kind"] = None
    st.session_state["level1"] = None


def note(f: Selection, options: Options, rows: pd.DataFrame | None = None) -> str | None:
    """The 示例数据 marker for a chart: when its rows say which dataset they come from, only if demo rows are
    among them; otherwise whenever synthetic data can be in view under the filters."""
    if rows is not None and "dataset" in rows.columns:
        return labels.SYNTHETIC_NOTE if rows["dataset"].isin(["demo", "mixed"]).any() else None
    return labels.SYNTHETIC_NOTE if f.shows_synthetic(options) else None


def synthetic_banner(f: Selection, options: Options) -> None:
    if f.shows_synthetic(options):
        real = "；“数据集”选“真实数据”只看真实自评表" if options.has_real else ""
        st.warning(
            f"**示例数据**：当前视图包含为演示生成的虚构自评表（文件名带“示例数据”），数字不是真实情况{real}。",
            icon=":material/science:",
        )


# -- page widgets mirrored in the URL ------------------------------------------------------------------------------
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


# -- charts and tables ---------------------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _warm_exports() -> bool:
    """Once per server: start kaleido's browser in the background, so the first export is not the slow one."""
    if os.environ.get("JIXIAO_NO_WARMUP"):
        return False
    threading.Thread(target=export.warm_up, args=(10.0,), name="kaleido-warm-up", daemon=True).start()
    return True


def chart(
    fig: go.Figure,
    name: str,
    key: str | None = None,
    on_select: str | Callable | None = None,
    selection_mode: str | tuple = "points",
) -> Any:
    """Show a figure with its exports (PNG 2×, SVG, PDF rendered server-side only when clicked)."""
    _warm_exports()
    kwargs: dict[str, Any] = {
        "theme": None,
        "config": {
            **PLOTLY_CONFIG,
            "toImageButtonOptions": {**PLOTLY_CONFIG["toImageButtonOptions"], "filename": name},
        },
        "key": key,
    }
    if on_select is not None:
        kwargs.update(on_select=on_select, selection_mode=selection_mode)
    event = st.plotly_chart(fig, **kwargs)
    export_buttons(fig, name, key or name)
    return event


def export_buttons(fig: go.Figure, name: str, key: str) -> None:
    row = st.container(horizontal=True, gap="small")
    for fmt, label, tip in (
        ("png", "PNG", "PNG 图片（2 倍分辨率）"),
        ("svg", "SVG", "SVG 矢量图"),
        ("pdf", "PDF", "PDF 文件"),
    ):
        row.download_button(
            label,
            data=_renderer(fig, fmt),
            file_name=f"{name}.{fmt}",
            mime=export.MIME[fmt],
            help=f"下载{tip}",
            key=f"dl-{key}-{fmt}",
            on_click="ignore",
            icon=":material/download:",
            type="tertiary",
        )


def _renderer(fig: go.Figure, fmt: str) -> Callable[[], bytes]:
    def render() -> bytes:
        return export.figure_bytes(fig, fmt)  # type: ignore[arg-type]

    return render


ColumnSpec = Mapping[str, tuple[str, str]]  # column -> (Chinese label, kind)


def _column_config(spec: ColumnSpec) -> dict[str, Any]:
    cc = st.column_config
    config: dict[str, Any] = {}
    for col, (label, kind) in spec.items():
        if kind == "score":
            config[col] = cc.NumberColumn(label, format="%.2f")
        elif kind == "pct":
            config[col] = cc.NumberColumn(label, format="%.1f%%")
        elif kind == "wan":
            config[col] = cc.NumberColumn(label, format="%.2f 万元")
        elif kind == "int":
            config[col] = cc.NumberColumn(label, format="%d")
        elif kind == "link":
            config[col] = cc.LinkColumn(label, display_text="下钻 ›")
        elif kind == "bool":
            config[col] = cc.CheckboxColumn(label)
        elif kind == "long":
            config[col] = cc.TextColumn(label, width="large")
        else:
            config[col] = cc.TextColumn(label)
    return config


def table(
    df: pd.DataFrame,
    spec: ColumnSpec,
    name: str,
    key: str,
    *,
    height: int | str = "auto",
    on_select: str | None = None,
    hide_index: bool = True,
) -> Any:
    """A table of the columns in `spec` (Chinese headers), with CSV (UTF-8 BOM) and XLSX downloads."""
    cols = [c for c in spec if c in df.columns]
    view = df[cols]
    # Empty text cells show blank, not Streamlit's grey "None" (the download keeps them empty too).
    text_cols = [c for c in cols if view[c].dtype == object or pd.api.types.is_string_dtype(view[c])]
    if text_cols:
        view = view.assign(**{c: view[c].astype(object).where(view[c].notna(), "") for c in text_cols})
    kwargs: dict[str, Any] = {
        "column_config": _column_config({c: spec[c] for c in cols}),
        "hide_index": hide_index,
        "key": key,
        "height": height,
    }
    if on_select is not None:
        kwargs.update(on_select=on_select, selection_mode="single-row")
    event = st.dataframe(view, **kwargs)
    download = view.drop(columns=[c for c in cols if spec[c][1] == "link"])
    download = download.rename(columns={c: spec[c][0] for c in download.columns})
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        "CSV",
        data=lambda: export.table_csv(download),
        file_name=f"{name}.csv",
        mime=export.MIME["csv"],
        key=f"csv-{key}",
        on_click="ignore",
        icon=":material/download:",
        type="tertiary",
        help="下载 CSV（UTF-8，Excel 可直接打开）",
    )
    row.download_button(
        "Excel",
        data=lambda: export.table_xlsx(download, name),
        file_name=f"{name}.xlsx",
        mime=export.MIME["xlsx"],
        key=f"xlsx-{key}",
        on_click="ignore",
        icon=":material/download:",
        type="tertiary",
        help="下载 Excel 工作簿（.xlsx）",
    )
    return event


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
    """st.metric with a numeric change: no arrow and no colour when nothing changed."""
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
