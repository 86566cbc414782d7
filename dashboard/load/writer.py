"""The three ways the database is written, all through one path: take the writers' lock, stage a copy, load
batches into it with the store, recompute the rules over several forms, swap it in (dashboard/load/files.py).

    ingest(paths, db)          `jixiao ingest`: load these files (an outdated database is refused, not rebuilt)
    update(db, sources)        `jixiao app` at start-up: build when missing or outdated, else load new files only
    stage_uploads(db, uploads) the 数据导入 page: load the uploads into a copy that the ordinary queries preview;
    commit(staged) / discard   确认 swaps the copy in (and keeps the files), 放弃 deletes it

Each returns (or carries) one LoadResult.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from dashboard import schema
from dashboard.load import files, marks
from dashboard.load.batch import expand_paths, load_documents, parsed, source_bytes
from dashboard.load.files import DatabaseBusy, Staged, StaleStage
from dashboard.load.result import FileResult, LoadResult
from dashboard.load.store import SchemaOutdated, Store
from dashboard.load.uploads import Upload, keep_files, restore_files

__all__ = [
    "DatabaseBusy",
    "SchemaOutdated",
    "StagedImport",
    "StaleStage",
    "commit",
    "discard",
    "ingest",
    "stage_uploads",
    "update",
]

Progress = Callable[[FileResult], None]


def ingest(
    paths: Iterable[str | Path],
    db: Path,
    *,
    rebuild: bool = False,
    workers: int | None = None,
    batch_size: int | None = None,
    on_progress: Progress | None = None,
    holder: str = "jixiao ingest",
) -> LoadResult:
    """Load the files under `paths` into `db`. Files already stored are skipped, files that failed before are
    tried again. A database built with other tables raises SchemaOutdated unless `rebuild`."""
    return _load(
        Path(db),
        expand_paths(paths),
        rebuild=rebuild,
        rebuild_outdated=False,
        retry_failed=True,
        workers=workers,
        batch_size=batch_size,
        on_progress=on_progress,
        holder=holder,
    )


def update(
    db: Path,
    sources: Sequence[Path],
    *,
    rebuild: bool = False,
    workers: int | None = None,
    on_progress: Progress | None = None,
    holder: str = "jixiao app 启动时的导入",
) -> LoadResult:
    """Make `db` hold every form under `sources`: built from scratch when missing, outdated or asked for;
    otherwise only files whose content the database has not seen are loaded (a file that failed before would
    fail again, so it is not retried)."""
    return _load(
        Path(db),
        expand_paths([s for s in sources if s.exists()]),
        rebuild=rebuild,
        rebuild_outdated=True,
        retry_failed=False,
        workers=workers,
        batch_size=None,
        on_progress=on_progress,
        holder=holder,
    )


def _load(
    db: Path,
    paths: list[Path],
    *,
    rebuild: bool,
    rebuild_outdated: bool,
    retry_failed: bool,
    workers: int | None,
    batch_size: int | None,
    on_progress: Progress | None,
    holder: str,
) -> LoadResult:
    with files.write_lock(db, holder):
        state = files.read_state(db)
        if state is not None and not state.is_current and not (rebuild or rebuild_outdated):
            raise SchemaOutdated(
                f"数据库 {db} 由旧版本的表结构生成，需要重新导入（jixiao ingest --rebuild，或 jixiao app --rebuild）"
            )
        fresh = rebuild or state is None or not state.is_current
        staged = files.take_over_or_clean(db, fresh=fresh, allow=not rebuild)
        known: set[str] = set()
        if not fresh and state is not None:
            known = set(state.ok_shas if retry_failed else state.tried_shas)
        hashes = _hashes(paths) if known else {}
        clean = not files.wal_of(db).exists()  # else a crashed program's log: fold it into a clean copy
        derived_current = state is not None and state.is_derived_current  # else: refresh them, below
        if (
            staged is None
            and not fresh
            and clean
            and derived_current
            and all(hashes.get(p) in known for p in paths)
        ):
            return LoadResult(db, "unchanged", files=[_unchanged(p) for p in paths])
        staged = staged or files.stage(db, files.LOAD, fresh=fresh)
        try:
            with Store(staged.path) as store:
                store.set_meta(schema.BASE_GENERATION_KEY, staged.base)
                if staged.adopted:  # the copy holds what the killed writer committed: skip those files too
                    known |= store.known_shas()
                    hashes = _hashes(paths)
                new = [not known or hashes.get(p) not in known for p in paths]
                todo = [p for p, is_new in zip(paths, new) if is_new]
                loaded = iter(
                    load_documents(
                        store, parsed(todo, workers), batch_size=batch_size, on_progress=on_progress
                    )
                )
                results = [next(loaded) if is_new else _unchanged(p) for p, is_new in zip(paths, new)]
                cross = store.refresh_cross_findings()
                if fresh:  # a database built from scratch gets back the 复核 statuses set on the old one
                    marks.restore(store.con, db)
                store.refresh_derived()
            files.swap_in(staged)
        except BaseException:
            files.remove(staged.path)
            raise
    return LoadResult(
        db, "built" if fresh else "updated", files=results, cross_findings=cross, adopted=staged.adopted
    )


def _hashes(paths: list[Path]) -> dict[Path, str]:
    out = {}
    for p in paths:
        with contextlib.suppress(OSError):  # unreadable: parsed (and reported as failed) like any new file
            out[p] = hashlib.sha256(source_bytes(p)).hexdigest()
    return out


def _unchanged(path: Path) -> FileResult:
    return FileResult(str(path), "unchanged")


# -- the 数据导入 page -----------------------------------------------------------------------------------------------
@dataclass
class StagedImport:
    """Uploads loaded into a copy of the database, waiting for 确认 (commit) or 放弃 (discard)."""

    staged: Staged
    result: LoadResult
    uploads: list[Upload]

    @property
    def path(self) -> Path:
        """The staged copy: the preview reads it with the ordinary queries."""
        return self.staged.path


def stage_uploads(
    db: Path, uploads: Sequence[Upload], *, holder: str = "数据导入页面", wait: float = 30.0
) -> StagedImport:
    """Load the uploads that parsed into a new copy of `db` (nothing else changes); the copy is the preview."""
    db = Path(db)
    ok = [u for u in uploads if u.doc.error is None]
    with files.write_lock(db, holder, wait=wait):
        state = files.read_state(db)
        if state is not None and not state.is_current:
            raise SchemaOutdated(f"数据库 {db} 由旧版本的表结构生成，请先重启看板（jixiao app）以重新导入")
        staged = files.stage(db, files.UPLOAD, fresh=state is None)
        try:
            with Store(staged.path) as store:
                store.set_meta(schema.BASE_GENERATION_KEY, staged.base)
                results = store.load([u.doc for u in ok])
                cross = store.refresh_cross_findings()
                store.refresh_derived()
        except BaseException:
            files.remove(staged.path)
            raise
    failed = [FileResult(u.name, "failed", error=u.doc.error) for u in uploads if u.doc.error]
    return StagedImport(staged, LoadResult(db, "staged", files=results + failed, cross_findings=cross), ok)


def commit(imp: StagedImport, *, holder: str = "数据导入页面", wait: float = 30.0) -> LoadResult:
    """Keep the uploaded files (for rebuilds) and swap the staged copy in. Raises StaleStage, leaving everything
    as it was, when another import was committed after the copy was made: stage again then."""
    db = imp.staged.db
    with files.write_lock(db, holder, wait=wait):
        if files.generation(db) != imp.staged.base_generation:
            raise StaleStage("数据库在预览之后已被其他导入更新")
        stored = {r.path for r in imp.result.files if r.status != "failed"}
        written = keep_files([u for u in imp.uploads if str(u.dest) in stored])
        try:
            files.swap_in(imp.staged)
        except BaseException:
            restore_files(written)
            raise
    return replace(imp.result, action="updated")


def discard(imp: StagedImport) -> None:
    """Delete the staged copy; the database and the uploads folder were never touched."""
    files.remove(imp.staged.path)
