"""Publishing a year on the fixture warehouse: files, manifest, PDF text, suppression, annex, DOCX, deadline.

One publication per module (it takes a few seconds); every test reads what it wrote.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from reports.deadline import deadline_status
from reports.formatting import fmt_number
from reports.publication import publish
from reports_checks import (annex_participants_below_five, html_cells, html_links, participant_cells_below_five,
                            pdf_table_row)
from reports_fixture import build_fixture_warehouse

YEAR = 2025
SECTION_TITLES = ("1. Введение", "2. Общие сведения о показателях", "3. Анализ образовательных результатов",
                  "4. Выводы", "5. Рекомендации")
GENERATED = datetime(2025, 12, 1, 9, 0)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    info = build_fixture_warehouse(root / "warehouse.duckdb", year=YEAR, n_mo=3, schools_per_mo=6)
    result = publish(info.path, YEAR, root / "out" / str(YEAR), generated_at=GENERATED)
    return info, result


@pytest.fixture(scope="module")
def pdf_text(published):
    from pypdf import PdfReader

    _, result = published
    reader = PdfReader(str(result.public_dir / "report.pdf"))
    return [p.extract_text() for p in reader.pages]


def _warehouse_value(info, sql: str):
    con = duckdb.connect(str(info.path), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


# --- files and manifest ----------------------------------------------------------------------

def test_every_contract_file_is_published(published):
    info, result = published
    rel = {p.relative_to(result.public_dir).as_posix() for p in result.files}
    expected = {"index.html", "manifest.json", "report.pdf", "report.html", "report.docx", "annex.xlsx",
                "effectiveness.pdf", "effectiveness.docx"}
    expected |= {f"mo/{mo}.{ext}" for mo in info.mo_codes for ext in ("pdf", "html")}
    assert rel == expected
    assert not list(result.public_dir.parent.glob(".public*")), "staging folder left behind"


def test_manifest_lists_every_file_but_itself_with_hashes(published):
    _, result = published
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    assert manifest["year"] == YEAR
    assert manifest["generated_at"].startswith("2025-12-01T09:00")
    assert manifest["software_version"]
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {p.relative_to(result.public_dir).as_posix() for p in result.files} - {"manifest.json"}
    assert set(listed) == on_disk
    for path, entry in listed.items():
        data = (result.public_dir / path).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
    assert manifest["inputs"] and {"file", "kind", "sha256", "rows"} <= set(manifest["inputs"][0])


def test_inputs_given_by_the_caller_go_to_the_manifest(tmp_path):
    info = build_fixture_warehouse(tmp_path / "w.duckdb", n_mo=1, schools_per_mo=3)
    inputs = [{"file": "vpr/x.xlsx", "kind": "vpr", "sha256": "ab" * 32, "rows": 10}]
    result = publish(info.path, YEAR, tmp_path / "out", inputs=inputs, generated_at=GENERATED, workers=0)
    assert json.loads(result.manifest_path.read_text())["inputs"] == inputs


def test_same_data_give_byte_identical_files(tmp_path):
    info = build_fixture_warehouse(tmp_path / "w.duckdb", n_mo=1, schools_per_mo=3)
    digests = []
    for run in ("a", "b"):
        result = publish(info.path, YEAR, tmp_path / run, generated_at=GENERATED, workers=0)
        digests.append({p.relative_to(result.public_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                        for p in result.files})
    assert digests[0] == digests[1]


def test_republishing_replaces_the_public_folder(tmp_path):
    info = build_fixture_warehouse(tmp_path / "w.duckdb", n_mo=1, schools_per_mo=3)
    stale = tmp_path / "out" / "public" / "mo" / "99.pdf"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    result = publish(info.path, YEAR, tmp_path / "out", generated_at=GENERATED, workers=0)
    assert not stale.exists() and (result.public_dir / "report.pdf").is_file()


# --- the PDF -------------------------------------------------------------------------------------

def test_pdf_has_title_toc_with_page_numbers_and_the_five_sections(pdf_text):
    assert "Аналитический отчёт" in pdf_text[0]
    toc = pdf_text[1]
    assert "Содержание" in toc
    for title in SECTION_TITLES:
        m = re.search(re.escape(title) + r"\s*\.{3,}\s*(\d+)", toc)
        assert m, f"no TOC entry with a page number for {title}"
        page = int(m.group(1))
        assert title in pdf_text[page - 1], f"{title} is not on page {page}"
    assert re.search(r"3\.3\. Всероссийские проверочные работы\s*\.{3,}\s*\d+", toc)


def test_pdf_running_headers_and_page_numbers(pdf_text):
    n = len(pdf_text)
    assert f"Страница 3 из {n}" in pdf_text[2]
    assert "1. Введение" in pdf_text[2]                       # the chapter in the running header
    assert "Страница" not in pdf_text[0]                      # no header or footer on the title page


def test_pdf_embeds_its_fonts(published):
    from pypdf import PdfReader

    _, result = published
    reader = PdfReader(str(result.public_dir / "report.pdf"))
    fonts = set()
    for page in reader.pages[:4]:
        res = page["/Resources"].get("/Font", {})
        for f in res.values():
            f = f.get_object()
            desc = f.get("/FontDescriptor") or f["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            desc = desc.get_object()
            assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), f"{f['/BaseFont']} not embedded"
            fonts.add(str(f["/BaseFont"]))
    assert any("DejaVu" in f for f in fonts)


def test_r01_region_value_printed_as_in_the_warehouse(published, pdf_text):
    info, result = published
    value = _warehouse_value(info, f"select value from marts.fct_indicators where year = {YEAR} and "
                                   f"indicator_code = 'R01' and level = 'region'")
    printed = fmt_number(value)
    row = pdf_table_row(pdf_text, "R01", "R02")
    assert printed in row
    html = (result.public_dir / "report.html").read_text(encoding="utf-8")
    assert re.search(r"<td class=\"text\">R01</td>.*?<td class=\"dec1\">" + re.escape(printed) + "</td>", html, re.S)


# --- suppression at the edge ---------------------------------------------------------------------

def _html_cells(path: Path):
    return html_cells(path)


def test_no_participant_count_below_five_in_any_html_table(published):
    _, result = published
    checked, bad = participant_cells_below_five(result.public_dir)
    assert checked > 50 and not bad, bad[:5]


def test_tiny_school_values_are_hidden_and_small_school_flagged(published):
    info, result = published
    cells = _html_cells(result.public_dir / "mo" / f"{info.mo_codes[0]}.html")
    grid = [c for c in cells if c[0] == "school_cluster_grid"]
    # rows are flattened: the cell after the school's label belongs to it
    flat = [t for _, _, t in grid]
    tiny = flat.index(next(t for t in flat if t.endswith(f"({info.tiny_school})")))
    small = flat.index(next(t for t in flat if t.endswith(f"({info.small_school})")))
    n_cols = len({h for _, h, _ in grid})
    assert all(t in ("*", "—") for t in flat[tiny + 1: tiny + n_cols]), flat[tiny: tiny + n_cols]
    assert any(t.endswith("†") for t in flat[small + 1: small + n_cols])
    # the tiny school's true value must not leak anywhere in the municipal report
    value = _warehouse_value(info, f"select school_value from marts.mart_school_vs_cluster where year = {YEAR} "
                                   f"and school_code = '{info.tiny_school}' and indicator_code = 'R08'")
    assert fmt_number(value) not in flat[tiny: tiny + n_cols]


def test_annex_sheets_numbers_and_suppression(published):
    import openpyxl

    info, result = published
    wb = openpyxl.load_workbook(result.public_dir / "annex.xlsx")
    assert wb.sheetnames[0] == "Содержание"
    assert len(wb.sheetnames) > 20
    ind = next(wb[n] for n in wb.sheetnames if n.endswith("Показатели"))
    assert ind.freeze_panes == "A2"
    assert ind.auto_filter.ref and ind.auto_filter.ref.startswith("A1")
    header = [c.value for c in ind[1]]
    assert header[:3] == ["Направление", "Код", "Показатель"]
    r01 = next(row for row in ind.iter_rows(min_row=2, values_only=True) if row[1] == "R01")
    value = _warehouse_value(info, f"select value from marts.fct_indicators where year = {YEAR} and "
                                   f"indicator_code = 'R01' and level = 'region'")
    assert isinstance(r01[header.index(str(YEAR))], float)
    assert r01[header.index(str(YEAR))] == pytest.approx(round(value, 1))
    assert ind.column_dimensions["C"].width > 30

    svc = next(wb[n] for n in wb.sheetnames if n.endswith("ОО и кластеры"))
    head = [c.value for c in svc[1]]
    rows = [r for r in svc.iter_rows(min_row=2, values_only=True) if r[0] == info.tiny_school]
    assert rows and all(r[head.index("Значение ОО")] == "*" for r in rows)
    assert not annex_participants_below_five(result.public_dir / "annex.xlsx")


def test_docx_has_the_same_sections_and_tables(published):
    import docx

    info, result = published
    d = docx.Document(str(result.public_dir / "report.docx"))
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading 1")]
    for title in SECTION_TITLES:
        assert title in headings
    assert len(d.tables) > 20
    value = _warehouse_value(info, f"select value from marts.fct_indicators where year = {YEAR} and "
                                   f"indicator_code = 'R01' and level = 'region'")
    r01 = next(row for t in d.tables for row in t.rows if row.cells[0].text == "R01")
    assert fmt_number(value) in [c.text for c in r01.cells]
    assert len(d.inline_shapes) >= 5        # charts as pictures


def test_municipal_reports_have_the_same_outline(published):
    from pypdf import PdfReader

    info, result = published
    mo = info.mo_codes[1]
    text = "\n".join(p.extract_text() for p in PdfReader(str(result.public_dir / "mo" / f"{mo}.pdf")).pages)
    for title in SECTION_TITLES:
        assert title in text
    assert "Муниципальное образование" in text
    assert "Ключевые показатели ОО и их кластеров" in text


def test_municipal_reports_rendered_from_their_slice_equal_those_from_all_rows(published):
    """The workers get only their municipality's rows (ReportData.for_schools): nothing a
    municipal report shows may depend on the rows left out."""
    from reports.build import build_document
    from reports.context import Context
    from reports.data import load
    from reports.render import municipal_links, render_html

    info, result = published
    ctx = Context(load(info.path, YEAR))
    for mo in info.mo_codes:
        full = render_html(build_document(ctx, ctx.municipality(mo), generated_at=GENERATED), links=municipal_links(mo))
        assert (result.public_dir / "mo" / f"{mo}.html").read_text(encoding="utf-8") == full
        sliced = ctx.data.for_schools(ctx.municipality(mo).school_codes)
        assert len(sliced["fct_deficits"]) < len(ctx.data["fct_deficits"])


def test_schools_are_never_ranked(published):
    _, result = published
    for page in [result.public_dir / "report.html", *(result.public_dir / "mo").glob("*.html")]:
        html = page.read_text(encoding="utf-8").lower()
        assert "рейтинг оо" not in html.replace("рейтинги оо не составляются", "")
        assert "место" not in {h.lower() for _, h, _ in _html_cells(page)}


# --- index.html --------------------------------------------------------------------------------

def test_index_links_resolve_and_show_hashes(published):
    _, result = published
    html = result.index_path.read_text(encoding="utf-8")
    links = html_links(html)
    assert "manifest.json" in links
    for href in links:
        assert (result.public_dir / href).is_file(), href
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    listed = {f["path"] for f in manifest["files"]} - {"index.html"}
    assert set(links) - {"manifest.json"} == listed
    for f in manifest["files"]:
        if f["path"] != "index.html":
            assert f["sha256"] in html


# --- deadline ----------------------------------------------------------------------------------

def test_deadline_red_on_15_december_without_a_report(tmp_path):
    ok, message = deadline_status(tmp_path, 2025, date(2025, 12, 14))
    assert ok and "осталось дней: 1" in message
    ok, message = deadline_status(tmp_path, 2025, date(2025, 12, 15))
    assert not ok and "не опубликован" in message and "15 декабря 2025 г." in message
    ok, message = deadline_status(tmp_path, 2025, date(2026, 1, 10))
    assert not ok and "дней после срока: 26" in message


def test_deadline_green_with_a_published_report(published):
    _, result = published
    out_root = result.public_dir.parent.parent
    ok, message = deadline_status(out_root, YEAR, date(YEAR, 12, 15))
    assert ok and "опубликован" in message
    ok, _ = deadline_status(out_root, YEAR + 1, date(YEAR + 1, 12, 16))
    assert not ok


# --- headless Chromium ---------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")


def _chromium(tmp_path: Path, *args: str) -> str:
    import subprocess

    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'chromium-profile'}", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_chromium_opens_the_publication_page_and_the_report(published, tmp_path):
    _, result = published
    dom = _chromium(tmp_path, "--dump-dom", result.index_path.as_uri())
    links = html_links(dom)
    assert links and "manifest.json" in links
    for href in links:
        assert (result.public_dir / href).is_file(), href
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    rows = re.findall(r"<tr><td><a href=", dom)
    assert len(rows) == len(manifest["files"]) - 1          # every file but index.html itself

    report_dom = _chromium(tmp_path, "--dump-dom", (result.public_dir / "report.html").as_uri())
    for title in SECTION_TITLES:
        assert title in report_dom
    assert report_dom.count("<table class=\"data") > 20
    assert report_dom.count("<svg") >= 10                    # charts inline

    shot = tmp_path / "report.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,1600", (result.public_dir / "report.html").as_uri())
    assert shot.stat().st_size > 20_000
