"""The review's word lists and thresholds, read from vague_words.toml (kept as data)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

WORDS_FILE = Path(__file__).with_name("vague_words.toml")


@dataclass(frozen=True)
class ReviewWords:
    vague_target: tuple[str, ...]
    empty_note: tuple[str, ...]
    min_chars: int
    min_ratio: float
    lsh_threshold: float
    shingle: int


def parse(text: str, name: str = WORDS_FILE.name) -> ReviewWords:
    """The lists of a vague_words.toml text; a malformed file is a ValueError naming it."""
    try:
        data = tomllib.loads(text)
        similar = data["similar_note"]
        return ReviewWords(
            vague_target=tuple(str(w) for w in data["vague_target"]["words"] if str(w).strip()),
            empty_note=tuple(str(w) for w in data["empty_note"]["words"] if str(w).strip()),
            min_chars=int(similar["min_chars"]),
            min_ratio=float(similar["min_ratio"]),
            lsh_threshold=float(similar["lsh_threshold"]),
            shingle=int(similar["shingle"]),
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as e:
        raise ValueError(f"复核词表 {name} 格式有误：{e}") from e


@cache
def load(path: Path = WORDS_FILE) -> ReviewWords:
    return parse(path.read_text(encoding="utf-8"), path.name)
