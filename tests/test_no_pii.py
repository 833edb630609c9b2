"""No name or document number of a participant anywhere after a full run (contract §10).

The demo region's ГИА comes mostly as РЦОИ protocols printing synthetic names and documents
(tests/pii.py reads them from the inbox files). After `rsoko run` not one of them may be found in
any text column of any table of the warehouse (every schema, via information_schema) nor in any
file under OUT (CSV, HTML, JSON, XLSX, DOCX text, PDF text).
"""
from __future__ import annotations

import duckdb
import pytest

from tests.pii import Needles, file_text, protocol_people, scan_files, scan_warehouse


@pytest.fixture(scope="module")
def needles(demo_run) -> Needles:
    names, docs = protocol_people(demo_run["inbox"])
    # hundreds of pupils sat ГИА; every appeal of the truth names one of them
    assert len(docs) > 500 and len(names) > 100
    return Needles(names, docs)


def test_the_search_finds_what_it_looks_for(demo_run, needles, tmp_path):
    """The scan is not blind: a protocol of the inbox itself is full of hits, folded or spaced."""
    protocol = next(p for p in sorted(demo_run["inbox"].rglob("protokol_*.csv")))
    assert needles.find(file_text(protocol))
    probe = tmp_path / "probe.csv"
    name, doc = needles.names[0], needles.docs[0]
    probe.write_text(f"x;{name.lower().capitalize()};{doc[:4]} {doc[4:]}\n", encoding="utf-8")
    assert len(scan_files(tmp_path, needles)[0][0][1]) == 2


def test_no_name_or_document_in_any_text_column_of_the_warehouse(demo_run, needles):
    with duckdb.connect(str(demo_run["warehouse"]), read_only=True) as con:
        assert con.execute("select count(*) from raw.gia11").fetchone()[0] > 1000
        schemas = {r[0] for r in con.execute("select distinct table_schema from information_schema.columns").fetchall()}
        assert {"raw", "meta", "staging", "intermediate", "marts", "reference"} <= schemas
        assert scan_warehouse(con, needles) == []


def test_no_name_or_document_in_any_file_of_the_publication(demo_run, needles):
    hits, read = scan_files(demo_run["out"], needles)
    assert hits == []
    for suffix in (".csv", ".html", ".xlsx", ".docx", ".pdf"):
        assert read.get(suffix, 0) >= 1, (suffix, read)
