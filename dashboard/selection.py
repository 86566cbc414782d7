"""The selection: what part of the data a page, the CLI or the report looks at, and its URL form. Pure.

One `Selection` (dataset, year, units, kind, level-1 class, and the access scope) travels from the
sidebar to every query: `Selection.params_for(query)` gives the bound parameters, every field the query's
header does not say it ignores (`-- ignores: $level1 (…)`), so a query that forgot a field fails loudly instead
of silently showing everything. Units are always a list (`$units VARCHAR[]`, NULL = all), so a selection of
several units narrows every figure the same way one unit does.

`scope` is the access scope of the logged-in user (dashboard/auth.py): None for the 财政局 and 管理员 roles, the
user's own unit names for a 部门 user. It is not a URL parameter and no query may ignore it: every query in
queries/ binds `$scope` and hands it to the selection macros (dashboard/sql/views.sql), which drop every unit
outside it, so rows, counts, ranks and means are computed over the scope alone.

The sidebar widgets are bound to the URL (`bind="query-params"`): the widget key is the query parameter, its
text is the option's label, and a value equal to the default is left out. So `?year=2022&units=甲&units=乙`
reopens the same view on any page. `to_query_params` / `from_query_params` / `page_link` hold that logic, so it
is tested without a browser.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

import pandas as pd

from dashboard.labels import DATASET_LABELS, KIND_LABELS, dataset_label, kind_label, level1_label, year_label

KEYS = ("dataset", "year", "units", "kind", "level1")  # sidebar widget keys = URL parameter names


class QueryHeader(Protocol):
    """What params_for needs of a query (dashboard.db.Query has it): the selection fields it ignores."""

    @property
    def ignores(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Selection:
    """The current selection. None / () means all; year None means the latest year with forms."""

    dataset: str | None = None  # real | demo
    year: int | None = None
    units: tuple[str, ...] = field(default_factory=tuple)
    kind: str | None = None  # department | project
    level1: str | None = None  # narrows indicator-level figures only
    # The access scope: the units this user may see (None: no restriction). Every query sees at most these
    # units, whatever `units` says (bound as $scope; never taken from the URL).
    scope: tuple[str, ...] | None = None

    def replace(self, **changes: Any) -> Selection:
        if "units" in changes:
            changes["units"] = tuple(changes["units"] or ())
        return dataclasses.replace(self, **changes)

    @property
    def unit_list(self) -> list[str] | None:
        """The `$units` parameter: the units in view, None for all (an empty list: none at all)."""
        if self.scope is None:
            return list(self.units) or None
        allowed = set(self.scope)
        return [u for u in self.units if u in allowed] if self.units else list(self.scope)

    def params(self) -> dict[str, Any]:
        """Every field as a bound query parameter."""
        return {
            "dataset": self.dataset,
            "year": self.year,
            "units": self.unit_list,
            "kind": self.kind,
            "level1": self.level1,
            "scope": list(self.scope) if self.scope is not None else None,
        }

    def params_for(self, query: QueryHeader) -> dict[str, Any]:
        """The parameters for `query` (a dashboard.db.Query): every field but those its header ignores (never
        the scope: a query that does not bind $scope fails)."""
        ignored = set(query.ignores) - {"scope"}
        return {k: v for k, v in self.params().items() if k not in ignored}

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


@dataclass(frozen=True)
class Options:
    """What the selection can take, from the filter_options query."""

    years: tuple[int, ...] = ()
    units: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    level1s: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    latest_year: int | None = None  # chosen_year() in SQL: the one rule for "the latest year"

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> Options:
        def values(dimension: str) -> list[str]:
            return [str(v) for v in df.loc[df["dimension"] == dimension, "value"] if v is not None]

        latest = values("latest_year")
        return cls(
            years=tuple(sorted((int(v) for v in values("year")), reverse=True)),
            units=tuple(values("unit")),
            kinds=tuple(values("kind")),
            level1s=tuple(values("level1")),
            datasets=tuple(values("dataset")),
            latest_year=int(latest[0]) if latest else None,
        )

    @property
    def has_demo(self) -> bool:
        return "demo" in self.datasets

    @property
    def has_real(self) -> bool:
        return "real" in self.datasets


# -- the URL --------------------------------------------------------------------------------------------------------
def _first(value: str | list[str] | None) -> str | None:
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def _all(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def to_query_params(s: Selection, options: Options) -> dict[str, str | list[str]]:
    """The URL parameters the bound sidebar widgets show for `s` (defaults left out, as Streamlit does)."""
    params: dict[str, str | list[str]] = {}
    if s.dataset is not None:
        params["dataset"] = dataset_label(s.dataset)
    if s.year is not None and s.year != options.latest_year:
        params["year"] = year_label(s.year)
    if s.units:
        params["units"] = list(s.units)
    if s.kind is not None:
        params["kind"] = kind_label(s.kind)
    if s.level1 is not None:
        params["level1"] = level1_label(s.level1)
    return params


def from_query_params(params: Mapping[str, str | list[str]], options: Options) -> Selection:
    """The selection a URL asks for; values that are not valid options are ignored (as the widgets do)."""
    by_label = {dataset_label(d): d for d in options.datasets}
    dataset = by_label.get(_first(params.get("dataset")) or "")
    year_text = _first(params.get("year"))
    year = int(year_text) if year_text and year_text.isdigit() and int(year_text) in options.years else None
    kinds = {kind_label(k): k for k in options.kinds}
    kind = kinds.get(_first(params.get("kind")) or "")
    level1 = _first(params.get("level1"))
    units = tuple(dict.fromkeys(u for u in _all(params.get("units")) if u in options.units))
    return Selection(
        dataset=dataset,
        year=year if year is not None else options.latest_year,
        units=units,
        kind=kind,
        level1=level1 if level1 in options.level1s else None,
    )


def page_link(url_path: str, s: Selection, options: Options, **extra: Any) -> str:
    """A relative link to a page with the same selection plus page parameters (e.g. unit, form, indicator)."""
    params: dict[str, Any] = dict(to_query_params(s, options))
    if s.year is not None and "year" not in params:
        params["year"] = str(s.year)  # pin the year: the latest year may change after an import
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
