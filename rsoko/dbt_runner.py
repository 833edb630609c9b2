"""Running the dbt project from the CLI and the benchmark (Dagster uses dagster-dbt instead, with
the same arguments from `dbt_args`).

dbt runs as a subprocess of the venv's own `dbt`, with `RSOKO_WAREHOUSE` set explicitly, so the
profile can only ever point at the warehouse the caller named. On Linux the subprocess is asked
to die with its parent (`PR_SET_PDEATHSIG`): killing only the main process of a run must not
leave dbt running with the warehouse open, which would make the next run fail.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from rsoko import settings
from rsoko.errors import PublicationStopped

_PR_SET_PDEATHSIG = 1


class DbtError(PublicationStopped):
    """dbt build failed: a model did not build or a blocking test failed."""


def dbt_args(command: str, year: int, *, select: str | None = None, target_path: Path | None = None,
             project_flags: bool = True) -> list[str]:
    """The dbt command line for one year; pure, so it is tested without running dbt.

    `project_flags=False` leaves out the project and profile folders, which dagster-dbt's
    DbtCliResource passes itself.
    """
    args = [command]
    if project_flags:
        args += ["--project-dir", str(settings.DBT_PROJECT_DIR), "--profiles-dir", str(settings.DBT_PROJECT_DIR)]
    args += ["--vars", json.dumps({"run_year": int(year)})]
    if command == "build":
        # dbt unit tests check the SQL, not the data: CI runs them; the annual run does not.
        args += ["--exclude-resource-type", "unit_test"]
    if select:
        args += ["--select", select]
    if target_path is not None:
        args += ["--target-path", str(target_path)]
    return args


def _die_with_parent(parent: int) -> None:
    """In the child before exec: SIGTERM when the parent dies (Linux); exit if it already has."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        os._exit(1)


def child_preexec():
    """The preexec function for a subprocess that must not outlive this process (None off Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()
    return lambda: _die_with_parent(parent)


def run_dbt(command: str, warehouse: Path, year: int, *, select: str | None = None,
            target_path: Path | None = None, log_path: Path | None = None) -> str:
    """Run `dbt <command>` for `year` against `warehouse`; return its output, raise DbtError on failure."""
    env = {**os.environ, "RSOKO_WAREHOUSE": str(Path(warehouse).resolve()), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    if log_path is not None:
        env["DBT_LOG_PATH"] = str(log_path)
    proc = subprocess.run(
        [settings.dbt_executable(), *dbt_args(command, year, select=select, target_path=target_path)],
        env=env, capture_output=True, text=True, cwd=settings.DBT_PROJECT_DIR, preexec_fn=child_preexec(),
    )
    if proc.returncode != 0:
        failing = [line for line in proc.stdout.splitlines() if "ERROR" in line or "FAIL" in line]
        summary = "; ".join(line.strip() for line in failing[-5:]) or (proc.stdout or proc.stderr)[-500:].strip()
        summary = " ".join(summary.split())
        error = DbtError(f"публикация остановлена: dbt {command} завершился с ошибкой (код {proc.returncode}): {summary}")
        error.output = proc.stdout + proc.stderr   # the full log, for the CLI's log file
        raise error
    return proc.stdout
