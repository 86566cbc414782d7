"""Unit names -> one unit: the same department written with or without 人民, in full-width brackets,
in Traditional characters or behind a numeric code is one unit in rankings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from dashboard.ingest.vocab import normalize_key

_CODE_PREFIX = re.compile(r"^\d{3,}[-_.、:：]*")
FUZZY_MIN_LENGTH = 10
FUZZY_CUTOFF = 95.0


def display_name(raw: str) -> str:
    """The name as shown: Simplified, half-width, no spaces, no code prefix."""
    return _CODE_PREFIX.sub("", normalize_key(raw))


def unit_key(raw: str) -> str:
    return display_name(raw).replace("人民", "")


@dataclass
class UnitRegistry:
    """Maps written names to unit ids; new names become new units. Tracks which units changed."""

    by_key: dict[str, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    aliases: dict[int, list[str]] = field(default_factory=dict)
    dirty: set[int] = field(default_factory=set)

    @classmethod
    def from_rows(cls, rows: list[tuple[int, str, list[str] | None]]) -> UnitRegistry:
        reg = cls()
        for unit_id, name, aliases in rows:
            reg.names[unit_id] = name
            reg.aliases[unit_id] = list(aliases or [])
            for alias in [name, *reg.aliases[unit_id]]:
                reg.by_key[unit_key(alias)] = unit_id
        return reg

    def resolve(self, raw: str | None) -> tuple[int | None, str | None]:
        if not raw:
            return None, None
        key = unit_key(raw)
        unit_id = self.by_key.get(key)
        if unit_id is None and len(key) >= FUZZY_MIN_LENGTH and self.by_key:
            match = process.extractOne(key, list(self.by_key), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            if match is not None:
                unit_id = self.by_key[match[0]]
        if unit_id is None:
            unit_id = max(self.names, default=0) + 1
            self.names[unit_id] = display_name(raw)
            self.aliases[unit_id] = []
            self.dirty.add(unit_id)
        self.by_key[key] = unit_id
        if raw != self.names[unit_id] and raw not in self.aliases[unit_id]:
            self.aliases[unit_id].append(raw)
            self.dirty.add(unit_id)
        return unit_id, self.names[unit_id]
