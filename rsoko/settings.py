"""The few settings shared by the CLI, Dagster and dbt.

The warehouse path is *one* setting (`RSOKO_WAREHOUSE`): Dagster's DuckDB resource, the dbt
profile (via `env_var`) and the report renderer all read it, so they can never point at two files.
Without it the warehouse sits in the output folder (`RSOKO_OUT/warehouse.duckdb`), where the CLI
puts it too, so `rsoko run` and Dagster on the same OUT share one warehouse.

Only the Dagster code location reads these variables (once, when it builds its resources); the
CLI takes everything from its arguments.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
DEFAULT_INBOX = PROJECT_ROOT / "var" / "inbox"
DEFAULT_OUT = PROJECT_ROOT / "var" / "out"
WAREHOUSE_FILE = "warehouse.duckdb"
REPORT_CONFIG = "report.toml"    # the title-page file a region keeps at the root of its inbox (reports.report_config)


def out_path() -> Path:
    """Where publications go (env `RSOKO_OUT`, else var/out)."""
    return Path(os.environ.get("RSOKO_OUT", DEFAULT_OUT)).resolve()


def warehouse_path() -> Path:
    """The DuckDB file of the warehouse (env `RSOKO_WAREHOUSE`, else OUT/warehouse.duckdb)."""
    explicit = os.environ.get("RSOKO_WAREHOUSE")
    return Path(explicit).resolve() if explicit else out_path() / WAREHOUSE_FILE


def inbox_path() -> Path:
    """The inbox folder watched by the Dagster sensor (env `RSOKO_INBOX`, else var/inbox)."""
    return Path(os.environ.get("RSOKO_INBOX", DEFAULT_INBOX)).resolve()


def pseudonym_key_path() -> Path:
    """The institute's pseudonymisation key (env `RSOKO_KEY`; else `rsoko/pseudonym.key` in the
    user's configuration folder: `$XDG_CONFIG_HOME`, else `~/.config`).

    Deliberately outside the project, the warehouse and the outputs (input contract §10): whoever
    gets a publication or a copy of the warehouse must not get the key that links ids to people.
    """
    if os.environ.get("RSOKO_KEY"):
        return Path(os.environ["RSOKO_KEY"]).expanduser().resolve()
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return (Path(config).expanduser() / "rsoko" / "pseudonym.key").resolve()


def dbt_executable() -> str:
    """The `dbt` beside this interpreter, so the venv's dbt runs without the venv on PATH.

    Every place that starts dbt (the CLI's runner, Dagster's DbtCliResource and the manifest
    preparation under `dagster dev`) goes through here: a bare `dbt` fails when the venv is not
    activated, which is how the README runs things.
    """
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"
