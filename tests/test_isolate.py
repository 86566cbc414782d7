"""Uploads are parsed in a child process under memory and time limits (dashboard/ingest/isolate.py): the same
Document as in the server's own process for a normal file; an overrun is the file's error, quickly, and the
server process does not grow."""

from __future__ import annotations

import resource
import time

from dashboard.ingest.isolate import parse_isolated
from dashboard.ingest.sources import parse_source_bytes
from tests.conftest import SAMPLE


def _facts(doc):
    return doc.error, [(r.kind, r.year, r.unit, r.stated_total, len(r.indicators)) for r in doc.reports]


def test_a_normal_file_gives_the_same_document_as_in_process():
    data = SAMPLE.read_bytes()
    child = parse_isolated(SAMPLE, data)
    here = parse_source_bytes(SAMPLE, data)
    assert child.error is None
    assert _facts(child) == _facts(here)
    assert len(child.reports) == 4 and sum(len(r.indicators) for r in child.reports) == 79


def _slow_text() -> bytes:
    """≈2 MB of 40-column rows of 1: readable by the parser, but seconds of work (a 19 MB copy took 75 s)."""
    row = "\t".join(["1"] * 40) + "\n"
    return ("一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n" + row * 26_000).encode()


def test_a_parse_over_its_time_limit_is_refused_quickly_and_named():
    start = time.monotonic()
    doc = parse_isolated("慢.txt", _slow_text(), seconds=1)
    took = time.monotonic() - start
    assert doc.reports == []
    assert "慢.txt" in doc.error and "时间限制（1 秒）" in doc.error and "JIXIAO_PARSE_SECONDS" in doc.error
    assert took < 10


def test_a_parse_over_its_memory_limit_costs_the_child_not_the_server():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    doc = parse_isolated("大.txt", _slow_text() * 4, memory_mb=100, seconds=60)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert doc.reports == []
    assert "大.txt" in doc.error and "内存限制（100 MB）" in doc.error
    assert grown_mb < 500
