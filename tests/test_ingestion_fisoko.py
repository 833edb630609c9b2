"""ФИС ОКО layouts of ВПР on files built cell for cell from the input contract (§4, §9):
the current «Индивидуальные результаты» (school, municipal, regional downloads; group rows;
ordinal classes; edu/sch logins; «нет отметки»), the second layout, and the aggregate forms."""
from __future__ import annotations

from ingestion.readers import identify
from tests.fixtures.ingestion.craft import assert_reconciled, set_mtime, vpr_rows, write_csv, write_xlsx
from tests.fixtures.ingestion.fisoko import individual_rows, journal_form_rows, marks_form_rows, school_group

from tests.test_ingestion_ledger import inbox, load  # noqa: F401 - the same reference inbox and reconciled load

SHEET = "МА 4 Индивидуальные результаты"


def test_school_download_with_a_short_group_loads_the_rows_present_and_says_both_numbers(tmp_path, inbox):
    rows = individual_rows([school_group("МБОУ «СОШ № 1»", "edu860001", 89, 50)])
    write_xlsx(inbox / "загрузки" / "Индивидуальные результаты.xlsx", {SHEET: rows})
    got = load(tmp_path, inbox)
    e = got.entry("загрузки/Индивидуальные результаты.xlsx")
    assert (e["kind"], e["year"], e["status"], e["rows_read"], e["rows_loaded"]) == ("vpr", 2025, "loaded", 50, 50)
    assert "заявлено 89 участников, в файле 50" in e["message"]
    assert "edu860001 → sch860001" in e["message"]
    assert got.quarantined("загрузки/Индивидуальные результаты.xlsx") == []
    # the group row (row 9) is structure: pupils start in row 10; the login is the register's
    assert got.con.execute("select min(_source_row), count(distinct school_login), min(school_login)"
                           " from raw.vpr_results").fetchone() == (10, 1, "sch860001")
    # Класс is an ordinal inside the school; «нет отметки» is a blank journal mark
    assert got.con.execute("select list(distinct class_name order by class_name) from raw.vpr_results").fetchone()[0] == ["1", "2"]
    assert got.count("vpr_results", "journal_mark is null") == 7  # pupils 3, 10, ..., 45 of the block
    # «—» in a task cell is not checked: a null score, not a bad cell
    assert got.con.execute("select score from raw.vpr_tasks where _source_row = 10 and task = '3.1'").fetchone() == (None,)
    assert got.count("vpr_tasks") == 250


def test_group_row_in_one_cell_and_a_doubled_blank_row(tmp_path):
    rows = individual_rows([school_group("МБОУ «СОШ № 1»", "sch860001", 3, 3)], group_in_one_cell=True,
                           extra_blank_row=True)
    ident = identify(write_xlsx(tmp_path / "a.xlsx", {"Лист1": rows}), "a.xlsx")
    pf = ident.reader.read(ident.src)
    assert (ident.kind, pf.year, pf.meta["subject"], pf.meta["grade"]) == ("vpr", 2025, "Математика", 4)
    assert pf.frame["_row"].tolist() == [11, 12, 13] and pf.notes == []
    assert [t.level for t in pf.meta["tasks"]] == ["Б", "Б", "Б", "П", "П"]


def test_municipal_download_as_csv_in_windows_1251(tmp_path, inbox):
    groups = [school_group("МБОУ «СОШ № 1»", "sch860001", 4, 4),
              school_group("МБОУ «Гимназия № 2»", "edu860002", 3, 3, start=4)]
    write_csv(inbox / "mo.csv", individual_rows(groups), encoding="cp1251")
    got = load(tmp_path, inbox)
    e = got.entry("mo.csv")
    assert (e["kind"], e["status"], e["rows_read"], e["rows_loaded"]) == ("vpr", "loaded", 7, 7)
    assert "заявлено" not in e["message"]
    assert got.con.execute("select list(distinct school_login order by school_login) from raw.vpr_results").fetchone()[0] \
        == ["sch860001", "sch860002"]


def test_school_files_of_one_work_add_up_and_a_regional_file_replaces_them(tmp_path, inbox):
    a = write_xlsx(inbox / "a.xlsx", {SHEET: individual_rows([school_group("СОШ № 1", "sch860001", 4, 4)])})
    b = write_xlsx(inbox / "b.xlsx", {SHEET: individual_rows([school_group("Гимназия № 2", "edu860002", 3, 3, start=4)])})
    set_mtime(a, 20 * 86400)
    set_mtime(b, 10 * 86400)
    got = load(tmp_path, inbox)
    assert got.entry("a.xlsx")["status"] == "loaded" and got.entry("b.xlsx")["status"] == "loaded"
    assert got.count("vpr_results") == 7
    region = individual_rows([school_group("СОШ № 1", "edu860001", 4, 4), school_group("Гимназия № 2", "sch860002", 3, 3, start=4),
                              school_group("СОШ с. Б", "sch860003", 2, 2, start=7)])
    write_xlsx(inbox / "region.xlsx", {SHEET: region})
    from ingestion import load_inbox
    load_inbox(got.con, inbox)
    got.refresh()
    assert_reconciled(got)
    assert [got.entry(f)["status"] for f in ("a.xlsx", "b.xlsx", "region.xlsx")] == ["superseded", "superseded", "loaded"]
    assert got.count("vpr_results") == 9 and got.count("vpr_tasks") == 45


def test_a_regional_file_keeps_schools_a_newer_school_file_does_not_cover(tmp_path, inbox):
    region = write_xlsx(inbox / "region.xlsx", {SHEET: individual_rows(
        [school_group("СОШ № 1", "sch860001", 4, 4), school_group("СОШ с. Б", "sch860003", 2, 2, start=4)])})
    set_mtime(region, 10 * 86400)
    write_xlsx(inbox / "school.xlsx", {SHEET: individual_rows([school_group("СОШ № 1", "edu860001", 5, 5, start=9)])})
    got = load(tmp_path, inbox)
    e = got.entry("region.xlsx")
    assert (e["status"], e["rows_loaded"], e["rows_quarantined"]) == ("partial", 2, 4)
    assert {r["reason"] for r in got.quarantined("region.xlsx")} == {"заменено исправленной выгрузкой school.xlsx"}
    assert got.count("vpr_results") == 7


def test_second_layout_still_loads_beside_the_current_one(tmp_path, inbox):
    write_xlsx(inbox / "old.xlsx", {"Лист1": vpr_rows()})
    got = load(tmp_path, inbox)
    e = got.entry("old.xlsx")
    assert (e["kind"], e["status"], e["rows_loaded"]) == ("vpr", "loaded", 12)


def test_bad_cells_of_the_current_layout_are_quarantined_by_spreadsheet_row(tmp_path, inbox):
    rows = individual_rows([school_group("СОШ № 1", "sch860001", 5, 5)], dash_cell=False)
    rows[9][6] = 7           # row 10: task 1 has maximum 1
    rows[11][-1] = "пять"    # row 12: journal mark not a number
    rows[12][0] = "sch869999"  # row 13: unknown login
    write_xlsx(inbox / "bad.xlsx", {SHEET: rows})
    got = load(tmp_path, inbox)
    e = got.entry("bad.xlsx")
    assert (e["status"], e["rows_read"], e["rows_loaded"], e["rows_quarantined"]) == ("partial", 5, 2, 3)
    assert {r["row"] for r in got.quarantined("bad.xlsx")} == {10, 12, 13}
    reasons = " ".join(r["reason"] for r in got.quarantined("bad.xlsx"))
    assert "выше максимального 1" in reasons and "«пять»" in reasons and "sch869999" in reasons


MARKS = [("Вся выборка", 40210, 1543211, 10.52, 30.11, 40.2, 19.17),
         ("Тестовый край", 3, 9, 11.11, 33.33, 33.33, 22.22),
         ("Город А(reg86_m001)", 2, 7, 14.29, 28.57, 42.86, 14.29),
         ("МБОУ «СОШ № 1»(edu860001)", 1, 4, 25, 25, 50, 0)]
JOURNAL = [("Вся выборка", 1543211, 20.1, 310185, 70.2, 1083334, 9.7, 149692),
           ("Тестовый край", 9, 11.11, 1, 77.78, 7, 11.11, 1),
           ("МБОУ «СОШ № 1»(sch860001)", 4, 0, 0, 100, 4, 0, 0)]


def test_aggregate_forms_are_recognised_and_every_group_row_loads(tmp_path, inbox):
    write_xlsx(inbox / "1.xlsx", {"МА 4 Статистика по отметкам": marks_form_rows(MARKS)})
    write_xlsx(inbox / "2.xlsx", {"МА 4 Сравнение отметок с отметк": journal_form_rows(JOURNAL)})
    got = load(tmp_path, inbox)
    for f, n in (("1.xlsx", 4), ("2.xlsx", 3)):
        e = got.entry(f)
        assert (e["kind"], e["year"], e["status"], e["rows_read"], e["rows_loaded"]) == ("vpr_forms", 2025, "loaded", n, n)
    got_rows = got.con.execute(
        "select form, group_order, group_level, group_login, group_mo_number, schools, participants, mark2, mark5,"
        " lowered, confirmed_pct from raw.vpr_forms order by form, group_order").fetchall()
    assert got_rows == [
        ("journal", 1, "russia", None, None, None, 1543211, None, None, 310185, 70.2),
        ("journal", 2, "region", None, None, None, 9, None, None, 1, 77.78),
        ("journal", 3, "school", "sch860001", None, None, 4, None, None, 0, 100.0),
        ("marks", 1, "russia", None, None, 40210, 1543211, 10.52, 19.17, None, None),
        ("marks", 2, "region", None, None, 3, 9, 11.11, 22.22, None, None),
        ("marks", 3, "municipality", None, "001", 2, 7, 14.29, 14.29, None, None),
        ("marks", 4, "school", "edu860001", None, 1, 4, 25.0, 0.0, None, None),
    ]


def test_a_bad_form_cell_quarantines_its_group_row_only(tmp_path, inbox):
    marks = [list(r) for r in MARKS]
    marks[2][3] = "н/д"
    marks[3][2] = -4
    write_xlsx(inbox / "1.xlsx", {"Лист1": marks_form_rows(marks)})
    got = load(tmp_path, inbox)
    e = got.entry("1.xlsx")
    assert (e["status"], e["rows_loaded"], e["rows_quarantined"]) == ("partial", 2, 2)
    q = {(r["row"], r["column"], r["value"]) for r in got.quarantined("1.xlsx")}
    assert q == {(11, "2", "н/д"), (12, "Кол-во участников", "-4")}


def test_a_form_without_its_mark_columns_is_an_error_naming_them(tmp_path, inbox):
    rows = marks_form_rows(MARKS)
    rows[7] = rows[7][:5]
    write_xlsx(inbox / "1.xlsx", {"Лист1": rows})
    got = load(tmp_path, inbox)
    e = got.entry("1.xlsx")
    assert (e["kind"], e["status"], e["rows_read"], e["rows_quarantined"]) == ("vpr_forms", "error", 4, 4)
    assert "нет столбцов «4», «5»" in e["message"]


def test_a_download_without_a_required_column_counts_pupil_rows_only(tmp_path, inbox):
    rows = individual_rows([school_group("СОШ № 1", "sch860001", 3, 3), school_group("Гимназия № 2", "sch860002", 2, 2)])
    header = rows[7]
    for r in rows[8:]:
        if len(r) > 10:
            del r[header.index("Отметка")]
    del header[header.index("Отметка")]
    write_xlsx(inbox / "no_mark.xlsx", {SHEET: rows})
    got = load(tmp_path, inbox)
    e = got.entry("no_mark.xlsx")
    assert (e["kind"], e["status"], e["rows_read"], e["rows_quarantined"]) == ("vpr", "error", 5, 5)
    assert "«Отметка»" in e["message"]


def test_a_form_without_its_name_row_is_told_by_sheet_name_or_header(tmp_path):
    rows = journal_form_rows(JOURNAL)
    rows[0] = []
    ident = identify(write_xlsx(tmp_path / "j.xlsx", {"МА 4 Сравнение отметок с отметк": rows}), "j.xlsx")
    assert ident.kind == "vpr_forms" and ident.reader.read(ident.src).meta["form"] == "journal"
    rows = marks_form_rows(MARKS)
    rows[0] = []
    ident = identify(write_xlsx(tmp_path / "m.xlsx", {"Лист1": rows}), "m.xlsx")
    assert ident.kind == "vpr_forms" and ident.reader.read(ident.src).meta["form"] == "marks"


def test_group_names_are_classified_by_their_text_and_no_mark_is_a_blank():
    """`classify` (forms) and `null_no_mark` (downloads) row by row, expectations written by hand."""
    import numpy as np
    import pandas as pd

    from ingestion.convert import object_frame
    from ingestion.readers.vpr_fisoko import null_no_mark
    from ingestion.readers.vpr_forms import classify

    names = pd.Series(["Вся выборка", " Синтетический край ", "Район (reg86_m001)", "МБОУ СОШ 1(sch860123)",
                       "МБОУ (EDU860124) ", None, float("nan"), "вся  выборка"], dtype=object)
    level, login, mo = classify(names)
    assert list(level) == ["russia", "region", "municipality", "school", "school", "region", "region", "russia"]
    assert list(login) == [None, None, None, "sch860123", "edu860124", None, None, None]
    assert list(mo) == [None, None, "001", None, None, None, None, None]

    frame = object_frame({"_row": np.arange(4), "journal_mark": np.array([np.nan, 4.0, np.nan, np.nan]),
                          "journal_mark__bad": np.array(["Нет отметки", None, "пять", "н/о"], dtype=object)})
    null_no_mark(frame, "journal_mark")
    assert list(frame["journal_mark__bad"]) == [None, None, "пять", None]


def test_a_login_under_the_other_prefix_becomes_the_registers():
    """`canonical_logins`: edu/sch with the register's 6 digits → the register's login; others kept."""
    import numpy as np

    from ingestion.readers.vpr_fisoko import canonical_logins

    known = frozenset({"edu860101", "sch860102"})
    logins = np.array(["sch860101", "edu860101", None, "edu860102", "edu869999", "sch860101", float("nan")],
                      dtype=object)
    out, notes = canonical_logins(logins, known)
    assert list(out[:6]) == ["edu860101", "edu860101", None, "sch860102", "edu869999", "edu860101"]
    assert out[6] != out[6]  # NaN stays
    assert notes == ["логин ОО найден в реестре по тем же 6 цифрам с другим префиксом: "
                     "edu860102 → sch860102, sch860101 → edu860101"]
    same, none = canonical_logins(np.array(["edu860101", None], dtype=object), known)
    assert list(same) == ["edu860101", None] and none == []
