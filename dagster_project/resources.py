"""Resources injected into the assets, the sensor and the checks: the seam tests use.

`definitions.build_definitions` binds them to a warehouse, an inbox and OUT; only the module-level
`defs` (what `dagster dev` loads) reads the environment (`rsoko.settings`), once, and writes
nothing into it."""
from __future__ import annotations

from contextlib import ExitStack
from datetime import date
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr


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
    """The run lock (rsoko.lock) on the warehouse and OUT, held for the whole Dagster run.

    Every asset that writes the warehouse or OUT requires this resource, so it is set up when
    such a run starts and released when it ends (steps run one after another in one process): a
    `rsoko run` meanwhile — which holds the same lock for its whole run — stops with one Russian
    line (Busy), and cannot remove this run's staging folder between two of its steps.
    """

    warehouse: str
    out_dir: str
    wait_s: float = 5.0
    _held: ExitStack | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        from rsoko.lock import acquire

        self._held = acquire(Path(self.warehouse), Path(self.out_dir), wait_s=self.wait_s)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None
