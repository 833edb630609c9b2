"""The dbt project stays portable to Spark (issue 15): `dbt compile` on DuckDB, every compiled
model and data test checked as Spark SQL by rsoko.sql_lint (sqlglot's Spark parser plus the
DuckDB-only constructs it would let through). A deliberately bad model in a copy of the project
proves that the check fails on `* exclude`.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from rsoko.settings import dbt_executable
from rsoko.sql_lint import lint_manifest, portability_problems

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt"


def _compile(project: Path, tmp: Path, select: str | None = None) -> Path:
    target = tmp / "target"
    env = {**os.environ, "RSOKO_WAREHOUSE": str(tmp / "empty.duckdb"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    args = [dbt_executable(), "compile", "--project-dir", str(project), "--profiles-dir", str(project),
            "--target-path", str(target), "--vars", '{"run_year": 2025}']
    if select:
        args += ["--select", select]
    proc = subprocess.run(args, env=env, cwd=project, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return target / "manifest.json"


def test_every_compiled_model_and_test_is_spark_sql(tmp_path):
    manifest = _compile(DBT_PROJECT_DIR, tmp_path)
    problems = lint_manifest(manifest)
    assert problems == {}, "\n".join(f"{node}: {'; '.join(p)}" for node, p in problems.items())


def test_the_lint_fails_on_a_model_with_star_exclude(tmp_path):
    project = tmp_path / "dbt"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    bad = project / "models" / "marts" / "bad_exclude.sql"
    bad.write_text("select * exclude (b) from (select 1 as a, 2 as b) as t\n", encoding="utf-8")
    problems = lint_manifest(_compile(project, tmp_path, select="bad_exclude"))
    bad_nodes = {node: p for node, p in problems.items() if "bad_exclude" in node}
    assert list(bad_nodes) == ["model.rsoko.bad_exclude (models/marts/bad_exclude.sql)"]
    assert any("* exclude" in p for p in bad_nodes["model.rsoko.bad_exclude (models/marts/bad_exclude.sql)"])


@pytest.mark.parametrize("sql, expected", [
    ("select a, b, from t", "trailing comma before from"),
    ("select * exclude (a) from t", "* exclude"),
    ("select a from t union all by name select a from u", "union all by name"),
    ("select 2 ^ 3", "^ (use power())"),
    ("select cast(a as varchar) from t", "varchar type"),
    ("select a::varchar from t", "varchar type"),
    ("select regexp_extract(a, '^\\s*(x)', 1) from t", "backslash in a string literal"),
    ("select 100.0 * a / b from t", "decimal literal 100.0"),
    ("select hash(a, b) from t", "hash() is DuckDB-only"),
    ("select list_sort(list(a)) from t", "list_sort() is DuckDB-only"),
    ("select string_agg(a, ', ' order by a) from t", "string_agg() is DuckDB-only"),
    ("select printf('%.0f', a) from t", "printf() is DuckDB-only"),
    ("select arg_max(a, b) from t", "arg_max() is DuckDB-only"),
    ("select {'x': 1} from t", "struct literal"),
    ("select avg(x order by y) from t", "ordered aggregate"),
    ("select sum(a * b\n order by c) from t", "ordered aggregate"),
    ("select list_transform(l, lambda x: x + 1) from t", "cannot parse"),
])
def test_each_duckdb_only_construct_is_named(sql, expected):
    problems = portability_problems(sql)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("sql", [
    "select a, b from t",
    "select * except (a) from t",
    "select 100.0e0 * a / b, power(2, 3), cast(a as string) from t",
    "select xxhash64(a) from t",
    "select sum(x) over (partition by a order by b), listagg(s, ', ') within group (order by s) from t",
    # a marked DuckDB body of a portable macro is expected, nested ones too
    "select /*duckdb*/ unnest(/*duckdb*/ list_value(a, b) /*end duckdb*/) /*end duckdb*/ as x from t",
    # words inside text and comments are not constructs
    "select 'hash(x), a, from' as s from t -- string_agg(x)",
])
def test_portable_sql_passes(sql):
    assert portability_problems(sql) == []
