"""The sidebar filters (dataset, year, units, kind, level-1 class), their URL form and what they mean per query.

The sidebar widgets are bound to the URL (`bind="query-params"`): the widget key is the query parameter, its
text is the option's label, and a value equal to the default is left out. So `?year=2022&units=甲&units=乙`
reopens the same view on any page, and the parameters survive page switches. The plain functions below
(`to_query_params`, `from_query_params`, `page_link`, `Filters.params_for`) hold that logic so it can be tested
without a browser; `render_sidebar` is the only part that draws.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from dashboard.db import load_query

ALL = "全部"
DATASET_LABELS = {"real": "真实数据", "demo": "示例数据"}
KIND_LABELS = {"department": "部门整体", "project": "项目"}
KEYS = ("dataset", "year", "units", "kind", "level1")  # widget keys = URL parameter names


@dataclass(frozen=True)
class Options:
    """What the filters can take, from the filter_options query."""

    years: tuple[int, ...] = ()
    units: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    level1s: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> Options:
        def values(dimension: str) -> list[str]:
            return [str(v) for v in df.loc[df["dimension"] == dimension, "value"] if v is not None]

        return cls(
            years=tuple(sorted((int(v) for v in values("year")), reverse=True)),
            units=tuple(values("unit")),
            kinds=tuple(values("kind")),
            level1s=tuple(values("level1")),
            datasets=tuple(values("dataset")),
        )

    @property
    def latest_year(self) -> int | None:
        return self.years[0] if self.years else None

    @property
    def has_demo(self) -> bool:
        return "demo" in self.datasets

    @property
    def has_real(self) -> bool:
        return "real" in self.datasets


@dataclass(frozen=True)
class Filters:
    """The current selection. None / () means all."""

    year: int | None = None
    units: tuple[str, ...] = field(default_factory=tuple)
    kind: str | None = None
    level1: str | None = None
    dataset: str | None = None

    @property
    def unit(self) -> str | None:
        """The one selected unit, when exactly one is selected (queries take a single $unit)."""
        return self.units[0] if len(self.units) == 1 else None

    def params_for(self, query: str, **overrides: Any) -> dict[str, Any]:
        """The bound parameters `query` declares, filled from the filters; overrides win (None drops one)."""
        declared = set(load_query(query).param_names)
        params: dict[str, Any] = {}
        candidates = {
            "dataset": self.dataset,
            "year": self.year,
            "kind": self.kind,
            "level1": self.level1,
            "unit": self.unit,
        }
        for name, value in candidates.items():
            if name in declared and value is not None:
                params[name] = value
        for name, value in overrides.items():
            if value is None:
                params.pop(name, None)
            else:
                params[name] = value
        return params

    def unit_rows_filter(self, query: str) -> bool:
        """True when the unit selection has to be applied to the query's rows (several units chosen, or the
        query has no $unit): queries filter one unit at a time."""
        return bool(self.units) and (len(self.units) > 1 or "unit" not in load_query(query).param_names)

    def shows_synthetic(self, options: Options) -> bool:
        """Whether synthetic demo data (示例数据) can be in view."""
        return options.has_demo and self.dataset != "real"

    def describe(self) -> str:
        """A short Chinese summary for captions and file names: '2022年 · 部门整体 · 2个单位'."""
        parts = [f"{self.year}年" if self.year else "全部年度"]
        if self.dataset:
            parts.append(DATASET_LABELS.get(self.dataset, self.dataset))
        if self.kind:
            parts.append(KIND_LABELS.get(self.kind, self.kind))
        if self.level1:
            parts.append(self.level1)
        if len(self.units) == 1:
            parts.append(self.units[0])
        elif self.units:
            parts.append(f"{len(self.units)}个单位")
        return " · ".join(parts)


def apply_units(df: pd.DataFrame, units: tuple[str, ...]) -> pd.DataFrame:
    """Rows of the selected units (all rows when none is selected or the rows have no unit column)."""
    if not units or "unit" not in df.columns:
        return df
    return df[df["unit"].isin(units)].reset_index(drop=True)


# -- labels: what the widgets show and what the URL holds ------------------------------------------------------
def dataset_label(value: str | None) -> str:
    return "全部（真实 + 示例）" if value is None else DATASET_LABELS.get(value, value)


def kind_label(value: str | None) -> str:
    return ALL if value is None else KIND_LABELS.get(value, value)


def level1_label(value: str | None) -> str:
    return ALL if value is None else value


def year_label(value: int | None) -> str:
    return ALL if value is None else str(value)


def _first(value: str | list[str] | None) -> str | None:
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def _all(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def to_query_params(f: Filters, options: Options) -> dict[str, str | list[str]]:
    """The URL parameters the bound sidebar widgets show for `f` (defaults left out, as Streamlit does)."""
    params: dict[str, str | list[str]] = {}
    if f.dataset is not None:
        params["dataset"] = dataset_label(f.dataset)
    if f.year is not None and f.year != options.latest_year:
        params["year"] = year_label(f.year)
    if f.units:
        params["units"] = list(f.units)
    if f.kind is not None:
        params["kind"] = kind_label(f.kind)
    if f.level1 is not None:
        params["level1"] = level1_label(f.level1)
    return params


def from_query_params(params: Mapping[str, str | list[str]], options: Options) -> Filters:
    """The filters a URL asks for; values that are not valid options are ignored (as the widgets do)."""
    by_label = {dataset_label(d): d for d in options.datasets}
    dataset = by_label.get(_first(params.get("dataset")) or "")
    year_text = _first(params.get("year"))
    year = int(year_text) if year_text and year_text.isdigit() and int(year_text) in options.years else None
    kinds = {kind_label(k): k for k in options.kinds}
    kind = kinds.get(_first(params.get("kind")) or "")
    level1 = _first(params.get("level1"))
    units = tuple(dict.fromkeys(u for u in _all(params.get("units")) if u in options.units))
    return Filters(
        year=year if year is not None else options.latest_year,
        units=units,
        kind=kind,
        level1=level1 if level1 in options.level1s else None,
        dataset=dataset,
    )


def page_link(url_path: str, f: Filters, options: Options, **extra: Any) -> str:
    """A relative link to a page with the same filters plus page parameters (e.g. unit, form, indicator)."""
    params: dict[str, Any] = dict(to_query_params(f, options))
    if f.year is not None and "year" not in params:
        params["year"] = str(f.year)  # pin the year: the latest year may change after an import
    for key, value in extra.items():
        if value is not None:
            params[key] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    query = urlencode(params, doseq=True)
    return f"{url_path}?{query}" if query else url_path


def url_value_to_apply(url_text: str | None, synced_text: str | None, has_state: bool) -> bool:
    """Whether a page widget should take its value from the URL: when the widget is new on this page visit
    (a link or a page switch brought the value), or the URL changed since the page last wrote it."""
    if url_text is None:
        return False
    return not has_state or url_text != synced_text


def valid_or(value: Any, options: tuple | list, fallback: Any) -> Any:
    return value if value in options else fallback


# -- the sidebar (streamlit) -------------------------------------------------------------------------------------
def render_sidebar(load_options: Callable[[str | None, int | None], Options]) -> tuple[Filters, Options]:
    """Draw the filters; `load_options(dataset, year)` gives the valid values (units follow the year)."""
    import streamlit as st

    state = st.session_state
    all_options = load_options(None, None)
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

    year_options = load_options(dataset, None)
    years = list(year_options.years) or [None]
    _keep_valid(state, "year", years, years[0])
    year = sb.selectbox("年度", years, key="year", bind="query-params", format_func=year_label)

    options = load_options(dataset, year)
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
    f = Filters(year=year, units=tuple(units), kind=kind, level1=level1, dataset=dataset)
    full = replace(options, datasets=all_options.datasets)
    return f, full


def _keep_valid(state: Any, key: str, options: list, fallback: Any) -> None:
    if key in state and state[key] not in options:
        state[key] = fallback


def _reset(latest_year: int | None) -> None:
    import streamlit as st

    st.session_state["dataset"] = None
    st.session_state["year"] = latest_year
    st.session_state["units"] = []
    st.session_state["kind"] = None
    st.session_state["level1"] = None
