"""The rsoko code location: every asset, check, resource, job, schedule and sensor in one place."""
import os
from pathlib import Path

from dagster import Definitions

from rsoko import settings

# One setting for the warehouse: make sure the dbt subprocess sees the same file as Dagster.
os.environ.setdefault("RSOKO_WAREHOUSE", str(settings.warehouse_path()))

from dagster_project.assets.dbt import dbt_resource, rsoko_dbt_models  # noqa: E402
from dagster_project.assets.ingestion import raw_assets  # noqa: E402
from dagster_project.assets.publication import data_tables, published_report, report_published_by_deadline  # noqa: E402
from dagster_project.jobs import annual_job, deadline_job  # noqa: E402
from dagster_project.resources import ClockResource, InboxResource, PublicationResource, WarehouseResource  # noqa: E402
from dagster_project.schedules import annual_schedule, deadline_schedule  # noqa: E402
from dagster_project.sensors import inbox_sensor  # noqa: E402


def build_definitions(warehouse: Path, inbox: Path, out: Path, today: str | None = None) -> Definitions:
    """Definitions bound to one warehouse, inbox and output folder (tests build their own)."""
    return Definitions(
        assets=[*raw_assets, rsoko_dbt_models, data_tables, published_report],
        asset_checks=[report_published_by_deadline],
        jobs=[annual_job, deadline_job],
        schedules=[annual_schedule, deadline_schedule],
        sensors=[inbox_sensor],
        resources={
            "warehouse": WarehouseResource(path=str(warehouse)),
            "inbox": InboxResource(path=str(inbox)),
            "publication": PublicationResource(out_dir=str(out)),
            "clock": ClockResource(today_iso=today),
            "dbt": dbt_resource(),
        },
    )


defs = build_definitions(Path(os.environ["RSOKO_WAREHOUSE"]), settings.inbox_path(), settings.out_path())
