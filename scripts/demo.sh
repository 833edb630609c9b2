#!/usr/bin/env bash
# Set up and run the main job on the bundled synthetic demo region (embedded DuckDB, no servers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/rsoko demo "$@"
