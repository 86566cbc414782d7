"""Header words per column role and the template families, loaded from templates.toml (data, not code)."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from dashboard.ingest.vocab import normalize_key

# Markers a header cell may carry that do not change its role: (A) (B) (%) (分) (万元) ①, a trailing colon.
_MARKERS = re.compile(
    r"[(（\[【]\s*(?:[A-Za-z]|[A-Za-z]/[A-Za-z]|%|％|分|\d+(?:\.\d+)?\s*分|万元|元|个|次|是/否|B/A|[A-Za-z]/[A-Za-z]\s*[×*xX]\s*100\s*[%％])\s*[)）\]】]|[①②③④⑤]|[:：]$"
)


@dataclass(frozen=True)
class Family:
    template: str
    label: str
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    order: tuple[str, ...] = ()

    def matches(self, words: set[str], roles: list[str]) -> bool:
        if self.all and not all(_has(words, w) for w in self.all):
            return False
        if self.any and not any(_has(words, w) for w in self.any):
            return False
        if self.order:
            if not all(r in roles for r in self.order):
                return False
            positions = [roles.index(r) for r in self.order]
            if positions != sorted(positions):
                return False
        return bool(self.all or self.any or self.order) or self.template == "generic"


def _has(words: set[str], word: str) -> bool:
    key = normalize_key(word)
    return any(key in w for w in words)


@functools.cache
def _data() -> dict:
    text = resources.files("dashboard.ingest").joinpath("templates.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@functools.cache
def _table(name: str) -> tuple[tuple[str, str, bool], ...]:
    """(normalised word, role, is_prefix) for one header table, longest words first."""
    out = []
    for role, words in _data()[name].items():
        for w in words:
            prefix = w.endswith("*")
            out.append((normalize_key(w.rstrip("*")), role, prefix))
    return tuple(sorted(out, key=lambda t: -len(t[0])))


@functools.cache
def families() -> tuple[Family, ...]:
    return tuple(
        Family(
            f["template"],
            f.get("label", f["template"]),
            tuple(f.get("all", ())),
            tuple(f.get("any", ())),
            tuple(f.get("order", ())),
        )
        for f in _data()["family"]
    )


@functools.lru_cache(maxsize=1 << 16)
def header_key(text: str) -> str:
    """A header cell's matching key: normalised, markers such as (A) and (%) dropped."""
    key = normalize_key(text)
    prev = None
    while prev != key:
        prev, key = key, _MARKERS.sub("", key)
    return key


@dataclass(frozen=True)
class _Index:
    """One header table's words indexed for lookups: what `_table`'s order decides (the longest word first; of
    equal words, the first listed), computed once instead of a scan of every word per cell."""

    exact: dict[str, str]  # word -> role, for a key equal to the word
    prefix: dict[str, str]  # prefix word -> role, for a key starting with it
    prefix_lengths: tuple[int, ...]  # their lengths, longest first
    proper_prefixes: frozenset[str]  # every proper beginning of some word
    by_chars: dict[frozenset[str], tuple[tuple[str, str], ...]]  # words of 4+ characters by their character set


@functools.cache
def _index(table: str) -> _Index:
    exact: dict[str, str] = {}
    prefix: dict[str, str] = {}
    by_chars: dict[frozenset[str], list[tuple[str, str]]] = {}
    for word, role, is_prefix in _table(table):
        exact.setdefault(word, role)
        if is_prefix:
            prefix.setdefault(word, role)
        if len(word) >= 4:
            by_chars.setdefault(frozenset(word), []).append((word, role))
    return _Index(
        exact,
        prefix,
        tuple(sorted({len(w) for w in prefix}, reverse=True)),
        frozenset(w[:i] for w, _, _ in _table(table) for i in range(1, len(w))),
        {k: tuple(v) for k, v in by_chars.items()},
    )


@functools.lru_cache(maxsize=1 << 15)
def role_of(text: str, table: str) -> str | None:
    """The column role a header cell names in `table` ("indicator" or "budget"), or None.

    The whole cell must be the header word (markers aside): a data cell that mentions a header word, such as an
    indicator called 考核得分率, is not a header."""
    key = header_key(text)
    if not key or len(key) > 24:
        return None
    index = _index(table)
    role = index.exact.get(key)
    if role is not None:
        return role
    for n in index.prefix_lengths:  # the longest prefix word the key starts with
        if n < len(key):
            role = index.prefix.get(key[:n])
            if role is not None:
                return role
    return None


@functools.lru_cache(maxsize=1 << 15)
def is_header_prefix(text: str, table: str) -> bool:
    """True when the cell is the beginning of some header word (a word broken over two cells: 年度 | 指标值)."""
    key = header_key(text)
    return bool(key) and key in _index(table).proper_prefixes


def detect_family(words: set[str], roles: list[str]) -> Family:
    keys = {normalize_key(w) for w in words}
    for family in families():
        if family.matches(keys, roles):
            return family
    return families()[-1]


def family_label(template: str) -> str:
    return next((f.label for f in families() if f.template == template), template)


@functools.lru_cache(maxsize=1 << 15)
def scrambled_role(text: str, table: str) -> str | None:
    """The role of a header cell whose characters are a header word's, out of order (`年成值全完值`: OCR read the
    two lines of a wrapped `全年完成值` cell interleaved), or None. Only words of four characters or more, and a
    cell at most one character longer than the word."""
    key = header_key(text)
    if len(key) < 4:
        return None
    for word, role in _index(table).by_chars.get(frozenset(key), ()):
        if len(word) <= len(key) <= len(word) + 1 and key != word:
            return role
    return None
