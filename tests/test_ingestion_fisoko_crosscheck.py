"""The federal benchmark and the cross-check (issue #10 item 3) on crafted ФИС ОКО files:
real loading, a real dbt build of the two marts, the real export queries and ledger rewrite.

The forms' expected numbers are counted here in plain Python from the crafted pupils (an
independent implementation), then one school's form row is left as ФИС ОКО would show it for
a full delivery while its individual results arrive cut short.
"""
from __future__ import annotations

import csv
from collections import Counter

import duckdb
import pytest

from ingestion import export_ledger
from ingestion.vpr_crosscheck import annotate_ledger_csv
from rsoko.dbt_runner import run_dbt
from rsoko.pipeline import DATA_EXPORTS
from tests.fixtures.ingestion.craft import SCALE, Loaded, assert_reconciled, mark_for, reference_inbox, write_xlsx
from tests.fixtures.ingestion.fisoko import individual_rows, journal_form_rows, marks_form_rows, school_group

YEAR = 2025
SCHOOLS = [("МБОУ «СОШ № 1»", "sch860001", "edu860001", 6), ("МБОУ «Гимназия № 2»", "sch860002", "sch860002", 5),
           ("МКОУ «СОШ с. Б»", "sch860003", "edu860003", 4)]
SHORT = 2   # pupils of СОШ с. Б present in the individual results (the form counts all 4)


def _groups(short: bool) -> list[dict]:
    out, start = [], 0
    for name, _reg, file_login, n in SCHOOLS:
        present = SHORT if short and file_login == "edu860003" else n
        out.append(school_group(name, file_login, n, present, start=start))
        start += n
    return out


def _pupils(groups: list[dict]) -> dict[str, list[tuple[int, int | None]]]:
    """login (register's) -> (mark, journal mark) per pupil, as the contract defines them."""
    rows = individual_rows(groups)
    out: dict[str, list] = {}
    for r in rows[8:]:
        if len(r) < 10:
            continue
        scores = r[6:11]
        primary = sum(s for s in scores if isinstance(s, int))
        journal = r[-1] if isinstance(r[-1], int) else None
        out.setdefault("sch" + r[0][3:], []).append((mark_for(primary, SCALE), journal))
    return out


def _pct(n: int, d: int) -> float:
    return round(100 * n / d, 2) if d else 0.0


def _form_rows(pupils: dict[str, list]) -> tuple[list[tuple], list[tuple]]:
    scope = {"Вся выборка": [p for v in pupils.values() for p in v] * 3, "Тестовый регион": [p for v in pupils.values() for p in v],
             "Город А(reg86_m001)": pupils["sch860001"] + pupils["sch860002"], "Район Б(reg86_m002)": pupils["sch860003"]}
    for name, reg, _fl, _n in SCHOOLS:
        scope[f"{name}({reg if reg != 'sch860003' else 'edu860003'})"] = pupils[reg]
    schools = {"Вся выборка": 9, "Тестовый регион": 3, "Город А(reg86_m001)": 2, "Район Б(reg86_m002)": 1}
    marks, journal = [], []
    for name, ps in scope.items():
        c = Counter(m for m, _j in ps)
        marks.append((name, schools.get(name, 1), len(ps), *[_pct(c[k], len(ps)) for k in (2, 3, 4, 5)]))
        both = [(m, j) for m, j in ps if j is not None]
        low, same = sum(m < j for m, j in both), sum(m == j for m, j in both)
        high = len(both) - low - same
        journal.append((name, len(both), _pct(low, len(both)), low, _pct(same, len(both)), same,
                        _pct(high, len(both)), high))
    return marks, journal


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crosscheck")
    inbox = tmp / "inbox"
    reference_inbox(inbox)
    # the register names the municipalities «Город А» (01) and «Район Б» (02)
    write_xlsx(inbox / "vpr" / "region.xlsx", {"МА 4 Индивидуальные результаты": individual_rows(_groups(short=True))})
    marks, journal = _form_rows(_pupils(_groups(short=False)))
    marks.append(("МБОУ «Закрытая»(sch869999)", 1, 10, 10, 20, 30, 40))  # a school the register lacks
    write_xlsx(inbox / "vpr" / "stat.xlsx", {"МА 4 Статистика по отметкам": marks_form_rows(marks)})
    write_xlsx(inbox / "vpr" / "cmp.xlsx", {"МА 4 Сравнение отметок с отметк": journal_form_rows(journal)})
    got = Loaded(tmp / "warehouse.duckdb", inbox)
    assert_reconciled(got)
    got.con.close()
    run_dbt("run", tmp / "warehouse.duckdb", YEAR, select="+mart_vpr_crosscheck +mart_vpr_benchmark",
            target_path=tmp / "target", log_path=tmp / "logs")
    data = tmp / "data"
    data.mkdir()
    with duckdb.connect(str(tmp / "warehouse.duckdb"), read_only=True) as con:
        out = {}
        for name in ("vpr_benchmark.csv", "vpr_crosscheck.csv"):
            df = con.execute(DATA_EXPORTS[name], {"year": YEAR}).df()
            df.to_csv(data / name, index=False)
            out[name] = list(csv.DictReader((data / name).open(encoding="utf-8")))
        export_ledger(con, data)
        annotate_ledger_csv(con, data)
    out["ledger"] = {r["file"]: r for r in csv.DictReader((data / "ingestion_ledger.csv").open(encoding="utf-8"))}
    return out


def test_benchmark_keeps_the_forms_rows_with_russia_first(built):
    rows = built["vpr_benchmark.csv"]
    assert list(rows[0]) == ["year", "work", "group", "entity_code", "schools", "participants",
                             "mark2", "mark3", "mark4", "mark5"]
    assert [(r["group"], r["entity_code"]) for r in rows] == [
        ("russia", "RU"), ("region", "86"), ("municipality", "01"), ("municipality", "02"),
        ("school", "860001"), ("school", "860002"), ("school", "860003"), ("school", "")]
    assert rows[0]["work"] == "ВПР Математика 4" and rows[0]["participants"] == "45"


def test_crosscheck_flags_the_school_cut_short_and_the_groups_above_it(built):
    rows = {(r["level"], r["entity_code"]): r for r in built["vpr_crosscheck.csv"]}
    assert set(rows) == {("region", "86"), ("municipality", "01"), ("municipality", "02"),
                         ("school", "860001"), ("school", "860002"), ("school", "860003"), ("school", "")}
    disagree = {k for k, r in rows.items() if r["agrees"] == "0"}
    assert disagree == {("school", "860003"), ("municipality", "02"), ("region", "86"), ("school", "")}
    assert (rows[("school", "")]["delivered_participants"], rows[("school", "")]["computed_participants"]) == ("10", "0")
    s = rows[("school", "860003")]
    assert (s["delivered_participants"], s["computed_participants"]) == ("4", "2")
    for k in (("school", "860001"), ("school", "860002"), ("municipality", "01")):
        assert float(rows[k]["max_share_diff"]) <= 0.01


def test_the_ledger_message_of_each_form_names_the_groups_that_disagree(built):
    for f, n in (("vpr/stat.xlsx", 4), ("vpr/cmp.xlsx", 3)):
        msg = built["ledger"][f]["message"]
        assert f"сверка с индивидуальными результатами: не сходятся {n} групп" in msg, msg
        assert "«МКОУ «СОШ с. Б»(edu860003)»" in msg and "«Район Б(reg86_m002)»" in msg
        assert "«МБОУ «СОШ № 1»" not in msg
    assert "участников в форме 4, по индивидуальным результатам 2" in built["ledger"]["vpr/stat.xlsx"]["message"]
    assert "«МБОУ «Закрытая»(sch869999)»: группа не найдена в реестре" in built["ledger"]["vpr/stat.xlsx"]["message"]
    region = built["ledger"]["vpr/region.xlsx"]["message"]
    assert "заявлено 4 участников, в файле 2" in region and "сверка" not in region
