"""The rsoko code location: every asset, check, resource, job, schedule and sensor in one place.

`build_definitions` binds everything to one warehouse, inbox and OUT (tests build their own);
the year partitions are computed from that inbox (`dagster_project.partitions`). Only the
module-level `defs`, what `dagster dev` loads, reads the environment — once, writing nothing.
"""
from pathlib import Path

from dagster import Definitions

from rsoko import settings

from dagster_project.assets.dbt import build_dbt_assets, dbt_resource
from dagster_project.assets.gate import build_gate_asset
from dagster_project.assets.ingestion import build_raw_assets
from dagster_project.assets.publication import (
    build_publication_assets, effectiveness_published_by_deadline, report_published_by_deadline,
)
from dagster_project.jobs import annual_job, deadline_job
from dagster_project.partitions import year_partitions
from dagster_project.resources import (ClockResource, InboxResource, PublicationResource, RunLockResource,
                                       WarehouseResource)
from dagster_project.schedules import build_annual_schedule, deadline_schedule
from dagster_project.sensors import build_inbox_sensor


def build_definitions(warehouse: Path, inbox: Path, out: Path, today: str | None = None) -> Definitions:
    """Definitions bound to one warehouse, inbox and output folder."""
    years = year_partitions(inbox, warehouse)
    return Definitions(
        assets=[*build_raw_assets(years), build_gate_asset(years), build_dbt_assets(years),
                *build_publication_assets(years)],
        asset_checks=[report_published_by_deadline, effectiveness_published_by_deadline],
        jobs=[annual_job, deadline_job],
        schedules=[build_annual_schedule(years), deadline_schedule],
        sensors=[build_inbox_sensor(annual_job, years)],
        resources={
            "warehouse": WarehouseResource(path=str(warehouse)),
            "inbox": InboxResource(path=str(inbox)),
            "publication": PublicationResource(out_dir=str(out)),
            "clock": ClockResource(today_iso=today),
            "dbt": dbt_resource(),
            "run_lock": RunLockResource(warehouse=str(warehouse), out_dir=str(out)),
        },
    )


defs = build_definitions(settings.warehouse_path(), settings.inbox_path(), settings.out_path())
