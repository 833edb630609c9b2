"""The effectiveness analysis (methodology, «The management cycle») on the generator's demo region.

The generator plants what the analysis should find (truth["measures"], outside the inbox): schools
non-objective in Y−1 of which those with observers and re-checks are honest in Y while the others are
planted again; help that raises the helped schools' pupils in Y; courses that raise the targeted skills
in the course schools. The region goes through the real ingestion and the real dbt build; the marts must
report those directions. Markers and deficits exist for every year (Y−1 is listed from its own data),
and what is published stays year Y.
"""
from __future__ import annotations

import json
import os
import subprocess

import duckdb
import pandas as pd
import pytest

from ingestion import load_inbox
from rsoko import settings
from synthetic import generate_region

YEARS = (2023, 2024, 2025)
Y = YEARS[-1]


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    base = tmp_path_factory.mktemp("effectiveness")
    generate_region(base / "inbox", base / "truth", seed=2025, scale="demo", years=YEARS, vpr_layout="normalised")
    warehouse = base / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        load_inbox(con, base / "inbox")
    env = {**os.environ, "RSOKO_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    proc = subprocess.run(
        [settings.dbt_executable(), "build", "--project-dir", str(settings.DBT_PROJECT_DIR),
         "--profiles-dir", str(settings.DBT_PROJECT_DIR), "--vars", json.dumps({"run_year": Y}),
         "--exclude-resource-type", "unit_test", "--indirect-selection", "cautious",
         "--select", "+path:models/marts/effectiveness", "+fct_deficits",
         "--target-path", str(base / "target"), "--log-path", str(base / "logs")],
        env=env, capture_output=True, text=True, cwd=settings.DBT_PROJECT_DIR)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    truth = json.loads((base / "truth" / "truth.json").read_text(encoding="utf-8"))
    return {"warehouse": warehouse, "truth": truth}


def q(region, sql: str, params=None) -> pd.DataFrame:
    with duckdb.connect(str(region["warehouse"]), read_only=True) as con:
        return con.execute(sql, params or []).df()


# ---------------------------------------------------------------------------------- every year computed
def test_markers_list_the_schools_planted_in_the_previous_year_from_its_own_data(region):
    listed = q(region, "select year, school_code from marts.mart_objectivity_schools where listed = 1")
    by_year = {y: set(g["school_code"]) for y, g in listed.groupby("year")}
    planted_prev = {e["school_code"] for e in region["truth"]["nonobjective_previous"]}
    planted_now = {e["school_code"] for e in region["truth"]["nonobjective"]}
    assert planted_prev and planted_prev <= by_year.get(Y - 1, set())
    assert planted_now <= by_year[Y]
    assert not by_year.get(Y - 1, set()) & set(region["truth"]["decoys"])
    sat = q(region, "select year, count(*) as n from marts.mart_objectivity_schools group by year")
    assert set(sat["year"]) == set(YEARS)


def test_deficits_of_every_year_match_a_plain_recount_from_the_raw_layer(region):
    # a second, simple implementation: region completion per work and task straight from raw.vpr_tasks
    raw = q(region, """
        select year, 'ВПР ' || subject || ' ' || grade as work, task,
               100.0 * sum(score) / sum(task_max) filter (where score is not null) as completion
        from raw.vpr_tasks group by all
    """)
    mart = q(region, "select year, work, task, completion_pct from marts.fct_deficits where level = 'region'")
    got = raw.merge(mart, on=["year", "work", "task"], how="outer", indicator=True)
    assert (got["_merge"] == "both").all() and set(got["year"]) == set(YEARS)
    assert (got["completion"] - got["completion_pct"]).abs().max() < 1e-9
    prio = q(region, "select year, count(*) as n from marts.fct_deficits where priority = 1 group by year")
    assert set(prio["year"]) == set(YEARS)


def test_what_is_published_stays_the_run_year(region):
    from rsoko.pipeline import DATA_EXPORTS

    for name in ("objectivity_markers.csv", "objectivity_schools.csv", "deficits.csv"):
        with duckdb.connect(str(region["warehouse"]), read_only=True) as con:
            years = {r[0] for r in con.execute(f"select distinct year from ({DATA_EXPORTS[name]})", {"year": Y}).fetchall()}
        assert years == {Y}, name
    for name, mart in (("effectiveness_listed.csv", "mart_effectiveness_listed"),
                       ("effectiveness_support.csv", "mart_effectiveness_support"),
                       ("effectiveness_courses.csv", "mart_effectiveness_courses")):
        with duckdb.connect(str(region["warehouse"]), read_only=True) as con:
            exported = con.execute(DATA_EXPORTS[name], {"year": Y}).df()
            assert len(exported) == con.execute(f"select count(*) from marts.{mart}").fetchone()[0] > 0, name


# ---------------------------------------------------------------------------------- the planted effects
def test_listed_schools_with_measures_clear_and_those_without_stay_listed(region):
    m = region["truth"]["measures"]
    rows = q(region, "select * from marts.mart_effectiveness_listed").set_index("school_code")
    listed_prev = set(q(region, f"select school_code from marts.mart_objectivity_schools where year = {Y - 1} "
                                "and listed = 1")["school_code"])
    assert set(rows.index) == listed_prev and (rows["year"] == Y).all()
    for s in m["listed_previous_with_measures"]:
        assert rows.loc[s, "had_measures"] == 1 and rows.loc[s, "cleared"] == 1, rows.loc[s].to_dict()
        assert "независимые наблюдатели" in rows.loc[s, "measures"]
    for s in m["listed_previous_without_measures"]:
        assert rows.loc[s, "had_measures"] == 0 and rows.loc[s, "listed"] == 1, rows.loc[s].to_dict()
    summary = q(region, "select * from marts.mart_effectiveness_listed_summary").set_index("measures_group")
    assert summary.loc["all", "schools"] == len(listed_prev)
    assert summary.loc["with_measures", "schools"] + summary.loc["without_measures", "schools"] == len(listed_prev)
    assert summary.loc["with_measures", "cleared_pct"] > summary.loc["without_measures", "cleared_pct"]


def test_helped_schools_gain_on_their_cluster(region):
    m = region["truth"]["measures"]
    rows = q(region, "select * from marts.mart_effectiveness_support")
    assert set(rows.loc[rows["helped"] == 1, "school_code"]) == set(m["helped"])
    works = rows[(rows["helped"] == 1) & rows["target"].isin(m["help_works"]) & rows["change"].notna()]
    assert len(works) >= 4, rows.to_string()
    # the planted direction: the helped schools' gap to the cluster moves up from Y−1 to Y
    assert works["change"].mean() > 0 and (works["change"] > 0).mean() >= 0.6, works.to_string()
    assert not (works["verdict"] == "down").any()
    # twice the standard error is reported beside every gap and change
    assert (works["change_se2"] > 0).all() and works["gap_y_se2"].notna().all()


def test_course_schools_gain_more_on_the_targeted_skills_than_the_rest(region):
    m = region["truth"]["measures"]
    rows = q(region, "select * from marts.mart_effectiveness_courses")
    assert set(rows["work"]) == {m["course_work"]} and set(rows["skill_code"]) == set(m["course_skills"])
    assert (rows["difference"] > 0).all(), rows.to_string()
    assert (rows["course_change"] > rows["other_change"]).all()
    wrote = set(q(region, f"select distinct entity_code as school_code from marts.fct_deficits where year = {Y} and level = 'school'"
                          " and work = ?", [m["course_work"]])["school_code"])
    assert (rows["course_schools"] == len(wrote & set(m["course_schools"]))).all()
    assert (rows["other_schools"] == len(wrote - set(m["course_schools"]))).all()
