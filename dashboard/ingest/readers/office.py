"""Legacy office files (.doc, .wps Word/WPS documents; .et WPS spreadsheets): converted by LibreOffice headless
to .docx / .xlsx in a temporary folder, then read by the ordinary readers. Row references and errors name the
original file, never the converted copy.

LibreOffice allows one running instance per user profile, so each process converts with its own profile
(removed at exit) and conversions inside a process are serialized.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from dashboard.ingest.errors import IngestError
from dashboard.ingest.model import Row

TIMEOUT_S = 120
_lock = threading.Lock()
_profiles: dict[int, Path] = {}
# suffix -> (LibreOffice filter target, the suffix of the converted file)
TARGETS = {".doc": "docx", ".wps": "docx", ".et": "xlsx"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def soffice_path() -> str | None:
    """LibreOffice's `soffice` (JIXIAO_SOFFICE overrides the one found on PATH)."""
    return os.environ.get("JIXIAO_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


def _profile_dir() -> Path:
    pid = os.getpid()
    if pid not in _profiles:
        _profiles[pid] = Path(tempfile.mkdtemp(prefix="jixiao-office-"))
        atexit.register(shutil.rmtree, _profiles[pid], ignore_errors=True)
    return _profiles[pid]


def remove_profiles() -> None:
    """Delete this process's LibreOffice profiles now (a multiprocessing child ends without running atexit)."""
    for pid in [p for p in _profiles if p == os.getpid()]:
        shutil.rmtree(_profiles.pop(pid), ignore_errors=True)


def convert(path: str | Path, data: bytes, target: str) -> bytes:
    """The file's bytes converted to `target` (docx / xlsx) by LibreOffice."""
    name = Path(path).name
    soffice = soffice_path()
    if not soffice:
        raise IngestError(
            path,
            "读取旧版 Office/WPS 文件需要 LibreOffice（请安装 libreoffice-writer-nogui 与 libreoffice-calc-nogui）",
        )
    if not data.strip(b"\x00 \r\n\t"):
        raise IngestError(path, "文件为空")
    with _lock, tempfile.TemporaryDirectory(prefix="jixiao-convert-") as tmp:
        src = Path(tmp) / f"in{Path(path).suffix.lower()}"  # an ASCII name: LibreOffice mangles some others
        src.write_bytes(data)
        cmd = [
            soffice,
            f"-env:UserInstallation={_profile_dir().as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            tmp,
            str(src),
        ]
        try:
            done = subprocess.run(
                cmd, capture_output=True, timeout=TIMEOUT_S, check=False, env={**os.environ, "HOME": tmp}
            )
        except subprocess.TimeoutExpired as e:
            raise IngestError(path, f"LibreOffice 转换“{name}”超时（{TIMEOUT_S} 秒）") from e
        out = src.with_suffix(f".{target}")
        if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            raise IngestError(path, "无法转换该文件（文件可能已损坏、已加密或不是 Word/WPS/Excel 文档）")
        return out.read_bytes()


def read_legacy(path: str | Path, data: bytes) -> list[Row]:
    from dashboard.ingest.readers.docx import read_docx
    from dashboard.ingest.readers.sheets import read_xlsx

    suffix = Path(path).suffix.lower()
    target = TARGETS[suffix]
    # A .docx/.xlsx (WPS saves them too) under the old name is read as it is.
    converted = data if data[:4] == b"PK\x03\x04" else convert(path, data, target)
    try:
        return (read_docx if target == "docx" else read_xlsx)(path, converted)
    except IngestError as e:
        raise IngestError(path, e.detail) from e
