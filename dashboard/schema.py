"""The schema contract as text: the tables (dashboard/sql/tables.sql, fingerprinted) and the read-side views and
macros (dashboard/sql/views.sql, created by every reader on open). Pure: no database here.

A database records the fingerprint of the tables it was built with (table `meta`, key `schema_version`). The
writer rebuilds a database whose fingerprint differs; a reader refuses it with a message. Views are not part of
the fingerprint, so changing a view or a macro never forces a re-ingest.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from importlib import resources

SCHEMA_VERSION_KEY = "schema_version"
BASE_GENERATION_KEY = "base_generation"


@functools.cache
def tables_sql() -> str:
    return resources.files("dashboard").joinpath("sql", "tables.sql").read_text(encoding="utf-8")


VIEW_FILES = (
    "views.sql",
    "review_rules.sql",
    "review_signals.sql",
)  # in order: each builds on the ones before


@functools.cache
def views_sql() -> str:
    sql = resources.files("dashboard").joinpath("sql")
    return "\n".join(sql.joinpath(name).read_text(encoding="utf-8") for name in VIEW_FILES)


def schema_version() -> str:
    """A fingerprint of tables.sql: a database built with other tables is rebuilt, never half-migrated."""
    return hashlib.sha256(tables_sql().encode("utf-8")).hexdigest()[:16]


# -- derived tables ----------------------------------------------------------------------------------------------
# The read-side views that the writer also stores as tables (derived_<view>), filled from the views' own
# definitions in views.sql (`create table derived_x as select * from x`), so a column added to a view flows
# through without another line anywhere. Readers use a stored table in place of its view only when the file's
# `meta.derived_version` is this code's derived_version(); otherwise they compute the views as before (same rows,
# slower). How each table is kept: 'report' = its rows are a function of one report's rows, which are never
# updated once written, so a write only deletes the rows of reports that are gone and adds those of new reports;
# 'full' = recomputed on every write (form_points counts the cross-form findings, which any write may change).
# Order matters: a table may be filled from the tables before it. `order` is the sort order of a full rebuild,
# so DuckDB's zone maps skip the row groups of other years and units.
DERIVED_KEY = "derived_version"


@dataclasses.dataclass(frozen=True)
class Derived:
    view: str
    upkeep: str  # report | full
    order: str

    @property
    def table(self) -> str:
        return f"derived_{self.view}"


DERIVED = (
    Derived("form_facts", "report", "year, unit, report_id"),
    Derived("indicator_facts", "report", "year, unit, report_id, seq"),
    Derived("hotline_indicators", "report", "report_id, indicator_id"),
    Derived("form_points", "full", "report_id"),
)


# The table macros stored the same way: computed for every value of their grid parameters (each a parameter
# whose values a query header restricts to a list, NULL = all included) and stored with those values in columns
# arg_<name>; the reader's macro of the same signature selects the stored rows of its arguments and applies
# `rest`, the macro's own rule for its other parameters, to them. Always recomputed in full.
@dataclasses.dataclass(frozen=True)
class DerivedMacro:
    macro: str
    params: tuple[str, ...]  # the macro's parameters, in order
    grid: tuple[tuple[str, tuple[str | None, ...]], ...]  # (parameter, its values) for the stored ones
    rest: (
        str  # the filter the other parameters apply to the macro's rows (its own rule, copied from views.sql)
    )
    order: str

    @property
    def table(self) -> str:
        return f"derived_{self.macro}"

    def fill_sql(self) -> str:
        """The stored rows: the macro for every combination of the grid values (the other parameters NULL)."""
        import itertools

        names = [name for name, _ in self.grid]
        parts = []
        for combo in itertools.product(*(values for _, values in self.grid)):
            value = dict(zip(names, combo))
            args = ", ".join(_sql_literal(value.get(p)) for p in self.params)
            cols = ", ".join(f"cast({_sql_literal(value[n])} as varchar) as arg_{n}" for n in names)
            parts.append(f"select {cols}, m.* from {self.macro}({args}) m")
        return "\nunion all\n".join(parts)

    def reader_sql(self, catalog: str) -> str:
        keys = " and ".join(f"arg_{n} is not distinct from {n}" for n, _ in self.grid)
        exclude = ", ".join(f"arg_{n}" for n, _ in self.grid)
        return (
            f"create or replace macro {self.macro}({', '.join(self.params)}) as table "
            f"select * exclude ({exclude}) from {catalog}.main.{self.table} where {keys} and ({self.rest});"
        )


def _sql_literal(value: str | None) -> str:
    return "null" if value is None else "'" + value.replace("'", "''") + "'"


DERIVED_MACROS = (
    DerivedMacro(
        "unit_years",
        ("p_dataset", "p_kind", "p_year", "p_scope"),
        (("p_dataset", (None, "real", "demo")), ("p_kind", (None, "department", "project"))),
        # p_scope (the access scope) is applied here, at read time: the stored rows hold every unit.
        "(p_year is null or year = p_year or year = p_year - 1) and in_scope(p_scope, unit)",
        "arg_p_dataset, arg_p_kind, year, unit_id",
    ),
)


def derived_version() -> str:
    """A fingerprint of the tables and the views the derived tables were computed with."""
    text = tables_sql() + "\n" + views_sql() + "\n" + repr(DERIVED) + repr(DERIVED_MACROS)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def derived_views_sql(catalog: str) -> str:
    """Statements that point each derived view at its stored table in `catalog`."""
    return "\n".join(
        f"create or replace view {d.view} as select * from {catalog}.main.{d.table};" for d in DERIVED
    )


def use_derived_sql(catalog: str) -> str:
    """Statements that point each derived view and macro at its stored table in `catalog`."""
    return "\n".join([derived_views_sql(catalog), *(m.reader_sql(catalog) for m in DERIVED_MACROS)])
