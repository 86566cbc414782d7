"""The access scope (a 部门 user's own units) in the one read path: every query in queries/, with every value of
every parameter that takes a list of choices, run under a department scope on a demo corpus (8 units × 2 years)
plus the hand-made real corpus of query_corpus.py. No row, cell or id of another unit comes back, and the
aggregates (ranks, n_ranked, means, counts) are the ones computed over the scope alone.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dashboard.db import QueryError, connect, list_queries, load_query, query_runner, run_query
from dashboard.demo.corpus import write_corpus
from dashboard.demo.generate import make_plan
from dashboard.load import ingest
from dashboard.selection import Options, Selection, from_query_params
from tests.query_corpus import EDU, HEALTH, TRANSPORT, corpus_files


@pytest.fixture(scope="module")
def scope_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scope")
    write_corpus(folder / "demo", make_plan(n_units=8, years=(2022, 2023)), ("txt",))
    raw = folder / "raw"
    raw.mkdir()
    for name, text in corpus_files().items():
        (raw / name).write_text(text, encoding="utf-8")
    db = folder / "scope.duckdb"
    summary = ingest([folder / "demo", raw], db, workers=1)
    assert not summary.failed, [f.error for f in summary.failed]
    return db


@pytest.fixture(scope="module")
def con(scope_db: Path):
    c = connect(scope_db)
    yield c
    c.close()


@pytest.fixture(scope="module")
def units(con) -> pd.DataFrame:
    """Every unit (name and id) with forms, read without a scope."""
    return con.execute("select distinct unit_id, unit from form_facts where unit is not null").df()


@pytest.fixture(scope="module")
def scope(units) -> tuple[str, ...]:
    """A department user's scope: two demo units and one real unit (EDU)."""
    demo = sorted(u for u in units["unit"] if u not in (EDU, HEALTH, TRANSPORT))
    assert len(demo) >= 8
    return (demo[0], demo[3], EDU)


def _variants(name: str, con, scope: tuple[str, ...]) -> list[dict]:
    """The parameter sets each query runs with: its defaults, every choice of every choice parameter, all years."""
    query = load_query(name)
    base = {k: v for k, v in Selection(scope=scope).params_for(query).items() if k in query.param_names}
    if name == "file_forms":
        base["paths"] = list(
            con.execute("select path from sources").df()["path"]
        )  # every file, asked for by name
    if name == "indicator_history":
        base["indicator"] = "群众来电咨询接听率"
    out = [base]
    if "year" in query.param_names:
        out.append({**base, "year": 2022})
    for p in query.params:
        for choice in p.choices:
            out.append({**base, p.name: choice})
    if name in ("review_signals", "review_priority"):
        # A caller passing another unit's notes as near-duplicates: the groups are counted within the scope.
        pool = run_query("review_note_pool", con=con)
        ids = [int(i) for i in pool["indicator_id"]]
        out.append({**base, "similar_ids": ids, "similar_groups": [1] * len(ids), "empty_notes": ["无偏差"]})
    return out


def _text_cells(df: pd.DataFrame) -> list[str]:
    cells = []
    for col in df.columns:
        if col == "supervisor":  # the form's own 主管部门 line (eval_forms), part of the unit's own form
            continue
        for v in df[col]:
            if isinstance(v, str):
                cells.append(v)
            elif v is not None and not isinstance(v, int | float | bool) and hasattr(v, "__iter__"):
                cells.append(str(list(v)))
    return cells


@pytest.mark.parametrize("name", list_queries())
def test_no_other_unit_in_any_query_under_a_department_scope(name, con, units, scope):
    outside = [u for u in units["unit"] if u not in scope and not any(u in s for s in scope)]
    outside_ids = set(units.loc[~units["unit"].isin(scope), "unit_id"])
    assert len(outside) >= 7
    n_rows = 0
    for params in _variants(name, con, scope):
        df = run_query(name, con=con, **params)
        n_rows += len(df)
        for col in ("unit", "unit_raw"):
            if col in df.columns:
                assert set(df[col].dropna()) <= set(scope), (name, params, col)
        if "unit_id" in df.columns:
            assert not set(df["unit_id"].dropna()) & outside_ids, (name, params)
        for cell in _text_cells(df):
            assert not [u for u in outside if u in cell], (name, params, cell)
    if name not in ("review_rules",):  # every other query shows something of the scope on this corpus
        assert n_rows > 0, name


def test_a_unit_outside_the_scope_asked_for_by_name_gives_nothing(con, scope):
    for name in ("low_scoring_indicators", "department_ranking", "grades", "findings_list", "drilldown"):
        query = load_query(name)
        params = {**Selection(scope=scope).params_for(query), "units": [TRANSPORT]}
        assert run_query(name, con=con, **params).empty, name
    # The URL form: ?units=<another unit> is not an option of the scoped sidebar, so the selection falls back
    # to the scope itself.
    options = Options.from_frame(run_query("filter_options", con=con, scope=list(scope)))
    assert set(options.units) == set(scope)
    sel = from_query_params({"units": [TRANSPORT]}, options).replace(scope=scope)
    assert sel.units == () and sel.unit_list == list(scope)


def test_the_scope_cannot_be_widened_through_the_query_runner(con, scope):
    run = query_runner(con)
    with pytest.raises(QueryError, match="访问范围"):
        run("grades", Selection(scope=scope), scope=None)


def _competition_rank(values: pd.Series, higher_is_better: bool) -> pd.Series:
    return (-values if higher_is_better else values).rank(method="min")


METRICS = next(p for p in load_query("department_ranking").params if p.name == "metric").choices


@pytest.mark.parametrize("metric", METRICS)
def test_ranking_ranks_are_computed_within_the_scope(con, scope, metric):
    sel = Selection(year=2022, scope=scope)
    ranked = run_query(
        "department_ranking", con=con, metric=metric, **sel.params_for(load_query("department_ranking"))
    )
    # The same units' figures without a scope (ranked among everyone) carry the same metric values...
    everyone = run_query("department_ranking", con=con, metric=metric, year=2022, units=list(scope))
    assert set(ranked["unit"]) == set(everyone["unit"]) == set(scope)
    mine = ranked.set_index("unit").sort_index()
    theirs = everyone.set_index("unit").sort_index()
    pd.testing.assert_series_equal(mine["metric_value"], theirs["metric_value"])
    # ...but the ranks, n_ranked and previous ranks are recomputed over the scope only.
    higher = bool(mine["is_higher_better"].iloc[0])
    expected = _competition_rank(mine["metric_value"], higher)
    assert list(mine["rank"]) == list(expected), (mine["rank"], expected)
    assert set(mine["n_ranked"]) == {mine["metric_value"].notna().sum()}
    if metric == "total":
        assert set(everyone["n_ranked"]) == {12}  # 8 + 1 demo units, 3 real: the unscoped context is larger
        assert int(mine["rank"].max()) <= 3


def test_headline_figures_are_the_scope_only_figures(con, scope):
    scoped = run_query("overview_kpis", con=con, year=2022, scope=list(scope)).set_index("kpi")
    by_units = run_query("overview_kpis", con=con, year=2022, units=list(scope)).set_index("kpi")
    pd.testing.assert_series_equal(scoped["value"], by_units["value"])
    assert scoped.loc["n_units", "value"] == 3
    everyone = run_query("overview_kpis", con=con, year=2022).set_index("kpi")
    assert everyone.loc["n_units", "value"] == 12  # 8 generated demo units, 3 real, the hand-made demo unit
