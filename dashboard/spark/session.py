"""One SparkSession per process: `local[*]` unless a master URL is given (spark://…, yarn, k8s://…), with the
settings the queries need (UTC session time zone, few shuffle partitions for province-sized data, no UI), and
the Parquet tables of a folder registered as temporary views with the contract's columns and types."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from dashboard.spark import contract


class SparkUnavailable(Exception):
    """pyspark or Java is missing."""


def get_session(master: str | None = None, shuffle_partitions: int | None = None) -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:
        raise SparkUnavailable("未安装 pyspark：请运行 pip install -e '.[spark]'（make test 会安装）") from e
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the workers run this interpreter, this package
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.appName("jixiao")
        .master(master or os.environ.get("JIXIAO_SPARK_MASTER", "local[*]"))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions or 8))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", os.environ.get("JIXIAO_SPARK_DRIVER_MEMORY", "2g"))
        # Broadcast joins chosen at run time from the sizes actually seen (adaptive execution), never from the
        # planner's estimate: at the province tier a view's estimate said "small" for a side that then did not
        # fit the 2-4 GB driver ("Not enough memory to build and broadcast the table").
        .config("spark.sql.autoBroadcastJoinThreshold", "-1")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.adaptive.autoBroadcastJoinThreshold", "10MB")
    )
    try:
        spark = builder.getOrCreate()
    except Exception as e:  # Java missing or failing to start: pyspark raises a plain RuntimeError
        raise SparkUnavailable(
            f"无法启动 Spark（需要 Java 17：apt-get install openjdk-17-jre-headless）：{e}"
        ) from e
    spark.sparkContext.setLogLevel("ERROR")
    for name in ("DataFrameQueryContextLogger", "SQLQueryContextLogger"):  # errors reach us as exceptions
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return spark


# The partition key as Spark reads it with type inference off: a string, NULL written either way.
_YEAR = "cast(case when year in ('NULL', '__HIVE_DEFAULT_PARTITION__') then null else year end as int)"


def register_parquet(spark: Any, root: str | Path) -> None:
    """Every table of the Parquet folder `root` as a temporary view of the contract's columns and types."""
    root = Path(root)
    for table, cols in contract.tables().items():
        df = spark.read.option("basePath", str(root / table)).parquet(str(root / table))
        exprs = [
            f"{_YEAR} as year"
            if c == "year" and contract.partitioned(table)
            else f"cast({c} as {contract.spark_type(t)}) as {c}"
            for c, t in cols
        ]
        df.selectExpr(*exprs).createOrReplaceTempView(table)
