"""End-to-end check of the indicator models: a hand-made raw dataset in a fresh DuckDB file, the
real `dbt build` of the indicator marts (and everything upstream), hand-computed values.

The dataset exercises the methodology's edge cases: a retake (the best result counts), Неявка
(a choice and a member of R05's denominator, never a result), ГВЭ in R05, base vs profile
mathematics in R03, the ВТГ filter, a pupil without an Отметка (out of R10–R15, in R16), an X
cell in R16, P08 with and without an ОГЭ record and without ГИА-9 of Y−2, a school with a single
pupil, admissions of a school with nobody admitted (no G01 row).
"""
from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from ingestion import schema
from rsoko.settings import dbt_executable

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt"

SCHOOLS = [
    # school_code, login, mo_code, type, locality, transport
    ("860001", "sch860001", "01", "СОШ", "город", "доступная"),
    ("860002", "sch860002", "01", "Гимназия", "город", "доступная"),
    ("860003", "sch860003", "02", "СОШ", "село", "удалённая"),
]

# participant, school, category, form, subject, date, test score, mark, status
GIA11 = [
    # 2025 ---------------------------------------------------------------------------------------
    # A: maths 20 then a retake 50 (best 50); physics Неявка (a choice, not a result)
    ("A", "860001", "ВТГ", "ЕГЭ", 1, "2025-06-01", 70, None, "Явка"),
    ("A", "860001", "ВТГ", "ЕГЭ", 2, "2025-06-05", 20, None, "Явка"),
    ("A", "860001", "ВТГ", "ЕГЭ", 2, "2025-07-05", 50, None, "Явка"),
    ("A", "860001", "ВТГ", "ЕГЭ", 3, "2025-06-10", None, None, "Неявка"),
    # B: Russian 23 < 24; base maths 4
    ("B", "860001", "ВТГ", "ЕГЭ", 1, "2025-06-01", 23, None, "Явка"),
    ("B", "860001", "ВТГ", "ЕГЭ", 22, "2025-06-05", None, 4, "Явка"),
    # C: 90, 85, chemistry 30 < 36
    ("C", "860002", "ВТГ", "ЕГЭ", 1, "2025-06-01", 90, None, "Явка"),
    ("C", "860002", "ВТГ", "ЕГЭ", 2, "2025-06-05", 85, None, "Явка"),
    ("C", "860002", "ВТГ", "ЕГЭ", 4, "2025-06-12", 30, None, "Явка"),
    # D: ГВЭ Russian 4, ГВЭ maths 2 -> lacks mathematics (R05)
    ("D", "860003", "ВТГ", "ГВЭ", 1, "2025-06-01", None, 4, "Явка"),
    ("D", "860003", "ВТГ", "ГВЭ", 2, "2025-06-05", None, 2, "Явка"),
    # E: an earlier graduate (ВПЛ): outside every ГИА-11 indicator
    ("E", "860003", "ВПЛ", "ЕГЭ", 1, "2025-06-01", 10, None, "Явка"),
    # 2024 (ГИА-9 of 2022 is absent: no P08 for 2024) ------------------------------------------
    ("F", "860001", "ВТГ", "ЕГЭ", 1, "2024-06-01", 60, None, "Явка"),
    ("F", "860001", "ВТГ", "ЕГЭ", 3, "2024-06-07", 50, None, "Явка"),
]

GIA9 = [
    # 2025: Q1 Russian 2 then a retake 3 (best 3); biology Неявка
    ("Q1", "860001", "ВТГ", "ОГЭ", 1, "2025-05-20", None, 2, "Явка"),
    ("Q1", "860001", "ВТГ", "ОГЭ", 1, "2025-06-25", None, 3, "Явка"),
    ("Q1", "860001", "ВТГ", "ОГЭ", 2, "2025-05-23", None, 4, "Явка"),
    ("Q1", "860001", "ВТГ", "ОГЭ", 3, "2025-05-27", None, 5, "Явка"),
    ("Q1", "860001", "ВТГ", "ОГЭ", 6, "2025-05-30", None, None, "Неявка"),
    ("Q2", "860002", "ВТГ", "ОГЭ", 1, "2025-05-20", None, 5, "Явка"),
    ("Q2", "860002", "ВТГ", "ОГЭ", 2, "2025-05-23", None, 2, "Явка"),
    ("Q2", "860002", "ВТГ", "ОГЭ", 4, "2025-05-27", None, 3, "Явка"),
    ("Q3", "860003", "ВТГ", "ГВЭ", 1, "2025-05-20", None, 3, "Явка"),
    ("Q3", "860003", "ВТГ", "ГВЭ", 2, "2025-05-23", None, 3, "Явка"),
    # 2023: the ГИА-9 of this year's ГИА-11 participants (P08)
    ("A", "860001", "ВТГ", "ОГЭ", 1, "2023-05-20", None, 4, "Явка"),
    ("A", "860001", "ВТГ", "ОГЭ", 3, "2023-05-27", None, 4, "Явка"),
    ("C", "860002", "ВТГ", "ОГЭ", 4, "2023-05-27", None, 5, "Явка"),
    ("D", "860003", "ВТГ", "ОГЭ", 1, "2023-05-20", None, 3, "Явка"),
    ("D", "860003", "ВТГ", "ОГЭ", 2, "2023-05-23", None, 3, "Явка"),
]

# ВПР 2025: (subject, grade, login, participant, mark, {task: score or None for X})
VPR_PLAN = {
    # (subject, grade): [(task, max, practice-oriented)]
    ("Математика", 4): [("1", 1, False), ("2", 2, True), ("3", 2, True)],
    ("Русский язык", 4): [("1", 1, False)],
    ("Окружающий мир", 4): [("1", 3, True)],
}
VPR_PUPILS = [
    ("Математика", 4, "sch860001", "10001", 5, {"1": 1, "2": 2, "3": None}),
    ("Математика", 4, "sch860001", "10002", 2, {"1": 0, "2": 0, "3": 1}),
    ("Математика", 4, "sch860001", "10003", None, {"1": 1, "2": 1, "3": 2}),
    ("Русский язык", 4, "sch860002", "20001", 4, {"1": 1}),
    ("Русский язык", 4, "sch860002", "20002", 3, {"1": 0}),
    ("Окружающий мир", 4, "sch860003", "30001", 2, {"1": 2}),
]

# participant, school, graduation year, level, specialty, profile
ADMISSIONS = [
    ("A", "860001", 2025, "ВО", "09.03.01", "технологический"),   # 09 is технологический
    ("B", "860001", 2025, "СПО", "44.02.01", "технологический"),  # 44 is гуманитарный
    ("C", "860002", 2025, "ВО", "38.03.01", "универсальный"),     # matches every group
    ("D", "860003", 2025, None, None, "гуманитарный"),            # not admitted
]


def _audit(load_id: str, row: int) -> tuple:
    return (load_id, f"{load_id}.csv", "0" * 64, row, dt.datetime(2025, 7, 20))


AUDIT_COLUMNS = "_load_id, _source_file, _source_sha256, _source_row, _loaded_at"


def load_raw(con: duckdb.DuckDBPyConnection) -> None:
    schema.create_all(con)
    for i, (code, login, mo, kind, locality, transport) in enumerate(SCHOOLS):
        con.execute(
            f"insert into raw.register (school_code, school_login, short_name, full_name, mo_code,"
            f" mo_name, school_type, locality, transport_access, pupils, shnor, {AUDIT_COLUMNS})"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, 300, false, ?, ?, ?, ?, ?)",
            [code, login, f"Школа {code}", f"Школа {code}", mo, f"МО {mo}", kind, locality, transport,
             *_audit("register", i + 2)],
        )
    for table, rows in (("gia11", GIA11), ("gia9", GIA9)):
        for i, (pid, school, category, form, subject, date, test, mark, status) in enumerate(rows):
            mo = next(s[2] for s in SCHOOLS if s[0] == school)
            year = int(date[:4])
            con.execute(
                f"insert into raw.{table} (year, participant_id, school_code, mo_code, category,"
                " class_name, gia_form, subject_code, stage, exam_date, primary_score, test_score, mark,"
                f" status, {AUDIT_COLUMNS}) values (?, ?, ?, ?, ?, '11А', ?, ?, 'Основной', ?, ?, ?, ?, ?,"
                " ?, ?, ?, ?, ?)",
                [year, pid, school, mo, category, form, subject, date,
                 None if status != "Явка" else 10, test, mark, status, *_audit(f"{table}-{year}", i + 2)],
            )
    for (subject, grade), tasks in VPR_PLAN.items():
        for i, (task, task_max, practice) in enumerate(tasks):
            con.execute(
                "insert into raw.vpr_plan (year, subject, grade, task, task_max, task_level, skill_code,"
                f" skill_name, practice_oriented, {AUDIT_COLUMNS})"
                " values (2025, ?, ?, ?, ?, 'Б', ?, 'умение', ?, ?, ?, ?, ?, ?)",
                [subject, grade, task, task_max, f"{task}.1", practice, *_audit("plan-2025", i + 2)],
            )
    for i, (subject, grade, login, code, mark, scores) in enumerate(VPR_PUPILS):
        load_id = f"vpr-{subject}-{grade}"
        work_max = sum(t[1] for t in VPR_PLAN[(subject, grade)])
        primary = sum(v for v in scores.values() if v is not None)
        con.execute(
            "insert into raw.vpr_results (year, subject, grade, work_max, work_date, school_login,"
            " participant_code, class_name, variant, primary_score, mark, journal_mark,"
            f" {AUDIT_COLUMNS}) values (2025, ?, ?, ?, '2025-04-15', ?, ?, '4А', 1, ?, ?, null,"
            " ?, ?, ?, ?, ?)",
            [subject, grade, work_max, login, code, primary, mark, *_audit(load_id, i + 9)],
        )
        for task, task_max, _ in VPR_PLAN[(subject, grade)]:
            con.execute(
                "insert into raw.vpr_tasks (year, subject, grade, school_login, participant_code, task,"
                f" task_max, task_level, score, {AUDIT_COLUMNS})"
                " values (2025, ?, ?, ?, ?, ?, ?, 'Б', ?, ?, ?, ?, ?, ?)",
                [subject, grade, login, code, task, task_max, scores[task], *_audit(load_id, i + 9)],
            )
    for i, (pid, school, year, level, specialty, profile) in enumerate(ADMISSIONS):
        con.execute(
            "insert into raw.admissions (participant_id, school_code, grad_year, edu_level,"
            f" specialty_code, study_region, profile, {AUDIT_COLUMNS})"
            " values (?, ?, ?, ?, ?, 'в регионе', ?, ?, ?, ?, ?, ?)",
            [pid, school, year, level, specialty, profile, *_audit("admissions", i + 2)],
        )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    tmp_path = tmp_path_factory.mktemp("indicators")
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    load_raw(con)
    con.close()
    result = subprocess.run(
        [
            dbt_executable(), "build",
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
            "--select", "+path:models/marts/indicators",
        ],
        env={**os.environ, "RSOKO_WAREHOUSE": str(path)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return path


@pytest.fixture(scope="module")
def indicators(warehouse) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select year, indicator_code, level, entity_code, numerator, denominator, value, n_units"
            " from marts.fct_indicators"
        ).fetchall()
    return {(r[0], r[1], r[2], r[3]): r[4:] for r in rows}


# (year, code, level, entity) -> (numerator, denominator, value, n_units), all hand-computed
EXPECTED = {
    # R01: ЕГЭ Russian ВТГ best results 70 (A), 23 (B), 90 (C); E is ВПЛ
    (2025, "R01", "region", "86"): (183, 3, 61.0, 3),
    (2025, "R01", "school", "860001"): (93, 2, 46.5, 2),
    (2025, "R01", "school", "860002"): (90, 1, 90.0, 1),
    # R02: A's best maths is the retake 50, C 85
    (2025, "R02", "region", "86"): (135, 2, 67.5, 2),
    # R03: 7 ЕГЭ ВТГ results (A 1, 2; B 1, 22; C 1, 2, 4); below: B Russian 23, C chemistry 30.
    # A's first maths sitting (20 < 27) is not a result: the retake is the best.
    (2025, "R03", "region", "86"): (2, 7, 100 * 2 / 7, 7),
    (2025, "R03", "school", "860001"): (1, 4, 25.0, 4),
    # R04: A, B, C have a counted ЕГЭ result; C has 81+
    (2025, "R04", "region", "86"): (1, 3, 100 / 3, 3),
    # R05: A, B, C, D; B lacks Russian (23), D lacks mathematics (ГВЭ 2)
    (2025, "R05", "region", "86"): (2, 4, 50.0, 4),
    (2025, "R05", "municipality", "02"): (1, 1, 100.0, 1),
    # P01–P04 over A, B, C, D: maths A, C; physics A (Неявка counts); chemistry C; biology none
    (2025, "P01", "region", "86"): (2, 4, 50.0, 4),
    (2025, "P02", "region", "86"): (1, 4, 25.0, 4),
    (2025, "P03", "region", "86"): (1, 4, 25.0, 4),
    (2025, "P04", "region", "86"): (0, 4, 0.0, 4),
    # P08: A (physics) and C (chemistry) repeat an ОГЭ 2023 elective; B has no ОГЭ record, D none elective
    (2025, "P08", "region", "86"): (2, 4, 50.0, 4),
    # R06–R09: ОГЭ best results (Q1's Russian retake 3); Q3's ГВЭ is not ОГЭ
    (2025, "R06", "region", "86"): (0, 2, 0.0, 2),
    (2025, "R07", "region", "86"): (1, 2, 50.0, 2),
    (2025, "R08", "region", "86"): (2, 4, 50.0, 4),
    (2025, "R09", "region", "86"): (1, 2, 50.0, 2),
    # P05–P07 over Q1, Q2, Q3: physics Q1, chemistry Q2, biology Q1 (Неявка)
    (2025, "P05", "region", "86"): (1, 3, 100 / 3, 3),
    (2025, "P06", "region", "86"): (1, 3, 100 / 3, 3),
    (2025, "P07", "region", "86"): (1, 3, 100 / 3, 3),
    # ВПР 4: maths pupils with a mark 5, 2 (the third has none); Russian 4, 3; окружающий мир 2
    (2025, "R10", "region", "86"): (0, 2, 0.0, 2),
    (2025, "R11", "region", "86"): (1, 2, 50.0, 2),
    (2025, "R12", "school", "860003"): (1, 1, 100.0, 1),
    (2025, "R13", "region", "86"): (1, 2, 50.0, 2),
    (2025, "R14", "region", "86"): (1, 2, 50.0, 2),
    (2025, "R15", "region", "86"): (0, 1, 0.0, 1),
    # R16: practice tasks 2, 3 (max 2 each); non-null cells: 2/2 | 0/2, 1/2 | 1/2, 2/2 -> 6/10, 3 pupils
    (2025, "R16", "region", "86"): (6, 10, 60.0, 3),
    (2025, "R17", "school", "860003"): (2, 3, 200 / 3, 1),
    # G01: admitted A, B, C; matched A (09 технологический), C (универсальный)
    (2025, "G01", "region", "86"): (2, 3, 200 / 3, 3),
    (2025, "G01", "school", "860001"): (1, 2, 50.0, 2),
    (2025, "G01", "municipality", "01"): (2, 3, 200 / 3, 3),
    # 2024: F only
    (2024, "R01", "region", "86"): (60, 1, 60.0, 1),
}


@pytest.mark.parametrize("key", sorted(EXPECTED), ids=lambda k: "-".join(map(str, k)))
def test_indicator_value(indicators, key):
    assert key in indicators, f"no row for {key}"
    numerator, denominator, value, n_units = indicators[key]
    exp_numerator, exp_denominator, exp_value, exp_n_units = EXPECTED[key]
    assert numerator == exp_numerator
    assert denominator == exp_denominator
    assert math.isclose(value, exp_value, abs_tol=1e-9)
    assert n_units == exp_n_units


def test_rows_that_must_not_exist(indicators):
    # P08 needs ГИА-9 of Y−2: none for 2024 (2022 absent)
    assert not [k for k in indicators if k[0] == 2024 and k[1] == "P08"]
    # 860003 admitted nobody: G01's denominator is 0 there -> no row (school nor municipality 02)
    assert (2025, "G01", "school", "860003") not in indicators
    assert (2025, "G01", "municipality", "02") not in indicators
    # the ВПЛ participant's school has no ЕГЭ ВТГ result
    assert (2025, "R01", "school", "860003") not in indicators


def test_every_indicator_at_every_level(indicators):
    codes = {f"R{i:02d}" for i in range(1, 18)} | {f"P{i:02d}" for i in range(1, 9)} | {"G01"}
    assert codes <= {k[1] for k in indicators if k[0] == 2025}
    for code in codes:
        levels = {k[2] for k in indicators if k[0] == 2025 and k[1] == code}
        assert levels == {"region", "municipality", "school"}, code


def test_index_follows_min_max_rule(warehouse):
    """Recompute mart_index from fct_indicators with the methodology's rule."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        catalogue = {
            code: (direction, section)
            for code, direction, section in con.execute(
                "select code, direction, section from reference.indicator_catalogue").fetchall()
        }
        values = con.execute(
            "select year, level, entity_code, indicator_code, value from marts.fct_indicators"
            " where level in ('municipality', 'school')").fetchall()
        index = {
            (r[0], r[1], r[2]): r[3:]
            for r in con.execute(
                "select year, level, entity_code, results_index, selfdetermination_index, overall_index"
                " from marts.mart_index").fetchall()
        }
    sections = {"results": 17, "selfdetermination": 8}
    groups: dict = {}
    for year, level, entity, code, value in values:
        if catalogue[code][1] in sections:
            groups.setdefault((year, level, code), []).append((entity, value))
    scores: dict = {}
    for (year, level, code), members in groups.items():
        low, high = min(v for _, v in members), max(v for _, v in members)
        for entity, value in members:
            if high == low:
                score = 50.0
            elif catalogue[code][0] == "down":
                score = 100 * (high - value) / (high - low)
            else:
                score = 100 * (value - low) / (high - low)
            scores.setdefault((year, level, entity), {}).setdefault(catalogue[code][1], []).append(score)
    assert set(scores) == set(index)
    for key, by_section in scores.items():
        expected = []
        for section, size in sections.items():
            items = by_section.get(section, [])
            expected.append(sum(items) / len(items) if len(items) >= size / 2 else None)
        present = [x for x in expected if x is not None]
        expected.append(sum(present) / len(present) if present else None)
        for got, want in zip(index[key], expected):
            assert (got is None) == (want is None), key
            if want is not None:
                assert math.isclose(got, want, abs_tol=1e-9), key
    # By hand, 2025 schools. Scores over the schools having each indicator:
    # 860001 R: R01 0, R02 0, R03↓ 100, R04 0, R05↓ 50, R06↓ 50 (all equal), R07↓ 100, R08 50 (equal),
    #   R09 100, R11 50, R14 50, R16 50 (alone) -> 600 / 12 = 50 (12 of 17 >= half)
    # 860001 P: P01 50, P02 100, P03 0, P04 50 (all 0 %), P05 100, P06 0, P07 100, P08 50 -> 450 / 8
    # 860003 R: R05, R12, R15, R17 only (4 < 8.5) -> null; P: only P04's 50 is non-zero -> 50 / 8
    assert index[(2025, "school", "860001")] == pytest.approx((50.0, 56.25, 53.125))
    assert index[(2025, "school", "860003")][0] is None
    assert index[(2025, "school", "860003")][1:] == pytest.approx((6.25, 6.25))
