"""Appeals and re-checks replace the original ГИА result before any indicator is computed (§11).

A real inbox (register, РЦОИ protocols of ЕГЭ Russian, базовая математика and ОГЭ mathematics,
two appeal protocols) is loaded by the real loader into a DuckDB file; the real `dbt build` of the
indicator marts runs on it. The expected indicators are computed by hand below from the scores
written into the protocols and the appeal rules of the contract: a satisfied appeal or a re-check
replaces the result, a rejected appeal leaves it, and the latest replacing decision wins.
"""
from __future__ import annotations

import math

import duckdb
import pytest

from ingestion import pseudonym
from rsoko.dbt_runner import run_dbt
from tests.fixtures import rcoi as F
from tests.fixtures.ingestion.craft import Loaded, assert_reconciled, register_rows, write_csv, write_xlsx

YEAR = 2025


def _appeal_row(i: int, person: tuple, exam: str, typ: str, state: str, sent: str, changed: str,
                before: int, primary: int, score: int) -> list:
    school, klass = person[5], person[6]
    return [str(i), school, klass, "1101", "0003", person[0], person[1], person[2] or None, f"{person[3]} {person[4]}",
            exam, typ, state, sent, changed, str(before), str(primary), str(score), str(score - before)]


def later_appeals() -> list[list]:
    """A second appeal protocol with a compact `Экзамен` column, rows deliberately out of date order."""
    header = F.APPEAL_HEADER[:9] + ["Экзамен"] + F.APPEAL_HEADER[9:]
    sub = F.APPEAL_SUB[:9] + [None] + F.APPEAL_SUB[9:]
    p0, p1, p2 = F.PEOPLE[0], F.PEOPLE[1], F.PEOPLE[2]
    oge = (*F.OGE_PEOPLE[0][:5], "860001", "9А")
    rus, base, maths = "Русский язык(2025.06.03)", "Математика базовая(2025.05.27)", "Математика(2025.05.27)"
    ok, rejected = "Апелляция удовлетворена", "Апелляция отклонена"
    return [[], header, sub,
            # PEOPLE[0]: 48 → 52 by the first file's satisfied appeal; a later appeal is rejected: stays 52
            _appeal_row(1, p0, rus, "Апелляция на результат", rejected, "20.06.2025 09:00:00", "22.06.2025 12:00:00",
                        52, 17, 52),
            # PEOPLE[1]: a satisfied appeal (84 → 86) decided after a re-check (81 → 84): 86 wins
            _appeal_row(2, p1, rus, "Апелляция на результат", ok, "15.06.2025 10:00:00", "20.06.2025 15:30:00",
                        84, 17, 86),
            _appeal_row(3, p1, rus, "Перепроверка", "Перепроверка завершена", "08.06.2025 10:00:00",
                        "12.06.2025 11:00:00", 81, 16, 84),
            # PEOPLE[2]: базовая математика mark 2 → 3
            _appeal_row(4, p2, base, "Апелляция на результат", ok, "30.05.2025 10:00:00", "03.06.2025 10:00:00",
                        2, 12, 3),
            # ОГЭ mathematics of a ninth-grader: mark 3 → 4
            _appeal_row(5, oge, maths, "Апелляция на результат", ok, "30.05.2025 11:00:00", "04.06.2025 10:00:00",
                        3, 11, 4)]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("appeals")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RSOKO_KEY", str(tmp / "keys" / "pseudonym.key"))
        mp.setattr(pseudonym, "_current", None)
        inbox = tmp / "inbox"
        write_csv(inbox / "reestr.csv", register_rows())
        write_csv(inbox / "ege_rus.csv", F.protocol_dense(), encoding="cp1251")
        write_xlsx(inbox / "ege_math22.xlsx", {"Лист1": F.base_math()})
        write_csv(inbox / "oge_math.csv", F.oge_math(), encoding="cp1251")
        write_csv(inbox / "appeals_rus.csv", F.appeals(), encoding="cp1251")
        write_xlsx(inbox / "appeals_later.xlsx", {"Лист1": later_appeals()})
        got = Loaded(tmp / "warehouse.duckdb", inbox)
        assert_reconciled(got)
        assert set(got.ledger["status"]) == {"loaded"}, got.ledger[["file", "status", "message"]]
        later = got.entry("appeals_later.xlsx")
        got.con.close()
        key = pseudonym.load_or_create(tmp / "keys" / "pseudonym.key")[0]
    run_dbt("build", tmp / "warehouse.duckdb", YEAR, select="+path:models/marts/indicators",
            target_path=tmp / "target", log_path=tmp / "logs")
    return {"path": tmp / "warehouse.duckdb", "key": key, "later": later}


def _pid(key: bytes, p: tuple) -> str:
    return pseudonym.person_id(key, p[0], p[1], p[2], p[3] + p[4])


def _indicator(path, code: str, level: str, entity: str) -> tuple:
    with duckdb.connect(str(path), read_only=True) as con:
        got = con.execute("select numerator, denominator, value from marts.fct_indicators"
                          " where year = ? and indicator_code = ? and level = ? and entity_code = ?",
                          [YEAR, code, level, entity]).fetchall()
    assert len(got) == 1, (code, level, entity, got)
    return got[0]


# By hand. ЕГЭ Russian, ВТГ (the earlier graduate is out): 48 → 52, 81 → 84 → 86, 27 (rejected), 66 → 69.
# Without the appeals R01 would be (48 + 81 + 27 + 66) / 4 = 55.5.
# Базовая математика marks 3, 5, 2 → 3, 4: no ЕГЭ result below the minimum any more (R03), and
# PEOPLE[2] has a satisfactory mathematics result (R05 was 1 of 4). ОГЭ mathematics 3 → 4, 4 (R08).
EXPECTED = {
    ("R01", "region", "86"): (52 + 86 + 27 + 69, 4, (52 + 86 + 27 + 69) / 4),
    ("R01", "school", "860001"): (52 + 86, 2, 69.0),
    ("R01", "school", "860003"): (69, 1, 69.0),
    ("R03", "region", "86"): (0, 8, 0.0),
    ("R05", "region", "86"): (0, 4, 0.0),
    ("R08", "region", "86"): (2, 2, 100.0),
    ("R08", "school", "860001"): (1, 1, 100.0),
}


@pytest.mark.parametrize("key", sorted(EXPECTED), ids=lambda k: "-".join(k))
def test_an_appealed_result_changes_the_indicator_as_computed_by_hand(warehouse, key):
    numerator, denominator, value = _indicator(warehouse["path"], *key)
    exp_numerator, exp_denominator, exp_value = EXPECTED[key]
    assert (numerator, denominator) == (exp_numerator, exp_denominator)
    assert math.isclose(value, exp_value, abs_tol=1e-9)


def test_the_raw_layer_keeps_the_original_and_the_results_carry_both(warehouse):
    key = warehouse["key"]
    with duckdb.connect(str(warehouse["path"]), read_only=True) as con:
        def one(sql: str, p: tuple, subject: int):
            return con.execute(sql, [_pid(key, p), subject]).fetchall()

        raw = "select test_score, mark from raw.{} where participant_id = ? and subject_code = ?"
        res = ("select test_score, mark, primary_score, original_test_score, original_mark, is_changed_by_appeal"
               " from intermediate.int_gia_results where participant_id = ? and subject_code = ?")
        assert one(raw.format("gia11"), F.PEOPLE[1], 1) == [(81, None)]
        assert one(res, F.PEOPLE[1], 1) == [(86, None, 17, 81, None, True)]
        assert one(res, F.PEOPLE[0], 1) == [(52, None, 17, 48, None, True)]
        # a rejected appeal with nothing before it: the protocol's result, not appealed
        assert one(res, F.PEOPLE[2], 1) == [(27, None, 3, 27, None, False)]
        assert one(res, F.PEOPLE[2], 22) == [(None, 3, 12, None, 2, True)]
        oge = (*F.OGE_PEOPLE[0][:5],)
        assert one(raw.format("gia9"), oge, 2) == [(None, 3)]
        assert one(res, oge, 2) == [(None, 4, 11, None, 3, True)]
        # the earlier graduate (same scores as PEOPLE[0] but no appeal) keeps 48
        assert one(res, F.VPL, 1) == [(48, None, 8, 48, None, False)]
        changed = con.execute("select count(*) from intermediate.int_gia_results where is_changed_by_appeal").fetchone()
        assert changed == (5,)


def test_the_ledger_says_how_many_results_the_later_file_changes(warehouse):
    # rows 2–5 change a result; row 1 is a rejected appeal
    assert "апелляции и перепроверки меняют результатов: 4" in warehouse["later"]["message"]
