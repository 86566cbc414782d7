"""The review package's parts: near-duplicate note groups, the word lists, the team's workbook, `jixiao review`."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from review_corpus import write_corpus
from typer.testing import CliRunner

from dashboard.cli import app
from dashboard.load import ingest
from dashboard.review import export, notes, words

COPY = "因上级资金下达较晚，项目实施进度滞后，下一步将加快推进，确保按期完成。"


def pool(rows: list[tuple[int, str, int, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"indicator_id": i, "report_id": i, "unit": u, "year": y, "note": n} for i, u, y, n in rows]
    )


def test_near_identical_notes_of_two_units_are_one_group():
    groups = notes.group_notes(
        pool(
            [
                (1, "甲局", 2022, COPY),
                (2, "乙局", 2022, COPY.replace("项目", "工程")),  # two characters changed: ratio ≈ 94
                (3, "丙局", 2022, "人员调整导致培训场次减少，已制定补训计划并于次年一季度完成。"),
                (4, "丁局", 2022, "无偏差"),  # a no-reason word, left out
                (5, "戊局", 2022, "原因见上"),  # shorter than 8 characters, left out
                (6, "戊局", 2023, "原因见上"),
            ]
        ),
        empty_notes=["无偏差"],
    )
    assert sorted(groups.ids) == [1, 2] and groups.groups == [1, 1]
    assert groups.params() == {"similar_ids": groups.ids, "similar_groups": [1, 1]}
    assert set(groups.members["n_units"]) == {2}


def test_the_same_unit_in_one_year_is_not_a_copy_but_in_two_years_it_is():
    one_year = notes.group_notes(pool([(1, "甲局", 2022, COPY), (2, "甲局", 2022, COPY)]))
    assert one_year.ids == []
    two_years = notes.group_notes(pool([(1, "甲局", 2022, COPY), (2, "甲局", 2023, f"{COPY} ")]))
    assert sorted(two_years.ids) == [1, 2] and set(two_years.members["n_years"]) == {2}


def test_notes_far_apart_are_not_grouped_and_chains_join():
    a = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸"
    b = a[:-1] + "子"  # one change from a
    c = b[:-3] + "寅丑子"  # ratio 90 to b, only 85 to a: joined through b
    far = "春夏秋冬东南西北金木水火土日月星辰山川"
    groups = notes.group_notes(
        pool([(1, "甲局", 2022, a), (2, "乙局", 2022, b), (3, "丙局", 2022, c), (4, "丁局", 2022, far)])
    )
    assert sorted(groups.ids) == [1, 2, 3] and set(groups.groups) == {1}
    assert notes.note_key("  原因：资金，\u3000下达晚。") == "原因资金下达晚"
    assert notes.note_key("ＡＢＣ１２") == "ABC12"  # full-width folded


def test_the_word_lists_are_data_and_a_broken_file_names_itself():
    cfg = words.load()
    assert "进一步" in cfg.vague_target and "无偏差" in cfg.empty_note and cfg.min_chars == 8
    with pytest.raises(ValueError, match="复核词表 my.toml 格式有误"):
        words.parse("[vague_target]\nwords = 3\n", "my.toml")


def test_the_workbook_keeps_form_text_as_text():
    priority = pd.DataFrame(
        [
            {
                "rank": 1,
                "unit": "甲局",
                "year": 2022,
                "kind": "project",
                "form": '=HYPERLINK("x")',
                "priority_score": 3.0,
                "n_signals": 1,
                "reasons": "1项扣分未说明原因（共扣2分）",
                "path": "/a/b/f.txt",
                "source_line": 12,
            }
        ]
    )
    signals = pd.DataFrame(
        [
            {
                "unit": "甲局",
                "year": 2022,
                "form": "甲项目",
                "group_label": "偏差说明",
                "signal_label": "扣分未说明原因",
                "indicator": "+受益村数",
                "budget_line": None,
                "detail": "@扣2分",
                "path": "/a/b/f.txt",
                "source_line": 12,
                "source_ref": "第12行",
            }
        ]
    )
    rules = pd.DataFrame(
        [{"group_label": "偏差说明", "signal_label": "扣分未说明原因", "weight": 2.0, "rule": "…"}]
    )
    book = openpyxl.load_workbook(io.BytesIO(export.review_xlsx(priority, signals, pd.DataFrame(), rules)))
    assert book.sheetnames == ["复核清单", "触发明细", "雷同说明", "规则与权重"]
    ws = book["复核清单"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["复核顺序", "单位", "年度", "类型", "自评表", "复核优先分"]
    row = dict(zip(header, [c.value for c in ws[2]]))
    assert row["自评表"] == '=HYPERLINK("x")' and ws.cell(2, header.index("自评表") + 1).data_type == "s"
    assert row["类型"] == "项目" and row["来源文件"] == "f.txt" and row["行号"] == 12
    detail = dict(zip([c.value for c in book["触发明细"][1]], [c.value for c in book["触发明细"][2]]))
    assert detail["指标"] == "+受益村数" and detail["触发情况"] == "@扣2分" and detail["预算行"] is None


@pytest.fixture(scope="module")
def review_db(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("review_cli")
    db = folder / "review.duckdb"
    assert not ingest([write_corpus(folder / "raw")], db, workers=1).failed
    return db


def test_the_command_lists_the_forms_to_check_first(review_db, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["review", "--db", str(review_db), "--year", "2022"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "甲局" in line]
    assert lines and "16.5" in lines[0] and "1项定量指标自评分高于评分规则" in result.output
    assert "丁局" not in result.output  # 2021 only

    out = tmp_path / "list.xlsx"
    result = runner.invoke(
        app,
        [
            "review",
            "--db",
            str(review_db),
            "--year",
            "2021",
            "-w",
            "lenient_score=0",
            "-f",
            "xlsx",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    first = dict(zip([c.value for c in book["复核清单"][1]], [c.value for c in book["复核清单"][2]]))
    assert (first["单位"], first["复核优先分"]) == ("乙局", 4)  # 3 (full score, missed) + 1 (full marks)
    groups = [[c.value for c in r] for r in book["雷同说明"].iter_rows(min_row=2)]
    assert len(groups) == 2  # 丁局 2021's note and its near-copy in 丙局 2022
    weights = {r[1].value: r[2].value for r in book["规则与权重"].iter_rows(min_row=2)}
    assert weights["自评分高于评分规则"] == 0 and weights["偏差说明雷同"] == 2


def test_the_command_refuses_unknown_signals_and_weights(review_db):
    runner = CliRunner()
    bad = runner.invoke(app, ["review", "--db", str(review_db), "-w", "nope=1"])
    assert bad.exit_code == 2 and "信号=权重" in bad.output
    bad = runner.invoke(app, ["review", "--db", str(review_db), "-w", "lenient_score=x"])
    assert bad.exit_code == 2 and "权重应为数字" in bad.output
    bad = runner.invoke(app, ["review", "--db", str(review_db), "-f", "csv"])
    assert bad.exit_code == 2 and "--out" in bad.output
    rules = runner.invoke(app, ["review", "--db", str(review_db), "--rules"], env={"COLUMNS": "250"})
    assert rules.exit_code == 0 and "similar_note" in rules.output
