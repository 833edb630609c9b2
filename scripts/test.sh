#!/usr/bin/env bash
# Set up and run the test suite. Installs Debian's chromium for the browser tests when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing chromium (Debian package) for the browser tests"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is missing and cannot be installed here (needs root and apt-get)" >&2
  fi
fi
if ! command -v java >/dev/null 2>&1; then
  # tests/test_spark_check.py builds the dbt models on Spark, which needs a JVM
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Java (Debian package) for the Spark check"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
  else
    echo "java is missing and cannot be installed here: the Spark check will be skipped" >&2
  fi
fi
exec .venv/bin/python -m pytest "$@"
