"""The store: parsed Documents -> the tables of dashboard/sql/tables.sql, one transaction per batch, bulk Arrow
inserts. Only dashboard/load/ opens a Store, and only on a staged copy (dashboard/load/files.py), never on the
database readers use.

A batch that fails as a whole is retried document by document, so one bad document never takes the others down
and never leaves half-written rows. Re-ingesting an unchanged file (same sha256) adds nothing; a changed file at
the same path replaces its earlier rows; a form (kind, year, unit, project, dataset) loaded again, from another
file or from another file of the same batch, supersedes the earlier copy: the later one is kept.

Rows are built in one place, `_row`: every column of a table takes the field of the same name from the record
(a dataclass of dashboard/ingest/model.py), unless the call names it. So a new column needs only its line in
tables.sql and its field in the model.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from dashboard import schema
from dashboard.ingest.model import Document, Report
from dashboard.ingest.units import UnitRegistry
from dashboard.ingest.validate import CROSS_RULES, RULES, cross_rules_params, cross_rules_sql, target_met
from dashboard.load import derived
from dashboard.load.result import FileResult

# The tables a batch writes, in the order they are inserted.
BATCH_TABLES = (
    "sources",
    "reports",
    "budget_lines",
    "goals",
    "indicators",
    "findings",
    "level1_norms",
    "report_notes",
)
# A form's identity: the same form loaded twice is stored once (demo and real copies are different forms).
FORM_KEY = ("kind", "year", "unit_id", "project", "is_synthetic")


class SchemaOutdated(Exception):
    """The database file was built with other tables (another version of tables.sql)."""


def stored_schema_version(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = con.execute("select value from meta where key = ?", [schema.SCHEMA_VERSION_KEY]).fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


class Store:
    """A read-write connection to one (staged) database file, with the ids and identities already stored."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.con = duckdb.connect(str(self.path))
        try:
            self._open()
        except BaseException:
            self.con.close()
            raise

    def _scalar(self, sql: str, params: list | None = None) -> Any:
        row = self.con.execute(sql, params or []).fetchone()
        assert row is not None  # aggregates always return a row
        return row[0]

    def _open(self) -> None:
        existing = self._scalar("select count(*) from information_schema.tables where table_name = 'reports'")
        if existing and stored_schema_version(self.con) != schema.schema_version():
            raise SchemaOutdated(
                f"数据库 {self.path} 由旧版本的表结构生成，需要重新导入（jixiao ingest --rebuild）"
            )
        self.con.execute(schema.tables_sql())
        self.set_meta(schema.SCHEMA_VERSION_KEY, schema.schema_version())
        self._sync_rules()
        self.columns = {
            table: [
                r[0]
                for r in self.con.execute(
                    "select column_name from information_schema.columns where table_name = ? "
                    "order by ordinal_position",
                    [table],
                ).fetchall()
            ]
            for table in BATCH_TABLES
        }
        self._load_state()
        # The forms this store has loaded, so a later batch that replaces one corrects that file's result.
        self._loaded: dict[int, tuple[FileResult, int, int]] = {}

    def close(self) -> None:
        """Checkpoint and close: the file is complete on its own, with no write-ahead log beside it."""
        try:
            self.con.execute("checkpoint")
        finally:
            self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- state --------------------------------------------------------------------------------------------
    def set_meta(self, key: str, value: str) -> None:
        self.con.execute("begin")
        self.con.execute("delete from meta where key = ?", [key])
        self.con.execute("insert into meta values (?, ?)", [key, value])
        self.con.execute("commit")

    def meta(self, key: str) -> str | None:
        row = self.con.execute("select value from meta where key = ?", [key]).fetchone()
        return row[0] if row else None

    def _load_state(self) -> None:
        q = self.con.execute
        # Report ids are never reused, not even of reports deleted since the derived tables were last refreshed
        # (a writer killed before its refresh): the derived tables add the rows of reports above their highest id.
        derived_max = [
            self._scalar(f"select coalesce(max(report_id), 0) from {d.table}")
            for d in schema.DERIVED
            if d.upkeep == "report" and d.table in self._table_names()
        ]
        self.next_id = {
            kind: self._scalar(f"select coalesce(max({kind}_id), 0) + 1 from {table}")
            for kind, table in (
                ("source", "sources"),
                ("report", "reports"),
                ("indicator", "indicators"),
                ("finding", "findings"),
            )
        }
        self.next_id["report"] = max([self.next_id["report"], *(m + 1 for m in derived_max)])
        self.ok_shas = {r[0] for r in q("select sha256 from sources where status <> 'failed'").fetchall()}
        self.units = UnitRegistry.from_rows(q("select unit_id, name, aliases from units").fetchall())
        # What is stored already, so a batch of new files skips the deletes that would scan every table:
        # known paths (any status) and form identities. Both only grow; a stale entry costs one empty delete.
        self.paths = {r[0] for r in q("select distinct path from sources").fetchall()}
        self.form_keys = set(
            q(
                "select kind, year, unit_id, coalesce(project, ''), coalesce(is_synthetic, false) from reports"
            ).fetchall()
        )

    def _table_names(self) -> set[str]:
        rows = self.con.execute(
            "select table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
        return {r[0] for r in rows}

    def refresh_derived(self) -> str:
        """Bring the derived tables (dashboard/load/derived.py) up to date; call it after the last write."""
        return derived.refresh(self.con)

    def known_shas(self) -> set[str]:
        """The content hashes of the files stored (not failed): loading one of them again adds nothing."""
        return set(self.ok_shas)

    def _sync_rules(self) -> None:
        rows = [(rule, sev, desc) for rule, (sev, desc) in RULES.items()]
        self.con.execute("begin")
        self.con.execute("delete from rules")
        self.con.executemany("insert into rules values (?, ?, ?)", rows)
        self.con.execute("commit")

    def _take(self, kind: str, n: int = 1) -> int:
        first = self.next_id[kind]
        self.next_id[kind] += n
        return first

    # -- loading ------------------------------------------------------------------------------------------
    def load(self, docs: list[Document]) -> list[FileResult]:
        """Store a batch of parsed documents; returns one result per document, in order."""
        results: dict[int, FileResult] = {}
        pending: list[Document] = []
        seen: set[str] = set()
        for d in docs:
            if d.error is not None:
                continue
            if d.sha256 in self.ok_shas or d.sha256 in seen:  # stored, or twice in this batch
                results[id(d)] = FileResult(d.path, "unchanged")
            else:
                seen.add(d.sha256)
                pending.append(d)
        failed = [d for d in docs if d.error is not None]
        if pending:
            try:
                results.update(self._write(pending))
            except duckdb.Error:
                for d in pending:  # find the culprit: each document on its own
                    try:
                        results.update(self._write([d]))
                    except duckdb.Error as e:
                        d.error = f"{Path(d.path).name}: 写入数据库失败（{e}）"
                        failed.append(d)
        for d in failed:
            results[id(d)] = self._write_failure(d)
        return [results[id(d)] for d in docs]

    def _write_failure(self, d: Document) -> FileResult:
        row = self._row(
            "sources",
            d,
            source_id=self._take("source"),
            ingested_at=_now(),
            status="failed",
            n_reports=0,
            notes="；".join(d.skipped) or None,
        )
        self.con.execute("begin")
        try:
            # One row per file tried: a retry of the same failing file replaces the earlier failure row.
            self.con.execute("delete from sources where path = ? and status = 'failed'", [d.path])
            self._insert({"sources": {k: [v] for k, v in row.items()}})
            self.con.execute("commit")
            self.paths.add(d.path)
        except duckdb.Error:
            self.con.execute("rollback")
            raise
        return FileResult(d.path, "failed", error=d.error)

    def _write(self, docs: list[Document]) -> dict[int, FileResult]:
        saved_ids = dict(self.next_id)
        saved_units = (
            dict(self.units.by_key),
            dict(self.units.names),
            {k: list(v) for k, v in self.units.aliases.items()},
            set(self.units.dirty),
        )
        self.con.execute("begin")
        try:
            results, keys, replaced, loaded = self._write_in_transaction(docs)
            self._write_units()
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            self.next_id = saved_ids
            (self.units.by_key, self.units.names, self.units.aliases, self.units.dirty) = saved_units
            raise
        self.units.dirty.clear()
        for d in docs:
            self.ok_shas.add(d.sha256)
            self.paths.add(d.path)
        self.form_keys.update(keys)
        self._loaded.update(loaded)
        for (
            report_id
        ) in replaced:  # forms this store loaded earlier (this batch or an earlier one) and replaced
            if report_id in self._loaded:
                res, n_indicators, n_findings = self._loaded.pop(report_id)
                res.reports -= 1
                res.indicators -= n_indicators
                res.findings -= n_findings
                res.superseded += 1
                if res.reports == 0:
                    res.status = "superseded"
        return results

    def _write_in_transaction(
        self, docs: list[Document]
    ) -> tuple[dict[int, FileResult], set[tuple], list[int], dict[int, tuple[FileResult, int, int]]]:
        tables: dict[str, dict[str, list]] = {name: {} for name in BATCH_TABLES}
        results: dict[int, FileResult] = {}
        paths = [d.path for d in docs if d.path in self.paths]
        replaced_paths: set[str] = set()
        if paths:
            replaced_paths = {
                r[0]
                for r in self.con.execute(
                    "select distinct path from sources where list_contains(?, path) and status <> 'failed'",
                    [paths],
                ).fetchall()
            }
            self._delete_sources_at(paths)
        now = _now()
        keys: list[tuple] = []  # (form key…, report_id) in load order
        loaded: dict[
            int, tuple[FileResult, int, int]
        ] = {}  # report_id -> (its file's result, indicators, findings)
        for d in docs:
            source_id = self._take("source")
            res = FileResult(d.path, "replaced" if d.path in replaced_paths else "ok", reports=len(d.reports))
            _add(
                tables["sources"],
                self._row(
                    "sources",
                    d,
                    source_id=source_id,
                    ingested_at=now,
                    status="ok",
                    error=None,
                    n_reports=len(d.reports),
                    notes="；".join(d.skipped) or None,
                ),
            )
            for r in d.reports:
                report_id = self._take("report")
                unit_id, unit = self.units.resolve(r.unit)
                keys.append((r.kind, r.year, unit_id, r.project or "", d.is_synthetic, report_id))
                self._add_report(tables, r, report_id, source_id, unit_id, unit, d.is_synthetic)
                res.indicators += len(r.indicators)
                res.findings += len(r.findings)
                loaded[report_id] = (res, len(r.indicators), len(r.findings))
            results[id(d)] = res
        self._insert(tables)
        return results, {k[:5] for k in keys}, self._supersede(keys), loaded

    def _insert(self, tables: dict[str, dict[str, list]]) -> None:
        for name, columns in tables.items():
            if columns:
                self.con.register("_batch", pa.Table.from_pydict(columns))
                self.con.execute(f"insert into {name} by name select * from _batch")
                self.con.unregister("_batch")

    def _row(self, table: str, record: Any, **named: Any) -> dict[str, Any]:
        """One row of `table`: each column from the record's field of that name, unless `named` gives it."""
        fields = _field_names(record.__class__)
        return {
            col: named[col] if col in named else (getattr(record, col) if col in fields else None)
            for col in self.columns[table]
        }

    def _add_report(
        self,
        tables: dict[str, dict[str, list]],
        r: Report,
        report_id: int,
        source_id: int,
        unit_id: int | None,
        unit: str | None,
        synthetic: bool,
    ) -> None:
        total = r.total_line
        _add(
            tables["reports"],
            self._row(
                "reports",
                r,
                report_id=report_id,
                source_id=source_id,
                unit=unit,
                unit_id=unit_id,
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
            ),
        )
        for b in r.budget_lines:
            _add(tables["budget_lines"], self._row("budget_lines", b, report_id=report_id))
        for g in r.goals:
            _add(tables["goals"], self._row("goals", g, report_id=report_id))
        first_indicator = self._take("indicator", len(r.indicators))
        ids_by_seq = {}
        for k, i in enumerate(r.indicators):
            ids_by_seq[i.seq] = first_indicator + k
            _add(
                tables["indicators"],
                self._row(
                    "indicators",
                    i,
                    indicator_id=first_indicator + k,
                    report_id=report_id,
                    target_met=target_met(i),
                ),
            )
        for f in r.findings:
            _add(
                tables["findings"],
                self._row(
                    "findings",
                    f,
                    finding_id=self._take("finding"),
                    report_id=report_id,
                    indicator_id=ids_by_seq.get(f.indicator_seq) if f.indicator_seq else None,
                ),
            )
        for n in r.notes:
            _add(tables["report_notes"], self._row("report_notes", n, report_id=report_id))
        for level1, weight in r.level1_norms.items():
            _add(
                tables["level1_norms"],
                {"report_id": report_id, "level1": level1, "weight": weight, "origin": r.level1_norms_origin},
            )

    def _delete_reports(self, where: str, params: list) -> None:
        ids = f"select report_id from reports where {where}"
        for table in ("findings", "indicators", "goals", "budget_lines", "level1_norms", "report_notes"):
            self.con.execute(f"delete from {table} where report_id in ({ids})", params)
        self.con.execute(f"delete from reports where {where}", params)

    def _delete_sources_at(self, paths: list[str]) -> None:
        where = "source_id in (select source_id from sources where list_contains(?, path))"
        self._delete_reports(where, [paths])
        self.con.execute("delete from sources where list_contains(?, path)", [paths])

    def _supersede(self, keys: list[tuple]) -> list[int]:
        """Of the forms with the identity of a form just loaded, keep the last loaded (the highest report_id)
        and delete the others, whether an earlier batch or this one stored them; a file left without forms
        becomes 'superseded'. Demo forms never replace real ones (nor real ones demo forms): the dataset is part
        of a form's identity. A form without a year or a unit (the tail of a form cut at a page) has no identity:
        it never replaces another. Returns the report_ids deleted."""
        keys = [k for k in keys if k[1] is not None and k[2] is not None]
        counts: dict[tuple, int] = {}
        for k in keys:
            counts[k[:5]] = counts.get(k[:5], 0) + 1
        clashing = {k for k, n in counts.items() if n > 1 or k in self.form_keys}
        if not clashing:
            return []
        self.con.register("_keys", pa.Table.from_pylist([dict(zip(FORM_KEY, k)) for k in clashing]))
        try:
            where = (
                "report_id in (select report_id from ("
                "  select r.report_id, max(r.report_id) over (partition by k.kind, k.year, k.unit_id, k.project,"
                "      k.is_synthetic) as newest"
                "  from reports r join _keys k on r.kind = k.kind and r.year is not distinct from k.year"
                "   and r.unit_id is not distinct from k.unit_id and coalesce(r.project, '') = k.project"
                "   and coalesce(r.is_synthetic, false) = k.is_synthetic"
                ") where report_id < newest)"
            )
            stale = self.con.execute(f"select report_id, source_id from reports where {where}").fetchall()
            self._delete_reports(where, [])
        finally:
            self.con.unregister("_keys")
        if stale:
            self.con.execute(
                "update sources set status = 'superseded' where list_contains(?, source_id) "
                "and source_id not in (select source_id from reports)",
                [sorted({s for _, s in stale})],
            )
        return [r for r, _ in stale]

    def _write_units(self) -> None:
        if not self.units.dirty:
            return
        ids = sorted(self.units.dirty)
        self.con.execute("delete from units where list_contains(?, unit_id)", [ids])
        rows = [(i, self.units.names[i], self.units.aliases[i]) for i in ids]
        self.con.executemany("insert into units values (?, ?, ?)", rows)

    # -- findings across forms ------------------------------------------------------------------------------
    def refresh_cross_findings(self) -> int:
        """Recompute the rules that compare forms with each other (dashboard/ingest/cross_rules.sql); returns
        how many findings they gave."""
        self.con.execute("begin")
        try:
            self.con.execute("delete from findings where list_contains(?, rule)", [list(CROSS_RULES)])
            start = self._take("finding", 0)
            self.con.execute(cross_rules_sql(), cross_rules_params(start))
            n = self._scalar("select count(*) from findings where finding_id >= ?", [start])
            self.next_id["finding"] = start + n
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise
        return n


@functools.cache
def _field_names(cls: Any) -> frozenset[str]:
    return (
        frozenset(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else frozenset()
    )


def _add(table: dict[str, list], row: dict[str, Any]) -> None:
    for key, value in row.items():
        table.setdefault(key, []).append(value)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)
