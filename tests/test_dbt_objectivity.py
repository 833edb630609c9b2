"""Objectivity markers M1–M6 and ВПР deficits, end to end through the real dbt project.

A small region is written straight into a fresh warehouse's raw layer (ingestion.schema.create_all
plus SQL inserts): honest schools drawn from one ability model, one planted school whose ВПР
results were «fitted» (marks copied from the journal, pupils pushed onto the mark boundaries,
a high ВПР result beside weak ОГЭ results), and a gymnasium that is simply strong. Then the real
`dbt build` runs on it and the marts are read back.

The binomial tail macro is checked against scipy through `dbt compile --inline`.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = ROOT / "dbt"
sys.path.insert(0, str(ROOT))

from ingestion.schema import create_all  # noqa: E402
from rsoko.settings import dbt_executable  # noqa: E402

DBT = dbt_executable()

YEARS = (2024, 2025)
REGION = "86"
PLANTED = "860004"       # fitted results: journal copied, boundary heaping, high ВПР / weak ОГЭ
GYMNASIUM = "860005"     # strong and honest: high ВПР, high ОГЭ, marks confirmed as 5s
HONEST = "860010"

# (subject, grade): tasks "label:max level"; scale (min 3, min 4, min 5)
WORKS = {
    ("Математика", 4): ("1:1Б 2:1Б 3:2Б 4:2Б 5.1:1Б 5.2:1Б 6:2Б 7:1Б 8:2П 9:2Б 10:2П 11:1Б 12:2П", (6, 10, 14)),
    ("Русский язык", 4): ("1К1:4Б 1К2:3Б 2:3Б 3:3Б 4:3Б 5:2Б 6:2Б 7:3П 8:2П 9:3П 10:2Б", (12, 19, 25)),
    ("Математика", 5): ("1:1Б 2:1Б 3:1Б 4:2Б 5:1Б 6:2Б 7:1Б 8:1Б 9:2Б 10:2П 11:2П 12:1Б 13:1П 14:2П", (7, 11, 15)),
    ("Русский язык", 5): ("1К1:4Б 1К2:3Б 2:3Б 3:2Б 4:3Б 5:4Б 6:4П 7:2П 8:3П 9:2Б", (13, 20, 26)),
}


def _parse_plan(text: str) -> list[tuple[str, int, str]]:
    tasks = []
    for item in text.split():
        label, rest = item.split(":")
        tasks.append((label, int(rest[:-1]), rest[-1]))
    return tasks


def _mark(score: int, scale: tuple[int, int, int]) -> int:
    return 2 + sum(score >= b for b in scale)


def _register() -> pd.DataFrame:
    rows = []
    for i in range(1, 25):
        code = f"{REGION}{i:04d}"
        kind = "Гимназия" if code == GYMNASIUM else "СОШ"
        rows.append(dict(school_code=code, school_login=f"sch{code}", short_name=f"{kind} №{i}",
                         full_name=f"{kind} №{i}", mo_code=f"{1 + i % 3:02d}", mo_name=f"МО {1 + i % 3}",
                         school_type=kind, locality="город", transport_access="доступная",
                         pupils=500, shnor=False))
    return pd.DataFrame(rows)


def _school_effects(register: pd.DataFrame, rng: np.random.Generator) -> dict[str, float]:
    effects = {code: float(rng.normal(0, 0.35)) for code in register.school_code}
    effects[GYMNASIUM] = 1.2
    effects[PLANTED] = -0.2
    effects[HONEST] = 0.0
    return effects


def _vpr(register, effects, rng):
    """Pupil rows and long task rows for every work and year; the planted school is fitted."""
    results, tasks, plans, scales = [], [], [], []
    for year in YEARS:
        for (subject, grade), (plan_text, scale) in WORKS.items():
            plan = _parse_plan(plan_text)
            work_max = sum(m for _, m, _ in plan)
            load_id = f"vpr-{year}-{subject}-{grade}"
            scales.append(dict(year=year, subject=subject, grade=grade, min_mark3=scale[0],
                               min_mark4=scale[1], min_mark5=scale[2]))
            for k, (label, task_max, level) in enumerate(plan):
                plans.append(dict(year=year, subject=subject, grade=grade, task=label, task_max=task_max,
                                  task_level=level, skill_code=f"{grade}.{k // 2 + 1}",
                                  skill_name=f"Умение {k // 2 + 1}", practice_oriented=False))
            row = 8
            for school, login in zip(register.school_code, register.school_login):
                effect = effects[school] + (1.3 if school == PLANTED else 0.0)
                for letter in "АБ":
                    for pupil in range(int(rng.integers(12, 16))):
                        row += 1
                        ability = rng.normal(effect, 1.0)
                        scores = []
                        for label, task_max, level in plan:
                            difficulty = -0.9 if level == "Б" else 0.6
                            p = 1 / (1 + np.exp(-(ability - difficulty)))
                            scores.append(int(rng.binomial(task_max, p)))
                        primary = sum(scores)
                        if school == PLANTED:
                            # pupils one or two points short of a boundary get the missing points
                            for boundary in scale:
                                short = boundary - primary
                                if short in (1, 2):
                                    for k in range(len(scores)):
                                        room = plan[k][1] - scores[k]
                                        add = min(room, short)
                                        scores[k] += add
                                        short -= add
                                        if short == 0:
                                            break
                                    primary = sum(scores)
                        mark = _mark(primary, scale)
                        if school == PLANTED:
                            journal = mark                      # the journal was copied
                        else:
                            journal = int(np.clip(mark + rng.choice([-1, 0, 0, 0, 1, 1]), 2, 5))
                        results.append(dict(year=year, subject=subject, grade=grade, work_max=work_max,
                                            work_date=date(year, 4, 15), school_login=login,
                                            mo_name="", school_name="", participant_code=f"{row:05d}",
                                            class_name=f"{grade}{letter}", variant=1 + row % 2,
                                            primary_score=primary, mark=mark, journal_mark=journal,
                                            _load_id=load_id, _source_row=row))
                        for (label, task_max, level), score in zip(plan, scores):
                            tasks.append(dict(year=year, subject=subject, grade=grade, school_login=login,
                                              participant_code=f"{row:05d}", task=label, task_max=task_max,
                                              task_level=level, score=score, _load_id=load_id,
                                              _source_row=row))
    return (pd.DataFrame(results), pd.DataFrame(tasks), pd.DataFrame(plans), pd.DataFrame(scales))


def _oge(register, effects, rng) -> pd.DataFrame:
    """ОГЭ results of year 2025: the planted school is weak at ГИА, the gymnasium strong."""
    rows = []
    for school, mo in zip(register.school_code, register.mo_code):
        effect = effects[school] - (0.9 if school == PLANTED else 0.0)
        for pupil in range(20):
            pid = f"{school}{pupil:010d}"
            for subject_code, name in ((1, "Русский язык"), (2, "Математика")):
                ability = rng.normal(effect, 1.0)
                mark = int(np.clip(np.round(3.4 + 0.9 * ability), 2, 5))
                rows.append(dict(year=2025, participant_id=pid, school_code=school, mo_code=mo,
                                 category="ВТГ", class_name="9А", sex="М", ovz=0, gia_form="ОГЭ",
                                 subject_code=subject_code, subject_name=name, stage="Основной",
                                 exam_date=date(2025, 6, subject_code), variant=1, primary_score=10,
                                 test_score=None, mark=mark, status="Явка",
                                 _load_id="gia9-2025", _source_row=len(rows) + 2))
    return pd.DataFrame(rows)


def _insert(con, table: str, df: pd.DataFrame, source_file: str) -> None:
    df = df.copy()
    if "_load_id" not in df:
        df["_load_id"] = f"{table}-load"
    if "_source_row" not in df:
        df["_source_row"] = range(2, len(df) + 2)
    df["_source_file"] = source_file
    df["_source_sha256"] = "0" * 64
    df["_loaded_at"] = datetime(2025, 11, 1)
    con.register("frame", df)
    con.execute(f"insert into raw.{table} by name select * from frame")
    con.unregister("frame")


def build_region(warehouse: Path, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    con = duckdb.connect(str(warehouse))
    create_all(con)
    register = _register()
    effects = _school_effects(register, rng)
    results, tasks, plans, scales = _vpr(register, effects, rng)
    _insert(con, "register", register, "reestr.xlsx")
    _insert(con, "vpr_results", results, "vpr.xlsx")
    _insert(con, "vpr_tasks", tasks, "vpr.xlsx")
    _insert(con, "vpr_plan", plans, "plan.csv")
    _insert(con, "vpr_scale", scales, "scale.csv")
    _insert(con, "gia9", _oge(register, effects, rng), "gia9.csv")
    con.close()


def run_dbt(args: list[str], warehouse: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "RSOKO_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(
        [DBT, *args, "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        env=env, capture_output=True, text=True, cwd=DBT_DIR,
    )


@pytest.fixture(scope="module")
def built_region(tmp_path_factory) -> Path:
    tmp_path = tmp_path_factory.mktemp("objectivity")
    warehouse = tmp_path / "warehouse.duckdb"
    build_region(warehouse)
    proc = run_dbt(["build", "--vars", json.dumps({"run_year": 2025}), "--indirect-selection", "cautious",
                    "--select", "+path:models/marts/objectivity", "+path:models/marts/vpr",
                    "path:tests/objectivity"],
                   warehouse, tmp_path)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    return warehouse


def _query(warehouse: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def test_planted_school_is_listed_and_honest_ones_are_not(built_region):
    schools = _query(built_region, "select * from marts.mart_objectivity_schools where year = 2025")
    assert len(schools) == 24
    listed = set(schools.loc[schools.listed == 1, "school_code"])
    assert PLANTED in listed
    assert HONEST not in listed and GYMNASIUM not in listed
    assert listed == {PLANTED}


def test_planted_school_fires_the_fitted_markers_with_explanations(built_region):
    markers = _query(built_region, f"""
        select * from marts.fct_objectivity_markers where school_code = '{PLANTED}'
    """)
    flagged = markers[markers.flagged == 1]
    assert {"M1", "M4"} <= set(flagged.loc[flagged.year == 2025, "marker_code"])
    # the boundary heaping shows on some work: of the 8 planted works (4 a year) the ~28 pupils
    # of one reach M3's α; int_objectivity_m3 keeps both years, the mart the published one
    m3 = _query(built_region, f"select * from intermediate.int_objectivity_m3 where school_code = '{PLANTED}'")
    assert (m3.flagged == 1).any()
    assert flagged.explanation_ru.notna().all()
    assert markers.loc[markers.flagged == 0, "explanation_ru"].isna().all()
    m4 = flagged[flagged.marker_code == "M4"].iloc[0]
    assert m4.explanation_ru.startswith("отметку по журналу подтвердили")


def test_gymnasium_gets_m1_rows_but_never_the_flag(built_region):
    m1 = _query(built_region, "select * from marts.fct_objectivity_markers where marker_code = 'M1'")
    gym = m1[m1.school_code == GYMNASIUM]
    assert len(gym) == 4 and (gym.year == 2025).all()
    assert (gym.flagged == 0).all() and (gym.value >= 90).any()
    planted = m1[m1.school_code == PLANTED]
    assert (planted.flagged == 1).any()


def test_marker_rows_follow_the_rows_present_rules(built_region):
    markers = _query(built_region, "select * from marts.fct_objectivity_markers")
    # markers and deficits for every year present (methodology, «Conventions»: the effectiveness
    # analysis follows Y−1's listed schools); only what is published is limited to Y
    assert set(markers.year) == set(YEARS)
    assert set(_query(built_region, "select distinct year from marts.mart_objectivity_schools").year) == set(YEARS)
    assert set(_query(built_region, "select distinct year from marts.fct_deficits").year) == set(YEARS)
    assert not (markers.loc[markers.year == 2024, "marker_code"] == "M6").any()   # no 2023 grade-4 works
    per_work = markers[markers.year == 2025].groupby(["school_code", "work"]).marker_code.apply(set)
    for (_school, work), codes in per_work.items():
        assert {"M1", "M2", "M3", "M4", "M5"} <= codes      # every school sat ОГЭ in 2025
        assert ("M6" in codes) == work.endswith(" 5")      # needs the grade-4 work of 2024
    assert markers.flagged.isin([0, 1]).all()
    # thresholds come from the seed
    assert set(markers.loc[markers.marker_code == "M3", "threshold"]) == {0.001}
    assert set(markers.loc[markers.marker_code == "M5", "threshold"]) == {20.0}


def test_empty_value_only_where_a_marker_minimum_is_not_met(built_region):
    markers = _query(built_region, "select * from marts.fct_objectivity_markers")
    assert markers.loc[markers.marker_code.isin(["M1", "M2", "M6"]), "value"].notna().all()
    assert (markers.loc[markers.value.isna(), "flagged"] == 0).all()
    m3 = _query(built_region, "select * from intermediate.int_objectivity_m3")
    assert (m3.value.isna() == (m3.window_pupils < 10)).all()


def test_vector_fingerprints_group_pupils_exactly_like_literal_vectors(built_region):
    pairs = _query(built_region, """
        with literal as (
            select pupil_work_id, any_value(work) as work,
                   string_agg(task || '=' || coalesce(score::varchar, 'X'), ',' order by task) as vector
            from intermediate.int_vpr_task_scores group by pupil_work_id
        )
        select literal.work, literal.vector, vectors.vector_hash
        from literal join intermediate.int_vpr_pupil_vectors as vectors using (pupil_work_id)
    """)
    assert pairs.duplicated(["work", "vector"]).any()                 # some pupils do coincide
    assert (pairs.groupby(["work", "vector"]).vector_hash.nunique() == 1).all()
    assert (pairs.groupby(["work", "vector_hash"]).vector.nunique() == 1).all()


def test_deficits_levels_and_zones(built_region):
    deficits = _query(built_region, "select * from marts.fct_deficits where year = 2025")
    assert set(deficits.level) == {"region", "municipality", "school", "class"}
    region = deficits[(deficits.level == "region") & (deficits.work == "ВПР Математика 4")]
    assert len(region) == 13 and (region.entity_code == REGION).all()
    classes = deficits[deficits.level == "class"]
    assert classes.entity_code.str.match(r"^\d{6}/\d[АБ]$").all()
    assert (classes.group_pupils < 10).any() or (classes.group_pupils >= 10).all()
    small = deficits[deficits.group_pupils < 10]
    assert (small.deficit == 0).all()
    basic = deficits[deficits.level_of_task == "Б"]
    assert ((basic.completion_pct < 57) == (basic.zone == "дефицит")).all()
    assert (deficits.deficit == ((deficits.zone == "дефицит") & (deficits.group_pupils >= 10))).all()


def test_schools_with_deficits_counted_from_the_school_rows(built_region):
    school = _query(built_region, """
        select d.year, d.work, d.task, s.mo_code, d.entity_code, d.deficit
        from marts.fct_deficits d join marts.dim_schools s on d.entity_code = s.school_code
        where d.level = 'school' and d.group_pupils >= 10
    """)
    counts = _query(built_region, "select * from marts.mart_vpr_deficit_schools")
    assert set(counts.level) == {"region", "municipality"} and set(counts.year) == set(YEARS)
    expected = pd.concat([school.assign(level="region", entity_code=REGION),
                          school.assign(level="municipality", entity_code=school.mo_code)])
    key = ["year", "work", "task", "level", "entity_code"]
    expected = expected.groupby(key).agg(
        schools_evaluated=("deficit", "size"), schools_with_deficit=("deficit", "sum")).sort_index()
    got = counts.set_index(key)[["schools_evaluated", "schools_with_deficit"]].sort_index()
    assert len(got) == len(expected) > 0
    assert (got.to_numpy() == expected.to_numpy()).all() and (got.index == expected.index).all()
    assert expected.schools_with_deficit.sum() > 0


def test_deficit_completion_matches_a_direct_computation(built_region):
    direct = _query(built_region, """
        select 100.0 * sum(score) / sum(task_max) as pct, count(score) as n
        from raw.vpr_tasks where year = 2025 and subject = 'Математика' and grade = 4 and task = '8'
    """).iloc[0]
    mart = _query(built_region, """
        select completion_pct, participants from marts.fct_deficits
        where year = 2025 and work = 'ВПР Математика 4' and level = 'region' and task = '8'
    """).iloc[0]
    assert mart.participants == direct.n
    assert abs(mart.completion_pct - direct.pct) < 1e-9


def test_standard_forms_add_up(built_region):
    marks = _query(built_region, "select * from marts.mart_vpr_marks where year = 2025")
    region = marks[marks.level == "region"].set_index("work")
    schools = marks[marks.level == "school"].groupby("work")[["participants", "mark2", "mark5"]].sum()
    assert (region[["participants", "mark2", "mark5"]].sort_index() == schools.sort_index()).all().all()
    journal = _query(built_region, "select * from marts.mart_vpr_journal where year = 2025")
    assert (journal.lowered + journal.confirmed + journal.raised == journal.participants).all()
    dist = _query(built_region, "select * from marts.mart_vpr_score_distribution where year = 2025")
    by_level = dist.groupby(["work", "level"]).pupils.sum().unstack()
    assert (by_level["region"] == by_level["school"]).all()
    assert (dist.min_mark3 < dist.min_mark4).all() and (dist.min_mark5 <= dist.work_max).all()


BINOMIAL_CASES = [
    (8, 10, 0.3), (0, 10, 0.3), (11, 10, 0.3), (5, 5, 0.5), (1, 30, 0.01), (25, 25, 0.6),
    (20, 60, 0.1), (150, 400, 0.3), (3, 7, 0.0), (3, 7, 1.0), (40, 200, 0.12345), (1, 1, 0.999),
    (12, 24, 0.18), (300, 320, 0.97),
]


def test_binomial_upper_tail_macro_matches_scipy(tmp_path):
    """The macro compiled by dbt, run on DuckDB, against scipy.stats.binom.sf(k - 1, n, p)."""
    from scipy.stats import binom

    warehouse = tmp_path / "empty.duckdb"
    duckdb.connect(str(warehouse)).close()
    cases = ", ".join(f"({k}, {n}, {p!r}::double)" for k, n, p in BINOMIAL_CASES)
    sql = ("select k, n, p, {{ binomial_upper_tail('k', 'n', 'p') }} as tail "
           f"from (values {cases}) as cases(k, n, p) order by k, n, p")
    proc = run_dbt(["compile", "--quiet", "--inline", sql], warehouse, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = duckdb.connect().execute(proc.stdout.strip()).fetchall()
    assert len(rows) == len(BINOMIAL_CASES)
    for k, n, p, tail in rows:
        expected = float(binom.sf(k - 1, n, p))
        assert tail == pytest.approx(expected, rel=1e-9, abs=1e-300), (k, n, p)
    assert dict(((k, n, p), t) for k, n, p, t in rows)[(8, 10, 0.3)] == pytest.approx(0.0015903864, rel=1e-9)


@pytest.mark.slow
def test_generated_region_listing_matches_the_planted_truth(tmp_path):
    """The bundled generator's demo region through the real ingestion and dbt: every planted
    school listed, no decoy (strong gymnasium) and no honest school listed."""
    from ingestion import load_inbox
    from synthetic import generate_region

    summary = generate_region(tmp_path / "inbox", tmp_path / "truth", seed=2025, scale="demo")
    year = max(summary["years"])
    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    load_inbox(con, tmp_path / "inbox")
    con.close()
    proc = run_dbt(["build", "--vars", json.dumps({"run_year": year}), "--indirect-selection", "cautious",
                    "--select", "+path:models/marts/objectivity"], warehouse, tmp_path)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    truth = json.loads((tmp_path / "truth" / "truth.json").read_text(encoding="utf-8"))
    planted = {e["school_code"] for e in truth["nonobjective"] if e["year"] == year}
    decoys = {e["school_code"] if isinstance(e, dict) else e for e in truth["decoys"]}
    listed = set(_query(warehouse, f"""
        select school_code from marts.mart_objectivity_schools where year = {year} and listed = 1
    """).school_code)
    assert planted and not (listed & decoys)
    precision = len(listed & planted) / len(listed)
    recall = len(listed & planted) / len(planted)
    assert precision >= 0.85 and recall >= 0.85, (sorted(listed), sorted(planted))
