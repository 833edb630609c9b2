"""The gate between ingestion and dbt: «are there ГИА or ВПР results for this year?»

The asset `results_for_year` runs after the ingestion of the result kinds and carries the
blocking check `has_results` (`rsoko.pipeline.gate`, the very step the CLI runs after
ingestion). When the year has no results the check fails with the Russian reason, the ledger
CSVs are written to OUT/<year>/data all the same, and — the check being blocking — the dbt assets
downstream (every model that reads a raw table depends on this asset, see
`RsokoDbtTranslator`) and the publication do not run: nothing is published for such a year.
"""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    PartitionsDefinition,
    asset,
)

from dagster_project.partitions import one_year_per_run
from dagster_project.resources import InboxResource, PublicationResource, RunLockResource, WarehouseResource
from ingestion.kinds import KINDS
from rsoko import pipeline
from rsoko.errors import NothingToPublish

GATE_KEY = AssetKey("results_for_year")
GATE_CHECK = "has_results"
RESULT_KINDS = ("gia11", "gia9", "vpr")   # what the gate asks for: ГИА-11, ГИА-9, ВПР


def build_gate_asset(partitions_def: PartitionsDefinition) -> AssetsDefinition:
    """`results_for_year` with its blocking check, on the location's year partitions."""

    @asset(
        key=GATE_KEY,
        partitions_def=partitions_def,
        backfill_policy=one_year_per_run,
        deps=[AssetKey(["raw", KINDS[k].tables[0]]) for k in RESULT_KINDS],
        group_name="ingestion",
        check_specs=[AssetCheckSpec(GATE_CHECK, asset=GATE_KEY, blocking=True,
                                    description="Есть результаты ГИА или ВПР за год: иначе dbt и публикация "
                                                "не запускаются")],
        description="Годы, за которые в хранилище есть результаты ГИА или ВПР (ворота перед dbt)",
    )
    def results_for_year(context: AssetExecutionContext, warehouse: WarehouseResource, inbox: InboxResource,
                         publication: PublicationResource, run_lock: RunLockResource):
        year = int(context.partition_key)
        years = pipeline.years_with_results(warehouse.file)
        try:
            pipeline.gate(warehouse.file, inbox.folder, year, publication.folder)
            passed, reason = True, f"есть результаты ГИА или ВПР за {year} год"
        except NothingToPublish as exc:
            passed, reason = False, str(exc)
        yield MaterializeResult(metadata={"years_with_results": ", ".join(map(str, years)) or "нет"})
        yield AssetCheckResult(check_name=GATE_CHECK, passed=passed, severity=AssetCheckSeverity.ERROR,
                               description=reason, metadata={"year": year})

    return results_for_year
