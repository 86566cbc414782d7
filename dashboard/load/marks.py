"""复核 status of forms (issue 16), written through the one write path: the writers' lock, a staged copy of the
database, the new rows, the atomic swap (dashboard/load/files.py).

Marks are rows added to review_marks, never changed (the latest per form is its status). Each batch of marks is
also appended to a log beside the database (`X.duckdb.review-marks.jsonl`, one JSON object a line), and a
database built from scratch (a new schema, --rebuild) is filled from it: nothing a reviewer set is lost.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboard import schema
from dashboard.load import files
from dashboard.load.store import SchemaOutdated, Store

STATUSES = ("待复核", "已复核", "有问题")
REVIEW = "review"  # the staged copy's purpose (files.py: only batch loads are taken over after a crash)
COLUMNS = ("form_key", "report_id", "status", "reviewer", "marked_at", "comment")


@dataclass(frozen=True)
class Mark:
    form_key: str
    report_id: int | None
    status: str
    reviewer: str
    comment: str = ""


def log_of(db: Path) -> Path:
    return db.with_name(f"{db.name}.review-marks.jsonl")


def _checked(marks: Sequence[Mark]) -> None:
    for m in marks:
        if m.status not in STATUSES:
            raise ValueError(f"复核状态只能是 {'、'.join(STATUSES)}，收到 {m.status!r}")
        if not m.reviewer.strip():
            raise ValueError("请填写复核人")
        if not m.form_key:
            raise ValueError("缺少自评表标识")


def mark(db: Path, marks: Sequence[Mark], *, holder: str = "复核清单页面", wait: float = 30.0) -> int:
    """Store the marks (all or none) and swap the database; returns how many were stored. Raises ValueError for
    a bad mark, files.DatabaseBusy when another writer holds the database, SchemaOutdated for an old one."""
    db = Path(db)
    _checked(marks)
    if not marks:
        return 0
    with files.write_lock(db, holder, wait=wait):
        state = files.read_state(db)
        if state is None:
            raise files.DatabaseUnreadable(f"数据库 {db} 不存在，无法保存复核状态")
        if not state.is_current:
            raise SchemaOutdated(f"数据库 {db} 由旧版本的表结构生成，请先重启看板（jixiao app）以重新导入")
        staged = files.stage(db, REVIEW, fresh=False)
        log = log_of(db)
        size = log.stat().st_size if log.exists() else 0
        try:
            with Store(staged.path) as store:
                # The latest mark wins (review_status takes arg_max by marked_at): a mark set within the same
                # microsecond as the one before it, or a clock stepped back, still comes after it.
                (latest,) = store.con.execute("select max(marked_at) from review_marks").fetchone()
                now = dt.datetime.now()
                if latest is not None and now <= latest:
                    now = latest + dt.timedelta(microseconds=1)
                rows = [
                    (m.form_key, m.report_id, m.status, m.reviewer.strip(), now, m.comment.strip())
                    for m in marks
                ]
                store.set_meta(schema.BASE_GENERATION_KEY, staged.base)
                store.con.executemany(
                    f"insert into review_marks ({', '.join(COLUMNS)}) values (?, ?, ?, ?, ?, ?)", rows
                )
            _append(log, rows)
            files.swap_in(staged)
        except BaseException:
            files.remove(staged.path)
            _truncate(log, size)
            raise
    return len(rows)


def _append(log: Path, rows: list[tuple]) -> None:
    with log.open("a", encoding="utf-8") as fh:
        for r in rows:
            record = dict(zip(COLUMNS, r))
            record["marked_at"] = r[4].isoformat(sep=" ")
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _truncate(log: Path, size: int) -> None:
    if log.exists():
        with log.open("r+b") as fh:
            fh.truncate(size)


def logged(db: Path) -> list[dict]:
    """The marks in the log beside `db`, oldest first; a line that cannot be read is skipped (and named in the
    error list the caller may show)."""
    log = log_of(Path(db))
    if not log.exists():
        return []
    out = []
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
            if set(COLUMNS) <= set(record):
                out.append(record)
        except json.JSONDecodeError:
            continue
    return out


def restore(con: duckdb.DuckDBPyConnection, db: Path) -> int:
    """Fill an empty review_marks table (a database built from scratch) from the log beside `db`."""
    if con.execute("select count(*) from review_marks").fetchone() != (0,):
        return 0
    records = logged(db)
    if records:
        con.executemany(
            f"insert into review_marks ({', '.join(COLUMNS)}) values (?, ?, ?, ?, ?, ?)",
            [tuple(r[c] for c in COLUMNS) for r in records],
        )
    return len(records)
