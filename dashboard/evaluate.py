"""`jixiao eval`: ingest folders of real forms and compare what was stored with their hand-read expected.json.

Each folder holds excerpts of real forms and an `expected.json` (a list of {"file", "reports": [...]}, the format
and conventions of ../shared/realforms/SOURCES.md). Every field a careful human reads off a form counts once:
per form its kind, year, unit, supervisor, project, the four budget figures, the stated total and the number of
indicator rows, and per sampled indicator its level names, name, target, actual, weight and score (plus the
split-target `op` / `measure_unit` cells and a family's extra columns where the entry has them). A file that is
rejected scores nothing; a form the parser invented or split counts against the file's form count.

Text is compared after the normalisation a reader does without thinking: Simplified characters, half-width,
no whitespace, the pinyin a mirror site inserted (`項(xiàng)目`) removed, a level name's `(50分)` suffix and an
indicator's `指标1:` sequence label dropped, a leading budget or project code (`51000021R000000019951-`) ignored.
A level-1 name may be inferred from its level-2 name (数量指标 -> 产出指标) where the excerpt lost it.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import opencc

from dashboard.db import run_query
from dashboard.ingest.indicator_rows import fold_op_and_unit
from dashboard.ingest.vocab import LEVEL2_PARENT, level_key

_T2S = opencc.OpenCC("t2s")
_PINYIN = re.compile(r"\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüń]+\)")
_SEQ = re.compile(r"^指标\s*\d+\s*[:：.、]?")
_CODE = re.compile(r"^\d[0-9A-Z]{2,}\s*[-_－—:：]\s*")
_LEVEL_SUFFIX = re.compile(r"[(（]\s*\d+(?:\.\d+)?\s*分?\s*[)）]$")
_OPS = {"≥": ">=", "≧": ">=", ">=": ">=", "≤": "<=", "≦": "<=", "<=": "<=", "=": "=", "﹦": "=", "＝": "="}
NUMBER_TOLERANCE = 1e-6

INDICATOR_TEXT_FIELDS = ("level1", "level2", "level3", "target", "actual")
INDICATOR_NUMBER_FIELDS = ("weight", "score")
INDICATOR_EXTRA_FIELDS = {  # expected key -> stored column
    "op": "op_text",
    "measure_unit": "measure_unit",
    "method": "method",
    "review_score": "review_score",
    "is_core": "is_core",
    "converted_score": "converted_score",
    "target_adjusted": "target_adjusted",
}
_SPLIT_FALLBACK = {"op": "target_op", "measure_unit": "target_unit"}
BUDGET_FIELDS = {
    "initial": "budget_initial",
    "adjusted_or_full_year": "budget_full_year",
    "executed": "budget_executed",
}
FIELD_LABELS = {
    "forms": "表格数",
    "kind": "类型",
    "year": "年度",
    "unit": "单位",
    "supervisor": "主管部门",
    "project": "项目",
    "budget.initial": "年初预算",
    "budget.adjusted_or_full_year": "全年预算",
    "budget.executed": "执行数",
    "budget.execution_rate_pct": "执行率",
    "total_score": "总分",
    "indicator_count": "指标数",
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "指标名称",
    "target": "指标值",
    "actual": "完成值",
    "weight": "分值",
    "score": "得分",
    "op": "指标性质",
    "measure_unit": "度量单位",
    "method": "计算方法",
    "review_score": "复核分",
    "is_core": "核心指标",
    "converted_score": "折算得分",
    "target_adjusted": "调整指标值",
}


def norm_text(value: Any) -> str | None:
    """The comparison key of a text field (see the module docstring); None for empty."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = _PINYIN.sub("", str(value))
    text = unicodedata.normalize("NFKC", _T2S.convert(text))
    text = re.sub(r"\s+", "", text)
    text = _SEQ.sub("", text)
    text = _CODE.sub("", text)
    return text or None


def norm_level(value: Any) -> str | None:
    text = norm_text(value)
    return _LEVEL_SUFFIX.sub("", level_key(text)) or None if text else None


def norm_op(value: Any) -> str | None:
    text = norm_text(value)
    return _OPS.get(text, text) if text else None


def as_number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    text = unicodedata.normalize("NFKC", str(value)).replace(",", "").rstrip("%").strip()
    try:
        return float(text)
    except ValueError:
        return None


def same_number(expected: Any, got: Any) -> bool:
    e, g = as_number(expected), as_number(got)
    if e is None or g is None:
        return e is None and g is None
    return abs(e - g) <= NUMBER_TOLERANCE * max(1.0, abs(e))


@dataclass
class Mismatch:
    file: str
    field: str
    expected: Any
    got: Any
    where: str | None = None  # the stored row's place (第12行 …) or the form's
    context: str | None = None  # which form / indicator

    def describe(self) -> str:
        label = FIELD_LABELS.get(self.field.split(".")[-1], self.field)
        if self.field.startswith("budget."):
            label = FIELD_LABELS.get(self.field, label)
        place = f" @ {self.where}" if self.where else ""
        ctx = f"［{self.context}］" if self.context else ""
        return f"{self.file}{place} {ctx}{label}：应为 {_show(self.expected)}，读到 {_show(self.got)}"


def _show(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "（空）"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"“{value}”" if isinstance(value, str) else str(value)


@dataclass
class FileScore:
    file: str
    folder: str
    correct: int = 0
    total: int = 0
    rejected: str | None = None  # the error of a file stored as failed
    families: list[str] = field(default_factory=list)
    provinces: list[str] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)

    def check(
        self, name: str, ok: bool, expected: Any, got: Any, where: str | None, context: str | None
    ) -> None:
        self.total += 1
        if ok:
            self.correct += 1
        else:
            self.mismatches.append(Mismatch(self.file, name, expected, got, where, context))

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass
class EvalResult:
    files: list[FileScore]

    @property
    def correct(self) -> int:
        return sum(f.correct for f in self.files)

    @property
    def total(self) -> int:
        return sum(f.total for f in self.files)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0

    def by(self, attr: str) -> dict[str, tuple[int, int, int]]:
        """Accuracy per family or province: label -> (correct, total, files)."""
        out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for f in self.files:
            for label in sorted(set(getattr(f, attr))) or ["（未标注）"]:
                out[label][0] += f.correct
                out[label][1] += f.total
                out[label][2] += 1
        return {k: (v[0], v[1], v[2]) for k, v in sorted(out.items())}

    @property
    def forms(self) -> int:
        return sum(1 for f in self.files for _ in range(f.total and 1))


# -- comparing ------------------------------------------------------------------------------------------------
def _report_checks(
    exp: dict, got: dict | None, indicators: list[dict]
) -> list[tuple[str, bool, Any, Any, str | None]]:
    """(field, ok, expected, got, where) for one expected form against one stored form (None: not found)."""
    g = got or {}
    where = g.get("source_ref")
    checks: list[tuple[str, bool, Any, Any, str | None]] = []
    kind = g.get("kind")
    checks.append(("kind", got is not None and exp.get("kind") == kind, exp.get("kind"), kind, where))
    year = g.get("year")
    checks.append(
        ("year", got is not None and same_number(exp.get("year"), year), exp.get("year"), year, where)
    )
    for name, column in (("unit", "unit_raw"), ("supervisor", "supervisor"), ("project", "project")):
        value = g.get(column)
        if name == "project" and g.get("project_code") and value:
            value = f"{g['project_code']}-{value}"
        ok = got is not None and norm_text(exp.get(name)) == norm_text(value)
        checks.append((name, ok, exp.get(name), value, where))
    budget = exp.get("budget") or {}
    for name, column in BUDGET_FIELDS.items():
        value = g.get(column)
        ok = got is not None and same_number(budget.get(name), value)
        checks.append((f"budget.{name}", ok, budget.get(name), value, where))
    rate = g.get(
        "execution_rate_stated_pct"
    )  # the rate as printed; the computed one is not read off the form
    ok = got is not None and same_number(budget.get("execution_rate_pct"), rate)
    checks.append(("budget.execution_rate_pct", ok, budget.get("execution_rate_pct"), rate, where))
    total = g.get("stated_total")
    checks.append(
        (
            "total_score",
            got is not None and same_number(exp.get("total_score"), total),
            exp.get("total_score"),
            total,
            where,
        )
    )
    count = len(indicators) if got is not None else None
    checks.append(
        ("indicator_count", count == exp.get("indicator_count"), exp.get("indicator_count"), count, where)
    )
    return checks


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _indicator_checks(sample: dict, got: dict | None) -> list[tuple[str, bool, Any, Any]]:
    g = got or {}
    out: list[tuple[str, bool, Any, Any]] = []
    split = "op" in sample or "measure_unit" in sample
    for name in INDICATOR_TEXT_FIELDS:
        column = {"target": "target_text", "actual": "actual_text"}.get(name, name)
        value = g.get(column)
        expected = sample.get(name)
        if split and name in ("target", "actual") and expected is not None:
            # A split-target template's 指标性质 / 指标值 / 度量单位 cells read as one value (≥ | 95 | % -> ≥95%).
            expected = fold_op_and_unit(
                str(expected), sample.get("op") if name == "target" else None, sample.get("measure_unit")
            )
        if name in ("level1", "level2"):
            e, v = norm_level(sample.get(name)), norm_level(value)
            ok = e == v
            if not ok and name == "level1" and e is None and v is not None:
                parent = LEVEL2_PARENT.get(norm_level(g.get("level2")) or "")
                ok = parent == v  # a lost level-1 name inferred from its level-2 name
        else:
            ok = norm_text(expected) == norm_text(value)
        out.append((name, got is not None and ok, expected, value))
    for name in INDICATOR_NUMBER_FIELDS:
        value = g.get(name)
        out.append((name, got is not None and same_number(sample.get(name), value), sample.get(name), value))
    for name, column in INDICATOR_EXTRA_FIELDS.items():
        if name not in sample:
            continue
        value = g.get(column)
        if _missing(value) and name in _SPLIT_FALLBACK:
            # No 指标性质 / 度量单位 cell of its own (the cells ran together, `=100%`): the sign and the unit the
            # target was read with are the same facts.
            value = g.get(_SPLIT_FALLBACK[name])
        e = sample.get(name)
        if name == "op":
            ok = norm_op(e) == norm_op(value)
        elif name == "is_core":
            ok = _truthy(e) == _truthy(value)
        elif isinstance(e, int | float) and not isinstance(e, bool):
            ok = same_number(e, value)
        else:
            ok = as_number(e) is not None and same_number(e, value) or norm_text(e) == norm_text(value)
        out.append((name, got is not None and ok, e, value))
    return out


def _truthy(value: Any) -> bool | None:
    if _missing(value):
        return None
    if isinstance(value, bool):
        return value
    return norm_text(value) in ("是", "true", "1", "√", "核心")


def _sample_score(sample: dict, got: dict) -> float:
    checks = _indicator_checks(sample, got)
    name_bonus = 0.5 if norm_text(sample.get("level3")) == norm_text(got.get("level3")) else 0.0
    return sum(ok for _, ok, _, _ in checks) + name_bonus


def _match_samples(samples: list[dict], indicators: list[dict]) -> list[dict | None]:
    """Each sampled indicator's stored row: the best-fitting one, each stored row used once (greedy)."""
    pairs = sorted(
        (
            (_sample_score(s, g), -abs(k - j), k, j)
            for k, s in enumerate(samples)
            for j, g in enumerate(indicators)
        ),
        reverse=True,
    )
    chosen: dict[int, dict | None] = {}
    used: set[int] = set()
    for score, _, k, j in pairs:
        if k in chosen or j in used or score <= 0:
            continue
        chosen[k] = indicators[j]
        used.add(j)
    return [chosen.get(k) for k in range(len(samples))]


def _form_fit(exp: dict, got: dict, indicators: list[dict]) -> int:
    fit = sum(ok for _, ok, _, _, _ in _report_checks(exp, got, indicators))
    for sample, g in zip(
        exp.get("indicators_sample") or [], _match_samples(exp.get("indicators_sample") or [], indicators)
    ):
        fit += sum(ok for _, ok, _, _ in _indicator_checks(sample, g))
    return fit


def _align_forms(expected: list[dict], got: list[dict], inds: dict[Any, list[dict]]) -> list[dict | None]:
    """Order-preserving alignment of expected forms to stored ones, maximising the fields that agree."""
    n, m = len(expected), len(got)
    fit = [[_form_fit(e, g, inds.get(g["report_id"], [])) for g in got] for e in expected]
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = max(best[i + 1][j], best[i][j + 1], fit[i][j] + best[i + 1][j + 1])
    out: list[dict | None] = []
    i = j = 0
    while i < n:
        if j < m and best[i][j] == fit[i][j] + best[i + 1][j + 1] and fit[i][j] > 0:
            out.append(got[j])
            i, j = i + 1, j + 1
        elif j < m and best[i][j] == best[i][j + 1]:
            j += 1
        else:
            out.append(None)
            i += 1
    return out


def score_file(
    entry: dict, folder: str, forms: list[dict], inds: dict[Any, list[dict]], meta: dict
) -> FileScore:
    name = entry["file"]
    result = FileScore(name, folder)
    expected = entry.get("reports") or []
    for rep in expected:
        result.families.append(rep.get("family") or meta.get("family") or "（未标注）")
        result.provinces.append(rep.get("province") or meta.get("province") or "（未标注）")
    failed = next((f for f in forms if f.get("status") == "failed"), None)
    stored = [f for f in forms if not _missing(f.get("report_id"))]
    if failed is not None and not stored:
        result.rejected = failed.get("error") or "导入失败"
    result.check("forms", len(stored) == len(expected), len(expected), len(stored), None, None)
    matched = _align_forms(expected, stored, inds)
    for k, (exp, got) in enumerate(zip(expected, matched), start=1):
        indicators = inds.get(got["report_id"], []) if got else []
        label = f"表{k}"
        for fname, ok, e, g, where in _report_checks(exp, got, indicators):
            result.check(fname, ok, e, g, where, label)
        samples = exp.get("indicators_sample") or []
        for sample, g in zip(samples, _match_samples(samples, indicators)):
            ctx = f"{label} {sample.get('level3') or '（无名称）'}"
            where = g.get("source_ref") if g else None
            for fname, ok, e, v in _indicator_checks(sample, g):
                result.check(fname, ok, e, v, where, ctx)
    return result


# -- running ----------------------------------------------------------------------------------------------------
def _records(df: Any) -> list[dict]:
    return [{k: (None if _missing(v) else v) for k, v in row.items()} for row in df.to_dict("records")]


def evaluate_folder(folder: str | Path) -> list[FileScore]:
    from dashboard.load import ingest  # the write path: only imported when evaluating

    folder = Path(folder)
    expected_path = folder / "expected.json"
    entries = json.loads(expected_path.read_text(encoding="utf-8"))
    meta_path = folder / "families.json"  # optional: family/province of entries that do not carry them
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    files = [folder / e["file"] for e in entries]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise FileNotFoundError(f"expected.json 列出的文件不存在：{'、'.join(missing)}")
    with tempfile.TemporaryDirectory(prefix="jixiao-eval-") as tmp:
        db = Path(tmp) / "eval.duckdb"
        ingest(files, db, workers=1)
        forms = _records(run_query("eval_forms", db_path=db))
        indicators = _records(run_query("eval_indicators", db_path=db))
    by_path: dict[str, list[dict]] = defaultdict(list)
    for f in forms:
        by_path[f["path"]].append(f)
    by_report: dict[Any, list[dict]] = defaultdict(list)
    for i in indicators:
        by_report[i["report_id"]].append(i)
    return [
        score_file(
            e, folder.name, by_path.get(str(folder / e["file"]), []), by_report, meta.get(e["file"], {})
        )
        for e in entries
    ]


def evaluate(folders: list[str | Path]) -> EvalResult:
    files: list[FileScore] = []
    for folder in folders:
        files.extend(evaluate_folder(folder))
    return EvalResult(files)
