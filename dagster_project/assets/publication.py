"""Publication for a year: the machine-readable tables and the reports, downstream of the marts.

Both read the warehouse read-only and write into the run's staging folder
OUT/<year>/.staging-<run id>/ (`rsoko.pipeline.staging_dir`); `published_report` then swaps
`data/` and `public/` in and records the state file (`rsoko.pipeline.finalise`), exactly as
`rsoko run` does, so a killed Dagster run leaves the previous publication whole and a later
`rsoko run` on an unchanged inbox finds it up to date. The deadline checks turn red when no
published report (or no «Справка об эффективности принятых мер») exists for the year of the
latest 15 December that has passed.
"""

from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    PartitionsDefinition,
    asset,
    asset_check,
)

from dagster_project.assets.dbt import mart_asset_keys
from dagster_project.partitions import one_year_per_run
from dagster_project.resources import (ClockResource, InboxResource, PublicationResource, RunLockResource,
                                       WarehouseResource)
from rsoko import pipeline

PUBLISHED_REPORT = AssetKey("published_report")


def publication_follows(context: AssetExecutionContext) -> bool:
    """Whether `published_report` runs later in this run (then it swaps the staged data in).
    An empty selection is a run of the whole job, which includes it."""
    selection = context.run.asset_selection
    return not selection or PUBLISHED_REPORT in selection


def run_folders(context: AssetExecutionContext, publication: PublicationResource) -> tuple[int, Path, Path]:
    """The partition's year, OUT/<year> and this run's staging folder in it."""
    year = int(context.partition_key)
    year_dir = publication.folder / str(year)
    return year, year_dir, pipeline.staging_dir(year_dir, context.run_id)


def build_publication_assets(partitions_def: PartitionsDefinition) -> list[AssetsDefinition]:
    """`data_tables` and `published_report` on the location's year partitions."""
    yearly = {"partitions_def": partitions_def, "backfill_policy": one_year_per_run, "group_name": "publication"}

    @asset(
        **yearly,
        deps=mart_asset_keys(),
        kinds={"csv"},
        description="OUT/<год>/data: показатели, индекс, признаки необъективности, дефициты, журнал загрузки, карантин",
    )
    def data_tables(context: AssetExecutionContext, warehouse: WarehouseResource,
                    publication: PublicationResource, run_lock: RunLockResource) -> MaterializeResult:
        year, year_dir, stage = run_folders(context, publication)
        pipeline.clean_stale(year_dir, keep=stage)
        written = pipeline.export_data(warehouse.file, year, stage / "data")
        if not publication_follows(context):      # materialised alone: publish the tables now
            pipeline.finalise(stage, year_dir, fingerprint=None, timings={}, parts=("data",))
        return MaterializeResult(metadata={"files": [p.name for p in written]})

    @asset(
        key=PUBLISHED_REPORT,
        **yearly,
        deps=[data_tables],
        kinds={"pdf", "html"},
        description=("OUT/<год>/public: региональный отчёт, отчёты МО, приложение, справка об эффективности мер, "
                     "страница публикации, манифест; "
                     "OUT/<год>/restricted: пакеты ОО (не публикуются)"),
    )
    def published_report(context: AssetExecutionContext, warehouse: WarehouseResource, inbox: InboxResource,
                         publication: PublicationResource, run_lock: RunLockResource) -> MaterializeResult:
        year, year_dir, stage = run_folders(context, publication)
        published = pipeline.publish(warehouse.file, year, stage, inbox.folder)
        for warning in published.warnings:
            context.log.warning(warning)
        # the state (inputs' fingerprint, data hashes) only when data/ was staged in this run too
        both = (stage / "data").is_dir()
        fingerprint = pipeline.inputs_fingerprint(warehouse.file, year, inbox.folder) if both else None
        pipeline.finalise(stage, year_dir, fingerprint=fingerprint, timings={})
        files = [p for p in (year_dir / "public").rglob("*") if p.is_file()]
        packs = sorted((year_dir / "restricted" / "oo").glob("*.xlsx"))
        return MaterializeResult(metadata={"public_dir": str(year_dir / "public"), "files": len(files),
                                           "school_packs": len(packs)})

    return [data_tables, published_report]


@asset_check(asset=PUBLISHED_REPORT, description="Отчёт за год опубликован не позднее 15 декабря")
def report_published_by_deadline(context: AssetCheckExecutionContext, publication: PublicationResource,
                                 clock: ClockResource) -> AssetCheckResult:
    from reports.deadline import REPORT

    return _deadline_result(publication, clock, REPORT)


@asset_check(asset=PUBLISHED_REPORT, description="Справка об эффективности принятых мер опубликована не позднее 15 декабря")
def effectiveness_published_by_deadline(context: AssetCheckExecutionContext, publication: PublicationResource,
                                        clock: ClockResource) -> AssetCheckResult:
    from reports.deadline import EFFECTIVENESS

    return _deadline_result(publication, clock, EFFECTIVENESS)


def _deadline_result(publication: PublicationResource, clock: ClockResource, document: str) -> AssetCheckResult:
    """Red when the latest 15 December that has passed finds `document` of that year unpublished."""
    from reports.deadline import deadline_status, latest_passed_deadline_year

    today = clock.today()
    year = latest_passed_deadline_year(today)
    ok, message = deadline_status(publication.folder, year, today, document)
    return AssetCheckResult(passed=ok, severity=AssetCheckSeverity.ERROR,
                            metadata={"year": year, "today": today.isoformat(), "document": document},
                            description=message)
