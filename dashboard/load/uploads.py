"""Files imported through the app: kept in an uploads folder beside the database, so a rebuild includes them."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dashboard.ingest.model import Document


@dataclass
class Upload:
    """One uploaded file: its name, bytes, the Document parsed from them and where it will be kept."""

    name: str
    data: bytes
    doc: Document
    dest: Path

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def upload_destination(name: str, folder: Path) -> Path:
    """Where an uploaded file is kept: its own name (no folders), so a new version replaces the old one."""
    base = Path(name).name.strip().replace("\x00", "") or "上传文件"
    return folder / base


def keep_files(uploads: Sequence[Upload]) -> list[tuple[Path, bytes | None]]:
    """Write the uploads to their destinations; returns what was there before, for `restore_files`."""
    written: list[tuple[Path, bytes | None]] = []
    try:
        for u in uploads:
            u.dest.parent.mkdir(parents=True, exist_ok=True)
            written.append((u.dest, u.dest.read_bytes() if u.dest.exists() else None))
            u.dest.write_bytes(u.data)
    except BaseException:
        restore_files(written)
        raise
    return written


def restore_files(written: list[tuple[Path, bytes | None]]) -> None:
    """Put the uploads folder back as it was before `keep_files`."""
    for dest, old in reversed(written):
        if old is None:
            dest.unlink(missing_ok=True)
        else:
            dest.write_bytes(old)
