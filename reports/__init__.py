"""The yearly analytical report and its publication (OUT/<year>/public/).

Public entry points (the CLI and Dagster call exactly these):
- `publish(warehouse, year, out_dir, *, inputs=None, generated_at=None) -> PublicationResult`
  writes `out_dir/public/` (out_dir is the year's folder, OUT/<year>);
- `deadline_status(out_dir, year, today) -> (ok, message)` with out_dir the OUT root.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["publish", "deadline_status", "PublicationResult"]

if TYPE_CHECKING:  # pragma: no cover
    from reports.deadline import deadline_status
    from reports.publication import PublicationResult, publish


def __getattr__(name: str):
    """Import lazily: `import reports` stays cheap for Dagster's code location and the CLI."""
    if name in ("publish", "PublicationResult"):
        from reports import publication
        return getattr(publication, name)
    if name == "deadline_status":
        from reports.deadline import deadline_status
        return deadline_status
    raise AttributeError(name)
