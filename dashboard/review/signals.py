"""The 复核清单 for a selection: the review queries with their word lists and note groups, through any
QueryRunner (the app's cached `ui.query`, or `db.query_runner(con)` for the CLI and the report)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from dashboard.db import QueryRunner
from dashboard.review import notes, words

# The statuses a form's review can have (the 复核 column; stored by dashboard/load/marks.py); the first is the
# default.
STATUSES = ("待复核", "已复核", "有问题")


def note_groups(
    run: QueryRunner, dataset: str | None, cfg: words.ReviewWords | None = None
) -> notes.NoteGroups:
    """The near-duplicate note groups over the whole dataset (not only the selection: a selected form's note
    may copy one from a unit or year outside it)."""
    cfg = cfg or words.load()
    pool = run("review_note_pool", None, dataset=dataset)
    return notes.group_notes(
        pool,
        min_chars=cfg.min_chars,
        min_ratio=cfg.min_ratio,
        lsh_threshold=cfg.lsh_threshold,
        shingle=cfg.shingle,
        empty_notes=cfg.empty_note,
    )


def review_params(
    groups: notes.NoteGroups, cfg: words.ReviewWords | None = None, weights: Mapping[str, float] | None = None
) -> dict[str, Any]:
    """The review queries' parameters beyond the selection: word lists, note groups and (for review_priority)
    the analyst's weights."""
    cfg = cfg or words.load()
    params: dict[str, Any] = {
        "vague_words": list(cfg.vague_target),
        "empty_notes": list(cfg.empty_note),
        **groups.params(),
    }
    if weights is not None:
        params["weight_signals"] = list(weights)
        params["weights"] = [float(w) for w in weights.values()]
    return params


def priority(
    run: QueryRunner,
    sel: Any,
    groups: notes.NoteGroups,
    weights: Mapping[str, float] | None = None,
    **extra: Any,
) -> pd.DataFrame:
    """queries/review_priority.sql for the selection: one row per form, check-first first."""
    return run("review_priority", sel, **review_params(groups, weights=weights), **extra)


def signals(run: QueryRunner, sel: Any, groups: notes.NoteGroups, **extra: Any) -> pd.DataFrame:
    """queries/review_signals.sql for the selection: one row per fired signal with its source line."""
    return run("review_signals", sel, **review_params(groups), **extra)


def rules(run: QueryRunner) -> pd.DataFrame:
    """The rules with their default weights (queries/review_rules.sql)."""
    return run("review_rules", None)


def weakness_summary(signal_rows: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """Per unit: the forms with signals and the most common weaknesses (signal label and how many forms),
    for the report's 复核建议."""
    if signal_rows.empty:
        return pd.DataFrame(columns=["unit", "n_forms", "weaknesses"])
    per = (
        signal_rows.groupby(["unit", "signal_label", "signal_seq"])["report_id"]
        .nunique()
        .reset_index(name="n_forms")
        .sort_values(["unit", "n_forms", "signal_seq"], ascending=[True, False, True])
    )
    out = []
    for unit, g in per.groupby("unit", sort=True):
        phrases = [f"{r.signal_label}（{r.n_forms}张表）" for r in g.head(top).itertuples()]
        n_forms = signal_rows.loc[signal_rows["unit"] == unit, "report_id"].nunique()
        out.append({"unit": unit, "n_forms": int(n_forms), "weaknesses": "；".join(phrases)})
    return pd.DataFrame(out).sort_values(["n_forms", "unit"], ascending=[False, True]).reset_index(drop=True)
