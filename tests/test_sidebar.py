"""The sidebar (dashboard/ui/sidebar.py): one filter_options answer per rerun fills every widget, and the
widgets offer the same values as when each of them asked for its own."""

from __future__ import annotations

import importlib

import pytest
from app_support import app_db, app_env, assert_ok, open_page  # noqa: F401

from dashboard.ui import data

# The module: dashboard.ui.sidebar is also the function it exports.
sidebar = importlib.import_module("dashboard.ui.sidebar")


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str | None, int | None]]:
    """The (dataset, year) pairs the sidebar asks filter_options for, in order."""
    calls: list[tuple[str | None, int | None]] = []

    def counting(dataset, year):
        calls.append((dataset, year))
        return data.load_options(dataset, year)

    monkeypatch.setattr(sidebar, "load_options", counting)
    return calls


def test_options_are_asked_once_per_rerun(asked):
    at = open_page("ranking")
    asked.clear()
    at.run()
    assert asked == [("real", 2022)]
    asked.clear()
    at.selectbox(key="year").select(2021).run()
    assert_ok(at)
    assert asked == [("real", 2021)]
    asked.clear()
    at.selectbox(key="dataset").select("demo").run()  # the held year is the real data's: asked again
    assert_ok(at)
    assert asked[0] == ("demo", 2021) and len(asked) <= 2


def test_the_widgets_offer_what_each_query_gives(asked):
    at = open_page("ranking")
    at.selectbox(key="year").select(2021).run()
    real_2021 = data.load_options("real", 2021)
    assert at.selectbox(key="dataset").options == ["真实数据", "示例数据", "全部（真实 + 示例）"]
    assert [int(y.rstrip("年")) for y in at.selectbox(key="year").options] == [2022, 2021]
    assert at.multiselect(key="units").options == list(real_2021.units)
    assert len(real_2021.units) == 3  # the three real units of 2021 (not the unit list of every year)
