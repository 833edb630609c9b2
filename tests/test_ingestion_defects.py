"""Every defect of the input contract's «What bad input gets», through the real readers and load.

Each test writes crafted files into a fresh inbox (tmp_path), loads it into a real DuckDB file
and asserts the exact quarantine row (spreadsheet row, column, reason) and the ledger, and that
every file reconciles: rows_read = rows_loaded + rows_quarantined.
"""
from __future__ import annotations

import copy

import pytest

from tests.fixtures.ingestion.craft import (
    VPR_FIRST_ROW, VPR_PUPILS, Loaded, assert_reconciled, gia9_rows, gia11_rows, plan_rows, reference_inbox,
    register_rows, set_cell, vpr_rows, write_csv, write_xlsx,
)


@pytest.fixture
def inbox(tmp_path):
    path = tmp_path / "inbox"
    reference_inbox(path)
    return path


def load(tmp_path, inbox) -> Loaded:
    loaded = Loaded(tmp_path / "warehouse.duckdb", inbox)
    assert_reconciled(loaded)
    return loaded


def pupils_with(i: int, scores: list) -> list:
    pupils = copy.deepcopy(VPR_PUPILS)
    login, code, cls, _ = pupils[i]
    pupils[i] = (login, code, cls, scores)
    return pupils


# ------------------------------------------------------------------ encodings and delimiters
def test_cp1251_csv_loads(tmp_path, inbox):
    write_csv(inbox / "a.csv", gia9_rows(), encoding="cp1251")
    got = load(tmp_path, inbox)
    e = got.entry("a.csv")
    assert (e["kind"], e["status"], e["rows_loaded"]) == ("gia9", "loaded", 3)
    assert "windows-1251" in e["message"]
    names = {r[0] for r in got.con.execute("select subject_name from raw.gia9").fetchall()}
    assert names == {"Русский язык", "Математика"}


def test_utf8_bom_csv_loads(tmp_path):
    inbox = tmp_path / "inbox"
    write_csv(inbox / "r.csv", register_rows(), bom=True)
    got = load(tmp_path, inbox)
    e = got.entry("r.csv")
    assert (e["kind"], e["status"], e["rows_loaded"]) == ("register", "loaded", 3)
    codes = [r[0] for r in got.con.execute("select school_code from raw.register order by 1").fetchall()]
    assert codes == ["860001", "860002", "860003"]  # the BOM did not stick to «Код ОО»


def test_comma_delimiter_with_quoted_decimal_comma_and_extra_column_loads(tmp_path, inbox):
    rows = plan_rows(2024)
    rows[0].append("Средний % выполнения (РФ)")
    for r in rows[1:]:
        r.append("57,5")
    write_csv(inbox / "plan24.csv", rows, delimiter=",")
    got = load(tmp_path, inbox)
    e = got.entry("plan24.csv")
    assert (e["kind"], e["status"], e["rows_loaded"]) == ("vpr_plan", "loaded", 5)
    assert "разделитель «,»" in e["message"]
    extra = got.con.execute("select _extra->>'Средний % выполнения (РФ)' from raw.vpr_plan where year = 2024 limit 1").fetchone()[0]
    assert extra == "57,5"


def test_tab_delimiter_loads(tmp_path, inbox):
    write_csv(inbox / "g.txt", gia11_rows(), delimiter="\t")
    got = load(tmp_path, inbox)
    e = got.entry("g.txt")
    assert (e["kind"], e["status"], e["rows_loaded"]) == ("gia11", "loaded", 5)


def test_unreadable_delimiter_is_a_file_error_naming_it(tmp_path, inbox):
    write_csv(inbox / "g.csv", gia11_rows(), delimiter="|")
    got = load(tmp_path, inbox)
    e = got.entry("g.csv")
    assert (e["kind"], e["status"], e["rows_read"], e["rows_quarantined"]) == ("gia11", "error", 5, 5)
    assert "разделитель «|»" in e["message"]


def test_unsupported_encoding_is_a_file_error_naming_it(tmp_path, inbox):
    write_csv(inbox / "g.csv", gia11_rows(), encoding="koi8-r")
    got = load(tmp_path, inbox)
    e = got.entry("g.csv")
    assert (e["kind"], e["status"]) == ("gia11", "error")
    assert "кодировка файла KOI8-R" in e["message"]


# ------------------------------------------------------------------ file-level defects
def test_missing_required_column_rejects_the_file_naming_it(tmp_path, inbox):
    rows = gia9_rows()
    col = rows[0].index("Код предмета")
    write_csv(inbox / "g9.csv", [r[:col] + r[col + 1:] for r in rows])
    got = load(tmp_path, inbox)
    e = got.entry("g9.csv")
    assert (e["kind"], e["status"], e["rows_read"], e["rows_loaded"], e["rows_quarantined"]) == ("gia9", "error", 3, 0, 3)
    assert "«Код предмета»" in e["message"]
    [q] = got.quarantined("g9.csv")
    assert (q["row"], q["column"]) == (1, "Код предмета") and "нет обязательного столбца" in q["reason"]


def test_empty_file_is_an_error(tmp_path, inbox):
    (inbox / "пустой.csv").write_bytes(b"")
    got = load(tmp_path, inbox)
    e = got.entry("пустой.csv")
    assert (e["status"], e["rows_read"]) == ("error", 0)
    assert "пуст" in e["message"]


def test_header_only_file_is_an_error(tmp_path, inbox):
    write_csv(inbox / "g.csv", gia11_rows()[:1])
    got = load(tmp_path, inbox)
    e = got.entry("g.csv")
    assert (e["kind"], e["status"], e["rows_read"]) == ("gia11", "error", 0)
    assert "нет строк с данными" in e["message"]


def test_truncated_xlsx_is_an_error_and_still_named_as_vpr(tmp_path, inbox):
    pupils = [(f"sch86000{1 + i % 3}", f"{i:05d}", "4А", [i % 2, i % 3, 1, 0, 1]) for i in range(1, 400)]
    # written like ФИС ОКО / the generator: inline strings (constant memory), so the cut-off
    # workbook still shows its title; a workbook whose strings were cut is «unrecognised, error»
    whole = write_xlsx(tmp_path / "whole.xlsx", {"Индивидуальные результаты": vpr_rows(pupils=pupils)},
                       constant_memory=True)
    data = whole.read_bytes()
    (inbox / "обрезан.xlsx").write_bytes(data[: int(len(data) * 0.55)])
    got = load(tmp_path, inbox)
    e = got.entry("обрезан.xlsx")
    assert (e["kind"], e["status"], e["rows_loaded"]) == ("vpr", "error", 0)
    assert e["message"] == "файл повреждён или обрезан"


def test_vpr_header_maximum_disagreeing_with_the_plan_rejects_the_file(tmp_path, inbox):
    rows = vpr_rows()
    set_cell(rows, 8, "2 (2б)", "2 (3б)")
    write_xlsx(inbox / "m4.xlsx", {"Лист1": rows})
    got = load(tmp_path, inbox)
    e = got.entry("m4.xlsx")
    assert (e["status"], e["rows_read"], e["rows_loaded"], e["rows_quarantined"]) == ("error", 12, 0, 12)
    [q] = got.quarantined("m4.xlsx")
    assert (q["row"], q["column"]) == (8, "2 (3б)")
    assert q["reason"] == "заголовок «2 (3б)»: максимальный балл 3, а в плане ВПР 2"
    assert got.count("vpr_results") == 0 and got.count("vpr_tasks") == 0


# ------------------------------------------------------------------ row-level defects: ВПР
def _load_vpr(tmp_path, inbox, rows) -> Loaded:
    write_xlsx(inbox / "m4.xlsx", {"Индивидуальные результаты": rows})
    return load(tmp_path, inbox)


def test_task_score_above_its_maximum(tmp_path, inbox):
    got = _load_vpr(tmp_path, inbox, vpr_rows(pupils=pupils_with(1, [1, 3, 0, 1, 0])))
    assert got.reasons_at("m4.xlsx", VPR_FIRST_ROW + 1) == [("2 (2б)", "3", "балл 3 за задание 2 выше максимального 2")]
    e = got.entry("m4.xlsx")
    assert (e["status"], e["rows_loaded"], e["rows_quarantined"]) == ("partial", 11, 1)
    # the pupil is quarantined whole: no task row of theirs either
    assert got.count("vpr_tasks", f"_source_row = {VPR_FIRST_ROW + 1}") == 0
    assert got.count("vpr_tasks") == 11 * 5


def test_negative_and_non_numeric_scores(tmp_path, inbox):
    pupils = pupils_with(2, [0, 0, 1, 0, -1])
    pupils[3] = (*pupils[3][:3], [1, "н/д", None, 2, 1])
    got = _load_vpr(tmp_path, inbox, vpr_rows(pupils=pupils))
    assert got.reasons_at("m4.xlsx", VPR_FIRST_ROW + 2) == [("2К1 (2б)", "-1", "отрицательный балл -1 за задание 2К1")]
    [(col, value, reason)] = got.reasons_at("m4.xlsx", VPR_FIRST_ROW + 3)
    assert (col, value) == ("2 (2б)", "н/д") and reason.startswith("нечисловое значение «н/д» за задание 2")
    assert got.entry("m4.xlsx")["rows_quarantined"] == 2


def test_vpr_primary_score_not_the_sum_of_tasks(tmp_path, inbox):
    rows = vpr_rows()
    set_cell(rows, VPR_FIRST_ROW + 1, "Первичный балл", 4)  # tasks sum to 3; 4 keeps the mark «3»
    got = _load_vpr(tmp_path, inbox, rows)
    assert got.reasons_at("m4.xlsx", VPR_FIRST_ROW + 1) == [
        ("Первичный балл", "4", "первичный балл 4 не равен сумме баллов за задания 3")]


def test_mark_inconsistent_with_the_scale(tmp_path, inbox):
    rows = vpr_rows()
    set_cell(rows, VPR_FIRST_ROW, "Отметка", 3)  # primary 8 → «5» by the scale 3/5/7
    got = _load_vpr(tmp_path, inbox, rows)
    assert got.reasons_at("m4.xlsx", VPR_FIRST_ROW) == [
        ("Отметка", "3", "отметка 3 не соответствует шкале ВПР: первичному баллу 8 соответствует отметка 5")]


def test_unknown_school_login(tmp_path, inbox):
    rows = vpr_rows()
    set_cell(rows, VPR_FIRST_ROW + 5, "Логин ОО", "sch869999")
    got = _load_vpr(tmp_path, inbox, rows)
    assert got.reasons_at("m4.xlsx", VPR_FIRST_ROW + 5) == [
        ("Логин ОО", "sch869999", "неизвестный Логин ОО «sch869999»: нет в реестре ОО")]


def test_repeated_pupil_quarantines_the_repeat_only(tmp_path, inbox):
    rows = vpr_rows()
    rows.insert(VPR_FIRST_ROW + 1, list(rows[VPR_FIRST_ROW]))  # row 11 repeats row 10
    got = _load_vpr(tmp_path, inbox, rows)
    assert got.reasons_at("m4.xlsx", VPR_FIRST_ROW + 2) == [
        ("Код участника", "00002", "повтор строки 10: те же Логин ОО и Код участника уже встречались")]
    assert got.count("vpr_results", "participant_code = '00002' and school_login = 'sch860001'") == 1
    assert got.reasons_at("m4.xlsx", VPR_FIRST_ROW + 1) == []
    assert got.entry("m4.xlsx")["rows_read"] == 13


# ------------------------------------------------------------------ row-level defects: ГИА
def test_gia_duplicated_row_quarantines_the_repeat(tmp_path, inbox):
    rows = gia11_rows()
    rows.insert(2, list(rows[1]))
    write_csv(inbox / "ege.csv", rows)
    got = load(tmp_path, inbox)
    [(col, value, reason)] = got.reasons_at("ege.csv", 3)
    assert (col, value) == ("ID участника", "0123456789abcdef")
    assert reason.startswith("повтор строки 2:")
    assert got.entry("ege.csv")["rows_quarantined"] == 1


def test_gia_unknown_school_code_date_outside_year_and_test_score_above_100(tmp_path, inbox):
    rows = gia11_rows()
    set_cell(rows, 2, "Код ОО", "869999")
    set_cell(rows, 3, "Дата экзамена", "03.06.2024")
    set_cell(rows, 6, "Тестовый балл", "105")
    write_csv(inbox / "ege.csv", rows)
    got = load(tmp_path, inbox)
    assert got.reasons_at("ege.csv", 2) == [("Код ОО", "869999", "неизвестный Код ОО «869999»: нет в реестре ОО")]
    assert got.reasons_at("ege.csv", 3) == [("Дата экзамена", "03.06.2024", "дата экзамена 03.06.2024 вне года файла 2025")]
    assert got.reasons_at("ege.csv", 6) == [("Тестовый балл", "105", "тестовый балл 105 выше максимального 100")]
    e = got.entry("ege.csv")
    assert (e["year"], e["status"], e["rows_loaded"], e["rows_quarantined"]) == (2025, "partial", 2, 3)


def test_gia_subject_code_not_in_the_list_and_primary_not_the_sum(tmp_path, inbox):
    rows = gia9_rows()
    set_cell(rows, 2, "Код предмета", "99")
    set_cell(rows, 3, "Первичный балл", "7")  # «1+-» and «0(2)» sum to 2
    write_csv(inbox / "oge.csv", rows)
    got = load(tmp_path, inbox)
    assert got.reasons_at("oge.csv", 2) == [("Код предмета", "99", "код предмета 99 не входит в перечень предметов")]
    assert got.reasons_at("oge.csv", 3) == [
        ("Первичный балл", "7", "первичный балл 7 не равен сумме баллов по строкам ответов 2")]


def test_gia_long_answer_criterion_above_its_maximum(tmp_path, inbox):
    rows = gia11_rows()
    set_cell(rows, 2, "Задания с развернутым ответом", "3(2)1(2)")
    write_csv(inbox / "ege.csv", rows)
    got = load(tmp_path, inbox)
    [(col, value, reason)] = got.reasons_at("ege.csv", 2)
    assert col == "Задания с развернутым ответом" and "балл 3 за критерий 1 выше максимального 2" in reason


def test_gia_absent_participant_with_empty_scores_loads(tmp_path, inbox):
    write_csv(inbox / "ege.csv", gia11_rows())
    got = load(tmp_path, inbox)
    assert got.entry("ege.csv")["status"] == "loaded"
    row = got.con.execute("select primary_score, test_score, mark, short_answers from raw.gia11 where status = 'Неявка'").fetchall()
    assert row == [(None, None, None, None)]
    # answer strings expanded: «+-+1» and «2(3)1(2)» of the first row
    tasks = got.con.execute("select part, task_no, score, max_score from raw.gia11_tasks "
                            "where participant_id = '0123456789abcdef' order by part, task_no").fetchall()
    assert tasks == [("long", 1, 2, 3), ("long", 2, 1, 2), ("short", 1, 1, 1), ("short", 2, 0, 1),
                     ("short", 3, 1, 1), ("short", 4, 1, None)]


def test_gia_present_participant_without_a_mark_is_quarantined(tmp_path, inbox):
    rows = gia9_rows()
    set_cell(rows, 2, "Отметка", "")
    write_csv(inbox / "oge.csv", rows)
    got = load(tmp_path, inbox)
    assert got.reasons_at("oge.csv", 2) == [("Отметка", None, "пустое значение в столбце «Отметка» при статусе «Явка»")]


def test_a_number_too_big_for_the_warehouse_is_quarantined_not_a_crash(tmp_path, inbox):
    rows = vpr_rows()
    set_cell(rows, VPR_FIRST_ROW, "Отметка по журналу", "99999999999")
    got = _load_vpr(tmp_path, inbox, rows)
    [(col, value, reason)] = got.reasons_at("m4.xlsx", VPR_FIRST_ROW)
    assert (col, value, reason) == ("Отметка по журналу", "99999999999",
                                    "число «99999999999» в столбце «Отметка по журналу» слишком велико")
    assert got.entry("m4.xlsx")["rows_loaded"] == 11
