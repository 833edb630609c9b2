"""`rsoko run` end to end on a generated region: contract outputs, reconciliation, rerun, exit codes."""
from __future__ import annotations

import hashlib

import duckdb
import pandas as pd

from tests.conftest import read_json, run_cli

DATA_HEADERS = {
    "indicators.csv": "year,indicator_code,level,entity_code,numerator,denominator,value",
    "index.csv": "year,level,entity_code,results_index,selfdetermination_index,overall_index",
    "objectivity_markers.csv": "year,school_code,work,marker_code,value,threshold,flagged",
    "objectivity_schools.csv": "year,school_code,markers_flagged,listed",
    "deficits.csv": "year,work,level,entity_code,task,skill_code,participants,completion_pct,level_of_task,deficit,priority",
    "ingestion_ledger.csv": "file,kind,sha256,year,rows_read,rows_loaded,rows_quarantined,status,message",
    "quarantine.csv": "file,row,column,value,reason",
}


def test_data_tables_have_the_contract_headers(demo_run):
    for name, header in DATA_HEADERS.items():
        first_line = (demo_run["data"] / name).read_text(encoding="utf-8").splitlines()[0]
        assert first_line == header, name


def test_every_file_reconciles_and_every_file_is_in_the_ledger(demo_run):
    ledger = pd.read_csv(demo_run["data"] / "ingestion_ledger.csv", dtype=str)
    assert (ledger["rows_read"].astype(int) == ledger["rows_loaded"].astype(int) + ledger["rows_quarantined"].astype(int)).all()
    inbox_files = {p.relative_to(demo_run["inbox"]).as_posix() for p in demo_run["inbox"].rglob("*") if p.is_file()}
    assert set(ledger["file"]) == inbox_files
    assert set(ledger["status"]) <= {"loaded", "partial"}  # a clean generated inbox


def test_indicators_cover_every_year_level_and_code(demo_run):
    ind = pd.read_csv(demo_run["data"] / "indicators.csv", dtype={"entity_code": str})
    assert set(ind["year"]) == set(demo_run["years"])
    assert set(ind["level"]) == {"region", "municipality", "school"}
    last = ind[ind["year"] == demo_run["year"]]
    codes = set(last["indicator_code"])
    expected = {f"R{i:02d}" for i in range(1, 18)} | {f"P{i:02d}" for i in range(1, 9)} | {"G01"}
    assert codes == expected
    shares = ind[~ind["indicator_code"].isin(["R01", "R02"])]
    assert shares["value"].between(0, 100).all()


def test_published_files_and_manifest(demo_run):
    public = demo_run["public"]
    for name in ("index.html", "report.pdf", "report.html", "report.docx", "annex.xlsx", "manifest.json"):
        assert (public / name).stat().st_size > 0, name
    con = duckdb.connect(str(demo_run["warehouse"]), read_only=True)
    mo_codes = [r[0] for r in con.execute("select mo_code from marts.dim_municipalities").fetchall()]
    con.close()
    for mo in mo_codes:
        assert (public / "mo" / f"{mo}.pdf").exists() and (public / "mo" / f"{mo}.html").exists()
    manifest = read_json(public / "manifest.json")
    assert manifest["year"] == demo_run["year"]
    listed = {f["path"] for f in manifest["files"]}
    on_disk = {p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file()} - {"manifest.json"}
    assert listed == on_disk
    for f in manifest["files"]:
        data = (public / f["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["bytes"]
    ledger = pd.read_csv(demo_run["data"] / "ingestion_ledger.csv", dtype=str)
    assert {i["sha256"] for i in manifest["inputs"]} == set(ledger.loc[ledger["kind"] != "unrecognised", "sha256"])


def test_unchanged_rerun_recomputes_nothing(demo_run):
    pdf = demo_run["public"] / "report.pdf"
    before = pdf.stat().st_mtime_ns
    proc = run_cli("run", "--data", str(demo_run["inbox"]), "--year", str(demo_run["year"]), "--out", str(demo_run["out"]))
    assert proc.returncode == 0, proc.stderr
    assert "не изменились" in proc.stdout
    assert pdf.stat().st_mtime_ns == before


def test_a_year_without_results_exits_non_zero_with_a_reason(demo_run, tmp_path):
    proc = run_cli("run", "--data", str(demo_run["inbox"]), "--year", "2001", "--out", str(tmp_path / "out"))
    assert proc.returncode != 0
    assert "2001" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
