#!/usr/bin/env bash
# Set up and run the test suite. Installs Debian's chromium (browser tests) and Java (the Spark
# check, tests/test_spark_check.py) when missing; without Java that one test is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/debian_package.sh
bash scripts/bootstrap.sh
ensure_debian_package chromium chromium "the browser tests" || true
ensure_debian_package java openjdk-17-jre-headless "the Spark check" || true
exec .venv/bin/python -m pytest "$@"
