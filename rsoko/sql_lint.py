"""Portability lint of the compiled dbt SQL: does DuckDB-only syntax creep back into the models?

The project is compiled on DuckDB (the default target) and each compiled statement is checked as
Spark SQL: it must parse with sqlglot's Spark dialect, and its tokens must not contain the DuckDB
constructs that Spark rejects or, worse, accepts with another meaning (issue 15). sqlglot alone is
too lenient for the second part (it reads `* exclude`, `union all by name` and `^` in any dialect),
hence the explicit token rules.

The engine-specific functions live in dbt/macros/portable.sql behind adapter.dispatch; their
DuckDB bodies are wrapped in /*duckdb*/ … /*end duckdb*/ and are the only place where DuckDB-only
SQL is expected: the lint replaces each marked span by `null` before checking.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import sqlglot
from sqlglot.tokens import TokenType

# innermost span first: macros nest (explode_list(make_list(...)))
DUCKDB_SPAN = re.compile(r"/\*duckdb\*/(?:(?!/\*duckdb\*/).)*?/\*end duckdb\*/", re.S)

# DuckDB functions with no Spark equivalent of the same name (or of the same meaning): use the
# macro named after the arrow.
FORBIDDEN_FUNCTIONS = {
    "hash": "row_hash (Spark's hash() is 32-bit)",
    "list": "sorted_list_agg / collect_list",
    "list_sort": "sorted_list_agg",
    "list_transform": "a macro of dbt/macros/portable.sql",
    "list_contains": "array_contains",
    "list_sum": "a macro of dbt/macros/portable.sql",
    "list_value": "make_list",
    "string_split": "split_list",
    "string_split_regex": "split_list",
    "str_split": "split_list",
    "string_agg": "ordered_string_agg",
    "struct_pack": "make_struct",
    "lgamma": "binomial_upper_tail",
    "printf": "ru_number / round_half_up",
    "format": "ru_number / round_half_up",
    "arg_max": "max_by",
    "arg_min": "min_by",
    "unnest": "explode_list",
    "generate_series": "a macro of dbt/macros/portable.sql",
    "regexp_split_to_array": "split_list",
}


AGGREGATES = {"sum", "avg", "min", "max", "count", "var_samp", "var_pop", "stddev_samp", "stddev_pop", "stddev",
              "variance", "array_agg", "median", "any_value", "bool_or", "bool_and"}


def _has_order_inside_call(tokens, open_index: int) -> bool:
    """Whether the call whose '(' is tokens[open_index] has ORDER BY at its own level (DuckDB's
    ordered aggregate, sum(x order by y)): Spark rejects it."""
    depth = 0
    for token in tokens[open_index:]:
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                return False
        elif depth == 1 and token.token_type == TokenType.ORDER_BY:
            return True
    return False


def _strip_duckdb_spans(sql: str) -> str:
    while True:
        stripped = DUCKDB_SPAN.sub("null", sql)
        if stripped == sql:
            return sql
        sql = stripped


def _is_decimal_literal(token) -> bool:
    text = token.text.lower()
    return token.token_type == TokenType.NUMBER and "." in text and "e" not in text


def portability_problems(sql: str) -> list[str]:
    """What in one compiled statement Spark would reject or read differently (empty: portable)."""
    sql = _strip_duckdb_spans(sql)
    problems: list[str] = []
    try:
        tokens = sqlglot.tokenize(sql, read="spark")
    except sqlglot.errors.TokenError as error:
        return [f"Spark SQL cannot tokenize it: {str(error).splitlines()[0]}"]
    try:
        sqlglot.parse(sql, read="spark")
    except sqlglot.errors.ParseError as error:
        problems.append(f"Spark SQL cannot parse it: {str(error).splitlines()[0]}")

    def word(i: int) -> str:
        return tokens[i].text.lower() if 0 <= i < len(tokens) else ""

    for i, token in enumerate(tokens):
        kind, text = token.token_type, token.text.lower()
        where = f"line {token.line}"
        if kind == TokenType.COMMA and word(i + 1) == "from":
            problems.append(f"{where}: trailing comma before from")
        elif kind == TokenType.STAR and word(i + 1) == "exclude":
            problems.append(f"{where}: * exclude (write * except (...))")
        elif kind == TokenType.UNION and (word(i + 1), word(i + 2)) in {("by", "name"), ("all", "by")}:
            problems.append(f"{where}: union all by name (list the columns)")
        elif kind == TokenType.CARET:
            problems.append(f"{where}: ^ (use power())")
        elif text in {"varchar", "text"} and word(i - 1) in {"as", "::"}:
            problems.append(f"{where}: {text} type (write string)")
        elif kind == TokenType.STRING and "\\" in sql[token.start:token.end + 1]:   # the source: the
            # Spark tokenizer has already unescaped token.text
            problems.append(f"{where}: backslash in a string literal (Spark unescapes it; use regex_literal)")
        elif _is_decimal_literal(token) and (word(i - 1) in {"*", "/"} or word(i + 1) in {"*", "/"}):
            problems.append(f"{where}: decimal literal {token.text} in * or / (DECIMAL on Spark; write {token.text}e0)")
        elif kind == TokenType.L_BRACE:
            problems.append(f"{where}: {{...}} struct literal (use make_struct)")
        elif text in AGGREGATES and word(i + 1) == "(" and _has_order_inside_call(tokens, i + 1):
            problems.append(f"{where}: {text}(... order by ...) ordered aggregate (use ordered_sum / ordered_avg / ordered_spread)")
        elif text in FORBIDDEN_FUNCTIONS and word(i + 1) == "(" and word(i - 1) != ".":
            problems.append(f"{where}: {text}() is DuckDB-only (use {FORBIDDEN_FUNCTIONS[text]})")
    return problems


LINTED_RESOURCES = ("model", "test", "snapshot", "analysis")


def lint_manifest(manifest_path: Path) -> dict[str, list[str]]:
    """Every compiled model and data test of a `dbt compile` (its target/manifest.json) -> its
    problems (only nodes with any). Unit tests are left out: their fixture SQL is generated by
    dbt for the adapter at hand, not written in the project."""
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    found = {}
    for unique_id, node in sorted(manifest["nodes"].items()):
        if node.get("resource_type") not in LINTED_RESOURCES or not node.get("compiled_code"):
            continue
        problems = portability_problems(node["compiled_code"])
        if problems:
            found[f"{unique_id} ({node.get('original_file_path')})"] = problems
    return found
