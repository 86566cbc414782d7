"""Where things live: the project root, the raw forms, the database (JIXIAO_DB overrides)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAW_DIR = ROOT / "data" / "raw"
QUERIES_DIR = ROOT / "queries"


def default_db() -> Path:
    return Path(os.environ.get("JIXIAO_DB", ROOT / "data" / "jixiao.duckdb"))
