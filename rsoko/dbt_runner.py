"""Running the dbt project from the CLI and the benchmark (Dagster uses dagster-dbt instead).

dbt runs as a subprocess of the venv's own `dbt`, with `RSOKO_WAREHOUSE` set explicitly, so the
profile can only ever point at the warehouse the caller named.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from rsoko import settings


class DbtError(RuntimeError):
    """dbt build failed: a model did not build or a blocking test failed."""


def dbt_args(command: str, year: int, *, select: str | None = None, target_path: Path | None = None) -> list[str]:
    """The dbt command line for one year; pure, so it is tested without running dbt."""
    args = [
        command,
        "--project-dir", str(settings.DBT_PROJECT_DIR),
        "--profiles-dir", str(settings.DBT_PROJECT_DIR),
        "--vars", json.dumps({"run_year": int(year)}),
    ]
    if command == "build":
        # dbt unit tests check the SQL, not the data: CI runs them; the annual run does not.
        args += ["--exclude-resource-type", "unit_test"]
    if select:
        args += ["--select", select]
    if target_path is not None:
        args += ["--target-path", str(target_path)]
    return args


def run_dbt(command: str, warehouse: Path, year: int, *, select: str | None = None,
            target_path: Path | None = None, log_path: Path | None = None) -> str:
    """Run `dbt <command>` for `year` against `warehouse`; return its output, raise DbtError on failure."""
    env = {**os.environ, "RSOKO_WAREHOUSE": str(Path(warehouse).resolve()), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    if log_path is not None:
        env["DBT_LOG_PATH"] = str(log_path)
    proc = subprocess.run(
        [settings.dbt_executable(), *dbt_args(command, year, select=select, target_path=target_path)],
        env=env, capture_output=True, text=True, cwd=settings.DBT_PROJECT_DIR,
    )
    if proc.returncode != 0:
        failing = [line for line in proc.stdout.splitlines() if "ERROR" in line or "FAIL" in line]
        summary = "\n".join(failing[-15:]) or proc.stdout[-3000:] or proc.stderr[-3000:]
        raise DbtError(f"dbt {command} завершился с ошибкой (код {proc.returncode}):\n{summary}")
    return proc.stdout
