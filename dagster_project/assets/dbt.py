"""The dbt project as Dagster assets: one place that knows about dbt.

Every model and seed is an asset partitioned by year (the partition becomes dbt's `run_year`
var); dbt tests become asset checks. A failing `error` test fails `dbt build`, so the step fails
and the publication assets downstream do not run: tests block publication.
The manifest is built at set-up time (`dbt parse`, see README), never at import.
"""

import json
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from dagster_project.partitions import one_year_per_run, years_partitions
from rsoko import settings

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()

if not dbt_project.manifest_path.exists():
    raise FileNotFoundError(
        f"dbt manifest not found at {dbt_project.manifest_path}: run the set-up command from README "
        "(it runs `dbt parse`) / манифест dbt не найден: выполните команду установки из README"
    )

LAYER_GROUPS = ("staging", "intermediate", "marts")


def dbt_build_args(partition_key: str) -> list[str]:
    """`dbt build` for one year partition; pure, tested without running dbt."""
    return ["build", "--vars", json.dumps({"run_year": int(partition_key)}), "--exclude-resource-type", "unit_test"]


class RsokoDbtTranslator(DagsterDbtTranslator):
    """Groups assets by dbt layer (staging / intermediate / marts / reference)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        for layer in LAYER_GROUPS:
            if layer in fqn:
                return layer
        return "dbt"


translator = RsokoDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    partitions_def=years_partitions,
    backfill_policy=one_year_per_run,
    dagster_dbt_translator=translator,
)
def rsoko_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(dbt_build_args(context.partition_key), context=context).stream()


def mart_asset_keys() -> list[AssetKey]:
    """Asset keys of every mart model (dim_/fct_/mart_), read from the manifest."""
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    keys = []
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["name"].startswith(("dim_", "fct_", "mart_")):
            keys.append(translator.get_asset_key(node))
    return sorted(keys, key=lambda k: k.to_user_string())


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(settings.DBT_PROJECT_DIR),
                          dbt_executable=settings.dbt_executable())
