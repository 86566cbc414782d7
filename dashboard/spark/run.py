"""`jixiao query NAME --engine spark --parquet DIR`: the same queries/*.sql on Spark SQL over a Parquet folder.

The header's parameters are checked and converted exactly as for DuckDB (dashboard.db.bind), then bound as
Spark named parameters; the read-side views are created as temporary views (translate.view_statements); the
query's text is translated once per process.
"""

from __future__ import annotations

import functools
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


def create_views(spark: Any) -> None:
    for name, select in translate.view_statements():
        spark.sql(f"create or replace temporary view {name} as {select}")


def check_functions(spark: Any, name: str, sql_text: str) -> None:
    """A function sqlglot passed through by name must exist in Spark; else say which one."""
    import sqlglot

    tree = sqlglot.parse_one(sql_text, read="spark")
    missing = sorted(f for f in translate.anonymous_functions(tree) if not spark.catalog.functionExists(f))
    if missing:
        raise translate.TranslationError(f"查询 {name} 使用了 Spark 没有的函数：{'、'.join(missing)}")


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
    args = {k: _arg(v) for k, v in bound.items()}
    try:
        return spark.sql(text, args=args).toArrow().to_pandas()
    except Exception as e:
        if "UNRESOLVED_ROUTINE" in str(e):
            try:
                check_functions(spark, name, text)
            except translate.TranslationError as missing:
                raise db.QueryError(str(missing)) from None
        raise db.QueryError(f"查询 {name} 在 Spark 上执行失败：{str(e).splitlines()[0]}") from e


def open_parquet(root: str | Path, master: str | None = None) -> Any:
    """A SparkSession with the folder's tables and the read-side views registered."""
    spark = session.get_session(master)
    session.register_parquet(spark, root)
    create_views(spark)
    return spark
