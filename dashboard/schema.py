"""The schema contract as text: the tables (dashboard/sql/tables.sql, fingerprinted) and the read-side views and
macros (dashboard/sql/views.sql, created by every reader on open). Pure: no database here.

A database records the fingerprint of the tables it was built with (table `meta`, key `schema_version`). The
writer rebuilds a database whose fingerprint differs; a reader refuses it with a message. Views are not part of
the fingerprint, so changing a view or a macro never forces a re-ingest.
"""

from __future__ import annotations

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
