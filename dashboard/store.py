"""The single writer: parsed Documents -> DuckDB, one transaction per batch of documents, bulk Arrow inserts.

A batch that fails as a whole is retried document by document, so one bad document never takes the others down
and never leaves half-written rows. Re-ingesting an unchanged file (same sha256) adds nothing; a changed file at the
same path replaces its earlier rows; a form (kind, year, unit, project) ingested again from another file
replaces the earlier copy of that form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from dashboard.ingest.model import Document, Report
from dashboard.ingest.units import UnitRegistry
from dashboard.ingest.validate import RULES, target_met

CROSS_RULES = ("project_budget_mismatch", "copied_note")
INDICATOR_EXTRAS = (
    "op_text",
    "measure_unit",
    "target_adjusted",
    "coefficient",
    "weight_share",
    "converted_score",
    "review_score",
    "method",
    "is_core",
    "content",
    "evidence",
)
COPIED_NOTE_MIN_LENGTH = 15


@dataclass
class DocResult:
    path: str
    status: str  # ok | replaced | unchanged | failed
    reports: int = 0
    indicators: int = 0
    findings: int = 0
    error: str | None = None


def schema_sql() -> str:
    return resources.files("dashboard").joinpath("schema.sql").read_text(encoding="utf-8")


def schema_version() -> str:
    """A fingerprint of schema.sql: a database built with another schema is rebuilt, never half-migrated."""
    return hashlib.sha256(schema_sql().encode("utf-8")).hexdigest()[:16]


class SchemaOutdated(Exception):
    """The database file was built with an older schema."""


def stored_schema_version(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = con.execute("select value from meta where key = 'schema_version'").fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def is_current(path: str | Path) -> bool:
    """True if the file exists and was built with this schema (opened read-only, so readers may hold it)."""
    if not Path(path).exists():
        return False
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return False
    try:
        return stored_schema_version(con) == schema_version()
    finally:
        con.close()


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(str(self.path))
        existing = self.con.execute(
            "select count(*) from information_schema.tables where table_name = 'reports'"
        ).fetchone()[0]
        version = stored_schema_version(self.con)
        if existing and version != schema_version():
            self.con.close()
            raise SchemaOutdated(
                f"数据库 {self.path} 由旧版本的表结构生成，请删除该文件后重新导入（jixiao ingest --rebuild）"
            )
        self.con.execute(schema_sql())
        self.con.execute("create table if not exists meta (key varchar, value varchar)")
        self.con.execute("delete from meta where key = 'schema_version'")
        self.con.execute("insert into meta values ('schema_version', ?)", [schema_version()])
        self._sync_rules()
        self._load_state()

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- state --------------------------------------------------------------------------------------------
    def _load_state(self) -> None:
        q = self.con.execute
        self.next_id = {
            "source": q("select coalesce(max(source_id), 0) + 1 from sources").fetchone()[0],
            "report": q("select coalesce(max(report_id), 0) + 1 from reports").fetchone()[0],
            "indicator": q("select coalesce(max(indicator_id), 0) + 1 from indicators").fetchone()[0],
            "finding": q("select coalesce(max(finding_id), 0) + 1 from findings").fetchone()[0],
        }
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
    def load(self, docs: list[Document]) -> list[DocResult]:
        """Store a batch of parsed documents; returns one result per document, in order."""
        pending = [d for d in docs if d.error is None and d.sha256 not in self.ok_shas]
        results: dict[int, DocResult] = {}
        for d in docs:
            if d.error is None and d.sha256 in self.ok_shas:
                results[id(d)] = DocResult(d.path, "unchanged")
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

    def _write_failure(self, d: Document) -> DocResult:
        self.con.execute("begin")
        try:
            # One row per file tried: a retry of the same failing file replaces the earlier failure row.
            self.con.execute("delete from sources where path = ? and status = 'failed'", [d.path])
            self.con.execute(
                "insert into sources values (?, ?, ?, ?, ?, ?, 'failed', ?, ?, 0, ?)",
                [
                    self._take("source"),
                    d.path,
                    d.sha256,
                    d.format,
                    d.template,
                    _now(),
                    d.error,
                    d.is_synthetic,
                    "；".join(d.skipped) or None,
                ],
            )
            self.con.execute("commit")
            self.paths.add(d.path)
        except duckdb.Error:
            self.con.execute("rollback")
            raise
        return DocResult(d.path, "failed", error=d.error)

    def _write(self, docs: list[Document]) -> dict[int, DocResult]:
        saved_ids = dict(self.next_id)
        saved_units = (
            dict(self.units.by_key),
            dict(self.units.names),
            {k: list(v) for k, v in self.units.aliases.items()},
            set(self.units.dirty),
        )
        self.con.execute("begin")
        try:
            results = self._write_in_transaction(docs)
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
        self.form_keys.update(k[:5] for k in self._batch_keys)
        return results

    def _write_in_transaction(self, docs: list[Document]) -> dict[int, DocResult]:
        tables: dict[str, dict[str, list]] = {
            name: {}
            for name in (
                "sources",
                "reports",
                "budget_lines",
                "goals",
                "indicators",
                "findings",
                "level1_norms",
                "report_notes",
            )
        }
        results: dict[int, DocResult] = {}
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
        keys: list[tuple] = []
        for d in docs:
            source_id = self._take("source")
            res = DocResult(d.path, "replaced" if d.path in replaced_paths else "ok", reports=len(d.reports))
            _append(
                tables["sources"],
                source_id=source_id,
                path=d.path,
                sha256=d.sha256,
                format=d.format,
                template=d.template,
                ingested_at=now,
                status="ok",
                error=None,
                is_synthetic=d.is_synthetic,
                n_reports=len(d.reports),
                notes="；".join(d.skipped) or None,
            )
            for r in d.reports:
                report_id = self._take("report")
                unit_id, unit = self.units.resolve(r.unit)
                keys.append((r.kind, r.year, unit_id, r.project or "", d.is_synthetic, report_id))
                self._append_report(tables, r, report_id, source_id, unit_id, unit, d.is_synthetic)
                res.indicators += len(r.indicators)
                res.findings += len(r.findings)
            results[id(d)] = res
        self._delete_replaced_forms(keys)
        self._batch_keys = keys
        for name, columns in tables.items():
            if columns:
                arrow = pa.Table.from_pydict(columns)
                self.con.register("_batch", arrow)
                self.con.execute(f"insert into {name} by name select * from _batch")
                self.con.unregister("_batch")
        return results

    def _append_report(
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
        _append(
            tables["reports"],
            report_id=report_id,
            source_id=source_id,
            kind=r.kind,
            year=r.year,
            unit=unit,
            unit_id=unit_id,
            unit_raw=r.unit,
            supervisor=r.supervisor,
            project=r.project,
            project_code=r.project_code,
            title=r.title,
            template=r.template,
            budget_initial=total.initial if total else None,
            budget_full_year=total.full_year if total else None,
            budget_executed=total.executed if total else None,
            execution_rate_stated_pct=total.execution_rate_stated_pct if total else None,
            execution_rate_pct=r.execution_rate_pct,
            execution_weight=r.execution_weight,
            execution_score=r.execution_score,
            stated_total=r.stated_total,
            stated_weight_total=r.stated_weight_total,
            computed_total=r.computed_total,
            weight_total=r.weight_total,
            level1_norms_origin=r.level1_norms_origin,
            source_line=r.source_line,
            is_synthetic=synthetic,
            source_ref=r.source_ref,
            header_share=r.header_share,
            rows_seen=r.rows_seen,
            rows_placed=r.rows_placed,
            confidence=r.confidence,
        )
        for b in r.budget_lines:
            _append(
                tables["budget_lines"],
                report_id=report_id,
                line=b.line,
                initial=b.initial,
                full_year=b.full_year,
                executed=b.executed,
                execution_rate_stated_pct=b.execution_rate_stated_pct,
                weight=b.weight,
                score=b.score,
                source_line=b.source_line,
                source_ref=b.source_ref,
            )
        for g in r.goals:
            _append(
                tables["goals"],
                report_id=report_id,
                seq=g.seq,
                goal_text=g.goal_text,
                outcome_text=g.outcome_text,
            )
        first_indicator = self._take("indicator", len(r.indicators))
        ids_by_seq = {}
        for k, i in enumerate(r.indicators):
            ids_by_seq[i.seq] = first_indicator + k
            _append(
                tables["indicators"],
                indicator_id=first_indicator + k,
                report_id=report_id,
                seq=i.seq,
                level1=i.level1,
                level2=i.level2,
                level3=i.level3,
                target_text=i.target_text,
                target_op=i.target_op,
                target_value=i.target_value,
                target_unit=i.target_unit,
                actual_text=i.actual_text,
                actual_value=i.actual_value,
                actual_unit=i.actual_unit,
                weight=i.weight,
                score=i.score,
                note=i.note,
                source_line=i.source_line,
                raw_text=i.raw_text,
                target_met=target_met(i),
                source_ref=i.source_ref,
                **{name: getattr(i, name) for name in INDICATOR_EXTRAS},
            )
        for f in r.findings:
            _append(
                tables["findings"],
                finding_id=self._take("finding"),
                report_id=report_id,
                indicator_id=ids_by_seq.get(f.indicator_seq) if f.indicator_seq else None,
                rule=f.rule,
                severity=f.severity,
                message=f.message,
                source_line=f.source_line,
                source_ref=f.source_ref,
            )
        for n in r.notes:
            _append(
                tables["report_notes"],
                report_id=report_id,
                label=n.label,
                text=n.text,
                source_line=n.source_line,
            )
        for level1, weight in r.level1_norms.items():
            _append(
                tables["level1_norms"],
                report_id=report_id,
                level1=level1,
                weight=weight,
                origin=r.level1_norms_origin,
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

    def _delete_replaced_forms(self, keys: list[tuple]) -> None:
        """A form already stored from another file is replaced by the copy being loaded. Demo forms never
        replace real ones (nor real ones demo forms): the dataset is part of a form's identity."""
        keys = [k for k in keys if k[:5] in self.form_keys]
        if not keys:
            return
        names = ("kind", "year", "unit_id", "project", "is_synthetic", "report_id")
        batch = pa.Table.from_pylist([dict(zip(names, k)) for k in keys])
        self.con.register("_keys", batch)
        where = (
            "report_id in (select r.report_id from reports r join _keys k on r.kind = k.kind "
            "and r.year is not distinct from k.year and r.unit_id is not distinct from k.unit_id "
            "and coalesce(r.project, '') = k.project "
            "and coalesce(r.is_synthetic, false) = k.is_synthetic)"
        )
        stale = self.con.execute(f"select distinct source_id from reports where {where}").fetchall()
        self._delete_reports(where, [])
        self.con.unregister("_keys")
        if stale:
            self.con.execute(
                "update sources set status = 'superseded' where list_contains(?, source_id) "
                "and source_id not in (select source_id from reports)",
                [[s[0] for s in stale]],
            )

    def _write_units(self) -> None:
        if not self.units.dirty:
            return
        ids = sorted(self.units.dirty)
        self.con.execute("delete from units where list_contains(?, unit_id)", [ids])
        rows = [(i, self.units.names[i], self.units.aliases[i]) for i in ids]
        self.con.executemany("insert into units values (?, ?, ?)", rows)

    # -- findings across forms ------------------------------------------------------------------------------
    def refresh_cross_findings(self) -> int:
        """Recompute the rules that compare forms with each other; returns how many findings they gave."""
        self.con.execute("begin")
        try:
            self.con.execute("delete from findings where list_contains(?, rule)", [list(CROSS_RULES)])
            start = self._take("finding", 0)
            self.con.execute(
                _CROSS_SQL,
                {
                    "start": start,
                    "min_len": COPIED_NOTE_MIN_LENGTH,
                    "sev_budget": RULES["project_budget_mismatch"][0],
                    "sev_copied": RULES["copied_note"][0],
                },
            )
            n = self.con.execute("select count(*) from findings where finding_id >= ?", [start]).fetchone()[0]
            self.next_id["finding"] = start + n
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise
        return n


_CROSS_SQL = """
insert into findings (finding_id, report_id, indicator_id, rule, severity, message, source_line, source_ref)
with project_sums as (
    select unit_id, year, sum(budget_full_year) as projects_full_year, count(*) as n_projects
    from reports where kind = 'project' group by all
),
budget_gaps as (
    select d.report_id, b.full_year as dept_project_budget, p.projects_full_year, p.n_projects, b.source_line,
           b.source_ref
    from reports d
    join budget_lines b on b.report_id = d.report_id and b.line = '项目支出'
    join project_sums p on p.unit_id = d.unit_id and p.year = d.year
    where d.kind = 'department' and abs(coalesce(b.full_year, 0) - p.projects_full_year) > 0.005
),
notes as (
    select i.indicator_id, i.report_id, i.source_line, i.source_ref, r.unit_id, regexp_replace(i.note, '\\s+', '', 'g') as note_key
    from indicators i join reports r using (report_id)
    where length(i.note) >= $min_len
),
copied as (
    select n.*, count(distinct unit_id) over (partition by note_key) as n_units
    from notes n
),
found as (
    select report_id, null::integer as indicator_id, 'project_budget_mismatch' as rule, $sev_budget as severity,
           '部门整体表“项目支出”全年预算数 ' || coalesce(cast(dept_project_budget as varchar), '空') || ' 万元，同年 '
           || n_projects || ' 张项目表全年预算数合计 ' || cast(round(projects_full_year, 4) as varchar) || ' 万元'
           as message, source_line, source_ref
    from budget_gaps
    union all
    select report_id, indicator_id, 'copied_note', $sev_copied,
           '偏差说明与另外 ' || (n_units - 1) || ' 个单位表格中的说明完全相同', source_line, source_ref
    from copied where n_units > 1
)
select $start + row_number() over (order by rule, report_id, indicator_id) - 1, *
from found
"""


def _append(table: dict[str, list], **row: object) -> None:
    for key, value in row.items():
        table.setdefault(key, []).append(value)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)
