"""Resources injected into the assets. The warehouse path comes from the one setting
`RSOKO_WAREHOUSE` (rsoko.settings), which the dbt profile reads too."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from dagster import ConfigurableResource


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse file. Writers run one at a time (in-process executor)."""

    path: str

    @property
    def file(self) -> Path:
        return Path(self.path)


class InboxResource(ConfigurableResource):
    """The inbox folder the exports are dropped into."""

    path: str

    @property
    def folder(self) -> Path:
        return Path(self.path)


class PublicationResource(ConfigurableResource):
    """Where OUT/<year>/public and OUT/<year>/data are written."""

    out_dir: str

    @property
    def folder(self) -> Path:
        return Path(self.out_dir)


class ClockResource(ConfigurableResource):
    """Today's date, injectable so the deadline check can be tested on any day."""

    today_iso: str | None = None

    def today(self) -> date:
        return date.fromisoformat(self.today_iso) if self.today_iso else date.today()


class RunLockResource(ConfigurableResource):
    """The run lock (rsoko.lock) on the warehouse and OUT, held while a step that writes them runs.

    The CLI holds the same lock for its whole run, so a `rsoko run` and a Dagster run on one
    warehouse never write at the same time: the later one fails with one Russian line (Busy).
    """

    warehouse: str
    out_dir: str
    wait_s: float = 5.0

    def hold(self):
        """Context manager: the lock for the duration of one step."""
        from rsoko.lock import run_lock

        return run_lock(Path(self.warehouse), Path(self.out_dir), wait_s=self.wait_s)
