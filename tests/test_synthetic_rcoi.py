"""The generator's default ГИА: РЦОИ result and appeal protocols (contract §10–§11), read back here.

The files are read on their own terms (tests.test_indicators_independent's reader, no rsoko
reader): the variants the contract lists occur, a pupil keeps the same synthetic name and
document from ОГЭ to ЕГЭ, footers count the rows, and every appeal in the ground truth points at
exactly one protocol row with its original score.
"""
from __future__ import annotations

import json
import re

import pytest

from synthetic import generate_region
from tests.test_indicators_independent import _cells

YEARS = (2023, 2024, 2025)


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    base = tmp_path_factory.mktemp("rcoi_region")
    summary = generate_region(base / "inbox", base / "truth", seed=2025, scale="demo", years=YEARS)
    manifest = json.loads((base / "truth" / "files.json").read_text(encoding="utf-8"))
    truth = json.loads((base / "truth" / "truth.json").read_text(encoding="utf-8"))
    return {"inbox": base / "inbox", "truth_dir": base / "truth", "summary": summary, "files": manifest["files"],
            "truth": truth}


def _protocols(region, kind=None):
    return [f for f in region["files"] if f.get("layout") == "rcoi" and f["kind"] in ((kind,) if kind else
                                                                                     ("gia11", "gia9"))]


def _table(path):
    """(title text, header, participant rows, footer rows) of one protocol, sparse columns dropped."""
    rows = _cells(path)
    at = next(i for i, r in enumerate(rows) if "Фамилия" in r)
    keep = [j for j, h in enumerate(rows[at]) if h]
    title = " ".join(c for r in rows[:at] for c in r if c)
    pick = lambda r: [r[j] if j < len(r) else "" for j in keep]
    body = [pick(r) for r in rows[at + 1:] if r and r[0]]
    return title, pick(rows[at]), [r for r in body if r[0].isdigit()], [r for r in body if not r[0].isdigit()]


def _people(region, kind, year):
    out = {}
    for f in _protocols(region, kind):
        if f["year"] != year:
            continue
        _, h, data, _ = _table(region["inbox"] / f["file"])
        ix = {c: i for i, c in enumerate(h)}
        for r in data:
            doc = r[ix["Документ"]] if "Документ" in ix else r[ix["Серия"]] + r[ix["Номер"]]
            out.setdefault(re.sub(r"\D", "", doc), set()).add((r[ix["Фамилия"]], r[ix["Имя"]], r[ix["Отчество"]]))
    return out


def test_most_gia_comes_as_protocols_in_every_variant_of_the_contract(region):
    files = region["files"]
    protocols = _protocols(region)
    normalised = [f for f in files if f["kind"] in ("gia11", "gia9") and f.get("layout") != "rcoi"]
    assert len(normalised) == 2 * len(YEARS)  # the regional system's CSV of one municipality, per kind and year
    assert sum(f["rows"] for f in protocols) > 2 * sum(f["rows"] for f in normalised)
    variants = [f["variant"] for f in protocols]
    assert {v["format"] for v in variants} == {"xlsx", "csv-utf8", "csv-cp1251"}
    assert {v["sparse"] for v in variants} == {True, False} and {v["document"] for v in variants} == {True, False}
    assert {v["mo_column"] for v in variants} == {True, False} and any(v["title_col"] > 0 for v in variants)
    assert {v["result"] for v in variants} == {"Балл", "Тестовый балл", "Оценка"}
    titles = {f["file"]: _table(region["inbox"] / f["file"]) for f in protocols if f["year"] == YEARS[-1]}
    text = " || ".join(t for t, _, _, _ in titles.values())
    assert "25 - Информатика (КЕГЭ)" in text and "22 - Математика" in text and "(ГВЭ)" in text
    assert re.search(r"0[9] - Английский язык п:\d{4}\.\d\d\.\d\d; у:\d{4}\.\d\d\.\d\d", text)
    assert any("Устная часть" in h and "Первичный балл письм. части" in h for _, h, _, _ in titles.values())
    # municipal downloads of the main Russian sitting beside regional protocols
    assert any("_mo" in f for f in titles) and any("_mo" not in f for f in titles)
    for name, (_, header, data, footer) in titles.items():
        assert data, name
        count = [r for r in footer if r[0] == "Всего участников"]
        assert len(count) == 1 and [c for c in count[0] if c][-1] == str(len(data)), name


def test_a_pupil_keeps_the_same_synthetic_name_and_document_from_oge_to_ege(region):
    oge, ege = _people(region, "gia9", YEARS[0]), _people(region, "gia11", YEARS[-1])
    assert all(len(names) == 1 for names in [*oge.values(), *ege.values()])  # a document names one person
    both = oge.keys() & ege.keys()
    assert len(both) > 0.5 * len(ege)
    assert all(oge[d] == ege[d] for d in both)
    # the names are the generator's invented ones (patronymics of invented first names)
    surnames = {n[0] for names in ege.values() for n in names}
    assert all(re.fullmatch(r"[А-Я][а-я]+(ов|ова)", s) for s in surnames)


def test_every_appeal_of_the_truth_points_at_one_protocol_row_with_its_original_score(region):
    appeals = region["truth"]["appeals"]
    assert {a["outcome"] for a in appeals} == {"satisfied", "rejected", "recheck", "recheck_then_satisfied"}
    assert {a["exam"] for a in appeals} == {"gia11", "gia9"} and {a["year"] for a in appeals} == set(YEARS)
    rows = {}
    for f in _protocols(region):
        _, h, data, _ = _table(region["inbox"] / f["file"])
        ix = {c: i for i, c in enumerate(h)}
        result = next(c for c in ("Тестовый балл", "Балл", "Оценка") if c in ix)
        for r in data:
            doc = re.sub(r"\D", "", r[ix["Документ"]] if "Документ" in ix else r[ix["Серия"]] + r[ix["Номер"]])
            rows.setdefault((r[ix["Фамилия"]], doc, f["subject_code"], f["exam_date"]), []).append(int(r[ix[result]]))
    for a in appeals:
        assert rows.get((a["surname"], a["document"], a["subject_code"], a["exam_date"])) == [a["original"]], a
        last = a["rows"][-1]
        if a["outcome"] == "rejected":
            assert a["final"] == a["original"] and last["state"] == "Апелляция отклонена"
        else:
            assert a["final"] == last["score"]
    assert any(a["final"] != a["original"] for a in appeals)
    # the appeal protocols are in the inbox; what they change is only in the truth folder
    assert [f for f in region["files"] if f["kind"] == "gia_appeals"]
    assert not list(region["inbox"].rglob("truth.json"))
