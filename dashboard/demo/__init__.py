"""Synthetic demo corpus (示例数据): deterministic self-evaluation forms with their ground truth.

`ensure_default_corpus()` writes the default corpus (≈40 units × 2019–2024) into data/demo/ on first use;
`jixiao demo` writes any size, up to the province benchmark tier.
"""

from dashboard.demo.corpus import ensure_default_corpus, write_corpus
from dashboard.demo.generate import DEFAULT_SEED, GENERATOR_VERSION, generate_document, make_plan

__all__ = [
    "DEFAULT_SEED",
    "GENERATOR_VERSION",
    "ensure_default_corpus",
    "generate_document",
    "make_plan",
    "write_corpus",
]
