"""`jixiao query NAME --engine spark --parquet DIR`: the same queries/*.sql on Spark SQL over a Parquet folder.

The header's parameters are checked and converted exactly as for DuckDB (dashboard.db.bind), then bound as
Spark named parameters; the read-side views are created as temporary views (translate.view_statements); the
query's text is translated once per process.
"""

from __future__ import annotations

import functools
import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard import db
from dashboard.spark import session, translate


@functools.cache
def spark_sql(name: str) -> str:
    """The Spark SQL of queries/<name>.sql (raises TranslationError naming what cannot be translated)."""
    query = db.load_query(name)
    return translate.translate_query(name, query.sql, {p.name: p.type for p in query.params})


def create_views(spark: Any, materialize: bool | None = None) -> None:
    """The read-side views as temporary views. Materialized (the default; JIXIAO_SPARK_VIEWS=lazy turns it off),
    each view is computed once and kept as a local checkpoint, so a query's plan starts at the views' rows
    instead of re-analysing their whole definition at every reference: review_priority, which names the views
    a few dozen times, otherwise spends most of its time (and, in a 1 GB driver, all its heap) in Spark's
    analyzer. Lazy views cost nothing up front and suit a one-off query over a very large folder."""
    if materialize is None:
        materialize = os.environ.get("JIXIAO_SPARK_VIEWS", "materialized") != "lazy"
    for name, select in translate.view_statements():
        if materialize:
            spark.sql(select).localCheckpoint(eager=True).createOrReplaceTempView(name)
        else:
            spark.sql(f"create or replace temporary view {name} as {select}")


def _arg(value: Any) -> Any:
    """A bound value as Spark takes it: a literal, a list as an array() of literals (the query casts both to
    the declared type, so NULL and [] are typed)."""
    from pyspark.sql import functions as F

    if isinstance(value, list | tuple):
        return F.array(*[F.lit(v) for v in value])
    return value


def run_query_spark(spark: Any, name: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """queries/<name>.sql on Spark over the views registered in `spark` (register_parquet + create_views)."""
    query = db.load_query(name)
    bound = db.bind(query, dict(params or {}))
    try:
        text = spark_sql(name)
    except translate.TranslationError as e:
        raise db.QueryError(str(e)) from None
    return execute(spark, name, text, {k: _arg(v) for k, v in bound.items()})


_ROUTINE = re.compile(r"UNRESOLVED_ROUTINE\].*?routine `?([\w.]+)`?", re.S)


def execute(spark: Any, name: str, text: str, args: Mapping[str, Any]) -> pd.DataFrame:
    """Run translated Spark SQL with bound arguments; a function Spark does not have is named."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
            return spark.sql(text, args=dict(args)).toArrow().to_pandas()
    except Exception as e:
        message = str(e)
        missing = _ROUTINE.search(message)
        if missing:
            raise db.QueryError(
                f"查询 {name} 无法在 Spark 上运行：Spark 没有函数 {missing.group(1).lower()}（DuckDB 专有写法）"
            ) from None
        first = next((line for line in message.splitlines() if line.strip()), message)
        raise db.QueryError(f"查询 {name} 在 Spark 上执行失败：{first}") from e


def open_parquet(root: str | Path, master: str | None = None) -> Any:
    """A SparkSession with the folder's tables and the read-side views registered."""
    spark = session.get_session(master)
    session.register_parquet(spark, root)
    create_views(spark)
    return spark
