"""The optional «Меры» input (contract §12): recognised by content, checked against the register and the
plan, bad rows quarantined with Russian reasons naming file, row and column, a later file of the same year
replacing the earlier one. Real files in a tmp inbox, loaded into a real DuckDB file."""
from __future__ import annotations

import pytest

from ingestion.readers import identify
from tests.fixtures.ingestion.craft import load_checked, reference_inbox, set_mtime, write_csv, write_xlsx

HEADER = ["Год", "Уровень (МО / ОО)", "Код (Код МО или Код ОО)", "Мера", "Работа", "Коды умений", "Дата начала",
          "Дата окончания", "Ответственный"]
GOOD = [
    ["2025", "ОО", "860001", "независимые наблюдатели", "ВПР Математика 4", "", "01.04.2025", "30.04.2025", "УО"],
    ["2025", "ОО", "860003", "Адресная помощь", "ВПР Математика 4", "2.2; 3.1", "15.01.2025", "", "ИРО"],
    ["2025", "МО", "1", "курсы", "ВПР Математика 4", "1.2,2.2", "10.12.2024", "20.12.2024", "ИРО"],
    ["2025", "МО", "02", "семинар", "", "", "05.02.2025", "05.02.2025", "ИРО"],
]


def measures_rows(extra: list[list] | None = None) -> list[list]:
    return [HEADER] + [list(r) for r in GOOD] + [list(r) for r in (extra or [])]


@pytest.fixture
def inbox(tmp_path):
    path = tmp_path / "inbox"
    reference_inbox(path)
    return path


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_measures_are_recognised_from_content_under_any_name(tmp_path, fmt):
    path = tmp_path / f"реестр_мероприятий.{'txt' if fmt == 'csv' else 'dat'}"
    if fmt == "csv":
        write_csv(path, measures_rows(), encoding="cp1251")
    else:
        write_xlsx(path, {"Меры": [["Меры, принятые по итогам 2024 года"], []] + measures_rows()})
    ident = identify(path, path.name)
    assert ident.kind == "measures" and ident.problem is None
    pf = ident.reader.read(ident.src)
    assert pf.year == 2025
    # spellings normalised: type alias, level, МО code stored as a number, skills list
    assert pf.frame["measure"].tolist() == ["независимые наблюдатели", "адресная помощь",
                                            "курсы повышения квалификации", "семинар"]
    assert pf.frame["code"].tolist() == ["860001", "860003", "01", "02"]
    assert pf.frame["skill_codes"].tolist()[1:3] == ["2.2,3.1", "1.2,2.2"]
    assert pf.frame["subject"].tolist()[0] == "Математика" and pf.frame["grade"].tolist()[0] == 4


def test_clean_measures_load_into_raw_with_subject_and_grade(tmp_path, inbox):
    write_csv(inbox / "меры" / "m.csv", measures_rows())
    got = load_checked(tmp_path, inbox)
    e = got.entry("меры/m.csv")
    assert (e["kind"], e["status"], e["rows_read"], e["rows_loaded"], e["year"]) == ("measures", "loaded", 4, 4, 2025)
    rows = got.con.execute("select level, code, measure, work, subject, grade, skill_codes, start_date::varchar"
                           " from raw.measures order by _source_row").fetchall()
    assert rows[2] == ("МО", "01", "курсы повышения квалификации", "ВПР Математика 4", "Математика", 4, "1.2,2.2",
                       "2024-12-10")
    assert rows[3][3:6] == (None, None, None)


def test_bad_rows_are_quarantined_with_file_row_column_and_reason(tmp_path, inbox):
    bad = [
        ["2025", "ОО", "869999", "перепроверка работ", "ВПР Математика 4", "", "01.04.2025", "", ""],      # row 6
        ["2025", "МО", "07", "семинар", "", "", "01.04.2025", "", ""],                                     # row 7
        ["2025", "ОО", "860002", "экскурсия", "", "", "01.04.2025", "", ""],                               # row 8
        ["2025", "ОО", "860002", "перепроверка работ", "ВПР Химия 4", "", "01.04.2025", "", ""],           # row 9
        ["2025", "ОО", "860002", "курсы", "ВПР Математика 4", "1.1,9.9", "01.04.2025", "", ""],            # row 10
        ["2025", "ОО", "860002", "перепроверка работ", "Математика, 4 кл", "", "01.04.2025", "", ""],      # row 11
        ["2025", "ОО", "860002", "семинар", "", "", "01.04.2021", "", ""],                                 # row 12
        ["2025", "ОО", "860002", "другое", "", "", "01.04.2025", "01.03.2025", ""],                        # row 13
        ["20x5", "ОО", "860002", "другое", "", "", "01.04.2025", "", ""],                                  # row 14
        ["2024", "ОО", "860002", "другое", "", "", "01.04.2024", "", ""],                                  # row 15
        ["2025", "район", "860002", "другое", "", "", "01.04.2025", "", ""],                               # row 16
        ["2025", "ОО", "860001", "независимые наблюдатели", "ВПР Математика 4", "", "02.04.2025", "", ""],  # row 17
        ["2025", "ОО", "860002", "другое", "", "", "31.02.2025", "", ""],                                  # row 18
    ]
    write_csv(inbox / "m.csv", measures_rows(bad))
    got = load_checked(tmp_path, inbox)
    e = got.entry("m.csv")
    assert (e["status"], e["rows_read"], e["rows_loaded"], e["rows_quarantined"]) == ("partial", 17, 4, 13)
    expect = {
        6: ("Код", "869999", "неизвестный Код ОО «869999»: нет в реестре ОО"),
        7: ("Код", "07", "неизвестный Код МО «07»: нет в реестре ОО"),
        8: ("Мера", "экскурсия", "неизвестный вид меры «экскурсия»"),
        9: ("Работа", "ВПР Химия 4", "неизвестная работа «ВПР Химия 4»: её нет в плане ВПР"),
        10: ("Коды умений", "1.1,9.9", "код умения 9.9 не входит в план работы «ВПР Математика 4»"),
        11: ("Работа", "Математика, 4 кл", "не в формате «ВПР <Предмет> <класс>»"),
        12: ("Дата начала", "01.04.2021", "дата начала 01.04.2021 не относится к году меры 2025"),
        13: ("Дата начала", "01.04.2025", "дата окончания 01.03.2025 раньше даты начала 01.04.2025"),
        14: ("Год", "20x5", "нечисловое значение «20x5» в столбце «Год»"),
        15: ("Год", "2024", "год 2024 не совпадает с годом файла 2025"),
        16: ("Уровень", "район", "недопустимое значение «район» в столбце «Уровень»"),
        17: ("Мера", "независимые наблюдатели", "повтор строки 2"),
        18: ("Дата начала", "31.02.2025", "некорректная дата «31.02.2025» в столбце «Дата начала»"),
    }
    for row, (column, value, reason) in expect.items():
        found = got.reasons_at("m.csv", row)
        assert any(c == column and v == value and reason in r for c, v, r in found), (row, found)
    assert got.count("measures") == 4


def test_a_later_measures_file_of_the_same_year_replaces_the_earlier(tmp_path, inbox):
    old = write_csv(inbox / "old.csv", measures_rows())
    set_mtime(old, 3600)
    new = write_csv(inbox / "new.csv", [HEADER, GOOD[0]])
    set_mtime(new, 60)
    other_year = write_csv(inbox / "y2024.csv", [HEADER, ["2024", "ОО", "860002", "семинар", "", "", "01.03.2024", "",
                                                          ""]])
    got = load_checked(tmp_path, inbox)
    assert got.entry("old.csv")["status"] == "superseded"
    assert all("заменено исправленной выгрузкой new.csv" in q["reason"] for q in got.quarantined("old.csv"))
    assert got.entry("new.csv")["status"] == "loaded" and got.entry("y2024.csv")["status"] == "loaded"
    assert got.con.execute("select year, code from raw.measures order by year").fetchall() == [
        (2024, "860002"), (2025, "860001")]


def test_a_measures_file_missing_a_required_column_is_that_files_error(tmp_path, inbox):
    write_csv(inbox / "m.csv", [[h for h in HEADER if h != "Мера"]] + [r[:3] + r[4:] for r in GOOD])
    got = load_checked(tmp_path, inbox)
    e = got.entry("m.csv")
    assert e["kind"] == "measures" and e["status"] == "error" and "«Мера»" in e["message"]
    assert got.entry("ref/reestr.csv")["status"] == "loaded"
