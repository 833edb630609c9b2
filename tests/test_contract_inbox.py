"""Contract conformance (issue #10): one `rsoko run` on an inbox written from the contract alone.

The inbox comes from tests/contract_inbox.py — a second implementation of the input contract that
shares nothing with `synthetic/` — and the expectations come from the same place: each file's kind
and row counts as the contract defines them, the rows it must quarantine, and the indicators
computed by hand from the rows written. One pipeline run for the whole module.
"""
from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests import contract_inbox as C
from tests.pii import Needles, scan_files, scan_warehouse

CYRILLIC = re.compile(r"[а-яА-ЯёЁ]")


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("contract_inbox")
    key = base / "key" / "pseudonym.key"          # outside the inbox, the warehouse and OUT
    inbox = C.build(base / "inbox", key)
    out = base / "out"
    env = {**os.environ, "RSOKO_KEY": str(key)}
    proc = subprocess.run([sys.executable, "-m", "rsoko.cli", "run", "--data", str(inbox.root), "--year", str(C.YEAR),
                           "--out", str(out)], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    data = out / str(C.YEAR) / "data"

    def table(name: str) -> list[dict]:
        with open(data / name, encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    return {"inbox": inbox, "out": out, "warehouse": out / "warehouse.duckdb", "table": table,
            "ledger": {r["file"]: r for r in table("ingestion_ledger.csv")}, "quarantine": table("quarantine.csv")}


def test_every_file_is_recognised_with_its_kind_and_loads_its_rows(run):
    ledger = run["ledger"]
    assert set(run["inbox"].files) | set(run["inbox"].bad) == set(ledger)
    wrong = []
    for name, fact in run["inbox"].files.items():
        row = ledger[name]
        got = (row["kind"], int(row["rows_read"]), int(row["rows_loaded"]), row["status"])
        if got != (fact.kind, fact.rows_read, fact.rows_loaded, fact.status):
            wrong.append((name, got, (fact.kind, fact.rows_read, fact.rows_loaded, fact.status), row["message"]))
        if fact.kind not in ("register", "vpr_forms") and row["year"] != str(C.YEAR):
            wrong.append((name, "year", row["year"]))
    assert wrong == []


def test_counts_reconcile_and_bad_files_are_ledger_lines_with_a_russian_reason(run):
    for name, row in run["ledger"].items():
        assert int(row["rows_read"]) == int(row["rows_loaded"]) + int(row["rows_quarantined"]), name
    for name in run["inbox"].bad:
        row = run["ledger"][name]
        assert row["status"] in ("error", "unrecognised") and int(row["rows_loaded"]) == 0, row
        assert CYRILLIC.search(row["message"]), row


def test_the_prescribed_rows_are_quarantined_by_row_and_column(run):
    by_file: dict[str, set[tuple[int, str]]] = {}
    for q in run["quarantine"]:
        if q["row"]:
            by_file.setdefault(q["file"], set()).add((int(q["row"]), q["column"]))
        assert CYRILLIC.search(q["reason"]), q
    for name, fact in run["inbox"].files.items():
        want = set(fact.quarantined)
        got = by_file.get(name, set())
        # every prescribed (row, column) is there; a row may carry a second reason, never another row
        if fact.status == "error":   # a rejected file: its quarantine names the offending cell
            assert want <= got and int(run["ledger"][name]["rows_quarantined"]) == fact.rows_read, name
            continue
        assert want <= got and {r for r, _ in got} == {r for r, _ in want}, (name, sorted(got), sorted(want))
        assert int(run["ledger"][name]["rows_quarantined"]) == len({r for r, _ in want}), name


def test_ledger_messages_say_what_the_contract_asks(run):
    ledger = run["ledger"]
    for name, fact in run["inbox"].files.items():
        for piece in fact.message_has:
            assert piece in ledger[name]["message"], (name, piece, ledger[name]["message"])
    # an `edu` login matched under the register's `sch` prefix is named
    assert "edu590101" in ledger["vpr/2025/region/ma4_individ.xlsx"]["message"]
    # the footer of the profile mathematics protocol announces 5 participants, 4 rows are present
    assert "Всего участников" in ledger["gia/2025/ЕГЭ/математика профиль.xlsx"]["message"]
    # each appeal file says how many results it changed
    assert "1" in ledger["gia/2025/apell/pereproverka.csv"]["message"]


def test_indicators_equal_the_hand_computed_ones(run):
    got = {(r["indicator_code"], r["level"], r["entity_code"]): (float(r["numerator"]), float(r["denominator"]))
           for r in run["table"]("indicators.csv") if r["year"] == str(C.YEAR)}
    expected = C.expected_indicators()
    assert len(expected) > 60
    wrong = {k: (v, got.get(k)) for k, v in expected.items() if got.get(k) is None
             or abs(got[k][0] - v[0]) > 1e-9 or abs(got[k][1] - v[1]) > 1e-9}
    assert wrong == {}


def test_appeals_replace_the_result_and_the_raw_layer_keeps_the_original(run):
    e3 = run["inbox"].pid("E3")
    with duckdb.connect(str(run["warehouse"]), read_only=True) as con:
        raw = set(con.execute("select subject_code, test_score from raw.gia11 where participant_id = ?",
                              [e3]).fetchall())
    # the protocol and the normalised export both print 62 for Russian; the re-check list changes 22
    assert raw == {(1, 62), (2, 22)}
    # R01 of 590002 = mean of E3 after the appeal (66) and E4 (20)
    r01 = {(r["level"], r["entity_code"]): float(r["value"]) for r in run["table"]("indicators.csv")
           if r["indicator_code"] == "R01" and r["year"] == str(C.YEAR)}
    assert r01[("school", "590002")] == pytest.approx((66 + 20) / 2)


def test_the_gia_plan_gives_the_levels_and_its_risk_rule(run):
    """Methodology «ГИА tasks and risk zones»: with the «План ГИА», each task of ЕГЭ Русский язык carries
    the level written for it, and is in the risk zone of a group when that group's completion is below
    50 % (Б) or 15 % (П, В); the subjects the plan does not cover keep the no-plan rule."""
    rows = [r for r in run["table"]("gia_tasks.csv") if r["exam"] == "gia11" and r["gia_form"] == "ЕГЭ"]
    rus = [r for r in rows if r["subject_code"] == "1"]
    assert {r["task"] for r in rus} == set(C.GIA_PLAN_KEYS)
    for r in rus:
        assert (r["task_level"], r["risk_rule"]) == (C.GIA_PLAN_KEYS[r["task"]], "plan"), r
        limit = 50.0 if r["task_level"] == "Б" else 15.0
        assert int(r["risk_zone"]) == int(float(r["completion_pct"]) < limit), r
    others = [r for r in rows if r["subject_code"] != "1"]
    assert others and all(r["risk_rule"] == "no_plan" and r["task_level"] == "" for r in others)


def test_ids_are_the_contract_hmac_and_link_to_admissions(run):
    with duckdb.connect(str(run["warehouse"]), read_only=True) as con:
        ids = {r[0] for r in con.execute("select participant_id from raw.gia11 union select participant_id from raw.gia9").fetchall()}
        cats = dict(con.execute("select participant_id, any_value(category) from raw.gia11 group by 1").fetchall())
    assert {run["inbox"].pid(k) for k in C.PEOPLE} == ids
    assert cats[run["inbox"].pid("E7")] == "ВПЛ/СПО" and cats[run["inbox"].pid("E1")] == "ВТГ"
    g01 = {r["entity_code"]: r for r in run["table"]("indicators.csv") if r["indicator_code"] == "G01"
           and r["level"] == "region"}
    # admitted: E1 09 технологический ✓, E2 45 гуманитарный ✓, E3 38 технологический ✗, E6 31 естественно-научный ✓
    assert (float(g01[C.REGION]["numerator"]), float(g01[C.REGION]["denominator"])) == (3.0, 4.0)


def test_crosscheck_flags_exactly_the_groups_whose_rows_disagree(run):
    rows = run["table"]("vpr_crosscheck.csv")
    full = C.math4_marks_full()
    computed = {s: len([p for p in C.MATH4_PUPILS if p.school == s]) for s in full}
    flagged = {(r["level"], r["entity_code"]) for r in rows if r["agrees"] == "0"}
    # the download lost two of 590002's pupils: that school, its municipality and the region disagree
    assert flagged == {("school", "590002"), ("municipality", "01"), ("region", C.REGION)}
    by = {(r["level"], r["entity_code"]): r for r in rows}
    for s in full:
        assert (int(by[("school", s)]["delivered_participants"]), int(by[("school", s)]["computed_participants"])) \
            == (len(full[s]), computed[s])
    bench = [r for r in run["table"]("vpr_benchmark.csv") if r["group"] == "russia"]
    assert [(r["participants"], r["mark5"]) for r in bench] == [("1402113", "20.84")]


def test_no_name_or_document_in_the_warehouse_or_the_publication(run, tmp_path):
    inbox = run["inbox"]
    needles = Needles(inbox.names, inbox.docs)
    protocol = run["inbox"].root / "gia/2025/protokol_rus.csv"
    assert needles.find(protocol.read_bytes().decode("cp1251"))       # the search is not blind
    with duckdb.connect(str(run["warehouse"]), read_only=True) as con:
        assert scan_warehouse(con, needles) == []
    hits, read = scan_files(run["out"], needles)
    assert hits == []
    assert read.get(".csv", 0) >= 5 and read.get(".pdf", 0) >= 1


def test_an_inbox_with_nothing_recognised_says_so_and_still_writes_the_ledger(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "x").mkdir(parents=True)
    (inbox / "x" / "zametki.txt").write_text("Список дел на неделю\nпозвонить в школу\n", encoding="utf-8")
    (inbox / "pusto.csv").write_bytes(b"")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "rsoko.cli", "run", "--data", str(inbox), "--year", str(C.YEAR),
                           "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 2
    line = proc.stderr.strip()
    assert "\n" not in line and CYRILLIC.search(line) and "zametki.txt" in line, proc.stderr
    data = out / str(C.YEAR) / "data"
    with open(data / "ingestion_ledger.csv", encoding="utf-8") as f:
        ledger = {r["file"]: r for r in csv.DictReader(f)}
    assert set(ledger) == {"x/zametki.txt", "pusto.csv"}
    assert ledger["x/zametki.txt"]["status"] == "unrecognised"
    assert (data / "quarantine.csv").exists()
