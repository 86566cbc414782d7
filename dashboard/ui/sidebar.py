"""The sidebar: the selection widgets (bound to the URL), the selection of this run, the 示例数据 marker."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import labels
from dashboard.labels import dataset_label, kind_label, level1_label, year_label
from dashboard.selection import Options, Selection
from dashboard.selection import page_link as _page_link
from dashboard.ui.data import load_options
from dashboard.ui.text import md_text

ALL_DATASETS = "all"  # the sidebar's option for real and demo data together (Selection.dataset None)


def sidebar() -> tuple[Selection, Options]:
    from dashboard.ui.login import current_scope

    sel, options = render_sidebar(load_options)
    sel = sel.replace(scope=current_scope())  # the queries bind it anyway (ui.query); the report names it
    st.session_state["_selection"] = (sel, options)
    return sel, options


def current() -> tuple[Selection, Options]:
    """The selection drawn by the sidebar in this run (app.py draws it before the page)."""
    if "_selection" not in st.session_state:
        return sidebar()
    return st.session_state["_selection"]


def render_sidebar(options_for: Callable[[str | None, int | None], Options]) -> tuple[Selection, Options]:
    """Draw the selection widgets; `options_for(dataset, year)` gives the valid values (units follow the year).

    One call per rerun as a rule: filter_options' datasets do not depend on its $dataset nor its years on its
    $year, so the options for the dataset and year the widgets already hold fill every widget. It is asked
    again only when a widget ends on another value (the first run, a value no longer valid)."""
    state = st.session_state
    held = (_dataset_value(state.get("dataset")), state.get("year"))
    answers = {held: options_for(*held)}

    def options_at(dataset: str | None, year: int | None) -> Options:
        if (dataset, year) not in answers:
            answers[(dataset, year)] = options_for(dataset, year)
        return answers[(dataset, year)]

    all_options = answers[held]
    sb = st.sidebar
    sb.markdown("**筛选**")

    # Real data first when there is any: the default view is the real forms (their latest year); demo data and
    # both together are an explicit choice (and demo alone the default when no real form exists).
    # Both together is the option ALL_DATASETS, not None: a bound widget cannot put None in the URL.
    datasets: list[str | None] = [d for d in ("real", "demo") if d in all_options.datasets]
    if len(datasets) > 1:
        datasets.append(ALL_DATASETS)
        _keep_valid(state, "dataset", datasets, datasets[0])
        chosen = sb.selectbox(
            "数据集",
            datasets,
            key="dataset",
            bind="query-params",
            format_func=lambda d: dataset_label(None if d == ALL_DATASETS else d),
            help="真实数据：导入的真实自评表；示例数据：为演示生成的虚构自评表",
        )
        dataset = _dataset_value(chosen)
    else:
        dataset = datasets[0] if datasets else None

    year_options = options_at(dataset, held[1])  # its years and latest year do not depend on the year
    latest = year_options.latest_year
    years: list[int | None] = [latest, *[y for y in year_options.years if y != latest]] if latest else [None]
    asked = st.query_params.get("year")
    if asked and asked not in {str(y) for y in years if y is not None}:
        _unknown_year(asked, latest)
    _keep_valid(state, "year", years, years[0])
    year = sb.selectbox("年度", years, key="year", bind="query-params", format_func=year_label)

    options = options_at(dataset, year)
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

    sb.button(
        "重置筛选", on_click=_reset, args=(datasets[0] if datasets else None, years[0]), width="stretch"
    )
    sel = Selection(dataset=dataset, year=year, units=tuple(units), kind=kind, level1=level1)
    return sel, dataclasses.replace(options, datasets=all_options.datasets)


def _dataset_value(chosen: str | None) -> str | None:
    """The Selection.dataset of the dataset widget's value (ALL_DATASETS: None)."""
    return None if chosen == ALL_DATASETS else chosen


def _keep_valid(state: Any, key: str, options: list, fallback: Any) -> None:
    if key in state and state[key] not in options:
        state[key] = fallback


def _unknown_year(asked: str, latest: int | None) -> None:
    shown = f"，显示的是{latest}年" if latest else ""
    st.warning(
        md_text(f"所选数据集中没有{asked}年的自评表{shown}。"), icon=":material/event_busy:"
    )  # asked: from the URL


def _reset(dataset: str | None, latest_year: int | None) -> None:
    st.session_state["dataset"] = dataset
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


def page_link(url_path: str, sel: Selection, options: Options, **extra: Any) -> str:
    """A relative link to a page with the same selection plus page parameters (dashboard.selection.page_link)."""
    return _page_link(url_path, sel, options, **extra)
