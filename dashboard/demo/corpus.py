"""Write a demo corpus to disk: one file per unit and year, plus ground_truth.json; in parallel for big tiers."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.demo.generate import DEFAULT_SEED, GENERATOR_VERSION, Plan, generate_document, make_plan
from dashboard.demo.model import DocumentRec

FORMATS = ("txt", "xlsx", "docx")
TRUTH_FILE = "ground_truth.json"
META_FILE = (
    "generator.json"  # what generated the folder: seed, version, size (checked by ensure_default_corpus)
)
DEFAULT_UNITS = 40
DEFAULT_YEARS = tuple(range(2019, 2025))
DEFAULT_FORMATS = ("txt",)


@dataclass
class CorpusStats:
    out: Path
    units: int = 0
    years: tuple[int, ...] = ()
    documents: int = 0
    forms: int = 0
    department_forms: int = 0
    indicators: int = 0
    bytes: int = 0
    files_by_format: Counter = field(default_factory=Counter)
    defects: Counter = field(default_factory=Counter)  # findings ingest must report, by rule
    planted: Counter = field(default_factory=Counter)  # defects planted, by kind (one duplicated row is one)
    seconds: float = 0.0
    skipped: bool = False

    def as_dict(self) -> dict:
        return {
            "units": self.units,
            "years": list(self.years),
            "documents": self.documents,
            "forms": self.forms,
            "department_forms": self.department_forms,
            "project_forms": self.forms - self.department_forms,
            "indicators": self.indicators,
            "bytes": self.bytes,
            "files_by_format": dict(sorted(self.files_by_format.items())),
            "planted_defects": dict(sorted(self.planted.items())),
            "expected_findings_by_rule": dict(sorted(self.defects.items())),
            "seconds": round(self.seconds, 2),
        }


def format_for(doc: DocumentRec, formats: Sequence[str]) -> str:
    """Several formats: each document gets one, as a mixed real-world batch would."""
    if len(formats) == 1:
        return formats[0]
    return formats[(doc.unit_index + doc.year) % len(formats)]


def render(doc: DocumentRec) -> bytes:
    if doc.format == "txt":
        from dashboard.demo.write_txt import render_document

        text = render_document(doc)
        rng = random.Random(f"enc|{doc.key}")
        r = rng.random()
        if r < 0.05:
            text = text.replace("\n", "\r\n")
        if r > 0.95:
            return text.encode("gb18030")
        return text.encode("utf-8")
    if doc.format == "xlsx":
        from dashboard.demo.write_xlsx import render_workbook

        return render_workbook(doc)
    if doc.format == "docx":
        from dashboard.demo.write_docx import render_docx

        return render_docx(doc)
    raise ValueError(f"不支持的格式：{doc.format}（可选：{'、'.join(FORMATS)}）")


# -- workers -------------------------------------------------------------------------------------------------
_PLAN: Plan | None = None
_OUT: Path | None = None
_FORMATS: tuple[str, ...] = DEFAULT_FORMATS
_FULL_TRUTH = True


def _init(plan: Plan, out: Path, formats: tuple[str, ...], full_truth: bool) -> None:
    global _PLAN, _OUT, _FORMATS, _FULL_TRUTH
    _PLAN, _OUT, _FORMATS, _FULL_TRUTH = plan, out, formats, full_truth


def _work(tasks: list[tuple[int, int]]) -> list[tuple]:
    assert _PLAN is not None and _OUT is not None
    results = []
    for unit_index, year in tasks:
        doc = generate_document(_PLAN, unit_index, year)
        doc.format = format_for(doc, _FORMATS)
        data = render(doc)
        folder = _OUT / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / doc.file_name).write_bytes(data)
        results.append(
            (
                year,
                unit_index,
                doc.format,
                len(data),
                len(doc.forms),
                sum(f.kind == "department" for f in doc.forms),
                sum(len(f.indicators) for f in doc.forms),
                doc.defects(),
                doc.truth() if _FULL_TRUTH else None,
            )
        )
    return results


def _chunks(items: list, size: int) -> Iterable[list]:
    for k in range(0, len(items), size):
        yield items[k : k + size]


def write_corpus(
    out: str | Path,
    plan: Plan,
    formats: Sequence[str] = DEFAULT_FORMATS,
    *,
    workers: int = 1,
    full_truth: bool = True,
    on_progress: Callable[[int], None] | None = None,
) -> CorpusStats:
    """Generate every document of the plan into `out` (year folders) and write ground_truth.json."""
    formats = tuple(formats)
    for f in formats:
        if f not in FORMATS:
            raise ValueError(f"不支持的格式：{f}（可选：{'、'.join(FORMATS)}）")
    out = Path(out)
    clear_corpus(out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    tasks = [(k, year) for year in plan.years for k in range(len(plan.units))]
    chunk = 8 if len(tasks) < 2000 else 64
    results: list[tuple] = []
    if workers <= 1 or len(tasks) < 64:
        _init(plan, out, formats, full_truth)
        for part in _chunks(tasks, chunk):
            results.extend(_work(part))
            if on_progress:
                on_progress(len(part))
    else:
        with ProcessPoolExecutor(
            max_workers=workers, initializer=_init, initargs=(plan, out, formats, full_truth)
        ) as pool:
            for part in pool.map(_work, _chunks(tasks, chunk)):
                results.extend(part)
                if on_progress:
                    on_progress(len(part))
    results.sort(key=lambda r: (r[0], r[1]))
    stats = CorpusStats(out, units=len(plan.units), years=plan.years)
    defects: list[dict] = []
    documents: list[dict] = []
    for _year, _k, fmt_, size, n_forms, n_dept, n_inds, doc_defects, truth in results:
        stats.documents += 1
        stats.forms += n_forms
        stats.department_forms += n_dept
        stats.indicators += n_inds
        stats.bytes += size
        stats.files_by_format[fmt_] += 1
        defects.extend(doc_defects)
        if truth is not None:
            documents.append(truth)
    stats.defects = Counter(d["rule"] for d in defects)
    stats.planted = Counter(d["cause"] for d in defects if d["rule"] == d["cause"])
    stats.seconds = time.perf_counter() - start
    truth_doc = {
        "generator": generator_meta(plan, formats),
        "note": "示例数据：由 jixiao demo 生成的虚构数据，不是真实数字。",
        "stats": {k: v for k, v in stats.as_dict().items() if k != "seconds"},  # the file must not vary
        "defects": defects,
        "documents": documents if full_truth else None,
    }
    with open(out / TRUTH_FILE, "w", encoding="utf-8") as fh:
        json.dump(truth_doc, fh, ensure_ascii=False, indent=None, separators=(",", ":"))
        fh.write("\n")
    (out / META_FILE).write_text(
        json.dumps(truth_doc["generator"], ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return stats


class NotADemoFolder(ValueError):
    pass


def clear_corpus(out: Path) -> None:
    """Remove an earlier demo corpus from `out`, so no stale file of another size or seed stays behind.
    A non-empty folder that holds no demo corpus is left alone and refused."""
    if not out.exists() or not any(out.iterdir()):
        return
    if not (out / META_FILE).exists():
        raise NotADemoFolder(f"输出目录 {out} 不为空，且不是示例数据目录（没有 {META_FILE}），未写入")
    for child in out.iterdir():
        if child.is_dir() and child.name.isdigit():
            shutil.rmtree(child)
    for name in (TRUTH_FILE, META_FILE):
        (out / name).unlink(missing_ok=True)


def generator_meta(plan: Plan, formats: Sequence[str]) -> dict:
    return {
        "version": GENERATOR_VERSION,
        "code": code_fingerprint(),
        "seed": plan.seed,
        "units": len(plan.units),
        "years": list(plan.years),
        "formats": list(formats),
    }


def code_fingerprint() -> str:
    """A hash of the modules that decide the corpus's bytes: a changed generator regenerates data/demo."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in (
        "city.py",
        "generate.py",
        "model.py",
        "layout.py",
        "write_txt.py",
        "write_xlsx.py",
        "write_docx.py",
        "zipfix.py",
        "corpus.py",
    ):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def default_corpus_dir() -> Path:
    from dashboard import paths

    return paths.ROOT / "data" / "demo"


def ensure_default_corpus(
    out: str | Path | None = None,
    *,
    seed: int = DEFAULT_SEED,
    units: int = DEFAULT_UNITS,
    years: Sequence[int] = DEFAULT_YEARS,
    formats: Sequence[str] = DEFAULT_FORMATS,
    workers: int = 1,
) -> Path:
    """The default demo corpus (data/demo/), generated on first use (≈1 s); a no-op when the same corpus is there.

    The folder is built beside its final place and swapped in, so a reader never sees half a corpus."""
    out = Path(out) if out is not None else default_corpus_dir()
    plan = make_plan(units, tuple(years), seed)
    want = generator_meta(plan, formats)
    if _generated_by(out) == want:
        return out
    if out.exists() and any(out.iterdir()) and not (out / META_FILE).exists():
        raise NotADemoFolder(f"{out} 不为空，且不是示例数据目录（没有 {META_FILE}），未覆盖")
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    write_corpus(tmp, plan, formats, workers=workers)
    try:
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except OSError:
        # Another process swapped in its copy meanwhile; keep it if it is the same corpus.
        shutil.rmtree(tmp, ignore_errors=True)
        if _generated_by(out) != want:
            raise
    return out


def _generated_by(out: Path) -> dict | None:
    marker = out / META_FILE
    if not (marker.exists() and (out / TRUTH_FILE).exists()):
        return None
    try:
        return json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
