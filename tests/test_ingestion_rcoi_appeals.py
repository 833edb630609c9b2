"""ГИА appeal and re-check protocols (input contract §11) on fixtures built from the contract."""
from __future__ import annotations

import pytest

from ingestion import pseudonym
from tests.fixtures import rcoi as F
from tests.fixtures.ingestion.craft import assert_reconciled, write_csv, write_xlsx
from tests.test_ingestion_rcoi import load, no_personal_data, read, scan_warehouse


@pytest.fixture(autouse=True)
def key(tmp_path, monkeypatch):
    monkeypatch.setenv("RSOKO_KEY", str(tmp_path / "keys" / "pseudonym.key"))
    monkeypatch.setattr(pseudonym, "_current", None)
    return tmp_path / "keys" / "pseudonym.key"


@pytest.mark.parametrize("layout", ["title-csv", "title-xlsx", "exam-column"])
def test_appeal_protocol_reads_two_level_header_and_the_exam(tmp_path, layout):
    rows = F.appeals(title=None, exam_column=True) if layout == "exam-column" else F.appeals()
    path = (write_xlsx(tmp_path / "a.xlsx", {"Лист1": rows}) if layout == "title-xlsx"
            else write_csv(tmp_path / "a.csv", rows, encoding="cp1251"))
    kind, pf = read(path)
    f = pf.frame
    assert kind == "gia_appeals" and pf.year == 2025 and len(f) == 3
    assert set(f["subject_code"]) == {1} and {str(d)[:10] for d in f["exam_date"]} == {"2025-06-03"}
    assert f["primary_score"].tolist() == [17, 6, 12] and f["score"].tolist() == [52, 27, 69]
    assert f["score_before"].tolist() == [48, 27, 66] and f["score_diff"].tolist() == [4, 0, 3]
    # a satisfied appeal and a re-check replace the original; a rejected appeal does not
    assert f["replaces"].tolist() == [True, False, True]
    assert str(f["changed_at"].iloc[0]) == "2025-06-14 16:40:12"
    no_personal_data(f)


def test_appeals_load_after_the_protocol_match_its_ids_and_say_how_many_results_change(tmp_path, key):
    got = load(tmp_path, {"rus.csv": F.protocol_dense(), "appeals.csv": F.appeals()})
    assert_reconciled(got)
    e = got.entry("appeals.csv")
    assert e["kind"] == "gia_appeals" and e["status"] == "loaded", e
    assert "апелляции и перепроверки меняют результатов: 2" in e["message"]
    unmatched = got.con.execute("""
        select count(*) from raw.gia_appeals a
        where not exists (select 1 from raw.gia11 g where g.participant_id = a.participant_id
                          and g.subject_code = a.subject_code and g.exam_date = a.exam_date)""").fetchone()[0]
    assert unmatched == 0 and got.count("gia_appeals") == 3
    # the original results stay in the raw layer
    p = F.PEOPLE[0]
    pid = pseudonym.person_id(pseudonym.load_or_create(key)[0], p[0], p[1], p[2], p[3] + p[4])
    assert got.con.execute("select test_score from raw.gia11 where participant_id = ?", [pid]).fetchall() == [(48,)]
    assert got.con.execute("select score from raw.gia_appeals where participant_id = ?", [pid]).fetchall() == [(52,)]
    assert scan_warehouse(got.con, F.people_strings()) == []


def test_appeals_without_their_exam_protocol_say_so(tmp_path):
    got = load(tmp_path, {"appeals.xlsx": F.appeals()})
    e = got.entry("appeals.xlsx")
    assert e["status"] == "loaded"
    assert "меняют результатов: 0; для 2 не найден исходный результат экзамена" in e["message"]
