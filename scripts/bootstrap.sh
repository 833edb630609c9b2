#!/usr/bin/env bash
# Set up the project's own virtual environment (.venv) from pyproject.toml and build the dbt
# manifest that Dagster loads (built here, at set-up time, never at import).
# Idempotent: a second run only checks that everything is in place.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PYTHON="$candidate"; break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "rsoko needs Python 3.11 (python3.11 or python3) / нужен Python 3.11" >&2
  exit 1
fi

stamp=.venv/.rsoko-installed
want=$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -x .venv/bin/python ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "== creating .venv and installing pinned dependencies (about a minute)"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[test]"
  echo "$want" > "$stamp"
fi

# The dbt manifest for dagster-dbt (dbt parse needs no database connection).
RSOKO_WAREHOUSE="${RSOKO_WAREHOUSE:-$PWD/var/warehouse.duckdb}" \
  .venv/bin/dbt parse --project-dir dbt --profiles-dir dbt --quiet
