#!/usr/bin/env bash
# The dbt models on Spark, proven equal to DuckDB (issue 15; docs/spark.md): sets up the optional
# extra in its own venv (.venv-spark, pins from pyproject.toml's `spark` extra) and Java when it is
# missing (Debian's openjdk-17, as root), generates the demo region (or --scale/--years, or takes
# --inbox DIR), builds and tests every model on both engines, compares every staging, intermediate
# and mart table and prints `N of M tables identical`.
# Exit code 0 only when both builds and all their dbt tests passed and every table is identical.
#   bash scripts/spark_check.sh [--scale demo|0.01] [--years 2023,2024,2025] [--inbox DIR] [--work DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

source scripts/debian_package.sh
if ! ensure_debian_package java openjdk-17-jre-headless "Spark"; then
  echo "Spark needs Java (17 or later): java is not on PATH / для Spark нужна Java 17+" >&2
  exit 2
fi
[ -x .venv/bin/python ] || bash scripts/bootstrap.sh

pins=$(.venv/bin/python -c 'import tomllib; print(" ".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["spark"]))')
stamp=.venv-spark/.rsoko-spark-installed
if [ ! -x .venv-spark/bin/python ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$pins" ]; then
  echo "== creating .venv-spark and installing the spark extra: $pins"
  [ -x .venv-spark/bin/python ] || .venv/bin/python -m venv .venv-spark
  # without PYTHONPATH: pip would see this checkout's rsoko.egg-info and complain that its (DuckDB-side)
  # requirements are missing from .venv-spark, which needs none of them
  # shellcheck disable=SC2086
  env -u PYTHONPATH .venv-spark/bin/python -m pip install --quiet $pins
  echo "$pins" > "$stamp"
fi

args=("$@")
case " $* " in *" --work "*) ;; *) args+=(--work var/spark-check) ;; esac
exec .venv/bin/python -m rsoko.spark_check "${args[@]}"
