"""The generator's «Меры» file: contract-following (loads with nothing quarantined), aimed where the
ground truth says (listed schools of Y−1, ШНОР schools, course schools on region-wide deficit skills)."""
from __future__ import annotations

import json
import shutil

import duckdb
import pandas as pd
import pytest

from ingestion import load_inbox
from synthetic import generate_region

YEARS = (2023, 2024, 2025)


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    base = tmp_path_factory.mktemp("measures")
    summary = generate_region(base / "inbox", base / "truth", seed=2025, scale="demo", years=YEARS,
                              vpr_layout="normalised")
    truth = json.loads((base / "truth" / "truth.json").read_text(encoding="utf-8"))
    files = json.loads((base / "truth" / "files.json").read_text(encoding="utf-8"))["files"]
    return {"base": base, "summary": summary, "truth": truth, "files": files}


def test_the_measures_file_loads_whole_against_the_register_and_plan(region, tmp_path):
    small = tmp_path / "inbox"
    for f in region["files"]:
        if f["kind"] in ("register", "vpr_plan", "measures"):
            (small / f["file"]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(region["base"] / "inbox" / f["file"], small / f["file"])
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load_inbox(con, small)
        led = con.execute("select status, rows_read, rows_loaded, year from meta.ingestion_ledger"
                          " where kind = 'measures'").fetchall()
        n = con.execute("select count(*) from raw.measures").fetchone()[0]
    rows = pd.read_csv(region["base"] / "inbox" / "mery" / "mery_2025.csv", sep=";", dtype=str)
    assert led == [("loaded", len(rows), len(rows), 2025)] and n == len(rows)


def test_the_measures_go_where_the_truth_says(region):
    m = region["truth"]["measures"]
    rows = pd.read_csv(region["base"] / "inbox" / "mery" / "mery_2025.csv", sep=";", dtype=str, keep_default_na=False)
    by_type = {t: set(g["Код"]) for t, g in rows.groupby("Мера")}
    previous = {e["school_code"] for e in region["truth"]["nonobjective_previous"]}
    planted_now = {e["school_code"] for e in region["truth"]["nonobjective"]}
    with_m, without_m = set(m["listed_previous_with_measures"]), set(m["listed_previous_without_measures"])
    # the schools planted in Y−1 split into those with observers and re-checks (honest in Y) and the rest
    # (planted again in Y, nothing recorded for them)
    assert with_m and without_m and previous == with_m | without_m
    assert by_type["независимые наблюдатели"] == by_type["перепроверка работ"] == with_m
    assert not with_m & planted_now and without_m <= planted_now
    assert not without_m & set(rows["Код"])
    register = pd.read_csv(region["base"] / "inbox" / "reestr_oo.csv", sep=";", dtype=str)
    shnor = set(register.loc[register["ШНОР"] == "да", "Код ОО"])
    # help: every ШНОР school that is not planted, and a few weak schools besides
    assert by_type["адресная помощь"] == set(m["helped"])
    assert shnor - previous - planted_now <= set(m["helped"]) and set(m["helped"]) - shnor
    assert not set(m["helped"]) & (previous | planted_now)
    courses = rows[rows["Мера"] == "курсы повышения квалификации"]
    assert set(courses["Код"]) == set(m["course_schools"]) and set(courses["Работа"]) == {m["course_work"]}
    assert {s.strip() for v in courses["Коды умений"] for s in v.split(",")} == set(m["course_skills"])
    assert not set(m["course_schools"]) & (previous | planted_now | set(m["helped"]))
