"""Readers on their own: recognition from content, layouts, encodings, delimiters, cells."""
from __future__ import annotations

import numpy as np
import pytest

from ingestion.readers import identify
from ingestion.readers.gia import parse_long, parse_short
from ingestion.readers.works import TASK_HEADER, parse_title
from ingestion.text import norm_header, norm_subject
from tests.fixtures.ingestion.craft import (
    GIA_HEADER, admissions_rows, ege_min_rows, gia9_rows, gia11_rows, niko_sheets, plan_rows, register_rows,
    scale_rows, vpr_rows, write_csv, write_xlsx,
)


@pytest.mark.parametrize("rows,kind", [
    (register_rows(), "register"), (plan_rows(), "vpr_plan"), (scale_rows(), "vpr_scale"),
    (ege_min_rows(), "ege_min"), (gia11_rows(), "gia11"), (gia9_rows(), "gia9"), (admissions_rows(), "admissions"),
    (vpr_rows(), "vpr"),
])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_kind_is_recognised_from_content_under_any_name(tmp_path, rows, kind, fmt):
    path = tmp_path / f"Выгрузка_123.{'dat' if fmt == 'csv' else 'bin'}"
    if fmt == "csv":
        write_csv(path, rows)
    else:
        write_xlsx(path, {"Лист1": rows})
    ident = identify(path, path.name)
    assert ident.kind == kind and ident.problem is None


def test_niko_is_recognised_and_not_taken_for_vpr(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", niko_sheets())
    assert identify(path, "x.xlsx").kind == "niko"


def test_headers_compare_case_insensitively_after_trimming_and_yo(tmp_path):
    rows = gia11_rows()
    rows[0] = [f"  {h.upper()} " for h in rows[0]]
    rows[0][rows[0].index("  ЗАДАНИЯ С РАЗВЕРНУТЫМ ОТВЕТОМ ")] = "Задания с развёрнутым ответом"
    path = write_csv(tmp_path / "g.csv", rows)
    ident = identify(path, "g.csv")
    pf = ident.reader.read(ident.src)
    assert pf.frame["long_answers"].tolist()[0] == "2(3)1(2)"
    assert norm_header("  Ёмкость\xa0 ОО ") == "емкость оо"


def test_gve_only_file_is_told_by_class_grade(tmp_path):
    g9 = [GIA_HEADER, ["aaaaaaaaaaaaaaa1", "860001", "01", "ВТГ", "9А", "Ж", "0", "ГВЭ", "1", "Русский язык", "Основной",
                       "24.05.2025", "1", "", "3(4)", "3", "", "3", "Явка"]]
    g11 = [GIA_HEADER, ["aaaaaaaaaaaaaaa2", "860001", "01", "ВТГ", "11А", "Ж", "0", "ГВЭ", "1", "Русский язык", "Основной",
                        "24.05.2025", "1", "", "3(4)", "3", "", "3", "Явка"]]
    assert identify(write_csv(tmp_path / "a.csv", g9), "a.csv").kind == "gia9"
    assert identify(write_csv(tmp_path / "b.csv", g11), "b.csv").kind == "gia11"


def test_gia_year_is_the_year_of_most_exam_dates(tmp_path):
    rows = gia11_rows()
    rows[1][GIA_HEADER.index("Дата экзамена")] = "01.06.2024"
    ident = identify(write_csv(tmp_path / "g.csv", rows), "g.csv")
    assert ident.reader.year(ident.src) == 2025


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("cp1251", False)])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_encodings_and_delimiters(tmp_path, encoding, bom, delimiter):
    path = write_csv(tmp_path / "r.csv", register_rows(), encoding=encoding, bom=bom, delimiter=delimiter)
    ident = identify(path, "r.csv")
    assert ident.kind == "register" and ident.src.delimiter == delimiter
    pf = ident.reader.read(ident.src)
    assert pf.frame["school_type"].tolist() == ["СОШ", "Гимназия", "СОШ"]
    assert pf.frame["transport_access"].tolist()[2] == "удалённая"


def test_vpr_title_metadata_levels_and_task_headers(tmp_path):
    rows = vpr_rows()
    rows[7][6] = "1 (1Б)"       # upper-case Б
    rows[7][8] = "3.1 (1 б.)"   # space and a dot
    path = write_xlsx(tmp_path / "v.xlsx", {"Лист1": rows}, merge_title=True)
    ident = identify(path, "v.xlsx")
    pf = ident.reader.read(ident.src)
    assert (pf.year, pf.meta["subject"], pf.meta["grade"], pf.meta["work_max"]) == (2025, "Математика", 4, 8)
    assert [(t.label, t.max, t.level) for t in pf.meta["tasks"]] == [
        ("1", 1, "Б"), ("2", 2, "Б"), ("3.1", 1, "Б"), ("3.2", 2, "П"), ("2К1", 2, "П")]
    assert pf.frame["_row"].tolist() == list(range(9, 21))
    assert np.isnan(pf.frame["task:3.1"].iloc[3]) and pf.frame["task:3.1__bad"].iloc[3] is None  # X → null


def test_title_parsing_and_subject_normalisation():
    t = parse_title("ВПР 2025. Иностранный язык (английский). 7 класс", "ВПР")
    assert (t.year, t.subject, t.grade) == (2025, "Иностранный язык (английский)", 7)
    assert parse_title("ВПР 2024.  окружающий  МИР .4 класс", "ВПР").subject == "Окружающий мир"
    assert norm_subject("  русский   язык ") == "Русский язык"
    assert parse_title("НИКО 2025. Биология. 6 класс", "ВПР") is None


@pytest.mark.parametrize("header,label,mx", [("7 (2б)", "7", 2), ("9.1 (1б)", "9.1", 1), ("2К1 (3б)", "2К1", 3),
                                              ("10 (2 Б)", "10", 2), ("1 (1b)", "1", 1)])
def test_task_headers(header, label, mx):
    m = TASK_HEADER.match(header)
    assert m and (m["label"], int(m["max"])) == (label, mx)


def test_not_checked_marks_latin_and_cyrillic(tmp_path):
    rows = vpr_rows()
    rows[8][6], rows[9][6], rows[10][6] = "X", "Х", "x"
    ident = identify(write_csv(tmp_path / "v.csv", rows), "v.csv")
    pf = ident.reader.read(ident.src)
    assert np.isnan(pf.frame["task:1"].iloc[:3]).all() and pf.frame["task:1__bad"].iloc[:3].isna().all()


def test_answer_strings():
    assert parse_short("+-+1") == (3.0, None)
    assert parse_short("+a") == (pytest.approx(np.nan, nan_ok=True), "недопустимый символ «a» в позиции 2")
    assert parse_long("2(3)1(2)0(2)") == (3.0, None)
    assert parse_long("3(2)")[1] == "балл 3 за критерий 1 выше максимального 2"
    assert parse_long("2(3")[1].startswith("строка не в формате")


def test_numbers_stored_as_text_and_codes_keep_leading_zeros(tmp_path):
    rows = register_rows()
    rows[1][rows[0].index("Численность обучающихся")] = "500.0"
    rows[1][rows[0].index("Код МО")] = 1  # a spreadsheet that lost the zero
    ident = identify(write_xlsx(tmp_path / "r.xlsx", {"Лист1": rows}), "r.xlsx")
    pf = ident.reader.read(ident.src)
    assert pf.frame["pupils"].tolist()[0] == 500 and pf.frame["mo_code"].tolist()[0] == "01"


def test_one_date_reads_as_a_column_of_dates_does():
    """A single `Дата:` (the ВПР work date, parsed once a file) takes a short path; it must give
    what the general path gives for the same text inside a longer column."""
    import numpy as np

    from ingestion.convert import parse_date

    for text in ["15.04.2025", "01.01.2024", "31.02.2025", "1.4.2025", "15.04.2025 00:00:00", "2025-04-15",
                 "abc", None, ""]:
        one_values, one_bad = parse_date(np.array([text], dtype=object))
        col_values, col_bad = parse_date(np.array([text, "not a date"], dtype=object))
        assert (one_values[0] == col_values[0]) or (np.isnat(one_values[0]) and np.isnat(col_values[0])), text
        assert one_bad[0] == col_bad[0], text
    assert parse_date(np.array(["15.04.2025"], dtype=object))[0][0] == np.datetime64("2025-04-15")


def test_a_date_of_another_century_is_a_bad_cell_not_a_wrapped_date():
    """«15.04.1600» does not fit datetime64[ns]; converting it used to wrap to a date in the 2100s."""
    import numpy as np

    from ingestion.convert import parse_date

    for column in (["15.04.1600"], ["15.04.1600", "15.04.2025"], ["1600-04-15 00:00:00", "15.04.2025"],
                   ["15.04.2525", "15.04.2025"]):
        values, bad = parse_date(np.array(column, dtype=object))
        assert np.isnat(values[0]) and bad[0] == column[0], column
        if len(column) > 1:
            assert values[1] == np.datetime64("2025-04-15") and bad[1] is None, column


def test_pupil_task_sums_from_the_cells_skip_blanks_and_void_a_bad_cell():
    """`cells_sum` over `task_cells` against a plain row-by-row sum of the task columns."""
    import numpy as np
    import pandas as pd

    from ingestion.families import cells_sum, task_cells
    from ingestion.readers.works import TaskColumn

    tasks = [TaskColumn("1", "1 (1б)", 1, 0), TaskColumn("2", "2 (2б)", 2, 1), TaskColumn("3", "3 (1б)", 1, 2)]
    frame = pd.DataFrame({"task:1": [1.0, np.nan, 0.0, 1.0], "task:1__bad": [None, None, None, None],
                          "task:2": [2.0, 1.0, np.nan, np.nan], "task:2__bad": [None, None, "Z", None],
                          "task:3": [np.nan, 1.0, 1.0, np.nan], "task:3__bad": [None, None, None, None]})
    frame = frame.astype({c: object for c in frame.columns if c.endswith("__bad")})
    expected = []
    for _, row in frame.iterrows():
        if any(pd.notna(row[f"task:{t.label}__bad"]) for t in tasks):
            expected.append(None)
        else:
            expected.append(sum(row[f"task:{t.label}"] for t in tasks if not np.isnan(row[f"task:{t.label}"])))
    got = cells_sum(task_cells(frame, tasks), len(frame), len(tasks))
    assert [None if np.isnan(v) else v for v in got] == expected == [3.0, 2.0, None, 1.0]
    assert list(cells_sum(task_cells(frame, []), len(frame), 0)) == [0.0] * 4
