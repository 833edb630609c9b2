"""The dbt project as Dagster assets: one place that knows about dbt.

Every model and seed is an asset partitioned by year (the partition becomes dbt's `run_year`
var); dbt tests become asset checks. A failing `error` test fails `dbt build`, so the step fails
and the publication assets downstream do not run: tests block publication.
The manifest is built at set-up time (`dbt parse`, see README); under `dagster dev` it is
re-parsed when the location loads, so an edited model shows up on reload.

Every dbt process started from here uses the `dbt` beside the running interpreter
(`settings.dbt_executable`): dagster-dbt's own default is a bare `dbt` looked up on PATH, which
fails when the venv is not activated (the README never activates it).
"""

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster import AssetDep, AssetExecutionContext, AssetKey, AssetsDefinition, AssetSpec, PartitionsDefinition
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.dbt_project import using_dagster_dev

from dagster_project.assets.gate import GATE_KEY
from dagster_project.partitions import one_year_per_run
from dagster_project.resources import RunLockResource, WarehouseResource
from rsoko import settings
from rsoko.dbt_runner import dbt_args

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR)


def dbt_resource() -> DbtCliResource:
    """The one way this code location builds a dbt CLI resource: the venv's dbt, our profile."""
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(settings.DBT_PROJECT_DIR),
                          dbt_executable=settings.dbt_executable())


def prepare_if_dev(project: DbtProject = dbt_project) -> None:
    """`DbtProject.prepare_if_dev` with the venv's dbt (dagster-dbt's preparer runs a bare `dbt`)."""
    if using_dagster_dev():
        dbt_resource().cli(["parse", "--quiet"], target_path=project.target_path).wait()


prepare_if_dev()

if not dbt_project.manifest_path.exists():
    raise FileNotFoundError(
        f"dbt manifest not found at {dbt_project.manifest_path}: run the set-up command from README "
        "(it runs `dbt parse`) / манифест dbt не найден: выполните команду установки из README"
    )

LAYER_GROUPS = ("staging", "intermediate", "marts")


def dbt_build_args(partition_key: str) -> list[str]:
    """`dbt build` for one year partition: the CLI's arguments (rsoko.dbt_runner), minus the
    project and profile folders, which DbtCliResource passes itself."""
    return dbt_args("build", int(partition_key), project_flags=False)


@contextmanager
def warehouse_for_dbt(warehouse: Path) -> Iterator[None]:
    """The dbt profile reads `RSOKO_WAREHOUSE`; DbtCliResource passes this process's environment
    to dbt, so the resource's file is put there for the duration of one dbt call (never at import)."""
    previous = os.environ.get("RSOKO_WAREHOUSE")
    os.environ["RSOKO_WAREHOUSE"] = str(Path(warehouse).resolve())
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("RSOKO_WAREHOUSE", None)
        else:
            os.environ["RSOKO_WAREHOUSE"] = previous


class RsokoDbtTranslator(DagsterDbtTranslator):
    """Groups assets by dbt layer (staging / intermediate / marts / reference), and puts the gate
    `results_for_year` upstream of every model that reads a raw table: its blocking check then
    keeps dbt from running for a year without results."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest.get("nodes", {}).get(unique_id, {})
        reads_raw = any(u.startswith("source.") for u in node.get("depends_on", {}).get("nodes", []))
        if node.get("resource_type") == "model" and reads_raw:
            spec = spec.merge_attributes(deps=[AssetDep(GATE_KEY)])
        return spec

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        for layer in LAYER_GROUPS:
            if layer in fqn:
                return layer
        return "dbt"


translator = RsokoDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def build_dbt_assets(partitions_def: PartitionsDefinition) -> AssetsDefinition:
    """Every dbt model and seed as assets on the location's year partitions; tests as checks."""

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        partitions_def=partitions_def,
        backfill_policy=one_year_per_run,
        dagster_dbt_translator=translator,
    )
    def rsoko_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource,
                         run_lock: RunLockResource):
        with warehouse_for_dbt(warehouse.file):
            yield from dbt.cli(dbt_build_args(context.partition_key), context=context).stream()

    return rsoko_dbt_models


def mart_asset_keys() -> list[AssetKey]:
    """Asset keys of every mart model (dim_/fct_/mart_), read from the manifest."""
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    keys = []
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["name"].startswith(("dim_", "fct_", "mart_")):
            keys.append(translator.get_asset_key(node))
    return sorted(keys, key=lambda k: k.to_user_string())
