"""The 数据导入 page's work, apart from its drawing: the upload limits, parsing, and the staged copy the preview
reads (one per set of files, in the session), committed or discarded through dashboard/load/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import load, paths
from dashboard.ingest.isolate import parse_isolated
from dashboard.ingest.readers import ACCEPTED
from dashboard.ingest.readers.archive import SEP
from dashboard.ingest.sources import archive_members, failed, is_archive
from dashboard.load import DatabaseBusy, LoadResult, StagedImport, StaleStage, Upload, upload_destination
from dashboard.selection import Selection
from dashboard.ui.data import close_reader, database

MAX_FILE_MB = 10
MAX_FILES = 50
TYPES = [s.lstrip(".") for s in ACCEPTED]
STATUS = {
    "ok": "可导入",
    "replaced": "可导入（替换同名文件的旧版本）",
    "unchanged": "已导入过（内容相同）",
    "superseded": "可导入（其中的表被本次后面的文件替换）",
    "failed": "解析失败",
}

__all__ = [
    "MAX_FILES",
    "MAX_FILE_MB",
    "STATUS",
    "TYPES",
    "DatabaseBusy",
    "LoadResult",
    "StagedImport",
    "StaleStage",
    "Upload",
    "check_limits",
    "commit",
    "drop_staged",
    "parse_all",
    "scopes",
    "staged_for",
    "uploads_folder",
]


def uploads_folder() -> Path:
    return paths.uploads_dir(database().path)


def check_limits(uploaded: list) -> tuple[list, list[str]]:
    """The files within the limits, and a Chinese message for each one refused."""
    kept, refused = [], []
    for i, file in enumerate(uploaded):
        suffix = Path(file.name).suffix.lower()
        if i >= MAX_FILES:
            refused.append(f"“{file.name}”：一次最多上传 {MAX_FILES} 个文件，其余文件未处理，请分批上传。")
        elif suffix not in ACCEPTED:
            refused.append(
                f"“{file.name}”：不支持的文件类型“{suffix or '无扩展名'}”（支持：{'、'.join(TYPES)}）。"
            )
        elif file.size > MAX_FILE_MB * 1024 * 1024:
            refused.append(
                f"“{file.name}”：文件大小 {file.size / 1024 / 1024:.1f} MB，超过上限 {MAX_FILE_MB} MB。"
            )
        elif file.size == 0:
            refused.append(f"“{file.name}”：文件是空的。")
        else:
            kept.append(file)
    return kept, refused


def parse_all(uploaded: list, on_file: Any = None, on_page: Any = None) -> list[Upload]:
    """Each uploaded file parsed once per session (cached by file id); an archive gives one Upload per member
    (`x.zip!/a/b.docx`, kept in the uploads folder under `x.zip!/a/b.docx`). `on_file(i, name)` reports each
    file done, `on_page(name, page, pages)` each scanned page before OCR reads it."""
    cache = st.session_state.setdefault("import_parsed", {})
    folder = uploads_folder()
    out: list[Upload] = []
    for i, file in enumerate(uploaded):
        key = (file.file_id, file.name, file.size)
        if key not in cache:
            data = file.getvalue()
            dest = upload_destination(file.name, folder)
            if is_archive(file.name):
                cache[key] = _archive_uploads(file.name, data, dest, on_page)
            else:
                cache[key] = [_parsed(file.name, data, dest, on_page)]
        out.extend(cache[key])
        if on_file:
            on_file(i, file.name)
    return out


def _parsed(name: str, data: bytes, dest: Path, on_page: Any) -> Upload:
    # In a child process under the memory and time limits (ingest/isolate.py): a hostile upload costs a child,
    # not the server the other users are on.
    progress = (lambda page, pages: on_page(name, page, pages)) if on_page else None
    return Upload(name, data, parse_isolated(dest, data, on_page=progress), dest)


def _archive_uploads(name: str, data: bytes, dest: Path, on_page: Any) -> list[Upload]:
    """One Upload per member; a member that cannot be taken out (or a broken archive) is a failed Upload."""
    uploads = []
    for m in archive_members(dest, data):
        inner = m.name[len(str(dest)) :].removeprefix(SEP) if m.name != str(dest) else ""
        shown = f"{name}{SEP}{inner}" if inner else name
        member_dest = Path(m.name)
        if m.data is None:
            uploads.append(Upload(shown, b"", failed(member_dest, m.error or "无法读取"), member_dest))
        else:
            uploads.append(_parsed(shown, m.data, member_dest, on_page))
    if not uploads:
        uploads.append(Upload(name, data, failed(dest, "压缩包中没有可导入的文件"), dest))
    return uploads


def drop_staged() -> None:
    """放弃, or another set of files: delete the staged copy (the database was never touched)."""
    held = st.session_state.pop("import_staged", None)
    if held is not None:
        close_reader(held[1].path)
        load.discard(held[1])


def staged_for(uploads: list[Upload]) -> StagedImport | None:
    """The staged copy holding exactly these uploads (made once per set of files); None when none parsed.
    Raises DatabaseBusy when another writer holds the database."""
    key = tuple((u.name, u.sha256) for u in uploads)
    held = st.session_state.get("import_staged")
    if held is not None and held[0] == key and held[1].path.exists():
        return held[1]
    drop_staged()
    if not any(u.doc.error is None for u in uploads):
        return None
    staged = load.stage_uploads(database().path, uploads, wait=5)
    st.session_state["import_staged"] = (key, staged)
    return staged


def commit(staged: StagedImport) -> LoadResult:
    """Swap the staged copy in; raises StaleStage (the copy is dropped: stage again) or DatabaseBusy."""
    try:
        result = load.commit(staged, wait=5)
    except StaleStage:
        drop_staged()
        raise
    close_reader(staged.path)
    st.session_state.pop("import_staged", None)
    from dashboard.ui.login import record

    record("import", detail={"files": len(result.files)} if hasattr(result, "files") else None)
    return result


def scopes(forms: pd.DataFrame) -> list[Selection]:
    """One selection per year the uploaded forms touch: their units, their dataset (both when mixed)."""
    out = []
    for year, part in forms[forms["year"].notna()].groupby("year"):
        datasets = set(part["dataset"])
        dataset = datasets.pop() if len(datasets) == 1 else None
        out.append(
            Selection(dataset=dataset, year=int(year), units=tuple(sorted(set(part["unit"].dropna()))))
        )
    return out
