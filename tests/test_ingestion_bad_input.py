"""Bad input that used to stop or silently damage a run (issue 10, item 5), each reproduced.

Every test writes real files into a fresh inbox, loads it into a real DuckDB file and asserts
the ledger and quarantine an analyst would read; every file must reconcile
(rows_read = rows_loaded + rows_quarantined) and the rest of the inbox must load.
"""
from __future__ import annotations

import os
import random

import pytest

from tests.fixtures.ingestion.craft import (
    GIA_HEADER, Loaded, VPR_PUPILS, gia11_rows, load_checked as load, reference_inbox, register_rows, vpr_rows,
    write_csv, write_xlsx, set_mtime,
)


@pytest.fixture
def inbox(tmp_path):
    path = tmp_path / "inbox"
    reference_inbox(path)
    return path


def csv_bytes(rows: list[list], newline: str = "\r\n", encoding: str = "utf-8") -> bytes:
    """Rows joined by `;` and `newline`, no quoting: the bytes exactly as a careless export writes them."""
    return "".join(";".join(str(c) for c in r) + newline for r in rows).encode(encoding)


def assert_reference_loaded(got: Loaded) -> None:
    """One bad file must not cost the others their load."""
    for rel in ("ref/reestr.csv", "ref/plan.csv", "ref/scale.csv"):
        assert got.entry(rel)["status"] == "loaded", rel


# ------------------------------------------------------------------ (a) line endings and junk
def test_csv_with_cr_only_line_endings_loads(tmp_path, inbox):
    (inbox / "ege.csv").write_bytes(csv_bytes(gia11_rows(), newline="\r"))
    got = load(tmp_path, inbox)
    e = got.entry("ege.csv")
    assert (e["kind"], e["status"], e["rows_read"], e["rows_loaded"]) == ("gia11", "loaded", 5, 5)
    assert_reference_loaded(got)


def test_a_stray_cr_inside_a_field_is_a_space_and_the_row_loads(tmp_path, inbox):
    rows = gia11_rows()
    rows[4][9] = "Русский\rязык"   # spreadsheet row 5, «Предмет»
    (inbox / "ege.csv").write_bytes(csv_bytes(rows))
    got = load(tmp_path, inbox)
    e = got.entry("ege.csv")
    assert (e["kind"], e["status"], e["rows_loaded"]) == ("gia11", "loaded", 5)
    assert "символ CR внутри строки заменён пробелом (строка 5)" in e["message"]
    names = {r[0] for r in got.con.execute("select subject_name from raw.gia11 where _source_row = 5").fetchall()}
    assert names == {"Русский язык"}


def test_binary_junk_without_nul_bytes_is_that_files_ledger_row_not_a_crash(tmp_path, inbox):
    rnd = random.Random(7)
    (inbox / "выгрузка.csv").write_bytes(bytes(rnd.randrange(1, 256) for _ in range(20000)))
    got = load(tmp_path, inbox)
    e = got.entry("выгрузка.csv")
    assert (e["kind"], e["status"], e["rows_loaded"]) == ("unrecognised", "unrecognised", 0)
    assert "двоичные данные" in e["message"]
    assert_reference_loaded(got)


def test_a_header_followed_by_junk_is_one_files_problem(tmp_path, inbox):
    rnd = random.Random(8)
    junk = bytes(rnd.choice(b"\r\n;\x01\x02abc\xff\xfe\xe0\xc1") for _ in range(5000))
    (inbox / "ege.csv").write_bytes(";".join(GIA_HEADER).encode("utf-8") + b"\r\n" + junk)
    write_csv(inbox / "ege2.csv", gia11_rows())
    got = load(tmp_path, inbox)
    assert got.entry("ege.csv")["status"] in ("error", "unrecognised", "partial")
    assert got.entry("ege2.csv")["status"] == "loaded"


# ------------------------------------------------------------------ (b) register: bad non-key cells
def register_with_bad_cells() -> list[list]:
    rows = register_rows()
    rows[1][9] = "1 234"          # thousands separator: unambiguous
    rows[2][9] = "н/д"            # not a number: the cell is nulled, the school stays
    rows[1][7] = "Город"          # case
    rows[2][6] = "гимназия"       # case
    rows[3][8] = "удаленная"      # е for ё
    rows[3][6] = "Лицей-интернат"  # not a type of the list: nulled
    return rows


def test_register_normalises_unambiguous_cells_and_nulls_only_a_bad_one(tmp_path):
    inbox = tmp_path / "inbox"
    write_csv(inbox / "reestr.csv", register_with_bad_cells())
    got = load(tmp_path, inbox)
    e = got.entry("reestr.csv")
    assert (e["status"], e["rows_read"], e["rows_loaded"], e["rows_quarantined"]) == ("loaded", 3, 3, 0)
    rows = got.con.execute("select school_code, pupils, school_type, locality, transport_access from raw.register"
                           " order by 1").fetchall()
    assert rows == [("860001", 1234, "СОШ", "город", "доступная"),
                    ("860002", None, "Гимназия", "город", "доступная"),
                    ("860003", 120, None, "село", "удалённая")]
    q = {(r["row"], r["column"]): r for r in got.quarantined("reestr.csv")}
    assert set(q) == {(3, "Численность обучающихся"), (4, "Тип ОО")}
    assert q[(3, "Численность обучающихся")]["value"] == "н/д"
    assert "ячейка оставлена пустой" in q[(3, "Численность обучающихся")]["reason"]
    assert q[(4, "Тип ОО")]["value"] == "Лицей-интернат"
    assert "2 ячейки оставлены пустыми" in e["message"]


def test_a_corrected_register_never_drops_a_school_that_has_results(tmp_path, inbox):
    old = inbox / "ref" / "reestr.csv"
    rows = register_rows() + [["860004", "sch860004", "ООШ № 4", "МБОУ «ООШ № 4»", "02", "Район Б", "ООШ", "село",
                               "доступная", "40", "нет"]]
    write_csv(old, rows)
    set_mtime(old, 86400)
    # the corrected register: 860002 has a bad Код ОО (a key: that row is quarantined),
    # 860003 and 860004 are missing; 860002 and 860003 have ВПР results, 860004 has none
    new_rows = register_with_bad_cells()[:3]
    new_rows[2][0] = "8600О2"   # a Cyrillic О for the zero
    write_csv(inbox / "ref" / "reestr_new.csv", new_rows)
    write_xlsx(inbox / "vpr.xlsx", {"Лист1": vpr_rows()})
    got = load(tmp_path, inbox)
    codes = [r[0] for r in got.con.execute("select school_code from raw.register order by 1").fetchall()]
    assert codes == ["860001", "860002", "860003"]
    assert got.entry("vpr.xlsx")["rows_loaded"] == len(VPR_PUPILS)   # nobody lost as «unknown login»
    e_old, e_new = got.entry("ref/reestr.csv"), got.entry("ref/reestr_new.csv")
    assert e_old["status"] == "partial" and e_old["rows_loaded"] == 2
    assert "860002" in e_new["message"] and "860003" in e_new["message"] and "ref/reestr.csv" in e_new["message"]
    assert "860004" not in e_new["message"]
    superseded = [r["row"] for r in got.quarantined("ref/reestr.csv") if "заменено" in r["reason"]]
    assert sorted(superseded) == [2, 5]   # 860001 (in the new register) and 860004 (no results)


# ------------------------------------------------------------------ (c) encodings
def test_bom_over_a_cp1251_body_loads_naming_the_problem(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox).mkdir()
    (inbox / "r.csv").write_bytes(b"\xef\xbb\xbf" + csv_bytes(register_rows(), encoding="cp1251"))
    got = load(tmp_path, inbox)
    e = got.entry("r.csv")
    assert (e["kind"], e["status"], e["rows_loaded"]) == ("register", "loaded", 3)
    assert "BOM" in e["message"] and "windows-1251" in e["message"]
    names = [r[0] for r in got.con.execute("select mo_name from raw.register order by school_code").fetchall()]
    assert names == ["Город А", "Город А", "Район Б"]


def test_mixed_encoding_loads_what_decodes_and_quarantines_the_rest(tmp_path, inbox):
    rows = gia11_rows()
    data = b"".join(csv_bytes([r], encoding="cp1251" if i in (2, 4) else "utf-8") for i, r in enumerate(rows))
    (inbox / "ege.csv").write_bytes(data)
    got = load(tmp_path, inbox)
    e = got.entry("ege.csv")
    assert (e["kind"], e["status"], e["rows_read"], e["rows_loaded"], e["rows_quarantined"]) == ("gia11", "partial", 5, 3, 2)
    assert "смешанная кодировка" in e["message"] and "строка 3" in e["message"]
    q = got.quarantined("ege.csv")
    assert [r["row"] for r in q] == [3, 5]
    assert all("windows-1251" in r["reason"] and r["value"] is None for r in q)


# ------------------------------------------------------------------ (d) links out of the inbox
def test_links_out_of_the_inbox_are_skipped_and_never_read(tmp_path, inbox):
    outside = tmp_path / "elsewhere"
    write_csv(outside / "ege.csv", gia11_rows())
    secret = outside / "passwd"
    secret.write_text("root-secret-first-line\n", encoding="utf-8")
    os.symlink(outside / "ege.csv", inbox / "ege.csv")
    os.symlink(secret, inbox / "system.txt")
    os.symlink(outside, inbox / "folder")
    os.symlink(tmp_path / "nowhere", inbox / "broken.csv")
    got = load(tmp_path, inbox)
    assert got.count("gia11") == 0
    for rel in ("ege.csv", "system.txt", "folder", "broken.csv"):
        e = got.entry(rel)
        assert (e["kind"], e["status"], e["rows_read"]) == ("unrecognised", "error", 0), rel
        assert "ссылка" in e["message"] and "не читал" in e["message"], rel
    assert not got.ledger["message"].str.contains("root-secret").any()
    assert not got.ledger["file"].str.startswith("folder/").any()
    assert_reference_loaded(got)
    again = Loaded(tmp_path / "warehouse.duckdb", inbox)   # a rerun records nothing twice
    assert len(again.ledger) == len(got.ledger)


# ------------------------------------------------------------------ (e) nothing to publish
def run_cli(tmp_path, data, capsys) -> tuple[int, str]:
    from rsoko.cli import main

    code = main(["run", "--data", str(data), "--year", "2025", "--out", str(tmp_path / "out")])
    return code, capsys.readouterr().err.strip()


def test_an_inbox_where_nothing_is_recognised_says_so_and_still_writes_the_ledger(tmp_path, capsys):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "readme.txt").write_text("Папка с выгрузками\n", encoding="utf-8")
    write_xlsx(inbox / "budget.xlsx", {"Бюджет": [["Статья", "Сумма"], ["Учебники", 12.5]]})
    code, err = run_cli(tmp_path, inbox, capsys)
    assert code == 2
    assert len(err.splitlines()) == 1
    assert "не распознан" in err and "readme.txt" in err and "budget.xlsx" in err
    data = tmp_path / "out" / "2025" / "data"
    ledger = (data / "ingestion_ledger.csv").read_text(encoding="utf-8")
    assert "readme.txt" in ledger and "budget.xlsx" in ledger
    assert (data / "quarantine.csv").exists()


def test_a_mistyped_data_folder_is_one_russian_line(tmp_path, capsys):
    code, err = run_cli(tmp_path, tmp_path / "inbxo", capsys)
    assert code == 2
    assert len(err.splitlines()) == 1
    assert "не найдена" in err and "inbxo" in err and "--data" in err
    assert not (tmp_path / "out").exists()   # issue 11: a mistyped --data creates nothing


def test_an_inbox_with_only_other_years_names_what_is_there(tmp_path, capsys):
    inbox = tmp_path / "inbox"
    write_csv(inbox / "ege.csv", gia11_rows(2024))
    code, err = run_cli(tmp_path, inbox, capsys)
    assert code == 2 and len(err.splitlines()) == 1
    assert "2025" in err and "2024" in err


def test_a_school_renumbered_in_the_corrected_register_is_one_row(tmp_path, inbox):
    old = inbox / "ref" / "reestr.csv"
    set_mtime(old, 86400)
    rows = register_rows()
    rows[3][0] = "860033"   # 860003 renumbered; its login sch860003 stays
    write_csv(inbox / "ref" / "reestr_new.csv", rows)
    write_xlsx(inbox / "vpr.xlsx", {"Лист1": vpr_rows()})
    got = load(tmp_path, inbox)
    logins = [r[0] for r in got.con.execute("select school_login from raw.register order by 1").fetchall()]
    assert logins == ["sch860001", "sch860002", "sch860003"]
    assert got.entry("ref/reestr.csv")["status"] == "superseded"


def test_a_load_limited_to_the_register_waits_for_the_results_before_dropping_a_school(tmp_path, inbox):
    import duckdb

    from ingestion import load_inbox

    old = inbox / "ref" / "reestr.csv"
    set_mtime(old, 86400)
    write_csv(inbox / "ref" / "reestr_new.csv", register_rows()[:3])   # 860003 missing
    write_xlsx(inbox / "vpr.xlsx", {"Лист1": vpr_rows()})             # 860003 has ВПР results
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_inbox(con, inbox, kinds={"register"})     # as the Dagster register asset does
    codes = [r[0] for r in con.execute("select school_code from raw.register order by 1").fetchall()]
    assert codes == ["860001", "860002", "860003"]
    load_inbox(con, inbox, kinds={"register", "vpr_plan", "vpr_scale", "vpr"})
    assert con.execute("select count(*) from raw.vpr_results").fetchone()[0] == len(VPR_PUPILS)
    codes = [r[0] for r in con.execute("select school_code from raw.register order by 1").fetchall()]
    assert codes == ["860001", "860002", "860003"]
    con.close()
