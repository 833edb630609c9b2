"""The optional «План ГИА» (methodology, «ГИА tasks and risk zones»): recognised from its content beside a
«План ВПР» with the same columns, bad rows quarantined with Russian reasons, and the risk rule of the
methodology in `mart_gia_task_completion` — real files in a tmp inbox, a real DuckDB file, real dbt.

The inbox: ten ЕГЭ Русский язык results of one school, all with test score 50 (so every result is in
the group «минимальный–60» and the no-plan rule's reference group is everybody). Per task, how many
of the ten got it right, and so the completion (by hand):

    task  plan  level  right            completion  plan rule (Б < 50, П/В < 15)  no-plan rule (< 50)
    К1    1     Б      4 of 10           40 %        risk                          risk
    К2    2     П      3 of 10           30 %        not                           risk
    К3    3     П      1 of 10           10 %        risk                          risk
    К4    4     Б      6 of 10           60 %        not                           not
    Р1    5К1   В      2 of 10 each      20 %        not                           risk
    Р2    5К2   П      1 of 30 points     3.3 %      risk                          risk
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

from ingestion.readers import identify
from reports import gia_tasks
from tests.fixtures.ingestion.craft import (
    GIA_HEADER, PLAN_HEADER, load_checked, plan_rows, reference_inbox, write_csv, write_xlsx,
)
from tests.test_dbt_objectivity import run_dbt

YEAR = 2025
N = 10
RIGHT = {1: 4, 2: 3, 3: 1, 4: 6}           # short task → participants with «+»
PLAN = [("1", 1, "Б"), ("2", 1, "П"), ("3", 1, "П"), ("4", 1, "Б"), ("5К1", 10, "В"), ("5К2", 3, "П"),
        ("6", 2, "Б")]                     # task 6 is not in the answers: loaded, unused
EXPECTED_PLAN = {"К1": ("Б", 1), "К2": ("П", 0), "К3": ("П", 1), "К4": ("Б", 0), "Р1": ("В", 0), "Р2": ("П", 1)}
EXPECTED_NO_PLAN = {"К1": 1, "К2": 1, "К3": 1, "К4": 0, "Р1": 1, "Р2": 1}
EXPECTED_PCT = {"К1": 40.0, "К2": 30.0, "К3": 10.0, "К4": 60.0, "Р1": 20.0, "Р2": 100.0 / 30}


def gia11_results() -> list[list]:
    rows = [GIA_HEADER]
    for i in range(N):
        short = "".join("+" if i < RIGHT[t] else "-" for t in (1, 2, 3, 4))
        long = f"2(10){1 if i == 0 else 0}(3)"
        primary = short.count("+") + 2 + (1 if i == 0 else 0)
        rows.append([f"{i + 1:016x}", "860001", "01", "ВТГ", "11А", "Ж", "0", "ЕГЭ", "1", "Русский язык", "Основной",
                     f"01.06.{YEAR}", "101", short, long, str(primary), "50", "", "Явка"])
    return rows


def plan_file_rows(extra: list[list] | None = None) -> list[list]:
    return [PLAN_HEADER] + [[str(YEAR), "Русский язык", "11", t, str(mx), lv, f"{k}.1", f"Умение {k}", "нет"]
                            for k, (t, mx, lv) in enumerate(PLAN, start=1)] + (extra or [])


# spreadsheet rows 9… of the plan file: each bad in one way, with its column, value and reason
BAD = [
    (["2025", "Астрономия", "11", "1", "1", "Б", "1.1", "", "нет"], "Предмет", "Астрономия",
     "неизвестный предмет «Астрономия»"),
    (["2025", "Русский язык", "11", "7", "1", "С", "1.1", "", "нет"], "Уровень", "С", "недопустимый уровень «С»"),
    (["2025", "Русский язык", "11", "8", "0", "Б", "1.1", "", "нет"], "Макс. балл", "0",
     "максимальный балл 0 ниже минимального 1"),
    (["2025", "Русский язык", "11", "9", "1,5", "Б", "1.1", "", "нет"], "Макс. балл", "1,5", "«1,5»"),
    (["2025", "Русский язык", "11", "задание 10", "1", "Б", "1.1", "", "нет"], "Задание", "задание10",
     "не в формате «номер» или «номерК<критерий>»"),
]


def build(tmp_path, with_plan: bool, plan_extra: list[list] | None = None):
    inbox = tmp_path / "inbox"
    reference_inbox(inbox, YEAR)
    write_csv(inbox / "gia" / "ege_ru.csv", gia11_results())
    if with_plan:
        write_csv(inbox / "ref" / "спецификация.csv", plan_file_rows(plan_extra))
    got = load_checked(tmp_path, inbox)
    got.con.close()
    proc = run_dbt(["build", "--vars", json.dumps({"run_year": YEAR}), "--indirect-selection", "cautious",
                    "--select", "+mart_gia_task_completion"], tmp_path / "warehouse.duckdb", tmp_path)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    import duckdb

    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        mart = con.execute("select * from marts.mart_gia_task_completion").df()
    finally:
        con.close()
    return got, mart


def region_all(mart: pd.DataFrame) -> pd.DataFrame:
    return mart[(mart.level == "region") & (mart.score_group == "all")].set_index("task_key")


@pytest.fixture(scope="module")
def with_plan(tmp_path_factory):
    return build(tmp_path_factory.mktemp("with_plan"), True, [r for r, *_ in BAD])


@pytest.fixture(scope="module")
def without_plan(tmp_path_factory):
    return build(tmp_path_factory.mktemp("without_plan"), False)


def test_a_gia_plan_is_told_from_a_vpr_plan_with_the_same_columns(tmp_path):
    cases = {
        "a.csv": (plan_file_rows(), "gia_plan"),                                      # grade 11, Русский язык
        "b.csv": ([PLAN_HEADER + ["Экзамен"], ["2025", "История", "11", "1", "1", "Б", "1", "", "нет", "ЕГЭ"]],
                  "gia_plan"),                                                         # the `Экзамен` column
        "c.csv": ([PLAN_HEADER, ["2025", "Математика", "9", "1", "1", "Б", "1", "", "нет"]], "gia_plan"),  # grade 9
        "d.csv": ([PLAN_HEADER, ["2025", "История", "11", "1", "1", "Б", "1", "", "нет"]], "vpr_plan"),   # ВПР 11 exists
        "план ЕГЭ история.csv": ([PLAN_HEADER, ["2025", "История", "11", "1", "1", "Б", "1", "", "нет"]], "gia_plan"),
        "e.csv": ([PLAN_HEADER, ["2025", "История", "11", "1", "1", "В", "1", "", "нет"]], "gia_plan"),   # level В
        "vpr.csv": (plan_rows(YEAR), "vpr_plan"),
        # a folder's name says nothing of the file: a ВПР plan of grade 11 history under «ЕГЭ/»
        "ЕГЭ/история.csv": ([PLAN_HEADER, ["2025", "История", "11", "1", "1", "Б", "1", "", "нет"]], "vpr_plan"),
        # a ВПР plan of grade 4 with a stray «В» stays a ВПР plan (its bad row is the ВПР suite's)
        "f.csv": (plan_rows(YEAR, tasks=[("1", 1, "В", "1.1", "нет")]), "vpr_plan"),
    }
    for name, (rows, kind) in cases.items():
        path = write_csv(tmp_path / name, rows)
        assert identify(path, name).kind == kind, name
    xlsx = write_xlsx(tmp_path / "x.xlsx", {"ОГЭ математика": [PLAN_HEADER, ["2025", "Математика", "9", "1", "1", "Б",
                                                                               "1", "", "нет"]]})
    ident = identify(xlsx, "x.xlsx")
    assert ident.kind == "gia_plan"
    pf = ident.reader.read(ident.src)
    assert pf.frame["exam"].tolist() == ["ОГЭ"] and pf.frame["subject_code"].tolist() == [2]


def test_plan_rows_load_and_bad_rows_are_quarantined_with_file_row_column_and_reason(with_plan):
    got, _ = with_plan
    e = got.entry("ref/спецификация.csv")
    assert (e["kind"], e["status"], e["rows_read"], e["rows_loaded"], e["rows_quarantined"]) == (
        "gia_plan", "partial", len(PLAN) + len(BAD), len(PLAN), len(BAD))
    assert "распознан как «План ГИА»" in e["message"]
    for i, (_row, column, value, reason) in enumerate(BAD):
        row = 2 + len(PLAN) + i
        found = got.reasons_at("ref/спецификация.csv", row)
        assert any(c == column and v == value and reason in r for c, v, r in found), (row, found)
    assert got.entry("ref/plan.csv")["kind"] == "vpr_plan"


def test_with_a_plan_levels_decide_the_risk_zone(with_plan):
    _, mart = with_plan
    region = region_all(mart)
    assert set(region.index) == set(EXPECTED_PLAN)       # task 6 of the plan is not in the answers: unused
    for task, (level, risk) in EXPECTED_PLAN.items():
        r = region.loc[task]
        assert abs(r.completion_pct - EXPECTED_PCT[task]) < 1e-9, task
        assert (r.task_level, r.risk_rule, int(r.risk_zone)) == (level, "plan", risk), task
    # a П task at 30 % is not in the risk zone with the plan (it is without: see below)
    assert region.loc["К2", "completion_pct"] == 30.0 and region.loc["К2", "risk_zone"] == 0
    # every group is judged on its own completion: the school and its score group alike
    school = mart[(mart.level == "school") & (mart.score_group == "min_60")].set_index("task_key")
    assert {t: int(school.loc[t, "risk_zone"]) for t in EXPECTED_PLAN} == {t: r for t, (_, r) in EXPECTED_PLAN.items()}


def test_without_a_plan_todays_rule_stays(without_plan):
    got, mart = without_plan
    assert "gia_plan" not in set(got.ledger["kind"])
    region = region_all(mart)
    assert {t: int(region.loc[t, "risk_zone"]) for t in EXPECTED_NO_PLAN} == EXPECTED_NO_PLAN
    assert region.task_level.isna().all() and (region.risk_rule == "no_plan").all()
    groups = mart[mart.score_group != "all"]
    assert groups.risk_zone.isna().all()


def test_the_report_names_the_rule_it_used(with_plan, without_plan):
    thresholds = {"gia_risk_basic_pct": 50.0, "gia_risk_high_pct": 15.0, "gia_risk_below_pct": 50.0}
    plan_text = gia_tasks.rule_sentence(region_all(with_plan[1]), thresholds)
    assert "по уровням заданий из «Плана ГИА»" in plan_text and "50 %" in plan_text and "15 %" in plan_text
    no_plan_text = gia_tasks.rule_sentence(region_all(without_plan[1]), thresholds)
    assert no_plan_text.startswith("план ГИА не представлен: ") and "50 %" in no_plan_text


def test_a_later_plan_of_the_same_subject_replaces_the_earlier_and_other_subjects_stay(tmp_path):
    from tests.fixtures.ingestion.craft import set_mtime

    inbox = tmp_path / "inbox"
    reference_inbox(inbox, YEAR)
    old = write_csv(inbox / "old.csv", plan_file_rows())
    set_mtime(old, 3600)
    new = write_csv(inbox / "new.csv", [PLAN_HEADER, [str(YEAR), "Русский язык", "11", "1", "1", "П", "1.1", "", "нет"]])
    set_mtime(new, 60)
    math9 = write_csv(inbox / "math9.csv", [PLAN_HEADER, [str(YEAR), "Математика", "9", "1", "1", "Б", "1.1", "", "нет"]])
    set_mtime(math9, 1800)
    got = load_checked(tmp_path, inbox)
    assert got.entry("old.csv")["status"] == "superseded"
    assert all("заменено исправленной выгрузкой new.csv" in q["reason"] for q in got.quarantined("old.csv"))
    assert got.entry("math9.csv")["status"] == "loaded"
    assert got.con.execute("select exam, subject_code, task, task_level from raw.gia_plan order by exam").fetchall() == [
        ("ЕГЭ", 1, "1", "П"), ("ОГЭ", 2, "1", "Б")]
