"""Checks shared by the report tests: reading the published HTML tables back, cell by cell."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path


class TableCells(HTMLParser):
    """Collects (table key, column title, cell text) of every body cell of the report's data tables."""

    def __init__(self):
        super().__init__()
        self.cells: list[tuple[str, str, str]] = []
        self._key: str | None = None
        self._headers: list[str] = []
        self._thead = False
        self._in: str | None = None
        self._buf = ""
        self._col = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "data-key" in a:
            self._key, self._headers = a["data-key"], []
        elif tag == "thead":
            self._thead = True
        elif tag == "tr":
            self._col = 0
        elif tag in ("th", "td") and self._key:
            self._in, self._buf = tag, ""

    def handle_data(self, data):
        if self._in:
            self._buf += data

    def handle_endtag(self, tag):
        if tag == "table":
            self._key = None
        elif tag == "thead":
            self._thead = False
        elif tag in ("th", "td") and self._in:
            if self._thead:
                self._headers.append(self._buf.strip())
            elif tag == "td":
                header = self._headers[self._col] if self._col < len(self._headers) else ""
                self.cells.append((self._key, header, self._buf.strip()))
            self._col += 1
            self._in = None


class Links(HTMLParser):
    """Every href of a page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs)["href"])


def html_cells(path: Path) -> list[tuple[str, str, str]]:
    parser = TableCells()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    return parser.cells


def html_links(path_or_text) -> list[str]:
    parser = Links()
    text = path_or_text.read_text(encoding="utf-8") if isinstance(path_or_text, Path) else path_or_text
    parser.feed(text)
    return parser.links


def number(text: str) -> float | None:
    """A printed number back to float («12 345,6†» → 12345.6); None for «*», «—» and words."""
    t = text.replace("\u00a0", "").replace("\u2212", "-").replace(",", ".").rstrip("†")
    try:
        return float(t)
    except ValueError:
        return None


def participant_cells_below_five(public_dir: Path) -> tuple[int, list[str]]:
    """(cells checked, offending cells) over every «Участник…» column of every published HTML report."""
    pages = [public_dir / "report.html", *sorted((public_dir / "mo").glob("*.html"))]
    checked, bad = 0, []
    for page in pages:
        for key, header, text in html_cells(page):
            if header.startswith("Участник"):
                value = number(text)
                if value is not None:
                    checked += 1
                    if value < 5:
                        bad.append(f"{page.name} {key}: {header} = {text}")
    return checked, bad


def annex_participants_below_five(path: Path) -> list[str]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    bad = []
    for sheet in wb.worksheets[1:]:
        rows = sheet.iter_rows(values_only=True)
        head = next(rows, ())
        cols = [j for j, h in enumerate(head) if isinstance(h, str) and h.startswith("Участник")]
        for r in rows:
            for j in cols:
                if j < len(r) and isinstance(r[j], (int, float)) and r[j] < 5:
                    bad.append(f"{sheet.title}: {head[j]} = {r[j]}")
    return bad


def pdf_table_row(pages: list[str], code: str, next_code: str) -> str:
    """The text of a PDF table row, from its code to the next row's code.

    A long label wraps inside its cell, so the row's numbers need not share the label's first
    text line; the next row's code bounds the row instead.
    """
    text = next(page for page in pages if re.search(rf"^{code} ", page, re.M))
    return re.search(rf"^{code} .*?(?=^{next_code} )", text, re.M | re.S).group(0)
