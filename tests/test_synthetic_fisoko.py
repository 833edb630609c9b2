"""The generator's default ВПР layout: ФИС ОКО downloads and aggregate forms (issue #10 item 6),
read back cell by cell against the input contract (§4, §9), then loaded for real."""
from __future__ import annotations

import json
import re

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from ingestion import load_inbox
from rsoko.dbt_runner import run_dbt
from synthetic import generate_region, oracle

YEAR = 2025
TITLE = re.compile(r"ВПР (\d{4}) (.+) (\d) класс")
GROUP = re.compile(r"^(.+)\(((?:edu|sch)\d{6})\)$")


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    base = tmp_path_factory.mktemp("fisoko")
    summary = generate_region(base / "inbox", base / "truth", seed=2025, scale="demo", years=(2024, YEAR))
    files = json.loads((base / "truth" / "files.json").read_text(encoding="utf-8"))["files"]
    truth = json.loads((base / "truth" / "truth.json").read_text(encoding="utf-8"))
    return {"base": base, "inbox": base / "inbox", "truth": truth, "files": files, "summary": summary}


def _rows(path):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_a_real_inbox_mix_of_layouts(region):
    layouts = {f.get("layout") for f in region["files"] if f["kind"] == "vpr"}
    assert layouts == {"fisoko-region", "fisoko-municipal", "second"}
    forms = [f for f in region["files"] if f["kind"] == "vpr_forms"]
    works = {(f["year"], f["subject"], f["grade"]) for f in region["files"] if f["kind"] == "vpr"}
    assert len(forms) == 2 * len(works)
    assert region["truth"]["vpr_layout"] == "fisoko" and len(region["truth"]["vpr_cut_short"]) == 1


def test_downloads_follow_the_contract_cell_for_cell(region):
    logins_edu = 0
    for f in region["files"]:
        if not str(f.get("layout", "")).startswith("fisoko"):
            continue
        rows = _rows(region["inbox"] / f["file"])
        assert rows[0][0] == "Индивидуальные результаты" and all(c in ("", None) for c in rows[1])
        m = TITLE.fullmatch(rows[2][0])
        assert m and (int(m[1]), m[2], int(m[3])) == (f["year"], f["subject"], f["grade"])
        assert rows[3][:2] == ["Предмет:", f["subject"]] and rows[4][0] == "Максимальный первичный балл:"
        assert rows[5][0] == "Дата:" and re.fullmatch(rf"\d\d\.\d\d\.{f['year']}", rows[5][1])
        assert rows[6][2] == "Уровень сложности задания" and set(c for c in rows[6][6:] if c) <= {"Б", "П"}
        assert rows[7][:6] == ["ОО", "Муниципалитет", "Название ОО", "Код участника", "Класс", "Вариант"]
        pupils, announced, current = 0, {}, None
        for r in rows[8:]:
            if str(r[1]).startswith("Кол-во участников: "):
                g = GROUP.fullmatch(r[0])
                assert g, r[0]
                current = g[2]
                announced[current] = [int(r[1].split(": ")[1]), 0]
                continue
            assert r[0] == current and r[2].endswith(f"({current})")
            assert isinstance(r[3], float) and 10000 <= r[3] <= 99999 and isinstance(r[4], float) and r[4] >= 1
            assert r[-1] == "нет отметки" or r[-1] in (2, 3, 4, 5)
            announced[current][1] += 1
            pupils += 1
        assert pupils == f["rows"]
        logins_edu += sum(1 for k in announced if k.startswith("edu"))
        short = {k: v for k, v in announced.items() if v[0] != v[1]}
        if "cut_short" in f and f["cut_short"]["login"] in short:
            assert short == {f["cut_short"]["login"]: [f["cut_short"]["announced"], f["cut_short"]["present"]]}
        else:
            assert short == {}
    assert logins_edu > 0


def test_forms_carry_a_federal_row_then_region_municipalities_schools(region):
    f = next(f for f in region["files"] if f["kind"] == "vpr_forms" and f["form"] == "marks" and f["year"] == YEAR)
    rows = _rows(region["inbox"] / f["file"])
    assert rows[0][0] == "Статистика по отметкам" and TITLE.fullmatch(rows[2][0])
    assert rows[7] == ["Группы участников", "Кол-во ОО", "Кол-во участников", "2", "3", "4", "5"]
    names = [r[0] for r in rows[8:]]
    assert names[0] == "Вся выборка" and "(" not in names[1]
    assert all(re.search(r"\(reg86_m\d{3}\)$", n) or GROUP.fullmatch(n) for n in names[2:])
    for r in rows[8:]:
        assert abs(sum(r[3:7]) - 100) < 0.05


def test_the_reference_markers_read_the_downloads(region):
    ev = oracle.evaluate(region["inbox"], region["base"] / "truth")
    assert ev["precision"] == 1.0 and ev["recall"] == 1.0 and ev["decoys_listed"] == []


@pytest.fixture(scope="module")
def warehouse(region):
    path = region["base"] / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        load_inbox(con, region["inbox"])
    return path


def test_every_file_loads_and_every_pupil_row_is_kept(region, warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    led = con.execute("select kind, status, count(*), sum(rows_read), sum(rows_quarantined)"
                      " from meta.ingestion_ledger group by all order by 1, 2").fetchall()
    assert {(k, s) for k, s, *_ in led} <= {(k, "loaded") for k in
                                            ("register", "gia11", "gia9", "vpr", "vpr_plan", "vpr_scale", "niko",
                                             "ege_min", "admissions", "vpr_forms", "gia_appeals", "gia_plan", "measures")}
    assert all(q == 0 for *_x, q in led)
    vpr_rows = sum(f["rows"] for f in region["files"] if f["kind"] == "vpr")
    assert con.execute("select count(*) from raw.vpr_results").fetchone()[0] == vpr_rows
    assert con.execute("select count(*) from raw.vpr_results where school_login like 'edu%'").fetchone()[0] == 0


def test_the_downloads_are_deterministic(region, tmp_path):
    other = generate_region(tmp_path / "inbox", tmp_path / "truth", seed=2025, scale="demo", years=(2024, YEAR))
    assert other["files"] == region["summary"]["files"]
    for rel in other["files"]:
        if "/vpr/" in f"/{rel}" and rel.endswith(".xlsx"):
            assert (tmp_path / "inbox" / rel).read_bytes() == (region["inbox"] / rel).read_bytes(), rel


def test_the_cross_check_flags_the_download_cut_short_and_nothing_else(region, warehouse):
    run_dbt("run", warehouse, YEAR, select="+mart_vpr_crosscheck", target_path=region["base"] / "target",
            log_path=region["base"] / "logs")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        bad = con.execute("select work, level, entity_code, delivered_participants - computed_participants"
                          " from marts.mart_vpr_crosscheck where agrees = 0 and year = ? order by 2, 3", [YEAR]).fetchall()
        total = con.execute("select count(*) from marts.mart_vpr_crosscheck where year = ?", [YEAR]).fetchone()[0]
    cut = json.loads(region["truth"]["vpr_cut_short"][0])
    missing = cut["announced"] - cut["present"]
    school = cut["login"][3:]
    assert [(w, lv, d) for w, lv, _e, d in bad] == [(cut["work"], "municipality", missing), (cut["work"], "region", missing),
                                                    (cut["work"], "school", missing)]
    assert [e for *_x, e, _d in bad][2] == school and total > 500
