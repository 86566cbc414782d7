"""Expected goals and what was achieved, paired item by item where both sides number their items."""

from __future__ import annotations

import re

from dashboard.ingest.model import Goal, Row
from dashboard.ingest.vocab import normalize_key

GOAL_LABELS = {
    "年度总体目标",
    "预期目标",
    "实际完成情况",
    "目标实际完成情况",
    "年度总体绩效目标完成情况",
    "总体目标",
    "年度绩效目标",
    "绩效目标",
    "实际完成",
    "年度目标",
    "完成情况",
}
_OUTCOME = re.compile(r"^(目标\s*\d+\s*完成情况|完成情况|已完成|全面完成|完成)")
_ORDINAL_SPLIT = re.compile(r"(?=[二三四五六七八九十]是)")
_GOAL_N_SPLIT = re.compile(r"(?=目标\s*\d+\s*(?:完成情况)?\s*[:：])")


def is_goal_label(text: str) -> bool:
    return normalize_key(text) in GOAL_LABELS


def split_items(text: str) -> list[str]:
    parts = [p.strip() for p in text.split("\n") if p.strip()]
    if len(parts) == 1:
        only = parts[0]
        if only.startswith("一是"):
            parts = [p.strip().rstrip("；;") for p in _ORDINAL_SPLIT.split(only) if p.strip("；;。 ")]
        elif len(_GOAL_N_SPLIT.findall(only)) > 1:
            parts = [p.strip() for p in _GOAL_N_SPLIT.split(only) if p.strip()]
    return parts


def parse_goals(rows: list[Row], outcome_column: int | None) -> list[Goal]:
    goal_texts: list[str] = []
    outcome_texts: list[str] = []
    for row in rows:
        for col, cell in row.nonempty():
            if is_goal_label(cell):
                continue
            if _OUTCOME.match(cell) or (
                outcome_column is not None
                and col >= outcome_column
                and not re.match(r"^目标\s*\d+\s*[:：]", cell)
            ):
                outcome_texts.append(cell)
            else:
                goal_texts.append(cell)
    goal_text, outcome_text = "\n".join(goal_texts), "\n".join(outcome_texts)
    goals, outcomes = split_items(goal_text), split_items(outcome_text)
    if not goals and not outcomes:
        return []
    if len(goals) == len(outcomes):
        return [Goal(k, g, o) for k, (g, o) in enumerate(zip(goals, outcomes), start=1)]
    # Items that do not pair up stay as written, in one row.
    return [Goal(1, goal_text or None, outcome_text or None)]
