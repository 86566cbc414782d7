"""Paths -> parsed documents -> store, in batches; parsing runs in worker processes for large batches."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.ingest.model import Document
from dashboard.ingest.parse import parse_file
from dashboard.ingest.readers import READERS
from dashboard.store import DocResult, Store

BATCH_SIZE = 200
PARALLEL_MIN_FILES = 64


@dataclass
class IngestSummary:
    results: list[DocResult] = field(default_factory=list)
    cross_findings: int = 0

    def count(self, *statuses: str) -> int:
        return sum(r.status in statuses for r in self.results)

    @property
    def ok(self) -> int:
        return self.count("ok", "replaced")

    @property
    def failed(self) -> list[DocResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def reports(self) -> int:
        return sum(r.reports for r in self.results)

    @property
    def indicators(self) -> int:
        return sum(r.indicators for r in self.results)

    @property
    def findings(self) -> int:
        return sum(r.findings for r in self.results) + self.cross_findings


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files under the given files and folders, in a stable order; folders keep only supported types."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file() and f.suffix.lower() in READERS and not f.name.startswith(".")
                )
            )
        else:
            files.append(p)
    return files


def _parsed(files: list[Path], workers: int) -> Iterator[Document]:
    if workers <= 1 or len(files) < PARALLEL_MIN_FILES:
        yield from map(parse_file, files)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(parse_file, files, chunksize=16)


def ingest(
    paths: Iterable[str | Path],
    db_path: str | Path,
    *,
    workers: int | None = None,
    on_progress: Callable[[DocResult], None] | None = None,
) -> IngestSummary:
    files = expand_paths(paths)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    summary = IngestSummary()
    with Store(db_path) as store:
        batch: list[Document] = []

        def flush() -> None:
            for result in store.load(batch):
                summary.results.append(result)
                if on_progress:
                    on_progress(result)
            batch.clear()

        for doc in _parsed(files, workers):
            batch.append(doc)
            if len(batch) >= BATCH_SIZE:
                flush()
        flush()
        summary.cross_findings = store.refresh_cross_findings()
    return summary
