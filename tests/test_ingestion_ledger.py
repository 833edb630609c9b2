"""The ledger's file-level outcomes: duplicate, unrecognised, superseded, idempotent re-runs,
format variations that must simply load, and the exported CSV files of the output contract."""
from __future__ import annotations

import csv
import shutil

import duckdb
import pytest

from ingestion import export_ledger, load_inbox, scan_inbox
from tests.fixtures.ingestion.craft import (
    VPR_PUPILS, Loaded, assert_reconciled, clean_inbox, mark_for, gia11_rows, niko_sheets, reference_inbox, set_cell, set_mtime,
    vpr_rows, write_csv, write_xlsx,
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


def test_clean_inbox_loads_every_kind_and_names_files_by_content(tmp_path):
    inbox = tmp_path / "inbox"
    clean_inbox(inbox)
    got = load(tmp_path, inbox)
    kinds = dict(zip(got.ledger["file"], got.ledger["kind"]))
    assert kinds == {"ref/Реестр.csv": "register", "ref/plan.csv": "vpr_plan", "ref/scale.csv": "vpr_scale",
                     "ref/min.csv": "ege_min", "gia/ege.csv": "gia11", "gia/oge.csv": "gia9", "vpr/m4.xlsx": "vpr",
                     "niko/bio6.xlsx": "niko", "adm/adm.csv": "admissions"}
    assert set(got.ledger["status"]) == {"loaded"}
    assert got.quarantine.empty
    counts = {t: got.count(t) for t in ("register", "gia11", "gia9", "vpr_results", "vpr_tasks", "vpr_plan",
                                        "vpr_scale", "niko_results", "niko_tasks", "niko_questionnaire", "ege_min",
                                        "admissions")}
    assert counts == {"register": 3, "gia11": 5, "gia9": 3, "vpr_results": 12, "vpr_tasks": 60, "vpr_plan": 5,
                      "vpr_scale": 1, "niko_results": 3, "niko_tasks": 9, "niko_questionnaire": 9, "ege_min": 2,
                      "admissions": 3}
    # audit columns: the spreadsheet row and the file on every raw row
    first = got.con.execute("select _source_row, _source_file, _source_sha256 from raw.vpr_results order by 1 limit 1").fetchone()
    assert first[:2] == (9, "vpr/m4.xlsx") and len(first[2]) == 64
    assert got.con.execute("select count(*) from raw.vpr_tasks t join raw.vpr_results r using (_load_id, _source_row)").fetchone()[0] == 60
    # the plan's level wins over the file's row 7; X is a null score
    assert got.con.execute("select task_level, score from raw.vpr_tasks where _source_row = 12 and task = '3.1'").fetchone() == ("Б", None)
    # НИКО questionnaire is joined to the school through the participant code
    assert got.con.execute("select school_login, answer from raw.niko_questionnaire where participant_code = '10003' and question = 'В1'").fetchone() == ("sch860003", 4)


def test_rerun_on_an_unchanged_inbox_adds_nothing(tmp_path):
    inbox = tmp_path / "inbox"
    clean_inbox(inbox)
    got = load(tmp_path, inbox)
    before = [got.con.execute(f"select count(*) from {t}").fetchone()[0]
              for t in ("meta.ingestion_ledger", "meta.quarantine", "meta.validation_results", "raw.vpr_tasks", "raw.gia11")]
    again = load_inbox(got.con, inbox)
    after = [got.con.execute(f"select count(*) from {t}").fetchone()[0]
             for t in ("meta.ingestion_ledger", "meta.quarantine", "meta.validation_results", "raw.vpr_tasks", "raw.gia11")]
    assert again.files == [] and again.unchanged == 9 and not again.changed
    assert before == after


def test_same_file_twice_under_two_names_is_a_duplicate(tmp_path, inbox):
    original = write_xlsx(inbox / "vpr" / "m4.xlsx", {"Лист1": vpr_rows()})
    copy = inbox / "входящие" / "копия.xlsx"
    copy.parent.mkdir()
    shutil.copyfile(original, copy)
    set_mtime(original, 3600)
    got = load(tmp_path, inbox)
    e = got.entry("входящие/копия.xlsx")
    assert (e["kind"], e["status"], e["rows_read"], e["rows_loaded"]) == ("vpr", "duplicate", 0, 0)
    assert "vpr/m4.xlsx" in e["message"]
    assert got.entry("vpr/m4.xlsx")["status"] == "loaded"
    assert got.count("vpr_results") == 12


def test_a_copy_arriving_later_is_a_duplicate_too(tmp_path, inbox):
    original = write_xlsx(inbox / "m4.xlsx", {"Лист1": vpr_rows()})
    got = load(tmp_path, inbox)
    shutil.copyfile(original, inbox / "ещё раз.xlsx")
    report = load_inbox(got.con, inbox)
    assert [(f.file, f.status) for f in report.files] == [("ещё раз.xlsx", "duplicate")]
    got.refresh()
    assert_reconciled(got)


def test_stray_files_are_unrecognised_not_skipped(tmp_path, inbox):
    (inbox / "readme.txt").write_text("Папка с выгрузками. Не удалять!\n", encoding="utf-8")
    write_xlsx(inbox / "разное" / "budget.xlsx", {"Бюджет": [["Статья", "Сумма"], ["Учебники", 1250000.5]]})
    (inbox / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    got = load(tmp_path, inbox)
    for rel in ("readme.txt", "разное/budget.xlsx", "photo.png"):
        e = got.entry(rel)
        assert (e["kind"], e["status"], e["rows_read"]) == ("unrecognised", "unrecognised", 0), rel
        assert e["message"].startswith("вид выгрузки не распознан")


def test_corrected_vpr_delivery_supersedes_the_earlier_one(tmp_path, inbox):
    wrong = vpr_rows(pupils=[(lg, c, k, [0] * 5) if i == 0 else (lg, c, k, s) for i, (lg, c, k, s) in enumerate(VPR_PUPILS)])
    old = write_xlsx(inbox / "m4.xlsx", {"Лист1": wrong})
    new = write_xlsx(inbox / "входящие" / "m4_исправленная.xlsx", {"Лист1": vpr_rows()})
    set_mtime(old, 10 * 86400)
    set_mtime(new, 0)
    got = load(tmp_path, inbox)
    e = got.entry("m4.xlsx")
    assert (e["status"], e["rows_read"], e["rows_loaded"], e["rows_quarantined"]) == ("superseded", 12, 0, 12)
    assert e["message"].startswith("заменено исправленной выгрузкой входящие/m4_исправленная.xlsx")
    q = got.quarantined("m4.xlsx")
    assert [r["row"] for r in q] == list(range(9, 21))
    assert {r["reason"] for r in q} == {"заменено исправленной выгрузкой входящие/m4_исправленная.xlsx"}
    assert got.entry("входящие/m4_исправленная.xlsx")["status"] == "loaded"
    assert got.count("vpr_results") == 12 and got.count("vpr_tasks") == 60
    assert got.con.execute("select distinct _source_file from raw.vpr_results").fetchall() == [("входящие/m4_исправленная.xlsx",)]


def test_an_older_delivery_arriving_after_the_newer_one_is_superseded_at_once(tmp_path, inbox):
    new = write_xlsx(inbox / "m4_new.xlsx", {"Лист1": vpr_rows()})
    got = load(tmp_path, inbox)
    old = write_xlsx(inbox / "m4_old.xlsx", {"Лист1": vpr_rows(pupils=VPR_PUPILS[:6])})
    set_mtime(old, 30 * 86400)
    report = load_inbox(got.con, inbox)
    assert [(f.file, f.status, f.rows_loaded, f.rows_quarantined) for f in report.files] == [("m4_old.xlsx", "superseded", 0, 6)]
    got.refresh()
    assert_reconciled(got)
    assert got.entry("m4_new.xlsx")["status"] == "loaded" and got.count("vpr_results") == 12
    assert new.exists()


def test_corrected_gia_rows_supersede_row_by_row(tmp_path, inbox):
    old_rows = gia11_rows()
    set_cell(old_rows, 2, "Тестовый балл", "40")
    old = write_csv(inbox / "ege_old.csv", old_rows)
    fixed = [gia11_rows()[0], gia11_rows()[1]]  # only the corrected sitting
    new = write_csv(inbox / "ege_fix.csv", fixed)
    set_mtime(old, 86400)
    got = load(tmp_path, inbox)
    e = got.entry("ege_old.csv")
    assert (e["status"], e["rows_read"], e["rows_loaded"], e["rows_quarantined"]) == ("partial", 5, 4, 1)
    assert got.reasons_at("ege_old.csv", 2) == [(None, None, "заменено исправленной выгрузкой ege_fix.csv")]
    assert got.con.execute("select test_score from raw.gia11 where participant_id = '0123456789abcdef'").fetchall() == [(50,)]
    # the superseded sitting's task rows went with it
    assert got.count("gia11_tasks", "participant_id = '0123456789abcdef'") == 6
    assert new.exists()


def test_a_newer_register_replaces_the_older_one(tmp_path):
    from tests.fixtures.ingestion.craft import register_rows

    inbox = tmp_path / "inbox"
    old = write_csv(inbox / "reg_old.csv", register_rows()[:3])
    new = write_csv(inbox / "reg_new.csv", register_rows())
    set_mtime(old, 86400)
    got = load(tmp_path, inbox)
    assert got.entry("reg_old.csv")["status"] == "superseded"
    assert got.count("register") == 3 and got.entry("reg_new.csv")["rows_loaded"] == 3
    assert new.exists()


def test_vpr_delivered_as_csv_with_the_8_row_layout_loads(tmp_path, inbox):
    write_csv(inbox / "m4.csv", vpr_rows())
    got = load(tmp_path, inbox)
    e = got.entry("m4.csv")
    assert (e["kind"], e["status"], e["year"], e["rows_loaded"]) == ("vpr", "loaded", 2025, 12)
    assert got.count("vpr_tasks") == 60
    assert got.con.execute("select subject, grade, work_max, work_date::varchar from raw.vpr_results limit 1").fetchone() == \
        ("Математика", 4, 8, "2025-04-15")


def test_xlsx_with_a_leading_instruction_sheet_and_numbers_as_text_loads(tmp_path, inbox):
    rows = vpr_rows(numbers_as_text=True)
    set_cell(rows, 9, "Первичный балл", "8.0")  # «12.0» style text is a whole number too
    write_xlsx(inbox / "m4.xlsx", {"Инструкция": [["Инструкция по заполнению"], ["Не изменяйте структуру листа."]],
                                   "Индивидуальные результаты": rows}, merge_title=True)
    got = load(tmp_path, inbox)
    e = got.entry("m4.xlsx")
    assert (e["kind"], e["status"], e["rows_loaded"]) == ("vpr", "loaded", 12)
    primaries = [sum(s for s in p[3] if s is not None) for p in VPR_PUPILS]
    assert got.con.execute("select sum(primary_score), sum(mark) from raw.vpr_results").fetchone() == (
        sum(primaries), sum(mark_for(x) for x in primaries))
    assert got.con.execute("select sum(score), count(score), count(*) from raw.vpr_tasks").fetchone() == (
        sum(primaries), 59, 60)


def test_register_as_xlsx_with_a_title_row_and_codes_stored_as_numbers(tmp_path):
    from tests.fixtures.ingestion.craft import register_rows

    inbox = tmp_path / "inbox"
    rows = [["Реестр общеобразовательных организаций"]] + [
        [int(c) if i in (0, 4) and j else c for i, c in enumerate(r)] for j, r in enumerate(register_rows())]
    write_xlsx(inbox / "реестр.xlsx", {"Реестр": rows}, merge_title=True)
    got = load(tmp_path, inbox)
    assert got.entry("реестр.xlsx")["status"] == "loaded"
    assert got.con.execute("select school_code, mo_code from raw.register order by 1").fetchall() == [
        ("860001", "01"), ("860002", "01"), ("860003", "02")]


def test_niko_results_and_questionnaire(tmp_path, inbox):
    sheets = niko_sheets()
    sheets["Анкета"].append(["99999", 1, 1, 1])      # nobody with this code on «Результаты»
    sheets["Анкета"][2][2] = "два"                    # row 3: a non-numeric answer
    write_xlsx(inbox / "niko.xlsx", sheets)
    got = load(tmp_path, inbox)
    e = got.entry("niko.xlsx")
    assert (e["kind"], e["status"], e["rows_read"], e["rows_loaded"], e["rows_quarantined"]) == ("niko", "partial", 7, 5, 2)
    reasons = {(q["row"], q["column"]): q["reason"] for q in got.quarantined("niko.xlsx")}
    assert reasons == {(3, "ответы (лист «Анкета»)"): "нечисловые коды ответов: В2 «два»",
                       (5, "Код участника (лист «Анкета»)"): "участника с кодом 99999 нет на листе «Результаты»"}
    assert got.count("niko_results") == 3 and got.count("niko_questionnaire") == 2 * 3


def test_scan_inbox_tells_kind_and_year_from_content(tmp_path):
    inbox = tmp_path / "inbox"
    clean_inbox(inbox)
    (inbox / "gia" / "ege.csv").rename(inbox / "gia" / "документ_1.txt")
    found = {f.rel: (f.kind, f.year) for f in scan_inbox(inbox)}
    assert found == {"ref/Реестр.csv": ("register", None), "ref/plan.csv": ("vpr_plan", 2025),
                     "ref/scale.csv": ("vpr_scale", 2025), "ref/min.csv": ("ege_min", 2025),
                     "gia/документ_1.txt": ("gia11", 2025), "gia/oge.csv": ("gia9", 2025),
                     "vpr/m4.xlsx": ("vpr", 2025), "niko/bio6.xlsx": ("niko", 2025), "adm/adm.csv": ("admissions", 2025)}


def test_load_can_be_limited_to_kinds_and_years(tmp_path):
    inbox = tmp_path / "inbox"
    clean_inbox(inbox)
    write_csv(inbox / "gia" / "ege2024.csv", gia11_rows(2024))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    report = load_inbox(con, inbox, kinds={"register", "gia11"}, years={2024})
    assert sorted((f.file, f.kind) for f in report.files) == [("gia/ege2024.csv", "gia11"), ("ref/Реестр.csv", "register")]
    rest = load_inbox(con, inbox)
    assert "gia/ege2024.csv" not in {f.file for f in rest.files} and len(rest.files) == 8


def test_export_ledger_writes_the_contract_csv_files(tmp_path, inbox):
    rows = vpr_rows()
    set_cell(rows, 10, "Логин ОО", "sch869999")
    write_xlsx(inbox / "m4.xlsx", {"Лист1": rows})
    (inbox / "readme.txt").write_text("x", encoding="utf-8")
    got = load(tmp_path, inbox)
    out = tmp_path / "out"
    export_ledger(got.con, out)
    with open(out / "ingestion_ledger.csv", encoding="utf-8", newline="") as fh:
        ledger = list(csv.reader(fh))
    assert ledger[0] == ["file", "kind", "sha256", "year", "rows_read", "rows_loaded", "rows_quarantined", "status", "message"]
    by_file = {r[0]: r for r in ledger[1:]}
    assert by_file["m4.xlsx"][1:2] + by_file["m4.xlsx"][3:8] == ["vpr", "2025", "12", "11", "1", "partial"]
    assert by_file["readme.txt"][3] == ""  # no year, not «nan»
    with open(out / "quarantine.csv", encoding="utf-8", newline="") as fh:
        quarantine = list(csv.reader(fh))
    assert quarantine == [["file", "row", "column", "value", "reason"],
                          ["m4.xlsx", "10", "Логин ОО", "sch869999", "неизвестный Логин ОО «sch869999»: нет в реестре ОО"]]
    results = got.con.execute("select kind, expectation, success, unexpected_count from meta.validation_results "
                              "where not success").fetchall()
    assert results == [("vpr", "expect_column_values_to_be_in_set(school_login)", False, 1)]
