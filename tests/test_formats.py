"""The same form as text, xlsx, docx, PDF, pipe table or free text gives the same records."""

from __future__ import annotations

import re
from dataclasses import astuple

import pytest

from dashboard.ingest.parse import parse_bytes, parse_file
from tests.conftest import FIXTURES, SAMPLE
from tests.formats import grid_from_text, write_docx, write_free, write_pdf, write_pipe, write_xls, write_xlsx
from tests.formtext import project_form

SICHUAN = FIXTURES / "sichuan_2023.txt"


def records(doc, goals: bool = True) -> list[tuple]:
    """What must not depend on the container: report fields, budget lines, indicators, finding rules."""
    assert doc.error is None, doc.error
    out = []
    for r in doc.reports:
        out.append(
            (
                "report",
                r.kind,
                r.year,
                r.unit,
                r.supervisor,
                r.project,
                r.project_code,
                r.stated_total,
                r.computed_total,
                r.weight_total,
                r.execution_rate_pct,
                r.template,
            )
        )
        out.extend(
            (
                "budget",
                b.line,
                b.initial,
                b.full_year,
                b.executed,
                b.execution_rate_stated_pct,
                b.weight,
                b.score,
            )
            for b in r.budget_lines
            if any(v is not None for v in astuple(b)[1:7])
        )
        out.extend(
            (
                "indicator",
                i.level1,
                i.level2,
                i.level3,
                i.target_text,
                i.target_op,
                i.target_value,
                i.target_unit,
                i.actual_text,
                i.actual_value,
                i.actual_unit,
                i.weight,
                i.score,
                prose(i.note),
            )
            for i in r.indicators
        )
        if goals:
            out.extend(("goal", g.seq, prose(g.goal_text), prose(g.outcome_text)) for g in r.goals)
        out.append(
            (
                "rules",
                tuple(sorted(f.rule for f in r.findings if f.rule not in ("extra_cells", "glued_label"))),
            )
        )
    return out


def prose(text: str | None) -> str | None:
    """Long text compared up to its whitespace: a PDF keeps no trace of whether a wrapped line had a space."""
    return None if text is None else re.sub(r"\s+", "", text)


SOURCES = {
    "sample": SAMPLE.read_text(encoding="utf-8"),
    "sichuan": SICHUAN.read_text(encoding="utf-8"),
    "project": project_form(),
}


@pytest.fixture(scope="module", params=sorted(SOURCES))
def source(request, tmp_path_factory):
    name = request.param
    text = SOURCES[name]
    expected = records(parse_bytes(f"{name}.txt", text.encode()))
    return name, grid_from_text(text), expected, tmp_path_factory.mktemp(name)


def test_xlsx_with_merged_level_cells(source):
    name, grid, expected, tmp = source
    # The sample's export already lost its merges and shifted cells; merging on top of that would invent
    # structure, so it is written cell for cell. Clean forms get the merged level columns a real sheet has.
    path = write_xlsx(grid, tmp / f"{name}.xlsx", merges=name != "sample")
    assert records(parse_file(path)) == expected


def test_legacy_xls(source):
    name, grid, expected, tmp = source
    path = write_xls(grid, tmp / f"{name}.xls", merges=name != "sample")
    assert records(parse_file(path)) == expected


def test_xlsx_one_sheet_per_form(source):
    name, grid, expected, tmp = source
    path = write_xlsx(grid, tmp / f"{name}-sheets.xlsx", merges=False, sheet_per_form=True)
    assert records(parse_file(path)) == expected


def test_docx_with_merged_cells(source):
    name, grid, expected, tmp = source
    path = write_docx(grid, tmp / f"{name}.docx", merges=name != "sample")
    assert records(parse_file(path)) == expected


def test_pdf_table_across_pages(source):
    name, grid, expected, tmp = source
    path = write_pdf(grid, tmp / f"{name}.pdf", font_size=6 if name == "sample" else 24)
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) >= 2  # the indicator table continues on the next page
    assert records(parse_file(path)) == expected


@pytest.mark.parametrize("collapse", [False, True], ids=["pipes", "pipes-collapsed"])
def test_pipe_tables(source, collapse):
    name, grid, expected, tmp = source
    doc = parse_bytes(f"{name}.md", write_pipe(grid, collapse=collapse).encode())
    assert records(doc, goals=not collapse) == records_without_goals(expected, keep=not collapse)


# One cell per line keeps neither columns nor row ends. The sample's line 31 (`社会影响 | 生态效益指标 |
# 志愿服务水平100% | 100% | 100% | 5 | 5`) has a spilled cell, and without its columns it reads equally well as a
# caption 社会影响 over the level 生态效益指标 with the indicator 志愿服务水平100%. Only that reading may differ:
# that row's name and target, and the level-2 name 社会影响 of the rows under it; both readings flag the row.
def _ambiguous_without_columns(name: str, mode: str, got: tuple, want: tuple) -> bool:
    if (name, mode) != ("sample", "lines") or got[0] != "indicator" or want[2] != "社会影响":
        return False
    if want[3] == "生态效益指标":  # the row itself: 生态效益指标 | 志愿服务水平100% shift one cell left
        return got[1:4] == (want[1], "生态效益指标", "志愿服务水平100%") and got[8:] == want[8:]
    return got[2] == "生态效益指标" and got[3:] == want[3:]


@pytest.mark.parametrize("mode", ["lines", "spaces"])
def test_free_text(source, mode):
    name, grid, expected, tmp = source
    doc = parse_bytes(f"{name}.txt", write_free(grid, mode).encode())
    got, want = records(doc, goals=False), records_without_goals(expected, keep=False)
    assert len(got) == len(want)
    differ = [
        (g, w) for g, w in zip(got, want) if g != w and not _ambiguous_without_columns(name, mode, g, w)
    ]
    assert not differ, differ


def records_without_goals(expected: list[tuple], keep: bool) -> list[tuple]:
    return expected if keep else [r for r in expected if r[0] != "goal"]
