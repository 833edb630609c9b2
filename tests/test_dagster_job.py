"""The Dagster job materialised for one year on a real DuckDB file, the gate, and the deadline check.

Everything is bound through `build_definitions` (resources are the seam): no environment variable
is set for these runs.
"""
from __future__ import annotations

import json
import os
import shutil

import pandas as pd
import pytest

from dagster_project.definitions import build_definitions
from rsoko import pipeline


@pytest.fixture(scope="module")
def dagster_run(demo_region, tmp_path_factory):
    base = tmp_path_factory.mktemp("dagster")
    warehouse, out = base / "warehouse.duckdb", base / "out"
    assert "RSOKO_WAREHOUSE" not in os.environ
    defs = build_definitions(warehouse, demo_region["inbox"], out, today=f"{demo_region['year']}-12-15")
    result = defs.resolve_job_def("annual_publication").execute_in_process(partition_key=str(demo_region["year"]))
    yield {"defs": defs, "result": result, "out": out, "warehouse": warehouse, **demo_region}


def test_annual_job_materialises_every_asset_for_the_year(dagster_run):
    result = dagster_run["result"]
    assert result.success
    materialised = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()
                    for m in [m.event_specific_data.materialization]}
    assert {"raw/vpr_results", "raw/gia11", "results_for_year", "marts/dim_schools", "data_tables",
            "published_report"} <= materialised
    gate = [c for c in result.get_asset_check_evaluations() if c.check_name == "has_results"]
    assert len(gate) == 1 and gate[0].passed
    year_dir = dagster_run["out"] / str(dagster_run["year"])
    assert (year_dir / "public" / "report.pdf").exists()
    indicators = pd.read_csv(year_dir / "data" / "indicators.csv")
    assert dagster_run["year"] in set(indicators["year"])
    # the warehouse is the resource's file: dbt built its marts there
    assert dagster_run["warehouse"].stat().st_size > 0


def test_dagster_run_publishes_like_the_cli_staged_and_with_state(dagster_run):
    """Staging folders are gone, and the state file lets a later `rsoko run` on the same OUT find
    the publication up to date (the same steps: finalise wrote the inputs' fingerprint)."""
    year_dir = dagster_run["out"] / str(dagster_run["year"])
    leftovers = [p.name for p in year_dir.iterdir() if p.name.startswith(".")]
    assert leftovers == [pipeline.STATE_FILE]
    state = pipeline.read_state(year_dir)
    assert state["fingerprint"] == pipeline.inputs_fingerprint(dagster_run["warehouse"], dagster_run["year"])
    assert pipeline.verify_outputs(year_dir, state) == []
    manifest = json.loads((year_dir / "public" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["year"] == dagster_run["year"]


def test_dbt_tests_ran_as_asset_checks(dagster_run):
    checks = dagster_run["result"].get_asset_check_evaluations()
    assert any(c.check_name.startswith(("unique_", "not_null_")) for c in checks)
    assert all(c.passed for c in checks if c.check_name.startswith(("unique_", "not_null_")))


def test_partitions_are_the_years_of_the_inbox(dagster_run):
    job = dagster_run["defs"].resolve_job_def("annual_publication")
    assert job.partitions_def.get_partition_keys() == [str(y) for y in dagster_run["years"]]


def test_partitions_come_from_the_ledger_when_the_warehouse_has_one(dagster_run, tmp_path):
    """Loading the location reads the ledger's kind and year of each known file instead of opening
    it again; a warehouse that another process holds for writing falls back to the content."""
    import subprocess
    import sys

    import duckdb

    from dagster_project.partitions import inbox_years

    inbox, years = dagster_run["inbox"], [str(y) for y in dagster_run["years"]]
    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(dagster_run["warehouse"], warehouse)
    assert inbox_years(inbox, warehouse) == years
    with duckdb.connect(str(warehouse)) as con:   # the ledger, not the file, now says 2099
        con.execute("update meta.ingestion_ledger set year = 2099 where sha256 = "
                    "(select min(sha256) from meta.ingestion_ledger where year is not null)")
    assert inbox_years(inbox, warehouse) == [*years, "2099"]
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('open', flush=True); "
         "time.sleep(60)", str(warehouse)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        assert inbox_years(inbox, warehouse) == years
    finally:
        holder.kill()
        holder.wait()


def test_gate_fails_for_a_year_without_results_and_blocks_dbt(demo_region, tmp_path):
    """An inbox with the reference data, НИКО and admissions but no ГИА or ВПР: the year is a
    partition (it has files), the blocking check `has_results` fails with the Russian reason,
    no dbt asset and nothing of the publication is materialised, and the ledger is written."""
    inbox = tmp_path / "inbox"
    shutil.copytree(demo_region["inbox"], inbox, ignore=lambda d, names: [n for n in names if n in ("gia", "vpr")])
    out, year = tmp_path / "out", demo_region["year"]
    defs = build_definitions(tmp_path / "wh.duckdb", inbox, out)
    assert str(year) in defs.resolve_job_def("annual_publication").partitions_def.get_partition_keys()
    result = defs.resolve_job_def("annual_publication").execute_in_process(partition_key=str(year),
                                                                          raise_on_error=False)
    assert not result.success
    (gate,) = [c for c in result.get_asset_check_evaluations() if c.check_name == "has_results"]
    assert not gate.passed
    assert f"нет данных ГИА или ВПР за {year} год" in gate.description
    materialised = {e.event_specific_data.materialization.asset_key.to_user_string()
                    for e in result.get_asset_materialization_events()}
    assert "raw/niko_results" in materialised            # ingestion ran
    assert not any(k.startswith(("staging/", "intermediate/", "marts/")) for k in materialised)
    assert not {"data_tables", "published_report"} & materialised
    assert not (out / str(year) / "public").exists()
    ledger = pd.read_csv(out / str(year) / "data" / "ingestion_ledger.csv", dtype=str)
    # the partition loads that year's files and the register (the generator names files by year)
    expected = {p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file()
                and (str(year) in p.name or p.name == "reestr_oo.csv")}
    assert set(ledger["file"]) == expected


def _deadline_passed(demo_region, out, today: str, check: str = "report_published_by_deadline") -> bool:
    """One deadline check's verdict (the job runs both: the report's and the справка's)."""
    defs = build_definitions(out / "unused.duckdb", demo_region["inbox"], out, today=today)
    result = defs.resolve_job_def("deadline_check").execute_in_process(raise_on_error=False)
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {"report_published_by_deadline", "effectiveness_published_by_deadline"}
    return evaluations[check].passed


def test_deadline_check_red_without_a_report_and_green_with_one(dagster_run, tmp_path):
    year = dagster_run["year"]
    assert _deadline_passed(dagster_run, tmp_path / "empty", f"{year}-12-15") is False
    # after 31 December the check still looks at the year just ended (methodology, «Deadline»)
    assert _deadline_passed(dagster_run, tmp_path / "empty", f"{year + 1}-01-10") is False
    assert _deadline_passed(dagster_run, dagster_run["out"], f"{year}-12-15") is True
    assert _deadline_passed(dagster_run, dagster_run["out"], f"{year + 1}-01-10") is True


def test_effectiveness_deadline_red_on_16_december_without_the_spravka_and_green_with_it(dagster_run, tmp_path):
    import shutil

    year = dagster_run["year"]
    check = "effectiveness_published_by_deadline"
    public = dagster_run["out"] / str(year) / "public"
    assert (public / "effectiveness.pdf").stat().st_size > 0 and (public / "effectiveness.docx").stat().st_size > 0
    assert _deadline_passed(dagster_run, dagster_run["out"], f"{year}-12-16", check) is True
    # the same publication without the справка: the report's check stays green, the справка's turns red
    other = tmp_path / "out"
    shutil.copytree(public, other / str(year) / "public")
    (other / str(year) / "public" / "effectiveness.pdf").unlink()
    assert _deadline_passed(dagster_run, other, f"{year}-12-16", check) is False
    assert _deadline_passed(dagster_run, other, f"{year}-12-16") is True
    # after 31 December the справка's check still looks at the year just ended
    assert _deadline_passed(dagster_run, other, f"{year + 1}-01-10", check) is False
    assert _deadline_passed(dagster_run, dagster_run["out"], f"{year + 1}-01-10", check) is True
