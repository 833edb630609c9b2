"""The report on the real pipeline: a synthetic demo region → `rsoko.pipeline.run` (ingest, dbt, exports,
publication) → the published files checked against the warehouse the marts were built in.

Slow (dbt builds every model): marked `slow`. The fast fixture-based tests cover the same checks in
seconds; this one proves the renderer reads the real marts as the architecture document lists them.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from reports.formatting import fmt_number
from reports_checks import annex_participants_below_five, html_links, participant_cells_below_five, pdf_table_row

pytestmark = pytest.mark.slow

YEAR = 2025
SECTION_TITLES = ("1. Введение", "2. Общие сведения о показателях", "3. Анализ образовательных результатов",
                  "4. Выводы", "5. Рекомендации")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    from rsoko.pipeline import run
    from synthetic import generate_region

    base = tmp_path_factory.mktemp("pipeline")
    generate_region(base / "inbox", base / "truth", seed=2025, scale="demo")
    result = run(base / "inbox", YEAR, base / "out", base / "warehouse.duckdb", force=True)
    return base, result


def _query(warehouse: Path, sql: str):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_pipeline_publishes_every_contract_file(demo_run):
    base, result = demo_run
    public = result.year_dir / "public"
    mos = [r[0] for r in _query(base / "warehouse.duckdb", "select mo_code from marts.dim_municipalities order by 1")]
    expected = {"index.html", "manifest.json", "report.pdf", "report.html", "report.docx", "annex.xlsx",
                "effectiveness.pdf", "effectiveness.docx"}
    expected |= {f"mo/{mo}.{ext}" for mo in mos for ext in ("pdf", "html")}
    assert {p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file()} == expected
    manifest = json.loads((public / "manifest.json").read_text(encoding="utf-8"))
    assert {f["path"] for f in manifest["files"]} == expected - {"manifest.json"}
    ledger_files = {r[0] for r in _query(base / "warehouse.duckdb", "select file from meta.ingestion_ledger")}
    assert {i["file"] for i in manifest["inputs"]} == ledger_files
    for href in html_links(public / "index.html"):
        assert (public / href).is_file()


def test_pipeline_report_toc_sections_and_r01(demo_run):
    from pypdf import PdfReader

    base, result = demo_run
    public = result.year_dir / "public"
    pages = [p.extract_text() for p in PdfReader(str(public / "report.pdf")).pages]
    for title in SECTION_TITLES:
        m = re.search(re.escape(title) + r"\s*\.{3,}\s*(\d+)", pages[1])
        assert m and title in pages[int(m.group(1)) - 1]
    value = _query(base / "warehouse.duckdb", f"select value from marts.fct_indicators where year = {YEAR} "
                                              "and indicator_code = 'R01' and level = 'region'")[0][0]
    assert fmt_number(value) in pdf_table_row(pages, "R01", "R02")


def test_pipeline_no_public_cell_from_fewer_than_five(demo_run):
    _, result = demo_run
    public = result.year_dir / "public"
    checked, bad = participant_cells_below_five(public)
    assert checked > 50 and not bad, bad[:5]
    assert not annex_participants_below_five(public / "annex.xlsx")


def test_pipeline_listed_schools_are_explained(demo_run):
    """Every listed school is named; each of its flagged markers is explained in the report (for one
    work, with numbers) and every flagged work's explanation is in the annex."""
    import openpyxl
    from markupsafe import escape

    base, result = demo_run
    public = result.year_dir / "public"
    html = (public / "report.html").read_text(encoding="utf-8")
    flagged = _query(base / "warehouse.duckdb", f"select m.school_code, m.marker_code, m.explanation_ru "
                                                f"from marts.fct_objectivity_markers m join marts.mart_objectivity_schools s "
                                                f"using (year, school_code) where m.year = {YEAR} and s.listed = 1 and m.flagged = 1")
    by_pair: dict[tuple[str, str], list[str]] = {}
    for code, marker, explanation in flagged:
        assert f"({code})" in html
        by_pair.setdefault((code, marker), []).append(explanation or "")
    for (code, marker), explanations in by_pair.items():
        assert any(e and str(escape(e)) in html for e in explanations), (code, marker)
    wb = openpyxl.load_workbook(public / "annex.xlsx", read_only=True)
    sheet = next(wb[n] for n in wb.sheetnames if n.endswith("Признаки по работам"))
    annex = {(r[0], r[4], r[5]) for r in sheet.iter_rows(min_row=2, values_only=True)}
    for code, marker, explanation in flagged:
        if explanation:
            assert (code, marker, explanation) in annex
