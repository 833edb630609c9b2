"""What a reader sees in the published files (issue 12, item 5): the title pages from `report.toml`,
the DOCX's fields and styles, the annex's cell types and print setup, the publication page.

One real publication of the fixture warehouse with a title-page file (every test reads the files
it wrote); the expectations come from the TOML text written here and from the fixture's names,
never from the code under test.
"""
from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from reports.publication import publish
from reports.report_config import load as load_config
from reports_fixture import build_fixture_warehouse

YEAR = 2025
GENERATED = datetime(2025, 12, 1, 9, 0)
REGION = "Северо-Западный край"
INSTITUTE = "ГАУ ДПО «Институт развития образования Северо-Западного края»"
CITY = "г. Северозапад"
COMPILERS = ["Петрова А. С., руководитель центра", "Сидоров В. Н., аналитик"]
APPROVER = "Директор института"
APPROVER_NAME = "И. И. Иванов"
TOML = f'''# титульный лист
region = "{REGION}"
institute = "{INSTITUTE}"
city = "{CITY}"
compilers = ["{COMPILERS[0]}", "{COMPILERS[1]}"]

[approval]
position = "{APPROVER}"
name = "{APPROVER_NAME}"
'''


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("office")
    info = build_fixture_warehouse(root / "warehouse.duckdb", year=YEAR, n_mo=3, schools_per_mo=6)
    config = root / "report.toml"
    config.write_text(TOML, encoding="utf-8")
    result = publish(info.path, YEAR, root / "out" / str(YEAR), generated_at=GENERATED, config_path=config,
                     packs=False)
    return info, result


def _pdf_page(path: Path, n: int) -> str:
    from pypdf import PdfReader

    return " ".join(PdfReader(str(path)).pages[n].extract_text().split())


def _squash(text: str) -> str:
    return " ".join(text.split())


# --- 1. the title page from report.toml ------------------------------------------------------

def test_pdf_title_pages_name_who_publishes(published):
    info, result = published
    for rel in ["report.pdf", "effectiveness.pdf"] + [f"mo/{mo}.pdf" for mo in info.mo_codes]:
        first = _pdf_page(result.public_dir / rel, 0)
        for expected in (INSTITUTE, "УТВЕРЖДАЮ", APPROVER, APPROVER_NAME, "Составители:", *COMPILERS,
                         f"{CITY}, {YEAR}", REGION):
            assert expected in first, (rel, expected, first)
        assert "код субъекта" not in first, rel
        assert "Страница" not in first, rel        # no page number on the title page


def test_docx_and_html_title_pages_name_who_publishes(published):
    import docx

    _, result = published
    for name in ("report.docx", "effectiveness.docx"):
        d = docx.Document(str(result.public_dir / name))
        head = [p.text for p in d.paragraphs[:40]]
        for expected in (INSTITUTE, "УТВЕРЖДАЮ", APPROVER, f"____________ {APPROVER_NAME}", *COMPILERS,
                         f"{CITY}, {YEAR}", REGION):
            assert expected in head, (name, expected)
    html = (result.public_dir / "report.html").read_text(encoding="utf-8")
    title = html[html.index('<section class="title-page">'):html.index("</section>")]
    for expected in (INSTITUTE, "УТВЕРЖДАЮ", APPROVER_NAME, *COMPILERS, f"{CITY}, {YEAR}", REGION):
        assert expected in title, expected


def test_without_the_file_the_region_is_named_by_its_code_and_a_warning_says_so(tmp_path):
    config, warnings = load_config(tmp_path / "report.toml")
    assert config is None
    assert len(warnings) == 1 and "report.toml" in warnings[0] and "не найден" in warnings[0]


def test_a_bad_value_is_named_and_the_rest_is_kept(tmp_path):
    path = tmp_path / "report.toml"
    path.write_text('region = "Край"\ncity = 5\ncolour = "синий"\n', encoding="utf-8")
    config, warnings = load_config(path)
    assert config is not None and config.region == "Край" and config.city == ""
    assert any("«city»" in w and "report.toml" in w for w in warnings), warnings
    assert any("«colour»" in w for w in warnings), warnings
    path.write_text('region = "Край\n', encoding="utf-8")    # unterminated string
    config, warnings = load_config(path)
    assert config is None and "report.toml" in warnings[0] and "ошибка" in warnings[0]


# --- 2. the DOCX -----------------------------------------------------------------------------

def _docx_part(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


def test_docx_fields_refresh_on_opening_and_the_contents_do_not_list_themselves(published):
    import docx

    _, result = published
    path = result.public_dir / "report.docx"
    settings = _docx_part(path, "word/settings.xml")
    assert re.search(r'<w:updateFields w:val="(true|1)"/>', settings)
    d = docx.Document(str(path))
    contents = [p for p in d.paragraphs if p.text == "Содержание"]
    assert len(contents) == 1
    style = contents[0].style
    assert not style.name.startswith("Heading")
    assert style.element.find(".//" + docx.oxml.ns.qn("w:outlineLvl")) is None   # not an outline level: not in the TOC
    body = _docx_part(path, "word/document.xml")
    assert 'TOC \\o "1-2"' in body


def test_docx_is_russian_in_every_style(published):
    _, result = published
    styles = _docx_part(result.public_dir / "report.docx", "word/styles.xml")
    langs = re.findall(r"<w:lang ([^>]*)/>", styles)
    n_styles = styles.count("<w:style ")
    assert n_styles > 10 and len(langs) == n_styles + 1      # every style and the document defaults
    for attrs in langs:
        assert re.findall(r'w:(\w+)="([^"]+)"', attrs) == [("val", "ru-RU"), ("eastAsia", "ru-RU"), ("bidi", "ru-RU")]
    assert "en-US" not in styles


def test_docx_captions_are_caption_style_with_seq_fields(published):
    import docx

    _, result = published
    path = result.public_dir / "report.docx"
    d = docx.Document(str(path))
    captions = [p for p in d.paragraphs if re.match(r"(Таблица|Рисунок) \d+\. ", p.text)]
    tables = [p for p in captions if p.text.startswith("Таблица")]
    figures = [p for p in captions if p.text.startswith("Рисунок")]
    assert len(tables) == len(d.tables) and figures
    assert all(p.style.name == "Caption" for p in captions)
    body = _docx_part(path, "word/document.xml")
    assert body.count("SEQ Таблица \\* ARABIC") == len(tables)
    assert body.count("SEQ Рисунок \\* ARABIC") == len(figures)
    # numbered 1..N in reading order, as the PDF numbers them
    assert [int(re.match(r"Таблица (\d+)", p.text).group(1)) for p in tables] == list(range(1, len(tables) + 1))


def test_docx_title_page_has_no_page_number_and_other_pages_a_running_header(published):
    import docx

    _, result = published
    d = docx.Document(str(result.public_dir / "report.docx"))
    sec = d.sections[0]
    assert sec.different_first_page_header_footer
    assert all(not p.text.strip() for p in sec.first_page_footer.paragraphs)
    assert all(not p.text.strip() for p in sec.first_page_header.paragraphs)
    header = " ".join(p.text for p in sec.header.paragraphs)
    assert f"Аналитический отчёт за {YEAR} год" in header and REGION in header
    texts = [p._p.xml for p in sec.footer.paragraphs]
    assert any(" PAGE " in x and " NUMPAGES " in x for x in texts)


def test_docx_charts_are_at_print_resolution(published):
    import docx
    from PIL import Image
    import io

    _, result = published
    d = docx.Document(str(result.public_dir / "report.docx"))
    shapes = list(d.inline_shapes)
    assert shapes
    for shape in shapes:
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        image = d.part.related_parts[blip.embed].image
        width_in = shape.width / 914400                         # EMU per inch
        px = Image.open(io.BytesIO(image.blob)).size[0]
        assert px / width_in >= 200, (px, width_in)


# --- 3. the XLSX annex -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def annex(published):
    import openpyxl

    _, result = published
    return openpyxl.load_workbook(result.public_dir / "annex.xlsx")


def _sheet(wb, suffix: str):
    return next(ws for ws in wb.worksheets if ws.title.endswith(suffix))


def _header(ws) -> list:
    return [c.value for c in ws[1]]


def test_annex_stores_counts_years_and_dates_as_numbers_and_dates(published, annex):
    import duckdb

    info, _ = published
    con = duckdb.connect(str(info.path), read_only=True)
    try:
        ledger = {r[0]: r[1:] for r in con.execute(
            "select file, year, rows_loaded, cast(loaded_at as date) from meta.ingestion_ledger").fetchall()}
    finally:
        con.close()
    ws = _sheet(annex, "Файлы данных")
    head = _header(ws)
    col = {name: head.index(name) for name in ("Файл", "Год", "Строк загружено", "Дата загрузки")}
    seen = 0
    for row in ws.iter_rows(min_row=2, values_only=True):
        if row[col["Файл"]] not in ledger:
            continue
        year, rows_loaded, loaded = ledger[row[col["Файл"]]]
        assert row[col["Строк загружено"]] == rows_loaded and isinstance(row[col["Строк загружено"]], int)
        assert row[col["Год"]] == year                      # an int (or empty for the register), not "2025"
        assert isinstance(row[col["Дата загрузки"]], datetime) and row[col["Дата загрузки"]].date() == loaded
        seen += 1
    assert seen == len(ledger)


def test_annex_has_no_empty_string_cells_and_wraps_long_texts(annex):
    long_texts = 0
    for ws in annex.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.value != "", (ws.title, cell.coordinate)
                if isinstance(cell.value, str) and len(cell.value) > 50 and cell.row > 1 and \
                        ws.auto_filter.ref and cell.row <= ws.max_row and ws.title != "Содержание":
                    in_table = cell.row <= int(re.findall(r"\d+", ws.auto_filter.ref)[-1])
                    if in_table:
                        long_texts += 1
                        assert cell.alignment.wrap_text, (ws.title, cell.coordinate)
    assert long_texts > 0


def test_annex_region_total_is_outside_the_filtered_range(published, annex):
    info, _ = published
    checked = 0
    for ws in annex.worksheets[1:]:
        head = _header(ws)
        if head[0] != "Код МО" or ws.auto_filter.ref is None:
            continue
        last_filtered = int(re.findall(r"\d+", ws.auto_filter.ref)[-1])
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        region = [i + 2 for i, r in enumerate(rows) if "Регион" in r]
        mos = [i + 2 for i, r in enumerate(rows) if r[0] in info.mo_codes]
        if not region:
            continue
        assert mos and max(mos) <= last_filtered < min(region), ws.title
        checked += 1
    assert checked >= 2


def test_annex_print_setup_and_frozen_header(annex):
    for ws in annex.worksheets:
        assert ws.page_setup.paperSize in (9, "9")                 # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (1, None) and ws.page_setup.fitToHeight in (0, "0")
        if ws.title == "Содержание":
            assert ws.freeze_panes == "A5" and ws.print_title_rows == "$1:$4"
            continue
        assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1", ws.title
        n_cols = len([v for v in _header(ws) if v is not None])
        expected = "landscape" if n_cols > 6 else None
        if expected:
            assert ws.page_setup.orientation == "landscape", ws.title


def test_annex_suppressed_marks_stay_visible_and_a_note_says_they_are_text(annex):
    sheets = 0
    for ws in annex.worksheets[1:]:
        stars = [c for row in ws.iter_rows(min_row=2) for c in row if c.value == "*"]
        if not stars:
            continue
        sheets += 1
        notes = [c.value for row in ws.iter_rows(min_row=2) for c in row
                 if isinstance(c.value, str) and "текст, а не число" in c.value]
        assert notes, ws.title
    assert sheets > 0
    toc_notes = [c.value for row in annex["Содержание"].iter_rows(max_row=3) for c in row if c.value]
    assert any("текст, а не число" in str(v) for v in toc_notes)


# --- 4. the publication page and report.html -------------------------------------------------

def test_index_is_a_download_page_with_every_municipality(published):
    from reports_checks import html_links

    info, result = published
    html = result.index_path.read_text(encoding="utf-8")
    links = html_links(html)
    head = html[:html.index("<main>")]
    assert INSTITUTE in head and REGION in head and CITY in head and COMPILERS[0] in head
    for mo in info.mo_codes:
        assert f"mo/{mo}.pdf" in links and f"mo/{mo}.html" in links
        assert f'<option value="{mo}">' in html
    assert "annex.xlsx" in links and "effectiveness.pdf" in links and "report.pdf" in links
    # the hashes are folded: they come after the <details> opening, not in the visible part
    folded = html.index("<details>")
    assert not re.search(r"\b[0-9a-f]{64}\b", html[:folded])
    assert re.search(r"\b[0-9a-f]{64}\b", html[folded:])
    for href in links:
        assert (result.public_dir / href).is_file(), href


def test_index_legend_points_at_the_reports_reading_rules(published):
    """The legend's «Подробно — в региональном отчёте, раздел N» is the section that holds the
    rules in the report itself (it said «раздел 2» while the rules are in the introduction)."""
    _, result = published
    html = result.index_path.read_text(encoding="utf-8")
    section = re.search(r"Подробно — в региональном отчёте, раздел ([0-9.]+)\.", html).group(1)
    report = (result.public_dir / "report.html").read_text(encoding="utf-8")
    assert re.search(rf">\s*{re.escape(section)}\.?\s+Правила представления данных\s*<", report), section


def test_index_key_results_are_the_regions_values(published):
    import duckdb

    info, result = published
    html = result.index_path.read_text(encoding="utf-8")
    con = duckdb.connect(str(info.path), read_only=True)
    try:
        r01 = con.execute("select value from marts.fct_indicators where level = 'region' and year = ? "
                          "and indicator_code = 'R01'", [YEAR]).fetchone()[0]
        schools = con.execute("select count(*) from marts.dim_schools").fetchone()[0]
    finally:
        con.close()
    key = html[html.index('class="key-results"'):html.index("</ul>", html.index('class="key-results"'))]
    printed = f"{r01:.1f}".replace(".", ",")
    assert f'<span class="key-value">{printed}</span>' in key
    assert f'<span class="key-value">{schools}</span>' in key


def test_report_html_links_back_and_scrolls_its_tables_inside_their_own_box(published):
    from reports_checks import html_links

    info, result = published
    region = (result.public_dir / "report.html").read_text(encoding="utf-8")
    links = set(html_links(region))
    assert {"index.html", "annex.xlsx", "report.pdf"} <= links
    assert {f"mo/{mo}.html" for mo in info.mo_codes} <= links
    mo = info.mo_codes[0]
    municipal = (result.public_dir / "mo" / f"{mo}.html").read_text(encoding="utf-8")
    assert {"../index.html", "../annex.xlsx", "../report.html", f"{mo}.pdf"} <= set(html_links(municipal))
    for page, base in ((region, result.public_dir), (municipal, result.public_dir / "mo")):
        for href in html_links(page):
            if not href.startswith("#"):
                assert (base / href).is_file(), href
    css = region[region.index("<style>"):region.index("</style>")]
    assert re.search(r"\.table-wrap\s*\{[^}]*overflow-x:\s*auto", css)


def test_without_report_toml_the_title_page_names_the_region_by_its_code_and_the_run_warns(tmp_path):
    info = build_fixture_warehouse(tmp_path / "w.duckdb", n_mo=1, schools_per_mo=3)
    result = publish(info.path, YEAR, tmp_path / "out", generated_at=GENERATED, workers=0, packs=False,
                     config_path=tmp_path / "absent" / "report.toml")
    assert any("report.toml" in w and "не найден" in w for w in result.warnings), result.warnings
    first = _pdf_page(result.public_dir / "report.pdf", 0)
    assert "код субъекта Российской Федерации 86" in first and "УТВЕРЖДАЮ" not in first
    assert "Региональная система оценки качества образования" in first


def test_the_inbox_walk_passes_over_report_toml_and_editing_it_changes_the_fingerprint(tmp_path):
    from ingestion.ledger import walk_inbox
    from rsoko.pipeline import inputs_fingerprint

    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "report.toml").write_text(TOML, encoding="utf-8")
    (inbox / "sub" / "report.toml").write_text("x", encoding="utf-8")     # only the root's is the settings
    (inbox / "reestr.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    files, skipped = walk_inbox(inbox)
    assert sorted(rel for _, rel in files) == ["reestr.csv", "sub/report.toml"] and not skipped

    info = build_fixture_warehouse(tmp_path / "w.duckdb", n_mo=1, schools_per_mo=3)
    before = inputs_fingerprint(info.path, YEAR, inbox)
    assert inputs_fingerprint(info.path, YEAR, inbox) == before
    (inbox / "report.toml").write_text(TOML.replace(CITY, "г. Другой"), encoding="utf-8")
    assert inputs_fingerprint(info.path, YEAR, inbox) != before
