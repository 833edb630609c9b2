"""The Typst PDF writer on small in-memory documents: text is never markup, long tables repeat
their header, the PDF is the same bytes for the same document."""
from __future__ import annotations

from pypdf import PdfReader

from reports.document import Cell, Document, Paragraph, Row, Section, Table
from reports.typst_writer import lit, write_pdf

HOSTILE = 'Школа #1 *«Лицей»* _№2_ $x$ @ref <b> [a] `code` \\ "кавычки" // не комментарий = 5 %'


def _doc(rows: int = 3) -> Document:
    table = Table(key="t", title="Длинная таблица", columns=["Код", "Название", "Доля, %"],
                  rows=[Row([Cell.of_text(f"{i:03d}"), Cell.of_text(f"ОО {i}"), Cell(f"{i},5", i + 0.5, "dec1")])
                        for i in range(rows)])
    intro = Section("1", "Введение", [Paragraph(HOSTILE), table])
    doc = Document(title="Аналитический отчёт", subtitle="Проверка", scope_name="регион", year=2025,
                   generated="10.12.2025", sections=[intro, Section("2", "Выводы", [Paragraph("Текст.")])])
    doc.number_figures()
    return doc


def _pages(path) -> list[str]:
    return [p.extract_text() for p in PdfReader(str(path)).pages]


def test_string_literal_escapes_quotes_and_backslashes():
    assert lit('a"b\\c') == '"a\\"b\\\\c"'
    assert lit("12 %") == '"12\u00a0%"'          # a number never breaks from its per cent sign


def test_markup_characters_reach_the_pdf_as_text(tmp_path):
    pages = _pages(write_pdf(_doc(), tmp_path / "r.pdf", "Отчёт · регион"))
    body = " ".join(" ".join(p.split()) for p in pages)
    for fragment in ("Школа #1 *«Лицей»* _№2_ $x$ @ref <b> [a] `code`", '"кавычки" // не комментарий'):
        assert fragment in body
    assert "Страница" not in pages[0] and f"Страница 2 из {len(pages)}" in pages[1]


def test_long_table_repeats_its_header_on_every_page(tmp_path):
    pages = _pages(write_pdf(_doc(rows=160), tmp_path / "r.pdf", "Отчёт · регион"))
    with_rows = [p for p in pages if "ОО 1" in p]
    assert len(with_rows) >= 2
    assert all("Название" in p for p in with_rows)
    assert "ОО 159" in pages[-2] or "ОО 159" in pages[-1]


def test_worse_cells_are_bold_red():
    from reports.typst_writer import _cell

    assert "#b00020" in _cell(Cell("4,2", 4.2, "dec1", mark="worse"), emphasis=False)
    assert "#b00020" not in _cell(Cell("4,2", 4.2, "dec1"), emphasis=False)


def test_same_document_gives_the_same_bytes(tmp_path):
    a = write_pdf(_doc(), tmp_path / "a.pdf", "Отчёт").read_bytes()
    b = write_pdf(_doc(), tmp_path / "b.pdf", "Отчёт").read_bytes()
    assert a == b


def test_releasing_the_memo_cache_changes_no_byte(tmp_path):
    """The compiler is kept per process and its cache aged out after large documents
    (release_memory): a PDF compiled after that is the one compiled before, and a failing
    compile leaves the next one working."""
    import pytest
    import typst

    from reports.typst_writer import _compile, release_memory

    before = write_pdf(_doc(80), tmp_path / "a.pdf", "Отчёт").read_bytes()
    release_memory()
    broken = tmp_path / "broken.typ"
    broken.write_text("#let x = (", encoding="utf-8")
    with pytest.raises(typst.TypstError):
        _compile(broken, tmp_path)
    after = write_pdf(_doc(80), tmp_path / "b.pdf", "Отчёт").read_bytes()
    assert before == after and len(_pages(tmp_path / "b.pdf")) > 1
