"""The Dagster job materialised for one year on a real DuckDB file, and the deadline check."""
from __future__ import annotations

import pandas as pd
import pytest

from dagster_project.definitions import build_definitions


@pytest.fixture(scope="module")
def dagster_run(demo_region, tmp_path_factory):
    base = tmp_path_factory.mktemp("dagster")
    warehouse, out = base / "warehouse.duckdb", base / "out"
    mp = pytest.MonkeyPatch()
    mp.setenv("RSOKO_WAREHOUSE", str(warehouse))  # the dbt subprocess reads the same setting
    defs = build_definitions(warehouse, demo_region["inbox"], out, today=f"{demo_region['year']}-12-15")
    result = defs.resolve_job_def("annual_publication").execute_in_process(partition_key=str(demo_region["year"]))
    yield {"defs": defs, "result": result, "out": out, "warehouse": warehouse, **demo_region}
    mp.undo()


def test_annual_job_materialises_every_asset_for_the_year(dagster_run):
    result = dagster_run["result"]
    assert result.success
    materialised = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()
                    for m in [m.event_specific_data.materialization]}
    assert {"raw/vpr_results", "raw/gia11", "marts/dim_schools", "data_tables", "published_report"} <= materialised
    year_dir = dagster_run["out"] / str(dagster_run["year"])
    assert (year_dir / "public" / "report.pdf").exists()
    indicators = pd.read_csv(year_dir / "data" / "indicators.csv")
    assert dagster_run["year"] in set(indicators["year"])


def test_dbt_tests_ran_as_asset_checks(dagster_run):
    checks = dagster_run["result"].get_asset_check_evaluations()
    assert any(c.check_name.startswith(("unique_", "not_null_")) for c in checks)
    assert all(c.passed for c in checks if c.check_name.startswith(("unique_", "not_null_")))


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
