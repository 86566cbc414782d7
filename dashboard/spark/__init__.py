"""Past one machine: the normalized tables as Parquet, the same queries/*.sql on Apache Spark, and ingest with the
parser running inside Spark tasks.

    contract.py   the schema contract (dashboard/sql/tables.sql) as tables → typed columns; which tables are
                  partitioned by year (a form's year, taken from its report for the tables under a report)
    export.py     `jixiao export parquet`: every table as hive-partitioned Parquet, DuckDB's own writer, schema.json
    slice.py      a DuckDB connection over such a Parquet folder (read_parquet, optionally one slice of years), with
                  the read-side views, so run_query / the report / the CLI read it like a database file
    translate.py  queries/*.sql + views.sql (DuckDB SQL) → Spark SQL with sqlglot: macros inlined, parameters as
                  Spark's named parameter markers (bound, never pasted)
    session.py    one SparkSession (local[*] by default, any cluster through a master URL)
    run.py        `jixiao query NAME --engine spark --parquet DIR`
    ingest.py     `jixiao ingest --engine spark`: mapInArrow over the file list, global ids, units, superseding
                  and the cross-form rules in Spark SQL, the same Parquet tables as `export parquet`

pyspark is an optional dependency (`pip install -e '.[spark]'`, installed by `make test`); only session.py,
run.py and ingest.py import it, and only when called.
"""
