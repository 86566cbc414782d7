"""`jixiao query`: the list, the three output formats, parameter strings and the error paths."""

from __future__ import annotations

import csv
import io
import json

import pytest
import typer
from typer.testing import CliRunner

from dashboard.cli import app
from dashboard.db import list_queries
from dashboard.query_cli import parse_params

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["query", *args], env={"COLUMNS": "200"})


def test_list_shows_every_query_with_its_parameters():
    result = run("--list")
    assert result.exit_code == 0, result.output
    for name in list_queries():
        assert name in result.output
    assert "[total|recomputed_score|execution_rate|points_lost_share|findings]" in result.output
    assert "低分预警" in result.output  # the Chinese label of low_scoring_indicators
    assert "$indicator VARCHAR（必填）" in result.output


def test_json_output(sample_db):
    result = run("low_scoring_indicators", "--db", str(sample_db), "-p", "project=政务服务经费", "-f", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["level3"], r["points_lost"], r["is_target_met"]) for r in rows] == [
        ("群众来电咨询接听率", 1.0, False)
    ]
    assert rows[0]["target_op"] is None  # NULL stays null, not NaN


def test_csv_output_and_parameter_strings(sample_db):
    result = run(
        "grades",
        "--db",
        str(sample_db),
        "--param",
        "changed_only=true",
        "--param",
        "year=2022",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 4
    dept = next(r for r in rows if r["kind"] == "department")
    assert (dept["stated_grade"], dept["computed_grade"], dept["grade_change"]) == ("良", "优", "良→优")


def test_table_output_and_limit(sample_db):
    result = run("grade_distribution", "--db", str(sample_db), "--limit", "2")
    assert result.exit_code == 0, result.output
    assert "grade_distribution：2 行" in result.output
    lines = [line for line in result.output.splitlines() if "2022" in line]
    # stated 优 0 of 4, stated 良 4 of 4 (share 100, printed without a trailing .0)
    assert len(lines) == 2 and "优" in lines[0] and "良" in lines[1] and "│ 100 " in lines[1]


def test_empty_value_means_null(sample_db):
    result = run(
        "low_scoring_indicators", "--db", str(sample_db), "-p", "units=", "-p", "year=NULL", "-f", "json"
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 5


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["no_such_query"], ["no_such_query"]),
        (["grades", "-p", "colour=red"], ["grades", "colour"]),
        (["indicator_history"], ["indicator_history", "indicator"]),
        (["department_ranking", "-p", "year=abc"], ["department_ranking", "year", "整数"]),
        (["department_ranking", "-p", "metric=bogus"], ["department_ranking", "metric"]),
    ],
)
def test_errors_name_the_query_and_exit_non_zero(sample_db, args, words):
    result = run(*args, "--db", str(sample_db))
    assert result.exit_code == 1
    assert "错误" in result.stderr
    for word in words:
        assert word in result.stderr.replace("\n", "")


def test_missing_name_and_bad_param_syntax(sample_db):
    assert run().exit_code == 2
    bad = run("grades", "--db", str(sample_db), "-p", "no-equals-sign")
    assert bad.exit_code == 2 and "名称=值" in bad.output


def test_missing_database_file(tmp_path):
    result = run("grades", "--db", str(tmp_path / "absent.duckdb"))
    assert result.exit_code == 1 and "数据库文件不存在" in result.stderr


def test_parse_params():
    assert parse_params(["year=2022", "$unit=武威=市", "kind=", "dataset=null"]) == {
        "year": "2022",
        "unit": "武威=市",
        "kind": None,
        "dataset": None,
    }
    with pytest.raises(typer.BadParameter):
        parse_params(["=3"])


def test_a_list_parameter_takes_names_separated_by_commas(query_corpus_db):
    from tests.query_corpus import EDU, HEALTH

    result = run(
        "total_gap",
        "--db",
        str(query_corpus_db),
        "-p",
        f"units={EDU}，{HEALTH}",
        "-p",
        "year=2022",
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert sorted(r["unit"] for r in json.loads(result.stdout)) == sorted([EDU, HEALTH])
