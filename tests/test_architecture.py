"""The layout enforces itself (ARCHITECTURE.md draws it):

- dashboard/ingest/ is pure parsing: no database, no writer, no reader, no streamlit;
- only the read modules (db.py, reader.py, spark/slice.py) and the write package (load/) import duckdb, and only load/ opens the
  store;
- only the app (app.py, ui/, views/) imports streamlit;
- pages (views/) import only the UI package, the chart builders and the labels, and hold no SQL;
- every SQL header declares exactly the parameters its query uses.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from dashboard.db import list_queries, load_query

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dashboard"
MODULES = sorted(PACKAGE.rglob("*.py"))
# The Parquet reader (dashboard/spark/slice.py) is a read module too: DuckDB over read_parquet, same views.
READ = {PACKAGE / "db.py", PACKAGE / "reader.py", PACKAGE / "spark" / "slice.py"}
WRITE = set((PACKAGE / "load").rglob("*.py"))
APP = {PACKAGE / "app.py", *(PACKAGE / "ui").rglob("*.py"), *(PACKAGE / "views").rglob("*.py")}
PAGES = sorted((PACKAGE / "views").glob("*.py"))
PAGES_MAY_IMPORT = {"dashboard.ui", "dashboard.charts", "dashboard.labels"}


def rel(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


def imported(path: Path) -> set[str]:
    """Every module `path` imports, in full (`from dashboard import ui` counts as dashboard.ui)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def top_level(path: Path) -> set[str]:
    return {n.split(".")[0] for n in imported(path)}


def dashboard_modules(path: Path) -> set[str]:
    """The dashboard modules `path` imports, by their first two parts (dashboard.load, dashboard.db …)."""
    return {".".join(n.split(".")[:2]) for n in imported(path) if n.startswith("dashboard.")}


@pytest.mark.parametrize("path", sorted((PACKAGE / "ingest").rglob("*.py")), ids=rel)
def test_ingest_is_pure_parsing(path):
    """ingest/ reads files into records: no database, no writer, no reader."""
    assert not {"duckdb", "streamlit"} & top_level(path)
    assert not {"dashboard.load", "dashboard.db", "dashboard.reader", "dashboard.ui"} & dashboard_modules(
        path
    )


@pytest.mark.parametrize("path", MODULES, ids=rel)
def test_only_the_read_and_write_modules_import_duckdb(path):
    if path not in READ | WRITE:
        assert "duckdb" not in top_level(path)


@pytest.mark.parametrize("path", MODULES, ids=rel)
def test_only_the_write_package_opens_the_store(path):
    if path not in WRITE:
        assert not any(n.startswith("dashboard.load.store") for n in imported(path))


@pytest.mark.parametrize("path", MODULES, ids=rel)
def test_only_the_app_imports_streamlit(path):
    if path not in APP:
        assert "streamlit" not in top_level(path)


@pytest.mark.parametrize("path", PAGES, ids=rel)
def test_pages_import_only_ui_charts_and_labels(path):
    assert dashboard_modules(path) <= PAGES_MAY_IMPORT
    assert "duckdb" not in top_level(path)
    text = path.read_text(encoding="utf-8").lower()
    assert "select " not in text and ".execute(" not in text, "SQL lives in queries/"


def test_the_entry_point_only_navigates():
    assert dashboard_modules(PACKAGE / "app.py") <= {"dashboard.ui"}


@pytest.mark.parametrize("name", list_queries())
def test_query_header_declares_exactly_the_parameters_used(name):
    query = load_query(name)
    body = "\n".join(line for line in query.sql.splitlines() if not line.startswith("--"))
    used = set(re.findall(r"\$([a-z_][a-z0-9_]*)", body))
    assert used == set(query.param_names)
    assert query.description and query.columns
