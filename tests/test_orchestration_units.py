"""Pure helpers of the orchestration: run without dbt or a warehouse."""
import json

from dagster import SkipReason, StaticPartitionsDefinition, build_schedule_context, build_sensor_context
from datetime import datetime

from dagster_project.assets.dbt import dbt_build_args, mart_asset_keys
from dagster_project.definitions import defs
from dagster_project.partitions import inbox_years
from dagster_project.schedules import build_annual_schedule
from dagster_project.jobs import annual_job
from dagster_project.resources import InboxResource
from dagster_project.sensors import build_inbox_sensor, changed_files
from rsoko.dbt_runner import dbt_args


def test_dbt_args_pass_the_year_as_run_year():
    args = dbt_args("build", 2025, select="marts")
    assert args[0] == "build"
    assert json.loads(args[args.index("--vars") + 1]) == {"run_year": 2025}
    assert args[args.index("--select") + 1] == "marts"


def test_dagster_dbt_args_use_the_partition_as_run_year():
    args = dbt_build_args("2024")
    assert args[:3] == ["build", "--vars", '{"run_year": 2024}']
    assert args[args.index("--exclude-resource-type") + 1] == "unit_test"


def test_changed_files_reports_new_and_modified_only():
    previous = {"a.csv": [10, 1], "b.xlsx": [20, 2]}
    current = {"a.csv": [10, 1], "b.xlsx": [21, 3], "c.csv": [5, 4]}
    assert changed_files(previous, current) == ["b.xlsx", "c.csv"]
    assert changed_files(current, current) == []


def test_annual_schedule_publishes_the_current_year_when_the_inbox_has_it():
    context = build_schedule_context(scheduled_execution_time=datetime(2026, 12, 1, 6, 0))
    request = build_annual_schedule(StaticPartitionsDefinition(["2025", "2026"]))(context)
    assert request.partition_key == "2026"
    skipped = build_annual_schedule(StaticPartitionsDefinition(["2024", "2025"]))(context)
    assert isinstance(skipped, SkipReason) and "2026" in skipped.skip_message


def test_inbox_years_are_those_of_recognised_files(tmp_path):
    assert inbox_years(tmp_path / "missing") == []
    (tmp_path / "notes.txt").write_text("не выгрузка", encoding="utf-8")
    assert inbox_years(tmp_path) == []


def test_definitions_hold_every_export_kind_and_the_marts():
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    for table in ("register", "gia11", "gia9", "vpr_results", "vpr_tasks", "vpr_plan", "vpr_scale",
                  "niko_results", "ege_min", "admissions"):
        assert f"raw/{table}" in keys
    assert {"data_tables", "published_report", "staging/stg_vpr_results", "marts/dim_schools"} <= keys
    assert all(k.to_user_string() in keys for k in mart_asset_keys())
    job = defs.resolve_job_def("annual_publication")
    assert job.partitions_def is not None


def test_dagster_loads_the_code_location_like_dagster_dev(tmp_path):
    """`dagster definitions validate` loads the location the way `dagster dev` does."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    dagster = Path(sys.executable).parent / "dagster"
    env = {**os.environ, "RSOKO_WAREHOUSE": str(tmp_path / "wh.duckdb"), "DAGSTER_HOME": str(tmp_path)}
    proc = subprocess.run([str(dagster), "definitions", "validate", "-m", "dagster_project.definitions"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Validation successful" in proc.stderr + proc.stdout


def test_bench_counts_overlapping_dbt_nodes_once():
    from rsoko.bench import union_seconds

    # two threads: [0, 2] and [1, 3] overlap, [5, 6] is apart; a contained interval adds nothing
    assert union_seconds([(5, 6), (0, 2), (1, 3), (1.5, 2.5)]) == 4.0
    assert union_seconds([]) == 0.0


def test_sensor_reads_the_inbox_from_its_resource_and_requests_known_years(demo_region):
    """The sensor's inbox is its resource (no environment): every year of the demo inbox that is a
    partition is requested once; a year that is not (here 2023) is skipped with a word about it."""
    sensor = build_inbox_sensor(annual_job, StaticPartitionsDefinition(["2024", "2025"]))
    context = build_sensor_context(resources={"inbox": InboxResource(path=str(demo_region["inbox"]))})
    requests = sensor(context)
    assert sorted(r.partition_key for r in requests) == ["2024", "2025"]
    again = build_sensor_context(cursor=context.cursor,
                                 resources={"inbox": InboxResource(path=str(demo_region["inbox"]))})
    assert isinstance(sensor(again), SkipReason)
    only_old = build_inbox_sensor(annual_job, StaticPartitionsDefinition(["2019"]))
    skipped = only_old(build_sensor_context(resources={"inbox": InboxResource(path=str(demo_region["inbox"]))}))
    assert isinstance(skipped, SkipReason) and "2023, 2024, 2025" in skipped.skip_message


def test_memory_sampler_sees_a_child_process_and_names_it():
    """rsoko bench's TreeMemorySampler: the peak PSS of this process and its children, with the
    process that held it; PSS is read only when the tree's RSS could beat the peak, so a child of
    ~300 MB started after the first samples must still raise the peak."""
    import subprocess
    import sys
    import time

    from rsoko.bench import TreeMemorySampler

    sampler = TreeMemorySampler(interval=0.1)
    sampler.start()
    time.sleep(0.5)
    before = sampler.peak_kb
    child = subprocess.Popen([sys.executable, "-c", "import time\nx = bytearray(300 * 2**20)\n"
                              "x[::4096] = b'1' * len(x[::4096])\nprint('ready', flush=True)\ntime.sleep(3)"],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.6)
    finally:
        child.kill()
        child.wait()
    peak = sampler.stop()
    assert peak >= before + 280 * 1024
    assert any("bytearray" in command and kb >= 280 * 1024 for command, kb in sampler.peak_processes)
