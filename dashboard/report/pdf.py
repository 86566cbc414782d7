"""The PDF: the report's .docx converted by LibreOffice headless, so the PDF shows exactly the Word content, with
its fonts embedded (LibreOffice embeds the subsets of every font it uses; Noto CJK comes from fonts-noto-cjk).

LibreOffice allows one running instance per user profile, so each process converts with its own profile
directory and conversions inside a process are serialized.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from dashboard.report.model import ReportError

TIMEOUT_S = 180
_lock = threading.Lock()


def soffice_path() -> str | None:
    """LibreOffice's `soffice` (JIXIAO_SOFFICE overrides the one found on PATH)."""
    override = os.environ.get("JIXIAO_SOFFICE")
    if override:
        return override
    return shutil.which("soffice") or shutil.which("libreoffice")


_profiles: dict[int, Path] = {}


def _profile_dir() -> Path:
    """This process's LibreOffice profile (≈0.5 MB), removed when the process exits."""
    pid = os.getpid()
    if pid not in _profiles:
        _profiles[pid] = Path(tempfile.mkdtemp(prefix="jixiao-libreoffice-"))
        atexit.register(shutil.rmtree, _profiles[pid], ignore_errors=True)
    return _profiles[pid]


def docx_to_pdf(docx: bytes) -> bytes:
    """Convert a .docx (bytes) to PDF (bytes) with LibreOffice headless."""
    soffice = soffice_path()
    if not soffice:
        raise ReportError(
            "生成 PDF 需要 LibreOffice：请安装 libreoffice-writer-nogui（make system-deps），"
            "或先下载 Word 版报告。"
        )
    with _lock, tempfile.TemporaryDirectory(prefix="jixiao-report-") as tmp:
        src = Path(tmp) / "report.docx"
        src.write_bytes(docx)
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
            "pdf:writer_pdf_Export",
            "--outdir",
            tmp,
            str(src),
        ]
        try:
            done = subprocess.run(
                cmd,
                capture_output=True,
                timeout=TIMEOUT_S,
                check=False,
                env={**os.environ, "HOME": os.environ.get("HOME", tmp)},
            )
        except subprocess.TimeoutExpired as e:
            raise ReportError(f"LibreOffice 转换 PDF 超时（{TIMEOUT_S} 秒）") from e
        out = src.with_suffix(".pdf")
        if done.returncode != 0 or not out.exists():
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[-400:]
            raise ReportError(f"LibreOffice 未能把报告转换为 PDF（退出码 {done.returncode}）：{detail}")
        return out.read_bytes()
