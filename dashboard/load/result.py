"""What a write did: one result type for `jixiao ingest`, `jixiao app`'s start-up and the 数据导入 page."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class FileResult:
    """One file of a load. status: ok | replaced (a changed file at a known path) | unchanged (its content is
    stored already) | superseded (every form in it was replaced by a later copy in the same load) | failed."""

    path: str
    status: str
    reports: int = 0  # forms stored from this file (superseded ones not counted)
    indicators: int = 0
    findings: int = 0
    superseded: int = 0  # forms of this file that a later file of the same load replaced
    error: str | None = None


@dataclass
class LoadResult:
    """The outcome of one write. action: built (from scratch) | updated (files added to the existing
    database) | unchanged (nothing to do) | staged (loaded into a copy waiting to be committed)."""

    db: Path
    action: str = "unchanged"
    files: list[FileResult] = field(default_factory=list)
    cross_findings: int = 0
    adopted: bool = False  # the load went on from the copy a killed writer left behind

    def count(self, *statuses: str) -> int:
        return sum(r.status in statuses for r in self.files)

    @property
    def ok(self) -> int:
        """Files whose forms were stored (new or replacing an earlier version)."""
        return self.count("ok", "replaced")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.files if r.status == "failed"]

    @property
    def reports(self) -> int:
        return sum(r.reports for r in self.files)

    @property
    def indicators(self) -> int:
        return sum(r.indicators for r in self.files)

    @property
    def findings(self) -> int:
        """Findings on the forms stored, plus those of the rules over several forms."""
        return sum(r.findings for r in self.files) + self.cross_findings

    @property
    def superseded(self) -> int:
        return sum(r.superseded for r in self.files)
