"""The 复核清单 page's work: the near-duplicate note groups (cached per database generation and dataset), the
review queries with their word lists and the analyst's weights, and the workbook for the review team."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import load
from dashboard.review import export as review_export
from dashboard.review import notes
from dashboard.review import signals as review
from dashboard.selection import Selection
from dashboard.ui.data import database, query

STATUSES = review.STATUSES


@st.cache_data(show_spinner="正在比对各表的偏差说明…", max_entries=20)
def _groups(db_path: str, generation: str, dataset: str | None) -> notes.NoteGroups:
    return review.note_groups(lambda name, sel, **p: query(name, sel, **p), dataset)


def note_groups(sel: Selection) -> notes.NoteGroups:
    """Groups of the same or nearly the same deviation notes in the selection's dataset."""
    reader = database()
    return _groups(str(reader.path), reader.generation(), sel.dataset)


def rules() -> pd.DataFrame:
    return query("review_rules")


def priority(sel: Selection, weights: Mapping[str, float] | None = None, **extra: Any) -> pd.DataFrame:
    return review.priority(query, sel, note_groups(sel), weights=weights, **extra)


def signal_rows(sel: Selection, **extra: Any) -> pd.DataFrame:
    return review.signals(query, sel, note_groups(sel), **extra)


def groups_of(sel: Selection, indicator_ids: list[int]) -> pd.DataFrame:
    """The members of the note groups that hold any of these indicators (the whole cluster, every unit)."""
    members = note_groups(sel).members
    wanted = set(members.loc[members["indicator_id"].isin(indicator_ids), "group_id"])
    return members[members["group_id"].isin(wanted)].reset_index(drop=True)


def workbook(
    priority_rows: pd.DataFrame, signal_frame: pd.DataFrame, sel: Selection, weights: Mapping[str, float]
) -> bytes:
    """The XLSX the review team gets: the list, the triggering rows, the similar-note groups, the rules."""
    ids = [
        int(i) for i in signal_frame.loc[signal_frame["signal"] == "similar_note", "indicator_id"].dropna()
    ]
    r = rules().assign(weight=lambda d: d["signal"].map(weights).fillna(d["default_weight"]))
    return review_export.review_xlsx(priority_rows, signal_frame, groups_of(sel, ids), r)


def set_status(row: Mapping[str, Any], status: str, reviewer: str, comment: str = "") -> str | None:
    """Store a form's 复核 status through the write path (lock, copy, swap); None when stored, else the Chinese
    reason it was not (a bad value, another writer busy, an outdated database)."""
    mark = load.Mark(
        form_key=str(row["form_key"]),
        report_id=int(row["report_id"]),
        status=status,
        reviewer=reviewer,
        comment=comment,
    )
    try:
        load.mark(database().path, [mark], wait=10.0)
    except (ValueError, load.DatabaseBusy, load.DatabaseUnreadable, load.SchemaOutdated) as e:
        return str(e)
    return None
