"""DuckDB SQL (queries/*.sql, dashboard/sql/views.sql, dashboard/ingest/cross_rules.sql) → Spark SQL, with
sqlglot. Pure: no Spark, no database.

- The read-side views become Spark temporary views, in views.sql's order.
- DuckDB macros have no Spark counterpart, so they are inlined: a scalar macro call becomes its expression and a
  table macro in FROM becomes a subquery, each with the call's arguments put in place of the macro's parameters
  (repeatedly, since macros call macros). The SQL text of a query is never edited by hand.
- Parameters (`$year`) become Spark's named parameter markers (`:year`); the values are bound by
  `spark.sql(text, args=…)`, never pasted into the text.
- What sqlglot cannot express in Spark, or a function Spark does not have, is a TranslationError that names
  the construct (and the query), never a silently different query.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, UnsupportedError

from dashboard import schema

READ = "duckdb"
WRITE = "spark"


class TranslationError(Exception):
    """A DuckDB construct with no Spark SQL translation; the message names it."""


@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...]
    body: exp.Expression
    is_table: bool


@dataclass(frozen=True)
class ReadSide:
    views: tuple[tuple[str, exp.Expression], ...]  # (name, select) in definition order, macros inlined
    macros: dict[str, Macro]


def _parse(sql: str, what: str) -> list[exp.Expression]:
    try:
        return [s for s in sqlglot.parse(sql, read=READ) if isinstance(s, exp.Expression)]
    except ParseError as e:
        raise TranslationError(f"{what} 无法解析为 DuckDB SQL：{e}") from None


@functools.cache
def read_side() -> ReadSide:
    """views.sql split into its views and its macros (the views with every macro inlined)."""
    macros: dict[str, Macro] = {}
    views: list[tuple[str, exp.Expression]] = []
    for stmt in _parse(schema.views_sql(), "views.sql"):
        if not isinstance(stmt, exp.Create):
            continue
        kind = str(stmt.args.get("kind") or "").upper()
        if kind == "MACRO":
            udf = stmt.this
            name = udf.this.name.lower()
            params = tuple(p.name.lower() for p in udf.expressions)
            body = stmt.expression
            macros[name] = Macro(name, params, body, isinstance(body, exp.Query))
        elif kind == "VIEW":
            views.append((stmt.this.name.lower(), stmt.expression))
    expanded = tuple((name, inline_macros(body, macros, f"视图 {name}")) for name, body in views)
    return ReadSide(expanded, macros)


def _substitute(body: exp.Expression, params: tuple[str, ...], args: list[exp.Expression]) -> exp.Expression:
    values = dict(zip(params, args))

    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and node.name.lower() in values:
            return values[node.name.lower()].copy()
        return node

    return body.copy().transform(swap)


def inline_macros(tree: exp.Expression, macros: dict[str, Macro], what: str) -> exp.Expression:
    """`tree` with every call of a views.sql macro replaced by its body (see the module docstring)."""
    for _ in range(20):  # macros nest a few levels deep; a cycle would be a bug in views.sql
        changed = False

        def expand(node: exp.Expression) -> exp.Expression:
            nonlocal changed
            if isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous):
                macro = macros.get(node.this.name.lower())
                if macro is None or not macro.is_table:
                    raise TranslationError(f"{what} 使用了 Spark 没有的表函数 {node.this.name}()")
                changed = True
                body = _substitute(macro.body, macro.params, list(node.this.expressions))
                alias = node.args.get("alias")
                return exp.Subquery(
                    this=body,
                    alias=alias.copy() if alias else exp.TableAlias(this=exp.to_identifier(macro.name)),
                )
            if isinstance(node, exp.Anonymous) and node.name.lower() in macros:
                macro = macros[node.name.lower()]
                changed = True
                body = _substitute(macro.body, macro.params, list(node.expressions))
                return exp.Subquery(this=body) if macro.is_table else exp.Paren(this=body)
            return node

        tree = tree.transform(expand)
        if not changed:
            return tree
    raise TranslationError(f"{what} 的宏嵌套过深（是否循环调用？）")


def _markers(tree: exp.Expression, types: dict[str, str] | None = None) -> exp.Expression:
    """DuckDB's `$name` → Spark's named marker `:name` (bound by spark.sql's args), cast to the type the
    query's header declares, so a NULL or an empty list has a type."""
    types = types or {}

    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder | exp.Parameter) and node.name:
            marker = exp.Placeholder(this=node.name)
            declared = types.get(node.name)
            if declared is None:
                return marker
            return exp.Cast(this=marker, to=exp.DataType.build(declared, dialect=READ))
        return node

    return tree.transform(swap)


NO_LIMIT = 2147483647  # DuckDB's `limit NULL` is no limit; Spark wants a number


def _spark_idioms(tree: exp.Expression) -> exp.Expression:
    """Rewrites where sqlglot's Spark output is not what Spark 4 runs or means:
    - `from generate_series(a, b) as t (c)` → `from (select explode(sequence(a, b)) as c) as t`;
    - `string_agg(distinct x, sep order by x)` → the sorted distinct values joined (Spark's LISTAGG DISTINCT …
      WITHIN GROUP fails inside its planner), NULL for a group without values, as in DuckDB;
    - `limit $n` → `limit coalesce($n, 2147483647)` (a NULL limit means all rows in DuckDB);
    - `count(distinct x) over (…)` → `size(collect_set(x) over (…))` (Spark has no distinct window functions);
    - a number with a decimal point (`100.0`) → a DOUBLE: DuckDB's decimal arithmetic gives doubles, Spark's
      would stay DECIMAL (other digits, another type)."""

    def swap(node: exp.Expression) -> exp.Expression:
        if (
            isinstance(node, exp.Window)
            and isinstance(node.this, exp.Count)
            and isinstance(node.this.this, exp.Distinct)
            and len(node.this.this.expressions) == 1
        ):
            window = node.copy()
            window.set("this", exp.func("collect_set", node.this.this.expressions[0].copy()))
            return exp.Anonymous(this="size", expressions=[window])
        if (
            isinstance(node, exp.Literal)
            and node.is_number
            and "." in node.this
            and not isinstance(node.parent, exp.Cast)
        ):
            return exp.Cast(this=node.copy(), to=exp.DataType.build("double"))
        if isinstance(node, exp.Table) and isinstance(node.this, exp.GenerateSeries):
            series = node.this
            alias = node.args.get("alias")
            columns = alias.columns if alias else []
            name = columns[0].name if columns else "generate_series"
            select = exp.select(
                exp.alias_(
                    exp.Explode(
                        this=exp.func("sequence", series.args["start"].copy(), series.args["end"].copy())
                    ),
                    name,
                )
            )
            return exp.Subquery(
                this=select, alias=exp.TableAlias(this=exp.to_identifier(alias.name if alias else name))
            )
        if isinstance(node, exp.GroupConcat) and isinstance(node.this, exp.Order):
            order = node.this
            inner = order.this
            keys = order.expressions
            if (
                isinstance(inner, exp.Distinct)
                and len(inner.expressions) == 1
                and len(keys) == 1
                and keys[0].this == inner.expressions[0]
                and not keys[0].args.get("desc")
            ):
                value = inner.expressions[0]
                values = exp.func("collect_set", value.copy())
                joined = exp.func("array_join", exp.func("array_sort", values), node.args["separator"].copy())
                empty = exp.EQ(this=exp.func("size", values.copy()), expression=exp.Literal.number(0))
                return exp.Case(ifs=[exp.If(this=empty, true=exp.Null())], default=joined)
        if (
            isinstance(node, exp.Limit)
            and node.expression is not None
            and node.expression.find(exp.Placeholder)
        ):
            return exp.Limit(
                expression=exp.Coalesce(
                    this=node.expression.copy(), expressions=[exp.Literal.number(NO_LIMIT)]
                )
            )
        return node

    return tree.transform(swap)


_LIST_EXTRACT = {"list_extract", "list_element"}
_LIST_POSITION = {"list_position", "list_indexof", "array_indexof"}


def _element_index(index: exp.Expression) -> exp.Expression:
    """A list index as Spark's element_at takes it: an INT, NULL for 0 (DuckDB's answer there is NULL)."""
    if isinstance(index, exp.Literal) and index.is_int and int(index.this) != 0:
        return index
    nonzero = exp.Nullif(this=index, expression=exp.Literal.number(0))
    return exp.Cast(this=nonzero, to=exp.DataType.build("int"))


def _is_ordered_list(node: exp.Expression | None) -> bool:
    return isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Order)


def _ordered_list(agg: exp.ArrayAgg, where: exp.Expression | None) -> exp.Expression:
    """`list(v order by k0, k1 desc …) [filter (where c)]` in Spark: the (k0, k1, …, v) structs collected, sorted
    by a comparator that follows each key's direction and NULL placement, then their v. (Spark's collect_list has
    no order; sqlglot drops it.) A struct is never NULL, so NULL values stay in the list as in DuckDB."""
    order = agg.this
    keys = list(order.expressions)
    comparator = "0"
    for i in reversed(range(len(keys))):
        k = f"k{i}"
        less, more = ("1", "-1") if keys[i].args.get("desc") else ("-1", "1")
        null_l, null_r = ("-1", "1") if keys[i].args.get("nulls_first") else ("1", "-1")
        comparator = (
            f"case when l.{k} is null and r.{k} is not null then {null_l} "
            f"when l.{k} is not null and r.{k} is null then {null_r} "
            f"when l.{k} < r.{k} then {less} when l.{k} > r.{k} then {more} else {comparator} end"
        )
    fields = ", ".join([f"'k{i}', __k{i}" for i in range(len(keys))] + ["'v', __v"])
    collected = f"collect_list(named_struct({fields}))" + (" filter (where __where)" if where else "")
    sorted_values = f"transform(array_sort({collected}, (l, r) -> {comparator}), x -> x.v)"
    # no rows: DuckDB's list is NULL, Spark's collect_list empty
    template = sqlglot.parse_one(  # type: ignore[attr-defined]
        f"select case when size({collected}) = 0 then null else {sorted_values} end", read=WRITE
    ).selects[0]
    values = {f"__k{i}": key.this for i, key in enumerate(keys)} | {"__v": order.this}
    if where is not None:
        values["__where"] = where

    def put(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and node.name in values:
            return values[node.name].copy()
        return node

    return template.transform(put)


def _rewrite(node: exp.Expression, what: str) -> exp.Expression:
    """One node of `_semantic_rules` (its children already rewritten)."""
    if isinstance(node, exp.Filter) and _is_ordered_list(node.this):
        return _ordered_list(
            node.this, node.expression.this if isinstance(node.expression, exp.Where) else None
        )
    if _is_ordered_list(node) and not isinstance(node.parent, exp.Filter):
        assert isinstance(node, exp.ArrayAgg)
        return _ordered_list(node, None)
    if isinstance(node, exp.WithinGroup) and isinstance(node.this, exp.PercentileCont | exp.PercentileDisc):
        # sqlglot writes both as Spark's PERCENTILE_APPROX (an approximation); Spark 4 has the exact ones
        name = "percentile_cont" if isinstance(node.this, exp.PercentileCont) else "percentile_disc"
        exact = node.copy()
        exact.set("this", exp.Anonymous(this=name, expressions=[node.this.this.copy()]))
        return exact
    position = isinstance(node, exp.ArrayPosition) or (
        isinstance(node, exp.Anonymous) and node.name.lower() in _LIST_POSITION and len(node.expressions) == 2
    )
    if position:
        array, value = (
            (node.this, node.expression) if isinstance(node, exp.ArrayPosition) else node.expressions
        )
        at = exp.ArrayPosition(this=array.copy(), expression=value.copy())
        found = exp.Nullif(this=at, expression=exp.Literal.number(0))  # DuckDB: NULL when absent, Spark: 0
        return exp.Cast(this=found, to=exp.DataType.build("int"))  # DuckDB's is an INTEGER, Spark's a BIGINT
    if isinstance(node, exp.Anonymous) and node.name.lower() in _LIST_EXTRACT and len(node.expressions) == 2:
        array, index = node.expressions
        return exp.Anonymous(this="try_element_at", expressions=[array.copy(), _element_index(index.copy())])
    if isinstance(node, exp.Bracket) and any(not isinstance(e, exp.Literal) for e in node.expressions):
        # sqlglot shifts a literal index (DuckDB counts from 1, Spark's [] from 0) but passes any other as is
        raise TranslationError(
            f"{what} 用了非常量下标 {node.sql(dialect=READ)}：请写 list_extract(列表, 位置)（可译为 Spark）"
        )
    return node


def _semantic_rules(tree: exp.Expression, what: str) -> exp.Expression:
    """Rewrites where sqlglot's Spark output runs but means something else, applied bottom-up (a rewritten
    call's arguments are rewritten too):
    - `list(v order by k …)` / `array_agg(v order by k …)`: the order kept (see _ordered_list);
    - `percentile_cont(p) / percentile_disc(p) within group (order by x)` → the same in Spark (sqlglot writes
      PERCENTILE_APPROX, whose answer differs from DuckDB's exact interpolation);
    - `list_position(l, x)` (and `array_position`) → `cast(nullif(array_position(l, x), 0) as int)`: DuckDB
      gives NULL for a value not in the list, Spark 0 (one difference stays: DuckDB finds a NULL element,
      Spark gives NULL), and an INTEGER where Spark gives a BIGINT;
    - `list_extract(l, i)` / `list_element` → `try_element_at(l, cast(nullif(i, 0) as int))`: both count from 1 and from
      the end for i < 0; DuckDB gives NULL past the end and for 0, Spark's element_at fails on both;
    - `l[i]` with an index that is not a literal: a TranslationError (sqlglot would keep DuckDB's 1-based
      index under Spark's 0-based [], a silently different element)."""
    nodes = list(tree.walk())
    for node in reversed(nodes):  # children before their parents
        new = _rewrite(node, what)  # type: ignore[arg-type]
        if new is not node:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree


def to_spark(tree: exp.Expression, what: str) -> str:
    """Spark SQL text of a (macro-free) DuckDB tree; constructs Spark cannot express raise TranslationError."""
    tree = _semantic_rules(_spark_idioms(tree), what)
    try:
        return tree.sql(dialect=WRITE, unsupported_level=ErrorLevel.RAISE, comments=False)
    except UnsupportedError as e:
        raise TranslationError(f"{what} 含有 Spark SQL 无法表达的写法：{e}") from None


def anonymous_functions(tree: exp.Expression) -> set[str]:
    """Functions sqlglot does not know (passed through by name): Spark must have them, else the query fails."""
    return {n.name.lower() for n in tree.find_all(exp.Anonymous)}


def view_statements() -> list[tuple[str, str]]:
    """(name, Spark SQL select) for every read-side view, in order."""
    return [(name, to_spark(_markers(body), f"视图 {name}")) for name, body in read_side().views]


def translate_query(name: str, sql: str, types: dict[str, str] | None = None) -> str:
    """The Spark SQL of one query file (its `$params` as `:params`, cast to `types`: name → DuckDB type)."""
    what = f"查询 {name}"
    statements = _parse(sql, what)
    if len(statements) != 1:
        raise TranslationError(f"{what} 应只含一条语句，实有 {len(statements)} 条")
    tree = inline_macros(statements[0], read_side().macros, what)
    return to_spark(_markers(tree, types), what)


def translate_insert_select(sql: str, what: str, types: dict[str, str] | None = None) -> tuple[str, str]:
    """(target table, Spark SQL of the select) of an `insert into T (…) select …` statement (cross_rules.sql)."""
    statements = _parse(sql, what)
    if len(statements) != 1 or not isinstance(statements[0], exp.Insert):
        raise TranslationError(f"{what} 应是一条 insert … select 语句")
    insert = statements[0]
    target = insert.this.this if isinstance(insert.this, exp.Schema) else insert.this
    tree = inline_macros(insert.expression, read_side().macros, what)
    return target.name, to_spark(_markers(tree, types), what)
