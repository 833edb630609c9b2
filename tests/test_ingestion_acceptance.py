"""Acceptance: a generated demo region made messy by `synthetic.inject_defects`, loaded for real.

Every planted defect (truth/defects.json: file, row, column, expect) must be found in the ledger
and quarantine; every file must carry the status the generator expects and reconcile; and no
row the generator did not spoil may be quarantined (nothing lost, nothing falsely accused).
"""
from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    synthetic = pytest.importorskip("synthetic")
    from ingestion import export_ledger, load_inbox

    base = tmp_path_factory.mktemp("messy_region")
    synthetic.generate_region(base / "inbox", base / "truth", seed=2025, scale="demo")
    synthetic.inject_defects(base / "inbox", base / "truth")
    truth = json.loads((base / "truth" / "defects.json").read_text(encoding="utf-8"))
    con = duckdb.connect(str(base / "warehouse.duckdb"))
    report = load_inbox(con, base / "inbox")
    export_ledger(con, base / "out")
    ledger = pd.read_csv(base / "out" / "ingestion_ledger.csv", dtype=str, keep_default_na=False)
    quarantine = pd.read_csv(base / "out" / "quarantine.csv", dtype=str, keep_default_na=False)
    yield {"base": base, "truth": truth, "con": con, "report": report, "ledger": ledger, "quarantine": quarantine}
    con.close()


def test_every_file_is_in_the_ledger_and_reconciles(messy):
    ledger = messy["ledger"]
    on_disk = {p.relative_to(messy["base"] / "inbox").as_posix() for p in (messy["base"] / "inbox").rglob("*") if p.is_file()}
    assert set(ledger["file"]) == on_disk
    read, loaded, quarantined = (ledger[c].astype(int) for c in ("rows_read", "rows_loaded", "rows_quarantined"))
    assert (read == loaded + quarantined).all()
    assert (ledger["message"].str.len() > 0).all()


def test_every_file_has_the_expected_kind_and_status(messy):
    ledger = messy["ledger"].set_index("file")
    wrong = []
    for f in messy["truth"]["files"]:
        got = ledger.loc[f["file"]]
        if (got["kind"], got["status"]) != (f["kind"], f["expect_status"]):
            wrong.append((f["file"], f["kind"], f["expect_status"], got["kind"], got["status"], got["message"][:200]))
    assert wrong == []


def test_every_planted_defect_is_reported(messy):
    ledger = messy["ledger"].set_index("file")
    q = messy["quarantine"]
    missing = []
    for d in messy["truth"]["defects"]:
        entry = ledger.loc[d["file"]]
        expect = d["expect"]
        if expect == "quarantine":
            rows = q[(q["file"] == d["file"]) & (q["row"] == str(d["row"]))]
            if d["column"] is not None:
                rows = rows[rows["column"] == d["column"]]
            ok = not rows.empty and entry["status"] == "partial"
        elif expect == "file_error":
            ok = entry["status"] == "error" and (d["column"] is None or d["column"] in entry["message"])
        elif expect == "loaded":
            ok = entry["status"] in ("loaded", "partial")
        else:  # duplicate, unrecognised, superseded
            ok = entry["status"] == expect
        if not ok:
            missing.append(d)
    assert missing == []


def test_nothing_but_planted_defects_is_quarantined(messy):
    """On generated data every quarantined row is a planted one (or a row of a rejected/replaced file)."""
    planted = {(d["file"], str(d["row"])) for d in messy["truth"]["defects"] if d["expect"] == "quarantine"}
    whole_file = {d["file"] for d in messy["truth"]["defects"] if d["expect"] in ("file_error", "superseded")}
    q = messy["quarantine"]
    stray = q[~q["file"].isin(whole_file) & ~q.apply(lambda r: (r["file"], r["row"]) in planted, axis=1)]
    assert stray.empty, stray.head(20).to_dict("records")


def test_extra_column_is_kept_in_raw(messy):
    d = next(d for d in messy["truth"]["defects"] if d["kind"] == "extra_column")
    con = messy["con"]
    n = con.execute("select count(*) from raw.vpr_plan where _source_file = ? and _extra->>? is not null",
                    [d["file"], d["column"]]).fetchone()[0]
    assert n > 0


def test_reloading_the_same_inbox_changes_nothing(messy):
    from ingestion import load_inbox

    con = messy["con"]
    before = con.execute("select count(*) from meta.quarantine").fetchone()[0]
    report = load_inbox(con, messy["base"] / "inbox")
    assert report.files == [] and con.execute("select count(*) from meta.quarantine").fetchone()[0] == before


def test_a_protocol_with_a_name_in_a_cell_repeats_no_name_anywhere(messy):
    """The planted surname in a «Первичный балл» cell quarantines its row by column, and neither
    the ledger, the quarantine nor any warehouse column repeats a name or document of a protocol."""
    from tests.pii import Needles, protocol_people, scan_warehouse

    planted = [d for d in messy["truth"]["defects"] if d["kind"] == "name_in_score_cell"]
    assert len(planted) == 1
    q = messy["quarantine"]
    row = q[(q["file"] == planted[0]["file"]) & (q["row"] == str(planted[0]["row"]))]
    assert list(row["column"]) == ["Первичный балл"]
    needles = Needles(*protocol_people(messy["base"] / "inbox"))
    exported = " ".join(messy["ledger"].astype(str).to_numpy().ravel()) + " " + \
        " ".join(q.astype(str).to_numpy().ravel())
    assert needles.find(exported) == []
    assert scan_warehouse(messy["con"], needles) == []
