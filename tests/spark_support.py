"""What the Spark tests share (tests/test_spark_*.py): one SparkSession (local[2]) per test session, a small
demo corpus (8 units × 2022–2023, txt/xlsx/docx) ingested once into DuckDB and exported once as Parquet, and the
comparison of two result frames (same columns; rows sorted; numbers within 1e-9)."""

from __future__ import annotations

import decimal
import functools
import math
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.demo.corpus import write_corpus
from dashboard.demo.generate import make_plan
from dashboard.load import ingest

TOLERANCE = 1e-9


@functools.cache
def demo_corpus(root: Path) -> tuple[Path, Path]:
    """(demo folder, its DuckDB database), built once per session under `root`."""
    out = root / "demo"
    write_corpus(out, make_plan(n_units=8, years=(2022, 2023)), ("txt", "xlsx", "docx"))
    db = root / "demo.duckdb"
    result = ingest([out], db, workers=1)
    assert not result.failed, result.failed
    return out, db


@functools.cache
def spark_session() -> Any:
    from dashboard.spark.session import get_session

    return get_session("local[2]", shuffle_partitions=4)


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if hasattr(value, "item") and not isinstance(value, list | tuple | str | bytes):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            value = list(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list | tuple) or type(value).__name__ == "ndarray":
        return tuple(_plain(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def rows(df: pd.DataFrame) -> list[tuple]:
    """The frame's rows as plain values, sorted (NULLs first, numbers by value rounded to 6 places)."""
    out = [tuple(_plain(v) for v in row) for row in df.astype(object).itertuples(index=False, name=None)]

    def key(row: tuple) -> tuple:
        return tuple(
            (0, "")
            if v is None
            else (1, round(float(v), 6))
            if isinstance(v, int | float) and not isinstance(v, bool)
            else (2, str(v))
            for v in row
        )

    return sorted(out, key=key)


def assert_same_rows(left: pd.DataFrame, right: pd.DataFrame, what: str) -> None:
    assert list(left.columns) == list(right.columns), what
    a, b = rows(left), rows(right)
    assert len(a) == len(b), f"{what}: {len(a)} rows vs {len(b)}"
    for i, (x, y) in enumerate(zip(a, b)):
        for col, u, v in zip(left.columns, x, y):
            if isinstance(u, int | float) and isinstance(v, int | float) and not isinstance(u, bool):
                assert math.isclose(u, v, rel_tol=TOLERANCE, abs_tol=TOLERANCE), (
                    f"{what} row {i} {col}: {u} vs {v}"
                )
            else:
                assert u == v, f"{what} row {i} {col}: {u!r} vs {v!r}"
