"""Near-duplicate deviation notes (rule similar_note): which notes say the same thing in other forms.

The exact case is the copied_note finding (ingest/cross_rules.sql). Here "nearly the same" is measured, so a
note copied with a name or a number changed is found too:

1. each note is reduced to a key: whitespace and punctuation removed, full-width letters and digits folded
   (NFKC); notes whose key is shorter than `min_chars` or is a no-reason word (无偏差) are left out;
2. identical keys are one candidate at once; for the distinct keys, MinHash signatures over character
   shingles go into an LSH index (datasketch), which proposes the pairs likely above `lsh_threshold` Jaccard
   similarity, so the corpus is never compared pair by pair;
3. each proposed pair is checked with rapidfuzz's edit similarity (`fuzz.ratio` ≥ `min_ratio`); pairs that
   pass are joined (union-find) into groups;
4. a group is kept when its notes come from at least two unit-years (another unit, or the same unit in
   another year); group numbers run 1, 2, … in the order of each group's first note (unit, year, id).

The groups go to queries/review_signals.sql as two parallel lists ($similar_ids, $similar_groups).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from datasketch import MinHash, MinHashLSH
from rapidfuzz import fuzz

NUM_PERM = 64
_STRIP = re.compile(r"[\s\u3000。．.，,；;：:、!！?？“”\"'‘’（）()【】\[\]《》<>·…—\-_/]+")


@dataclass(frozen=True)
class NoteGroups:
    """indicator_id → group number, and one row per member (the cluster, for showing)."""

    ids: list[int]
    groups: list[int]
    members: (
        pd.DataFrame
    )  # group_id, indicator_id, report_id, unit, year, [kind, form, indicator,] note, n_units, n_years

    def params(self) -> dict[str, list[int]]:
        return {"similar_ids": self.ids, "similar_groups": self.groups}


def note_key(text: str | None) -> str:
    """The note as compared: NFKC-folded, without whitespace and punctuation."""
    if not text:
        return ""
    return _STRIP.sub("", unicodedata.normalize("NFKC", str(text)))


def _shingles(key: str, k: int) -> Iterable[bytes]:
    if len(key) <= k:
        return [key.encode("utf-8")]
    return [key[i : i + k].encode("utf-8") for i in range(len(key) - k + 1)]


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def similar_pairs(
    keys: list[str], min_ratio: float = 90, lsh_threshold: float = 0.5, shingle: int = 3
) -> list[tuple[int, int, float]]:
    """(i, j, ratio) for the distinct keys whose edit similarity is at least min_ratio, i < j; the candidates
    come from MinHash LSH, so pairs far apart are never compared."""
    if len(keys) < 2:
        return []
    lsh = MinHashLSH(threshold=lsh_threshold, num_perm=NUM_PERM)
    hashes = MinHash.bulk([list(_shingles(k, shingle)) for k in keys], num_perm=NUM_PERM)
    for i, m in enumerate(hashes):
        lsh.insert(i, m)
    out = []
    for i, m in enumerate(hashes):
        for j in lsh.query(m):
            if j <= i:
                continue
            ratio = fuzz.ratio(keys[i], keys[j])
            if ratio >= min_ratio:
                out.append((i, j, ratio))
    return sorted(out)


def group_notes(
    pool: pd.DataFrame,
    *,
    min_chars: int = 8,
    min_ratio: float = 90,
    lsh_threshold: float = 0.5,
    shingle: int = 3,
    empty_notes: Iterable[str] = (),
) -> NoteGroups:
    """Groups of the same or nearly the same notes in `pool` (indicator_id, report_id, unit, year, note)."""
    empty = {note_key(w) for w in empty_notes}
    df = pool.copy()
    df["key"] = [note_key(n) for n in df["note"]]
    df = df[(df["key"].str.len() >= min_chars) & ~df["key"].isin(empty)]
    df = df.sort_values(["unit", "year", "indicator_id"], kind="stable").reset_index(drop=True)
    keys = list(dict.fromkeys(df["key"]))
    index = {k: n for n, k in enumerate(keys)}
    uf = _UnionFind(len(keys))
    for i, j, _ratio in similar_pairs(keys, min_ratio, lsh_threshold, shingle):
        uf.union(i, j)
    df["root"] = [uf.find(index[k]) for k in df["key"]]
    spread = df.drop_duplicates(["root", "unit", "year"]).groupby("root").size()  # unit-years per group
    kept = df[df["root"].map(spread) >= 2].copy()
    order = {root: n + 1 for n, root in enumerate(dict.fromkeys(kept["root"]))}
    kept["group_id"] = kept["root"].map(order).astype(int)
    kept["n_units"] = kept.groupby("group_id")["unit"].transform("nunique").astype(int)
    kept["n_years"] = kept.groupby("group_id")["year"].transform("nunique").astype(int)
    extra = [c for c in ("kind", "form", "indicator") if c in kept.columns]
    members = kept[
        ["group_id", "indicator_id", "report_id", "unit", "year", *extra, "note", "n_units", "n_years"]
    ]
    members = members.sort_values(["group_id", "unit", "year", "indicator_id"]).reset_index(drop=True)
    return NoteGroups(
        ids=[int(v) for v in members["indicator_id"]],
        groups=[int(v) for v in members["group_id"]],
        members=members,
    )
