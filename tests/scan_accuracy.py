"""Field accuracy of a form read from a scan against the same form read from its text (tests and benchmark)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Positions in tests/test_formats.records() tuples that hold figures: report totals, budget columns,
# indicator weight and score.
FIGURES = {"report": (7, 8, 9, 10), "budget": (2, 3, 4, 5, 6, 7), "indicator": (11, 12)}
_PUNCT = str.maketrans("，：；（）！？、", ",:;()!?,")


def fold(value: object) -> object:
    """Text as OCR can tell it apart: no whitespace, full-width and ASCII punctuation alike, quotes alike."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value).translate(_PUNCT)
    text = re.sub(r"[\"“”'‘’]", '"', text)
    return re.sub(r"\s+", "", text)


@dataclass
class Accuracy:
    fields: int = 0
    wrong: int = 0
    figures: int = 0
    wrong_figures: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def field_share(self) -> float:
        return 1 - self.wrong / self.fields if self.fields else 0.0

    @property
    def figure_share(self) -> float:
        return 1 - self.wrong_figures / self.figures if self.figures else 0.0

    def __str__(self) -> str:
        return (
            f"fields {self.fields - self.wrong}/{self.fields} ({self.field_share:.1%}), "
            f"figures {self.figures - self.wrong_figures}/{self.figures} ({self.figure_share:.1%})"
        )


def accuracy(got: list[tuple], want: list[tuple]) -> Accuracy:
    """Record by record, field by field (the rules tuple not counted: it follows from the fields). A record the
    scan lost or added counts every one of its fields wrong."""
    acc = Accuracy()
    want = [r for r in want if r[0] != "rules"]
    got = [r for r in got if r[0] != "rules"]
    for k in range(max(len(got), len(want))):
        g = got[k] if k < len(got) else None
        w = want[k] if k < len(want) else None
        ref = w or g
        assert ref is not None
        figures = FIGURES.get(ref[0], ())
        for i in range(1, len(ref)):
            a = g[i] if g is not None and i < len(g) and g[0] == ref[0] else "<missing>"
            b = w[i] if w is not None and i < len(w) and w[0] == ref[0] else "<missing>"
            ok = fold(a) == fold(b)
            acc.fields += 1
            acc.wrong += not ok
            if i in figures:
                acc.figures += 1
                acc.wrong_figures += not ok
            if not ok:
                acc.mismatches.append(f"{ref[0]} #{k} field {i}: read {a!r}, form has {b!r}")
    return acc
