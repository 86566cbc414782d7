"""The ingest's own exception: every message names the file, and the line where it is known."""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    def __init__(self, path: str | Path, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.detail = message
        where = f"{Path(self.path).name}" + (f" 第{line}行" if line else "")
        super().__init__(f"{where}: {message}")
