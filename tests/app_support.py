"""Shared set-up for the page tests (AppTest): one database per session, built from the real sample in data/raw
plus the small hand-made corpus of query_corpus.py (three real units × 2021–2022 and one 示例数据 unit), with
JIXIAO_DB pointing at it and Streamlit's caches cleared around every test.

Import the fixtures into a test module: `from app_support import app_db, app_env, open_page  # noqa: F401`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from conftest import SAMPLE
from query_corpus import corpus_files
from streamlit.testing.v1 import AppTest

from dashboard.load import ingest
from dashboard.ui import PAGES

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
HOTLINE = "群众来电咨询接听率"
SAMPLE_UNIT = "武威市政府政务服务中心"


def sample_db_with(folder: Path, texts: dict[str, str], name: str = "app.duckdb") -> Path:
    """A database of the real sample plus the given text files (file name -> text), every file ingested."""
    raw = folder / "raw"
    raw.mkdir()
    shutil.copyfile(SAMPLE, raw / SAMPLE.name)
    for file_name, text in texts.items():
        (raw / file_name).write_text(text, encoding="utf-8")
    db = folder / name
    summary = ingest([raw], db, workers=1)
    assert not summary.failed, summary.failed
    return db


@pytest.fixture(scope="session")
def app_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_db_with(tmp_path_factory.mktemp("appdb"), corpus_files())


@pytest.fixture(autouse=True)
def app_env(app_db: Path, monkeypatch: pytest.MonkeyPatch):
    """Every page test reads the session database with fresh caches (cached results leak between AppTests)."""
    monkeypatch.setenv("JIXIAO_DB", str(app_db))
    monkeypatch.setenv("JIXIAO_NO_WARMUP", "1")  # no export browser behind every AppTest
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def open_page(page: str = "overview", **query: str | list[str]) -> AppTest:
    """Run the app on `page` (a key of dashboard.ui.PAGES) with URL parameters, as a browser would open it."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(query)
    at.run()
    if page != "overview":
        at.switch_page(PAGES[page][0])
        at.run()
    assert_ok(at)
    return at


def assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def charts(at: AppTest) -> list[dict[str, Any]]:
    """The figures on the page, as Plotly JSON."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def chart_text(at: AppTest) -> str:
    return json.dumps(charts(at), ensure_ascii=False)


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def tables(at: AppTest) -> list:
    return [d.value for d in at.dataframe]
