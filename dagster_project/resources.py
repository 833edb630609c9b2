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
