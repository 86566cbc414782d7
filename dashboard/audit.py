"""The audit log: one JSON line per login, logout, import, export and report, appended beside the database
(`X.duckdb.audit.jsonl`, as review marks are), so writing it never needs the database's one writer. Pure.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from pathlib import Path
from typing import Any

EVENTS = {
    "login": "登录",
    "login_failed": "登录失败",
    "locked": "账号锁定",
    "logout": "退出",
    "import": "导入",
    "export": "导出",
    "report": "生成报告",
}


def log_path(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".audit.jsonl")


def record(
    db_path: str | Path, user: str, role: str, event: str, selection: str = "", detail: Any = None
) -> dict:
    """Append one event (UTC time, user, role, event, the selection it concerned, details)."""
    entry = {
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "user": user,
        "role": role,
        "event": event,
        "selection": selection,
        "detail": detail,
    }
    line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    fd = os.open(log_path(db_path), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line)
    finally:
        os.close(fd)
    return entry


def read(db_path: str | Path) -> list[dict]:
    """Every event, oldest first (a torn last line is skipped)."""
    path = log_path(db_path)
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out
