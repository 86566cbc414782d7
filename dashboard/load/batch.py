"""Files -> parsed Documents -> the store, in batches; parsing runs in worker processes for large loads.

Each batch is one transaction: a batch committed is in the staged copy even if the process dies right after.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from dashboard.ingest.errors import IngestError
from dashboard.ingest.model import Document
from dashboard.ingest.readers import ACCEPTED
from dashboard.ingest.sources import archive_members, is_archive, parse_source, read_source
from dashboard.load.result import FileResult
from dashboard.load.store import Store

BATCH_SIZE = 200
PARALLEL_MIN_FILES = 64


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files under the given files and folders, in a stable order; folders keep only supported types. An
    archive is replaced by its members (`x.zip!/a/b.docx`); one that gives none stays, to fail with a reason."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file() and f.suffix.lower() in ACCEPTED and not f.name.startswith(".")
                )
            )
        else:
            files.append(p)
    out: list[Path] = []
    for f in files:
        found = archive_members(f) if is_archive(f) and f.is_file() else []
        named = [Path(m.name) for m in found if m.name != str(f)]
        out.extend(named or [f])
    return out


def source_bytes(path: Path) -> bytes:
    """A file's bytes, or an archive member's (for the content hashes that skip what is stored already)."""
    try:
        return read_source(path)
    except IngestError as e:  # an unreadable member: parsed (and reported as failed) like any new file
        raise OSError(str(e)) from e


def parsed(files: list[Path], workers: int | None = None) -> Iterator[Document]:
    """The files parsed, in order; in `workers` processes (default: one per core) when there are many."""
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n <= 1 or len(files) < PARALLEL_MIN_FILES:
        yield from map(parse_source, files)
        return
    from dashboard.ingest import align_kernel

    align_kernel.warm()  # loaded once here, before the workers fork, not once in each of them
    with ProcessPoolExecutor(max_workers=n) as pool:
        yield from pool.map(parse_source, files, chunksize=16)


def load_documents(
    store: Store,
    docs: Iterable[Document],
    *,
    batch_size: int | None = None,
    on_progress: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Store the documents batch by batch (one transaction each); one result per document, in order."""
    size = batch_size or BATCH_SIZE
    results: list[FileResult] = []
    batch: list[Document] = []

    def flush() -> None:
        for result in store.load(batch):
            results.append(result)
            if on_progress:
                on_progress(result)
        batch.clear()

    for doc in docs:
        batch.append(doc)
        if len(batch) >= size:
            flush()
    if batch:
        flush()
    return results
