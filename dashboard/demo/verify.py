"""Compare an ingested demo corpus with its ground_truth.json, field by field.

One truth form is matched to the stored report from the same file with the same kind and project; its fields,
budget lines and indicators (by position) are compared; each planted defect must be reported by its rule at its
place (indicator, budget line or form), and the planted rules must report nothing where nothing was planted.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.db import Connection, connect
from dashboard.demo.model import PLANTED_RULES
from dashboard.ingest.vocab import normalize_key

REPORT_FIELDS = (
    "kind",
    "year",
    "supervisor",
    "project",
    "budget_initial",
    "budget_full_year",
    "budget_executed",
    "execution_rate_stated_pct",
    "execution_weight",
    "execution_score",
    "stated_total",
    "computed_total",
    "weight_total",
)
BUDGET_FIELDS = ("initial", "full_year", "executed", "execution_rate_stated_pct", "weight", "score")
INDICATOR_FIELDS = (
    "level1",
    "level2",
    "level3",
    "target_text",
    "target_op",
    "target_value",
    "target_unit",
    "actual_text",
    "actual_value",
    "actual_unit",
    "weight",
    "score",
    "note",
)
BUDGET_RULES = ("missing_budget_cell", "execution_rate_mismatch", "project_budget_mismatch")


@dataclass
class Comparison:
    fields: int = 0
    correct: int = 0
    mismatches: list[str] = field(default_factory=list)
    by_field: Counter = field(default_factory=Counter)  # field -> wrong count
    missing_defects: list[str] = field(default_factory=list)
    unexpected_findings: list[str] = field(default_factory=list)
    found_by_rule: Counter = field(default_factory=Counter)
    planted_by_rule: Counter = field(default_factory=Counter)
    rule_counts: Counter = field(default_factory=Counter)  # every rule in the database
    forms: int = 0
    indicators: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.fields if self.fields else 0.0

    def check(self, where: str, name: str, want: object, got: object) -> None:
        self.fields += 1
        if _same(want, got):
            self.correct += 1
        else:
            self.by_field[name] += 1
            self.mismatches.append(f"{where} {name}: 应为 {want!r}，读出 {got!r}")

    def summary(self, limit: int = 40) -> str:
        lines = [
            f"字段准确率 {self.accuracy:.4%}（{self.correct}/{self.fields}），表 {self.forms}，指标 {self.indicators}"
        ]
        if self.by_field:
            lines.append("出错字段：" + "，".join(f"{k} {v}" for k, v in self.by_field.most_common()))
        lines += self.mismatches[:limit]
        if len(self.mismatches) > limit:
            lines.append(f"……另有 {len(self.mismatches) - limit} 处不一致")
        for label, items in (
            ("未被发现的植入问题", self.missing_defects),
            ("多出的核查发现", self.unexpected_findings),
        ):
            if items:
                lines.append(f"{label} {len(items)} 条：")
                lines += [f"  {x}" for x in items[:limit]]
        return "\n".join(lines)


def _same(want: object, got: object) -> bool:
    if want is None or got is None:
        return (want is None or want == "") and (got is None or got == "")
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(float(want), float(got), rel_tol=1e-9, abs_tol=1e-6)
    return want == got


def _rows(con: Connection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _clean(v: object) -> object:
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def compare(db_path: str | Path, truth: dict | str | Path) -> Comparison:
    data = truth if isinstance(truth, dict) else json.loads(Path(truth).read_text(encoding="utf-8"))
    con = connect(db_path)
    try:
        return _compare(con, data)
    finally:
        con.close()


def _compare(con: Connection, truth: dict) -> Comparison:
    out = Comparison()
    reports = _rows(con, "select r.*, s.path from reports r join sources s using (source_id)")
    by_file: dict[str, list[dict]] = defaultdict(list)
    for r in reports:
        by_file[Path(r["path"]).name].append(r)
    indicators: dict[int, list[dict]] = defaultdict(list)
    for i in _rows(con, "select * from indicators order by report_id, seq"):
        indicators[i["report_id"]].append(i)
    budget: dict[int, list[dict]] = defaultdict(list)
    for b in _rows(con, "select * from budget_lines order by report_id, source_line"):
        budget[b["report_id"]].append(b)
    findings = _rows(con, "select f.*, i.seq from findings f left join indicators i using (indicator_id)")
    out.rule_counts = Counter(f["rule"] for f in findings)

    matched: dict[int, tuple[str, int]] = {}  # report_id -> (file, form index)
    unit_ids: dict[str, Counter] = defaultdict(Counter)
    unit_checks: list[tuple[str, str, dict, dict]] = []
    for doc in truth["documents"]:
        stored = by_file.get(doc["file"], [])
        for k, form in enumerate(doc["forms"]):
            where = f"{doc['file']} 第{k + 1}张表（{form['project'] or '部门整体'}）"
            out.forms += 1
            out.indicators += len(form["indicators"])
            rep = next(
                (
                    r
                    for r in stored
                    if r["kind"] == form["kind"]
                    and r["project"] == form["project"]
                    and r["report_id"] not in matched
                ),
                None,
            )
            if rep is None:
                n = (
                    1
                    + len(REPORT_FIELDS)
                    + sum(len(BUDGET_FIELDS) for _ in form["budget_lines"])
                    + len(INDICATOR_FIELDS) * len(form["indicators"])
                )
                out.fields += n
                out.by_field["(form missing)"] += n
                out.mismatches.append(f"{where}: 未读出此表")
                continue
            matched[rep["report_id"]] = (doc["file"], k)
            for name in REPORT_FIELDS:
                out.check(where, name, form[name], _clean(rep[name]))
            unit_ids[form["unit"]][rep["unit_id"]] += 1
            unit_checks.append((where, form["unit"], form, rep))
            lines = {b["line"]: b for b in budget[rep["report_id"]]}
            for want in form["budget_lines"]:
                got = lines.get(want["line"], {})
                for name in BUDGET_FIELDS:
                    out.check(f"{where} 预算行“{want['line']}”", name, want[name], _clean(got.get(name)))
            got_inds = indicators[rep["report_id"]]
            for want in form["indicators"]:
                got = got_inds[want["seq"] - 1] if want["seq"] <= len(got_inds) else {}
                w = f"{where} 指标{want['seq']}（{want['level3']}）"
                for name in INDICATOR_FIELDS:
                    out.check(w, name, want[name], _clean(got.get(name)))
            if len(got_inds) > len(form["indicators"]):
                extra = len(got_inds) - len(form["indicators"])
                out.fields += extra
                out.by_field["(extra indicator)"] += extra
                out.mismatches.append(f"{where}: 多读出 {extra} 个指标")

    # Units: the written name is read, and every spelling of one unit lands on one unit_id of its own.
    owner: dict[int, str] = {}
    for unit, ids in unit_ids.items():
        uid = ids.most_common(1)[0][0]
        owner.setdefault(uid, unit)
    for where, unit, form, rep in unit_checks:
        uid = unit_ids[unit].most_common(1)[0][0]
        ok_id = rep["unit_id"] == uid and owner.get(uid) == unit
        ok_name = normalize_key(rep["unit_raw"] or "") == normalize_key(form["unit_written"])
        got_unit = (
            form["unit_written"] if ok_id and ok_name else f"{rep['unit_raw']} (unit_id {rep['unit_id']})"
        )
        out.check(where, "unit", form["unit_written"], got_unit)

    # Planted defects against findings.
    expected: Counter[tuple] = Counter()
    for d in truth.get("defects", []):
        loc = d["indicator_seq"] if d["indicator_seq"] is not None else d["budget_line"]
        expected[(d["file"], d["form"], d["rule"], loc)] += 1
        out.planted_by_rule[d["rule"]] += 1
    found: Counter[tuple] = Counter()
    for f in findings:
        if f["rule"] not in PLANTED_RULES or f["report_id"] not in matched:
            continue
        file, k = matched[f["report_id"]]
        loc = f["seq"]
        if loc is None:
            line = next(
                (b["line"] for b in budget[f["report_id"]] if b["source_line"] == f["source_line"]), None
            )
            loc = line if f["rule"] in BUDGET_RULES else None
        found[(file, k, f["rule"], loc)] += 1
    for key, n in expected.items():
        hit = min(n, found.get(key, 0))
        out.found_by_rule[key[2]] += hit
        if hit < n:
            out.missing_defects.append(f"{key[0]} 第{key[1] + 1}张表 {key[2]} @ {key[3]}")
    for key, n in found.items():
        if n > expected.get(key, 0):
            out.unexpected_findings.append(f"{key[0]} 第{key[1] + 1}张表 {key[2]} @ {key[3]}")
    return out
