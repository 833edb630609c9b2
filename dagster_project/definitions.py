"""The rsoko code location: every asset, check, resource, job, schedule and sensor in one place."""
from pathlib import Path

from dagster import Definitions

from rsoko import settings

from dagster_project.assets.dbt import dbt_resource, rsoko_dbt_models
from dagster_project.assets.ingestion import raw_assets
from dagster_project.assets.publication import (
    data_tables, effectiveness_published_by_deadline, published_report, report_published_by_deadline,
)
from dagster_project.jobs import annual_job, deadline_job
from dagster_project.resources import (ClockResource, InboxResource, PublicationResource, RunLockResource,
                                       WarehouseResource)
from dagster_project.schedules import annual_schedule, deadline_schedule
from dagster_project.sensors import inbox_sensor


def build_definitions(warehouse: Path, inbox: Path, out: Path, today: str | None = None) -> Definitions:
    """Definitions bound to one warehouse, inbox and output folder (tests build their own)."""
    return Definitions(
        assets=[*raw_assets, rsoko_dbt_models, data_tables, published_report],
        asset_checks=[report_published_by_deadline, effectiveness_published_by_deadline],
        jobs=[annual_job, deadline_job],
        schedules=[annual_schedule, deadline_schedule],
        sensors=[inbox_sensor],
        resources={
            "warehouse": WarehouseResource(path=str(warehouse)),
            "inbox": InboxResource(path=str(inbox)),
            "publication": PublicationResource(out_dir=str(out)),
            "clock": ClockResource(today_iso=today),
            "dbt": dbt_resource(),
            "run_lock": RunLockResource(warehouse=str(warehouse), out_dir=str(out)),
        },
    )


# The environment is read here, once; the dbt asset hands the warehouse to dbt per call.
defs = build_definitions(settings.warehouse_path(), settings.inbox_path(), settings.out_path())
