"""After a benchmark session (`make bench`), BENCHMARKS.md is written from the JSON files the benchmarks left."""

from __future__ import annotations


def pytest_sessionfinish(session, exitstatus):
    if session.config.getoption("-m") == "benchmark" and session.testscollected:
        from tests.benchmarks.report import write

        print(f"\nwrote {write()}")
