"""РЦОИ result protocols (input contract §10) on fixtures built cell for cell from the contract."""
from __future__ import annotations

import re

import duckdb
import numpy as np
import pytest

from ingestion import pseudonym
from ingestion.readers import identify
from tests.fixtures import rcoi as F
from tests.fixtures.ingestion.craft import Loaded, assert_reconciled, register_rows, write_csv, write_xlsx

HEX16 = re.compile(r"^[0-9a-f]{16}$")


@pytest.fixture(autouse=True)
def key(tmp_path, monkeypatch):
    monkeypatch.setenv("RSOKO_KEY", str(tmp_path / "keys" / "pseudonym.key"))
    monkeypatch.setattr(pseudonym, "_current", None)
    return tmp_path / "keys" / "pseudonym.key"


def read(path):
    ident = identify(path, path.name)
    assert ident.problem is None, ident.problem
    return ident.kind, ident.reader.read(ident.src)


def no_personal_data(frame) -> None:
    text = " ".join(str(v) for c in frame.columns for v in frame[c].tolist())
    for s in F.people_strings():
        assert s not in text, s


@pytest.mark.parametrize("variant", ["dense-csv-cp1251", "dense-xlsx", "sparse-csv", "sparse-xlsx", "title-later",
                                     "document"])
def test_ege_protocol_variants_read_into_the_normalised_shape(tmp_path, variant):
    rows = F.protocol_dense(title_col=3 if variant == "title-later" else 0)
    if variant.startswith("sparse"):
        rows = F.to_sparse(rows)
    if variant == "document":
        rows = F.with_document(rows)
    if variant.endswith("xlsx"):
        path = write_xlsx(tmp_path / "протокол.xlsx", {"Протокол": rows})
    else:
        path = write_csv(tmp_path / "p.txt", rows, encoding="cp1251" if "cp1251" in variant else "utf-8")
    kind, pf = read(path)
    assert kind == "gia11" and pf.year == 2025
    f = pf.frame
    assert len(f) == 5  # four pupils and one earlier graduate; the three footer rows are not data
    assert all(HEX16.match(x) for x in f["participant_id"]) and f["participant_id"].nunique() == 5
    assert f["test_score"].tolist() == [48, 81, 27, 66, 48]
    assert f["primary_score"].tolist() == [8, 15, 3, 11, 8]
    assert f["short_answers"].tolist()[:2] == ["++-+1-+", "+++++2+"]
    assert set(f["subject_code"]) == {1} and set(f["gia_form"]) == {"ЕГЭ"} and set(f["status"]) == {"Явка"}
    assert set(f["stage"]) == {"Основной"}
    assert str(f["exam_date"].iloc[0])[:10] == "2025-06-03"
    assert f["category"].tolist() == ["ВТГ"] * 4 + ["ВПЛ/СПО"]
    assert f["school_code"].tolist()[:3] == ["860001", "860001", "860002"]
    if variant != "document":
        assert f["mo_code"].tolist()[:4] == ["01", "01", "01", "02"]
    no_personal_data(f)
    assert not any("Фамилия" in c or "Серия" in c or "Номер" in c or "Документ" in c for c in f.columns)


def test_the_same_person_gets_the_same_id_from_series_and_number_or_document(tmp_path):
    _, a = read(write_csv(tmp_path / "a.csv", F.protocol_dense()))
    _, b = read(write_csv(tmp_path / "b.csv", F.with_document(F.protocol_dense())))
    assert a.frame["participant_id"].tolist() == b.frame["participant_id"].tolist()


def test_base_mathematics_has_a_mark_and_no_test_score(tmp_path):
    kind, pf = read(write_csv(tmp_path / "m.csv", F.base_math()))
    f = pf.frame
    assert kind == "gia11" and set(f["subject_code"]) == {22}
    assert f["mark"].tolist() == [3, 5, 2, 4] and f["test_score"].isna().all()
    assert not pf.notes  # «Математика (базовый уровень)» agrees with code 22


def test_oge_protocol_is_gia9_by_its_classes_with_marks(tmp_path):
    kind, pf = read(write_xlsx(tmp_path / "oge.xlsx", {"Лист1": F.oge_math()}))
    assert kind == "gia9"
    assert set(pf.frame["gia_form"]) == {"ОГЭ"} and pf.frame["mark"].tolist() == [3, 4]


def test_gve_is_told_by_the_title(tmp_path):
    rows = F.oge_math()
    rows[0] = [None, None, "ГВЭ-9 02 - Математика 2025.05.27"]
    kind, pf = read(write_csv(tmp_path / "gve.csv", rows))
    assert kind == "gia9" and set(pf.frame["gia_form"]) == {"ГВЭ"}


def test_kege_counts_as_informatics_and_a_wrong_title_name_is_a_note(tmp_path):
    _, pf = read(write_csv(tmp_path / "k.csv", F.kege()))
    assert set(pf.frame["subject_code"]) == {5} and pf.frame["test_score"].tolist() == [62]
    assert any("25" in n and "Информатика" in n for n in pf.notes)
    rows = F.kege()
    rows[0] = ["05 - Физика 2025.06.19"]
    _, pf = read(write_csv(tmp_path / "k2.csv", rows))
    assert any("не соответствует коду 5" in n for n in pf.notes)


def test_foreign_language_written_and_oral_parts_are_one_result(tmp_path):
    kind, pf = read(write_xlsx(tmp_path / "en.xlsx", {"Лист1": F.english()}))
    f = pf.frame
    assert kind == "gia11" and set(f["subject_code"]) == {9} and len(f) == 2
    assert str(f["exam_date"].iloc[0])[:10] == "2025-06-10"   # the written part's date
    assert f["primary_score"].tolist() == [18, 30] and f["test_score"].tolist() == [55, 74]
    assert f["long_answers"].tolist() == ["5(6)4(14)3(4)2(5)", "6(6)10(14)4(4)5(5)"]
    assert (f["_short_sum"] + f["_long_sum"]).tolist() == [18, 30]


# ---------------------------------------------------------------------- through the loader
def load(tmp_path, files: dict[str, list[list]]) -> Loaded:
    inbox = tmp_path / "inbox"
    write_csv(inbox / "reestr.csv", register_rows())
    for name, rows in files.items():
        if name.endswith(".xlsx"):
            write_xlsx(inbox / name, {"Лист1": rows})
        else:
            write_csv(inbox / name, rows, encoding="cp1251")
    return Loaded(tmp_path / "w.duckdb", inbox)


def test_protocols_load_into_the_gia_tables_and_reconcile(tmp_path, key):
    key_file = key
    got = load(tmp_path, {"rus.csv": F.protocol_dense(), "math22.xlsx": F.base_math(), "oge.csv": F.oge_math(),
                          "en.xlsx": F.english(), "doc.csv": F.with_document(F.kege())})
    assert_reconciled(got)
    led = got.ledger.set_index("file")
    assert set(led["status"]) == {"loaded"}, led[["status", "message"]]
    assert led.loc["rus.csv", "kind"] == "gia11" and led.loc["oge.csv", "kind"] == "gia9"
    assert got.count("gia11") == 5 + 4 + 2 + 1 and got.count("gia9") == 2
    # the earlier graduate under the РЦОИ's code is ВПЛ/СПО, not an unknown school
    assert got.con.execute("select category from raw.gia11 where school_code = '869999'").fetchall() == [("ВПЛ/СПО",)]
    # Код МО of a file without Код МСУ comes from the register
    assert got.con.execute("select distinct mo_code from raw.gia11 where _source_file = 'doc.csv'").fetchall() == [("01",)]
    # the answer strings expand into task rows as for the normalised files
    assert got.count("gia11_tasks", "_source_file = 'rus.csv'") == 5 * (7 + 3)
    ids = got.con.execute("select participant_id from raw.gia11 where _source_file = 'rus.csv' order by _source_row").fetchall()
    key = pseudonym.load_or_create(key_file)[0]
    p = F.PEOPLE[0]
    assert ids[0][0] == pseudonym.person_id(key, p[0], p[1], p[2], p[3] + p[4])


def test_footer_count_that_disagrees_is_a_ledger_note(tmp_path):
    got = load(tmp_path, {"rus.csv": F.protocol_dense(footer_count=9)})
    e = got.entry("rus.csv")
    assert e["status"] == "loaded" and "«Всего участников» 9, а строк участников в протоколе 5" in e["message"]


def test_a_bad_cell_names_its_column_and_never_repeats_a_name(tmp_path):
    rows = F.protocol_dense()
    rows[3][13] = "Соловьёв"            # a name slipped into «Первичный балл»
    rows[4][2] = "Мухаметзянов"         # and another into «Код ОО»
    got = load(tmp_path, {"rus.csv": rows})
    assert_reconciled(got)
    q = got.quarantined("rus.csv")
    assert {r["row"] for r in q} == {4, 5}
    assert {r["column"] for r in q} == {"Первичный балл", "Код ОО"}
    blob = " ".join(str(v) for r in q for v in r.values()) + " ".join(got.ledger["message"].astype(str))
    for s in F.people_strings():
        assert s not in blob, s


def test_no_name_or_document_in_any_text_column_of_the_warehouse(tmp_path):
    bad = F.protocol_dense(title=F.TITLE_RUS.replace("2025.06.03", "2025.06.04"))
    bad[3][13] = "Соловьёв"            # names slipped into a number and a code cell: quarantined rows
    bad[4][2] = "Мухаметзянов Ильдар"
    got = load(tmp_path, {"rus.csv": F.to_sparse(F.protocol_dense()), "en.xlsx": F.english(), "oge.csv": F.oge_math(),
                          "doc.csv": F.with_document(F.protocol_dense()), "bad.csv": bad})
    assert_reconciled(got)
    assert got.quarantined("bad.csv"), "the scan must cover quarantine values too"
    hits = scan_warehouse(got.con, F.people_strings())
    assert hits == []


def fold(text: str) -> str:
    """Upper case with Ё as Е: a name stored in the pseudonym's normalised spelling is still found."""
    return text.upper().replace("Ё", "Е")


def scan_warehouse(con: duckdb.DuckDBPyConnection, needles: list[str]) -> list[tuple]:
    """(table, column, needle) for every text column of every table holding any needle (in any case, ё or е)."""
    cols = con.execute("select table_schema, table_name, column_name from information_schema.columns"
                       " where data_type in ('VARCHAR', 'JSON')").fetchall()
    assert any(s == "meta" for s, _, _ in cols) and any(s == "raw" for s, _, _ in cols)
    hits = []
    for schema, table, column in cols:
        for s in needles:
            n = con.execute(f"""select count(*) from "{schema}"."{table}"
                                where replace(upper(cast("{column}" as varchar)), 'Ё', 'Е') like ?""",
                            [f"%{fold(s)}%"]).fetchone()[0]
            if n:
                hits.append((f"{schema}.{table}", column, s))
    return hits



def test_real_length_answer_strings_are_kept_and_a_document_in_them_is_masked(tmp_path):
    """A real ЕГЭ answer sheet has 7+ digits in its strings (`1(1)2(3)…`): they are answers, not a
    document; a bare document number slipped into the column is still masked."""
    rows = F.protocol_dense()
    long = "1(1)2(3)2(2)1(1)2(2)3(3)1(1)3(3)0(2)2(2)"   # 17 points, 20 digits
    short = "++-++++3++++++++++++++++++"                # 27 points
    rows[2][11], rows[2][12], rows[2][13] = short, long, str(27 + 17)
    rows[3][11] = F.PEOPLE[1][3] + F.PEOPLE[1][4]       # a document where the short answers belong
    got = load(tmp_path, {"rus.csv": rows})
    assert_reconciled(got)
    stored = got.con.execute("select short_answers, long_answers from raw.gia11 where _source_row = 3").fetchall()
    assert stored == [(short, long)]
    q = got.quarantined("rus.csv")
    assert [(r["row"], r["column"]) for r in q] == [(4, "Задания с кратким ответом")]
    assert scan_warehouse(got.con, F.people_strings()) == []


def test_footer_rows_are_found_wherever_their_label_starts_and_data_rows_stay():
    """`split_footer` takes out the rows whose first non-blank cell (of the first 8) is a footer
    label — after blank cells, behind a BOM, in an XLSX number column — and only those."""
    import numpy as np

    from ingestion.readers.gia_rcoi import split_footer
    from ingestion.source import Table

    cells = np.array([
        [1.0, "01", "860101", "11А", "Иванов"],          # a participant (number cell)
        ["2", "01", "860101", "11Б", "Петров"],          # a participant (text number)
        [None, None, "Школа № 5", "11А", "Сидоров"],     # a participant whose first filled cell is a word
        [None, "  ", "Средние", None, "12,5"],           # footer after blank cells
        ["\ufeffМинимальная граница", None, None, None, 36.0],
        ["Всего участников", None, None, None, "3"],
    ], dtype=object)
    table = Table("", 2, [], ["№", "Код МСУ", "Код ОО", "Класс", "Фамилия"], cells, np.arange(3, 9))
    footer = split_footer(table)
    assert footer == {"средн": "12,5", "минимальная граница": "36.0", "всего участников": "3"}
    assert list(table.rows) == [3, 4, 5]
    assert table.cells[2, 2] == "Школа № 5"
