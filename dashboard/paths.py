"""Where things live: the project root, the raw forms, the database (JIXIAO_DB overrides), the uploads folder;
and the identity of a file on disk (its generation), which changes whenever a writer swaps a new file in."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAW_DIR = ROOT / "data" / "raw"
QUERIES_DIR = ROOT / "queries"
MISSING = "missing"


def default_db() -> Path:
    return Path(os.environ.get("JIXIAO_DB", ROOT / "data" / "jixiao.duckdb"))


def uploads_dir(db: Path | None = None) -> Path:
    """Where forms imported through the app are kept (for rebuilds): an `uploads` folder beside the database,
    so data/uploads for the default data/jixiao.duckdb."""
    return Path(db or default_db()).parent / "uploads"


def generation(path: Path) -> str:
    """Identity of the file now on disk: changes when it is replaced or rewritten."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return MISSING
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"
