"""Priority deficits (methodology, «Deficits» → «Priority deficits»), end to end through real dbt.

The region of tests/test_dbt_objectivity.py (24 schools drawn from one ability model, a planted
school, a strong gymnasium) is written into a fresh warehouse, the real `dbt build` runs, and
`deficits.csv` is exported by the pipeline's own export step. The `priority` column is then
recomputed here from that file and the register alone, with pandas and scipy, following the
methodology's text rather than the SQL:

- a deficit task of a school or class (deficit = 1) is a priority deficit when the group's
  completion is at least 10 percentage points below the region's, the one-sided normal test of
  the group's completion against the region's (binomial variance of the region's completion over
  the group's n) gives p × (tasks of the work) < 0.05, and — for a school — the school is below its
  cluster's pooled completion of the task (cluster = Местность × type group × Транспортная
  доступность; pooled = Σ completion × participants / Σ participants over the cluster's schools,
  exact because every cell of a task has the same maximum).
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from scipy.stats import norm

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reports_fixture import _type_group  # noqa: E402  (the methodology's type groups, as the fixture writes them)
from test_dbt_objectivity import GYMNASIUM, REGION, build_region, run_dbt  # noqa: E402

from rsoko.pipeline import export_data  # noqa: E402

YEAR = 2025
MIN_GAP_PP = 10.0
ALPHA = 0.05
MAX_SKILLS = 3


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict:
    tmp_path = tmp_path_factory.mktemp("priority")
    warehouse = tmp_path / "warehouse.duckdb"
    build_region(warehouse)
    proc = run_dbt(["build", "--vars", json.dumps({"run_year": YEAR})], warehouse, tmp_path)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    export_data(warehouse, YEAR, tmp_path / "data")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        register = con.execute("select school_code, school_type, locality, transport_access from raw.register").df()
        # every year is computed (the effectiveness analysis reads Y−1); deficits.csv publishes Y
        named = con.execute(f"select * from marts.mart_vpr_priority_deficits where year = {YEAR}").df()
        named_years = {r[0] for r in con.execute("select distinct year from marts.mart_vpr_priority_deficits").fetchall()}
    finally:
        con.close()
    deficits = pd.read_csv(tmp_path / "data" / "deficits.csv", dtype={"entity_code": str, "task": str,
                                                                       "skill_code": str})
    return {"deficits": deficits, "register": register, "named": named, "warehouse": warehouse,
            "named_years": named_years}


def expected_priority(deficits: pd.DataFrame, register: pd.DataFrame) -> pd.Series:
    """The methodology's rule, recomputed from deficits.csv and the register."""
    d = deficits.copy()
    region = d[d.level == "region"][["work", "task", "completion_pct"]].rename(columns={"completion_pct": "region_pct"})
    tasks_per_work = region.groupby("work").size().rename("work_tasks")
    d = d.merge(region, on=["work", "task"], how="left").merge(tasks_per_work, on="work", how="left")

    clusters = register.assign(cluster=register.locality + "|" + register.school_type.map(_type_group)
                               + "|" + register.transport_access)[["school_code", "cluster"]]
    schools = d[d.level == "school"].merge(clusters, left_on="entity_code", right_on="school_code", how="left")
    schools["weighted"] = schools.completion_pct * schools.participants
    pooled = schools.groupby(["work", "task", "cluster"]).agg(weighted=("weighted", "sum"), n=("participants", "sum"))
    pooled = (pooled.weighted / pooled.n).rename("cluster_pct").reset_index()
    schools = schools.merge(pooled, on=["work", "task", "cluster"], how="left")
    cluster_pct = dict(zip(zip(schools.work, schools.task, schools.entity_code), schools.cluster_pct))

    out = []
    for r in d.itertuples():
        if r.level not in ("school", "class") or r.deficit != 1:
            out.append(0)
            continue
        gap = r.region_pct - r.completion_pct
        p_region, p_group = r.region_pct / 100, r.completion_pct / 100
        if p_region >= 1:
            p = 0.0
        else:
            p = float(norm.sf((p_region - p_group) / math.sqrt(p_region * (1 - p_region) / r.participants)))
        significant = gap >= MIN_GAP_PP and min(1.0, p * r.work_tasks) < ALPHA
        if r.level == "school":
            significant = significant and r.completion_pct < cluster_pct[(r.work, r.task, r.entity_code)]
        out.append(int(significant))
    return pd.Series(out, index=d.index)


def test_priority_column_agrees_with_an_independent_recomputation(exported):
    deficits = exported["deficits"]
    assert list(deficits.columns) == ["year", "work", "level", "entity_code", "task", "skill_code", "participants",
                                      "completion_pct", "level_of_task", "deficit", "priority"]
    expected = expected_priority(deficits, exported["register"])
    disagree = deficits[expected.to_numpy() != deficits.priority.to_numpy()]
    assert disagree.empty, disagree.head(20).to_string()
    # the rule is not vacuous on this region: some priority deficits, far fewer than deficits
    school = deficits[deficits.level == "school"]
    assert 0 < school.priority.sum() < school.deficit.sum()
    assert (deficits.loc[deficits.level.isin(["region", "municipality"]), "priority"] == 0).all()
    assert (deficits.priority <= deficits.deficit).all()


def test_priority_deficits_single_out_few_school_works_and_spare_the_gymnasium(exported):
    d = exported["deficits"]
    pairs = d[(d.level == "school")].groupby(["work", "entity_code"]).agg(
        pupils=("participants", "max"), deficit=("deficit", "max"), priority=("priority", "max"))
    evaluated = pairs[pairs.pupils >= 10]
    assert len(evaluated) > 50
    assert evaluated.priority.mean() <= 0.20, evaluated.priority.mean()
    assert evaluated.deficit.mean() > evaluated.priority.mean()
    gym = d[(d.level == "school") & (d.entity_code == GYMNASIUM)]
    assert len(gym) > 0 and gym.priority.sum() == 0
    gym_classes = d[(d.level == "class") & d.entity_code.str.startswith(GYMNASIUM + "/")]
    assert gym_classes.priority.sum() == 0


def test_named_skills_are_at_most_three_per_school_work_with_the_largest_gaps(exported):
    named = exported["named"]
    d = exported["deficits"]
    school_priority = d[(d.level == "school") & (d.priority == 1)]
    assert len(named) == len(school_priority) > 0
    assert set(zip(named.work, named.school_code, named.task)) == \
        set(zip(school_priority.work, school_priority.entity_code, school_priority.task))
    shown = named[named.named == 1]
    per_pair = shown.groupby(["work", "school_code"]).skill_code.nunique()
    assert (per_pair <= MAX_SKILLS).all() and (per_pair >= 1).all()
    # every skill left out has a gap no larger than any named skill of the same school × work
    for (work, school), group in named.groupby(["work", "school_code"]):
        gaps = group.groupby("skill_code").gap_pp.max()
        kept = set(group.loc[group.named == 1, "skill_code"])
        dropped = set(gaps.index) - kept
        if dropped:
            assert gaps[list(dropped)].max() <= gaps[list(kept)].min()
    assert (named.gap_pp >= MIN_GAP_PP).all() and (named.p_bonferroni < ALPHA).all()
    assert (named.completion_pct < named.cluster_completion_pct).all()
    assert set(named.school_code.str[:2]) == {REGION}
    assert YEAR in exported["named_years"] and exported["named_years"] <= {YEAR - 1, YEAR}


Z_CASES = [-4.0, -1.5, -0.3, 0.0, 0.2, 1.0, 1.6448536, 2.5, 3.3, 4.7, 6.0]


def test_normal_upper_tail_macro_matches_scipy(tmp_path):
    """The macro compiled by dbt, run on DuckDB, against scipy.stats.norm.sf (relative 1.2e-7)."""
    warehouse = tmp_path / "empty.duckdb"
    duckdb.connect(str(warehouse)).close()
    values = ", ".join(f"(cast({z!r} as double))" for z in Z_CASES)
    sql = ("select z, {{ normal_upper_tail('z') }} as tail "
           f"from (values {values}) as cases(z) order by z")
    proc = run_dbt(["compile", "--quiet", "--inline", sql], warehouse, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = duckdb.connect().execute(proc.stdout.strip()).fetchall()
    assert len(rows) == len(Z_CASES)
    for z, tail in rows:
        assert tail == pytest.approx(float(norm.sf(z)), rel=2e-7), z
