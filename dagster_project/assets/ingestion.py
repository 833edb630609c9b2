"""One asset per export kind, partitioned by year, each with its expectations check.

Partition Y of `raw/<kind>` loads the inbox files of that kind whose year is Y (the register
has no year: every partition loads the newest register). Defects inside files never fail the
asset: bad rows go to quarantine and file errors to the ledger; the check reports them.
"""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    multi_asset,
)

from dagster_project.partitions import one_year_per_run
from dagster_project.resources import InboxResource, RunLockResource, WarehouseResource
from ingestion.kinds import KINDS, load_order
from rsoko import pipeline

# kind -> the kinds it is validated against (loaded first), its raw tables (each a dbt source and
# an asset key raw/<table>) and its Russian title: all from the one declaration per kind.
EXPORT_KINDS: dict[str, tuple[str, ...]] = {name: KINDS[name].depends_on for name in load_order()}
KIND_TABLES: dict[str, tuple[str, ...]] = {name: k.tables for name, k in KINDS.items()}
KIND_TITLES: dict[str, str] = {name: k.title for name, k in KINDS.items()}


def ledger_summary(warehouse, kind: str, year: int | None) -> dict:
    """Files and rows of one kind (and year) from the ledger, for metadata and the check."""
    year_filter = "" if year is None else "and year = $year"
    params = {"kind": kind} | ({} if year is None else {"year": year})
    with pipeline.connect(warehouse, read_only=True) as con:
        row = con.execute(
            f"""
            select count(*), coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0),
                   coalesce(sum(rows_quarantined), 0),
                   count(*) filter (where status = 'error'),
                   string_agg(file || ': ' || message, '; ') filter (where status = 'error')
            from meta.ingestion_ledger where kind = $kind {year_filter}
            """,
            params,
        ).fetchone()
    return {
        "files": row[0], "rows_read": row[1], "rows_loaded": row[2], "rows_quarantined": row[3],
        "files_in_error": row[4], "errors": row[5] or "",
    }


def build_raw_asset(kind: str, upstream: tuple[str, ...], partitions_def: PartitionsDefinition) -> AssetsDefinition:
    """The ingestion of one export kind: a multi-asset over the raw tables it writes."""
    tables = KIND_TABLES[kind]
    main_key = AssetKey(["raw", tables[0]])
    deps = [AssetKey(["raw", KIND_TABLES[u][0]]) for u in upstream]
    specs = [
        AssetSpec(
            AssetKey(["raw", table]),
            deps=deps,
            group_name="ingestion",
            kinds={"duckdb"},
            description=f"{KIND_TITLES[kind]}: таблица raw.{table}",
        )
        for table in tables
    ]

    @multi_asset(
        name=f"ingest_{kind}",
        specs=specs,
        partitions_def=partitions_def,
        backfill_policy=one_year_per_run,
        check_specs=[AssetCheckSpec("expectations", asset=main_key,
                                    description="Great Expectations: ошибки файлов и карантин строк")],
    )
    def _ingest(context: AssetExecutionContext, warehouse: WarehouseResource, inbox: InboxResource,
                run_lock: RunLockResource):
        year = int(context.partition_key)
        yearly = KINDS[kind].yearly
        pipeline.ingest(warehouse.file, inbox.folder, kinds={kind}, years={year} if yearly else None)
        summary = ledger_summary(warehouse.file, kind, year if yearly else None)
        passed = summary["files_in_error"] == 0 and summary["rows_quarantined"] == 0
        metadata = {k: v for k, v in summary.items() if k != "errors"}
        for table in tables:
            yield MaterializeResult(asset_key=AssetKey(["raw", table]), metadata=metadata)
        yield AssetCheckResult(
            asset_key=main_key,
            check_name="expectations",
            passed=passed,
            severity=AssetCheckSeverity.WARN,
            metadata={**metadata, "errors": MetadataValue.text(summary["errors"][:2000])},
            description=None if passed else "Есть строки в карантине или отклонённые файлы — см. журнал загрузки",
        )

    return _ingest


def build_raw_assets(partitions_def: PartitionsDefinition) -> list[AssetsDefinition]:
    """The ingestion assets of every export kind, on the location's year partitions."""
    return [build_raw_asset(kind, upstream, partitions_def) for kind, upstream in EXPORT_KINDS.items()]
