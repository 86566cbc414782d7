"""Layering rules: ingest and the read layer never import streamlit; SQL headers match their parameters."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from dashboard.db import list_queries, load_query

ROOT = Path(__file__).resolve().parents[1]


def dashboard_imports(path: Path) -> set[str]:
    """The dashboard modules `path` imports, by their first two parts (dashboard.load, dashboard.db …)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "dashboard":
                names.update(f"dashboard.{a.name}" for a in node.names)
    return {".".join(n.split(".")[:2]) for n in names if n.startswith("dashboard")}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


PACKAGE = ROOT / "dashboard"
BELOW_THE_PAGES = sorted(
    [*(PACKAGE / "ingest").rglob("*.py"), *(PACKAGE / "load").rglob("*.py")]
    + [PACKAGE / name for name in ("db.py", "reader.py", "schema.py", "paths.py")]
)


@pytest.mark.parametrize("path", BELOW_THE_PAGES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_streamlit_below_the_pages(path):
    assert "streamlit" not in imported_modules(path)


@pytest.mark.parametrize(
    "path", sorted((PACKAGE / "ingest").rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_ingest_is_pure_parsing(path):
    """ingest/ reads files into records: no database, no writer, no reader."""
    assert not {"duckdb", "streamlit"} & imported_modules(path)
    assert not {"dashboard.load", "dashboard.db", "dashboard.reader"} & dashboard_imports(path)


@pytest.mark.parametrize("name", list_queries())
def test_query_header_declares_exactly_the_parameters_used(name):
    query = load_query(name)
    body = "\n".join(line for line in query.sql.splitlines() if not line.startswith("--"))
    used = set(re.findall(r"\$([a-z_][a-z0-9_]*)", body))
    assert used == set(query.param_names)
    assert query.description and query.columns
