"""The few settings shared by the CLI, Dagster and dbt.

The warehouse path is *one* setting (`RSOKO_WAREHOUSE`): Dagster's DuckDB resource, the dbt
profile (via `env_var`) and the report renderer all read it, so they can never point at two files.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "var" / "warehouse.duckdb"
DEFAULT_INBOX = PROJECT_ROOT / "var" / "inbox"
DEFAULT_OUT = PROJECT_ROOT / "var" / "out"


def warehouse_path() -> Path:
    """The DuckDB file of the warehouse (env `RSOKO_WAREHOUSE`, else var/warehouse.duckdb)."""
    return Path(os.environ.get("RSOKO_WAREHOUSE", DEFAULT_WAREHOUSE)).resolve()


def inbox_path() -> Path:
    """The inbox folder watched by the Dagster sensor (env `RSOKO_INBOX`)."""
    return Path(os.environ.get("RSOKO_INBOX", DEFAULT_INBOX)).resolve()


def out_path() -> Path:
    """Where publications go (env `RSOKO_OUT`)."""
    return Path(os.environ.get("RSOKO_OUT", DEFAULT_OUT)).resolve()


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
    """The `dbt` beside this interpreter, so the venv's dbt runs without activating the venv."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"
