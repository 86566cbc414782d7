"""The review signals against the demo corpus's ground truth: a corpus generated with the planted defects at
raised rates, so each signal that has a planted counterpart is measured for recall (planted cases found) and
precision (rows fired that were planted):

    full_score_target_missed  ← planted full_score_target_missed (a missed target written up as full score)
    lenient_score             ← the same plants (the numbers support less than the self score)
    lost_no_reason            ← planted unexplained_deduction (points lost, note empty or 无偏差)
    similar_note              ← planted copied_note (a note copied word for word into another unit's form)
    total_above_computed      ← planted total_mismatch where the stated total is above the recomputed one
    project_budget_short      ← planted project_budget_mismatch where 项目支出 exceeds the projects' sum

The generator does not plant vague or low targets or copied years; those signals are pinned on hand-made forms
(test_review_signals.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.db import connect, query_runner
from dashboard.demo.corpus import TRUTH_FILE, write_corpus
from dashboard.demo.generate import Rates, make_plan
from dashboard.load import ingest
from dashboard.review import signals as review
from dashboard.selection import Selection

RATES = Rates(
    total_mismatch=0.12,
    weights_not_100=0.0,
    score_out_of_range=0.0,
    duplicate_indicator=0.0,
    full_score_target_missed=0.15,
    unexplained_deduction=0.15,
    project_budget_mismatch=0.3,
    copied_note_pairs_per_unit=0.15,
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("review_demo")
    write_corpus(out / "files", make_plan(14, (2022, 2023), 7, rates=RATES), ["txt"], workers=1)
    db = out / "demo.duckdb"
    summary = ingest([out / "files"], db, workers=1)
    assert not summary.failed, [f.error for f in summary.failed]
    truth = json.loads((out / "files" / TRUTH_FILE).read_text(encoding="utf-8"))
    con = connect(db)
    run = query_runner(con)
    rows = review.signals(run, Selection(dataset="demo"), review.note_groups(run, "demo"))
    keys = con.execute(
        "select r.report_id, s.path, r.kind, coalesce(r.project, ''), i.seq, i.indicator_id "
        "from reports r join sources s using (source_id) left join indicators i using (report_id)"
    ).fetchall()
    form_of = {(Path(p).name, k, proj): rid for rid, p, k, proj, _seq, _iid in keys}
    indicator_of = {(rid, seq): iid for rid, _p, _k, _proj, seq, iid in keys}
    yield rows, truth, form_of, indicator_of
    con.close()


def planted(truth: dict, form_of: dict, indicator_of: dict, rule: str, detail=None) -> set:
    """(report_id, indicator_id or None) of every planted defect of `rule`."""
    out = set()
    for d in truth["defects"]:
        if d["rule"] != rule or (detail is not None and not detail(d)):
            continue
        rid = form_of[(d["file"], d["kind"], d["project"] or "")]
        out.add((rid, indicator_of.get((rid, d["indicator_seq"])) if d["indicator_seq"] else None))
    return out


def found(rows, signal: str, by_form: bool = False) -> set:
    got = rows[rows["signal"] == signal]
    if by_form:
        return {(int(r), None) for r in got["report_id"]}
    return {(int(r), int(i)) for r, i in zip(got["report_id"], got["indicator_id"])}


def recall_precision(want: set, got: set) -> tuple[float, float]:
    assert want, "nothing planted: raise the rate"
    hit = len(want & got)
    return hit / len(want), (hit / len(got) if got else 1.0)


def test_full_score_with_a_missed_target(demo):
    rows, truth, form_of, ind = demo
    want = planted(truth, form_of, ind, "full_score_target_missed")
    recall, precision = recall_precision(want, found(rows, "full_score_target_missed"))
    assert len(want) >= 10 and recall >= 0.95 and precision >= 0.9


def test_lenient_scores_are_the_planted_full_scores(demo):
    rows, truth, form_of, ind = demo
    want = planted(truth, form_of, ind, "full_score_target_missed")
    got = found(rows, "lenient_score")
    _, precision = recall_precision(want, got)
    assert got and precision >= 0.9
    # Among the plants, the rule fires where the full score is more than half a point above the score the
    # completion ratio gives (weight × actual ÷ target for these ≥ targets), worked out from the truth.
    indicators = {
        (doc["file"], f["kind"], f["project"] or "", i["seq"]): i
        for doc in truth["documents"]
        for f in doc["forms"]
        for i in f["indicators"]
    }
    lenient = set()
    for d in truth["defects"]:
        if d["rule"] == "full_score_target_missed":
            i = indicators[(d["file"], d["kind"], d["project"] or "", d["indicator_seq"])]
            assert i["target_op"] in (">=", None)
            if i["score"] - i["weight"] * i["actual_value"] / i["target_value"] > 0.5:
                rid = form_of[(d["file"], d["kind"], d["project"] or "")]
                lenient.add((rid, ind[(rid, d["indicator_seq"])]))
    assert lenient and got & want == lenient


def test_points_lost_without_a_reason(demo):
    rows, truth, form_of, ind = demo
    want = planted(truth, form_of, ind, "unexplained_deduction")
    recall, precision = recall_precision(want, found(rows, "lost_no_reason"))
    assert len(want) >= 10 and recall >= 0.95 and precision >= 0.9


def test_copied_notes_are_in_similar_note_groups(demo):
    rows, truth, form_of, ind = demo
    want = planted(truth, form_of, ind, "copied_note")
    got = found(rows, "similar_note")
    assert len(want) >= 4 and want <= got  # every planted copy is found
    # precision is not measured here: the generator's ordinary notes come from a few sentence templates, so
    # notes that differ only in the unit's name are near-duplicates too (boilerplate the rule is meant to find)


def test_stated_totals_above_the_recomputed_ones(demo):
    rows, truth, form_of, ind = demo
    forms = {
        (doc["file"], f["kind"], f["project"] or ""): f for doc in truth["documents"] for f in doc["forms"]
    }
    want = planted(
        truth,
        form_of,
        ind,
        "total_mismatch",
        lambda d: (
            (f := forms[(d["file"], d["kind"], d["project"] or "")])["stated_total"]
            > f["computed_total"] + 0.005
        ),
    )
    recall, precision = recall_precision(want, found(rows, "total_above_computed", by_form=True))
    assert recall >= 0.95 and precision >= 0.9


def test_project_budgets_short_of_the_department_line(demo):
    rows, truth, form_of, ind = demo
    # planted on the department form; it fires when 项目支出 is above the projects' sum (the detail's sign)
    want = planted(truth, form_of, ind, "project_budget_mismatch")
    got = found(rows, "project_budget_short", by_form=True)
    _, precision = recall_precision(want, got)
    assert got and precision >= 0.9
