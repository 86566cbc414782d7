"""Parsed Documents → the rows of the schema contract's tables, keyed by where they came from instead of by id
(ids are given afterwards, in Spark, over all files): `file_index` (the file's place in the list), `r_seq` (the
form's place in the file), `i_seq` (the indicator's place in its form), `f_seq` (the finding's). Pure: runs
inside Spark tasks.

This mirrors dashboard/load/store.py `Store._row` / `_add_report` (each column from the record's field of the
same name, unless named here); tests/test_spark_ingest.py compares the Spark ingest with the DuckDB one table by
table, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from dashboard.ingest.model import Document, Report
from dashboard.ingest.validate import target_met
from dashboard.spark import contract

# Local keys of each table, in front of the contract's columns (ids and the unit are given later).
KEYS = {
    "sources": ("file_index",),
    "reports": ("file_index", "r_seq"),
    "budget_lines": ("file_index", "r_seq"),
    "goals": ("file_index", "r_seq"),
    "indicators": ("file_index", "r_seq", "i_seq"),
    "findings": ("file_index", "r_seq", "f_seq", "indicator_i_seq"),
    "report_notes": ("file_index", "r_seq"),
    "level1_norms": ("file_index", "r_seq"),
}
# Columns given after parsing, over all files (not by the task).
LATER = {
    "sources": {"source_id"},
    "reports": {"report_id", "source_id", "unit", "unit_id"},
    "budget_lines": {"report_id"},
    "goals": {"report_id"},
    "indicators": {"indicator_id", "report_id"},
    "findings": {"finding_id", "report_id", "indicator_id"},
    "report_notes": {"report_id"},
    "level1_norms": {"report_id"},
}
TABLES = tuple(KEYS)


def staged_columns(table: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) of a staged table: its local keys, then the contract's columns parsing gives."""
    keys = [(k, "INTEGER") for k in KEYS[table]]
    return keys + [(c, t) for c, t in contract.tables()[table] if c not in LATER[table]]


def _row(table: str, record: Any, **named: Any) -> dict[str, Any]:
    fields = {f.name for f in dataclasses.fields(record)} if dataclasses.is_dataclass(record) else set()
    return {
        col: named[col] if col in named else (getattr(record, col) if col in fields else None)
        for col, _ in staged_columns(table)
    }


def document_rows(doc: Document, file_index: int, now: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    """Every row one file gives; a failed file gives its sources row only."""
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    failed = doc.error is not None
    out["sources"].append(
        _row(
            "sources",
            doc,
            file_index=file_index,
            ingested_at=now,
            status="failed" if failed else "ok",
            error=doc.error,
            n_reports=0 if failed else len(doc.reports),
            notes="；".join(doc.skipped) or None,
        )
    )
    if failed:
        return out
    for r_seq, r in enumerate(doc.reports):
        _report_rows(out, r, file_index, r_seq, doc.is_synthetic)
    return out


def _report_rows(out: dict[str, list], r: Report, file_index: int, r_seq: int, synthetic: bool) -> None:
    key = {"file_index": file_index, "r_seq": r_seq}
    total = r.total_line
    out["reports"].append(
        _row(
            "reports",
            r,
            **key,
            unit_raw=r.unit,
            budget_initial=total.initial if total else None,
            budget_full_year=total.full_year if total else None,
            budget_executed=total.executed if total else None,
            execution_rate_stated_pct=total.execution_rate_stated_pct if total else None,
            execution_rate_pct=r.execution_rate_pct,
            execution_weight=r.execution_weight,
            execution_score=r.execution_score,
            computed_total=r.computed_total,
            weight_total=r.weight_total,
            is_synthetic=synthetic,
        )
    )
    for b in r.budget_lines:
        out["budget_lines"].append(_row("budget_lines", b, **key))
    for g in r.goals:
        out["goals"].append(_row("goals", g, **key))
    k_by_seq = {}
    for k, i in enumerate(r.indicators):
        k_by_seq[i.seq] = k
        out["indicators"].append(_row("indicators", i, **key, i_seq=k, target_met=target_met(i)))
    for n, f in enumerate(r.findings):
        found = k_by_seq.get(f.indicator_seq) if f.indicator_seq else None
        out["findings"].append(_row("findings", f, **key, f_seq=n, indicator_i_seq=found))
    for note in r.notes:
        out["report_notes"].append(_row("report_notes", note, **key))
    for level1, weight in r.level1_norms.items():
        out["level1_norms"].append(
            {**key, "level1": level1, "weight": weight, "origin": r.level1_norms_origin}
        )
