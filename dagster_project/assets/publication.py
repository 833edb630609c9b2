"""Publication for a year: the machine-readable tables and the reports, downstream of the marts.

Both read the warehouse read-only. The deadline checks turn red when, on or after 15 December of
a year, no published report (or no «Справка об эффективности принятых мер») exists for it.
"""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    MaterializeResult,
    asset,
    asset_check,
)

from dagster_project.assets.dbt import mart_asset_keys
from dagster_project.partitions import one_year_per_run, years_partitions
from dagster_project.resources import ClockResource, PublicationResource, RunLockResource, WarehouseResource
from rsoko import pipeline


@asset(
    partitions_def=years_partitions,
    backfill_policy=one_year_per_run,
    deps=mart_asset_keys(),
    group_name="publication",
    kinds={"csv"},
    description="OUT/<год>/data: показатели, индекс, признаки необъективности, дефициты, журнал загрузки, карантин",
)
def data_tables(context: AssetExecutionContext, warehouse: WarehouseResource,
                publication: PublicationResource, run_lock: RunLockResource) -> MaterializeResult:
    year = int(context.partition_key)
    with run_lock.hold():
        written = pipeline.export_data(warehouse.file, year, publication.folder / str(year) / "data")
    return MaterializeResult(metadata={"files": [p.name for p in written]})


@asset(
    partitions_def=years_partitions,
    backfill_policy=one_year_per_run,
    deps=[data_tables],
    group_name="publication",
    kinds={"pdf", "html"},
    description="OUT/<год>/public: региональный отчёт, отчёты МО, приложение, справка об эффективности мер, "
                "страница публикации, манифест",
)
def published_report(context: AssetExecutionContext, warehouse: WarehouseResource,
                     publication: PublicationResource, run_lock: RunLockResource) -> MaterializeResult:
    year = int(context.partition_key)
    year_dir = publication.folder / str(year)
    with run_lock.hold():
        pipeline.publish(warehouse.file, year, year_dir)
    files = sorted(p.relative_to(year_dir / "public").as_posix() for p in (year_dir / "public").rglob("*") if p.is_file())
    return MaterializeResult(metadata={"public_dir": str(year_dir / "public"), "files": len(files)})


@asset_check(asset=published_report, description="Отчёт за год опубликован не позднее 15 декабря")
def report_published_by_deadline(context: AssetCheckExecutionContext, publication: PublicationResource,
                                 clock: ClockResource) -> AssetCheckResult:
    from reports.deadline import REPORT

    return _deadline_result(publication, clock, REPORT)


@asset_check(asset=published_report, description="Справка об эффективности принятых мер опубликована не позднее 15 декабря")
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
