from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.db import connect
from dashboard.load import ingest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "raw" / "000_0ed4b7e3fbc5b049.txt"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real sample ingested once per session (read-only for tests)."""
    db = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    summary = ingest([SAMPLE], db, workers=1)
    assert not summary.failed, summary.failed
    return db


@pytest.fixture(scope="session")
def query_corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made corpus of query_corpus.py (three real units × 2021–2022, one demo unit), once per session."""
    from tests.query_corpus import build_corpus_db

    return build_corpus_db(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def corpus_con(query_corpus_db: Path):
    con = connect(query_corpus_db)
    yield con
    con.close()


@pytest.fixture(scope="session")
def sample_con(sample_db: Path):
    con = connect(sample_db)
    yield con
    con.close()
