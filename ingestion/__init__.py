"""Ingestion: every export kind of the inbox into DuckDB `raw.*`, validated, nothing lost.

Public API (used by the CLI and Dagster):
    scan_inbox(inbox) -> list[InboxFile]
    load_inbox(con, inbox, *, kinds=None, years=None) -> LoadReport
    export_ledger(con, out_dir) -> None

Imported lazily so that `expectations` (which the loader uses) can use ingestion helpers.
"""
from __future__ import annotations

_API = {
    "scan_inbox": "ingestion.ledger", "export_ledger": "ingestion.ledger", "InboxFile": "ingestion.ledger",
    "load_inbox": "ingestion.load", "LoadReport": "ingestion.load", "FileReport": "ingestion.load",
}
__all__ = list(_API)


def __getattr__(name: str):
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(name)
