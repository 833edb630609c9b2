"""The data annex `annex.xlsx`: one sheet per table of the report, numbers as numbers.

Sheets are written from the same `Table` objects as the report, so a suppressed cell is `*` here
too and a small-sample value keeps its «†» (as part of the number format, so the cell remains a
number). Each sheet: Russian headers, a frozen header row, an autofilter, widths fitted to the
content; the first sheet lists the sheets with the report's table titles and the legend.
"""
from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Sequence

import xlsxwriter

from reports import outline
from reports.document import Cell, Row, Table
from reports.suppression import SMALL_SAMPLE_MARK, legend as suppression_legend
from reports.worksheet import BLANK, DATE, NUMBER, STRING, Entry, RowWorksheet, close_workbook

SHEET_NAMES = outline.sheet_names()   # table key → sheet name, declared with the table in the outline
MAX_WIDTH = 50          # longer texts wrap (the cells' format) rather than widen the column
FORMATS = {"int": "# ##0", "dec1": "0.0", "dec2": "0.00", "signed": "+0.0;-0.0;0.0", "year": "0", "date": "dd.mm.yyyy"}
SUPPRESSED_TEXT_NOTE = ("Знак «*» — текст, а не число: значение скрыто по правилу подавления малых групп, поэтому "
                        "в формулах и сортировке такие ячейки не участвуют. Знак «†» входит в формат числа: "
                        "ячейка остаётся числом.")


def _sheet_name(t: Table, index: int, used: set[str]) -> str:
    base = f"{index:02d} {SHEET_NAMES.get(t.key, t.key)}"[:31]
    name, k = base, 2
    while name.lower() in used:
        suffix = f" ({k})"
        name = base[: 31 - len(suffix)] + suffix
        k += 1
    used.add(name.lower())
    return name


def _width(text: str) -> float:
    return _width_of_length(len(text))


def _width_of_length(length: int) -> float:
    return min(MAX_WIDTH, max(6.0, length * 1.1 + 2))


def _longest_texts(lines: list[list[Cell]], n_columns: int) -> list[int]:
    """Length of the longest text in each column (a column is as wide as its longest text)."""
    longest = [0] * n_columns
    for line in lines:
        for col, cell in enumerate(line):
            if len(cell.text) > longest[col]:
                longest[col] = len(cell.text)
    return longest


def _split_totals(t: Table) -> tuple[list[Row], list[Row]]:
    """(rows inside the autofilter, total rows below it). The region's row at the head or foot
    of an ungrouped table is a total: filtering or sorting the municipalities must not move or
    hide it, so it is written after the filtered range. Region rows inside groups (one per
    work) are data of their group and stay where they are."""
    rows = list(t.rows)
    if t.group_title or not rows:
        return rows, []
    head = 0
    while head < len(rows) and rows[head].emphasis:
        head += 1
    tail = len(rows)
    while tail > head and rows[tail - 1].emphasis:
        tail -= 1
    if head == len(rows):       # every row is emphasised: nothing to filter
        return rows, []
    return rows[head:tail], rows[:head] + rows[tail:]


def _text_lines(texts: Sequence[str], widths: Sequence[float]) -> int:
    """How many lines the tallest of a row's texts takes when wrapped in its column."""
    return max((math.ceil(len(x) * 1.1 / max(w - 2.0, 1.0)) for x, w in zip(texts, widths) if x), default=1)   # as _width


def _header_height(columns: list[str], widths: list[float]) -> float:
    """Points for the header row with its titles wrapped: not every spreadsheet program grows a
    row to fit wrapped text when the file is opened (LibreOffice does not)."""
    return 15 * max(1, _text_lines(columns, widths))


def _note(ws, row: int, text: str, widths: list[float], fmt) -> None:
    """A note under a table, wrapped across the table's columns: a long line left to overflow
    to the right would widen the printed area and shrink the fitted page to illegibility."""
    span = sum(widths)
    ws.set_row(row, 15 * max(1, math.ceil(len(text) * 1.05 / max(span, 1.0))))
    if len(widths) > 1:
        ws.merge_range(row, 0, row, len(widths) - 1, text, fmt)
    else:
        ws.write_string(row, 0, text, fmt)


def _is_wide(widths: list[float]) -> bool:
    """Landscape when the columns would not fit across a portrait A4 page at a readable size."""
    return len(widths) > 6 or sum(widths) > 110


def _print_setup(ws, widths: list[float], header_rows: int) -> None:
    """A4, landscape where wide, one page wide (as many long), header rows repeated on each page."""
    ws.set_paper(9)
    if _is_wide(widths):
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, header_rows - 1)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer("&C&8Страница &P из &N")


def write_annex(tables: Sequence[Table], target: Path, *, title: str, created: datetime | None = None,
                legend: str | None = None, contents_column: str = "Таблица отчёта") -> Path:
    """Write the annex workbook with one sheet per table (in report order).

    The school packs (reports.packs_xlsx) are written by the same function with their own
    `legend` (they are not suppressed) and `contents_column`.

    `created` (the publication's time) is stored as the document date, so the same data give
    the same file and the manifest's hash changes only when the data do.

    What a reader of a sheet gets: numbers, years and dates as numbers and dates (a «†» is part
    of the number format, so the cell stays a number); a suppressed «*» is text by design, and a
    note row under the table says so; long texts wrapped; no empty-string cells (an empty label
    is a blank cell); the region's total row outside the autofilter; a frozen header; print setup.
    """
    legend = suppression_legend() if legend is None else legend
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(target), {"strings_to_numbers": False, "strings_to_urls": False})
    props = {"title": title, "author": "РСОКО", "comments": legend}
    if created is not None:
        props["created"] = created.replace(tzinfo=None)
    wb.set_properties(props)
    header = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8EEF5", "border": 1})
    text = wb.add_format({"valign": "top", "text_wrap": True})
    text_bold = wb.add_format({"valign": "top", "text_wrap": True, "bold": True})
    centered = wb.add_format({"align": "center", "valign": "top", "font_color": "#666666"})
    nums = {k: wb.add_format({"num_format": v, "valign": "top"}) for k, v in FORMATS.items()}
    nums_small = {k: wb.add_format({"num_format": v.split(";")[0] + f'"{SMALL_SAMPLE_MARK}"', "valign": "top", "italic": True})
                  for k, v in FORMATS.items()}
    nums_bold = {k: wb.add_format({"num_format": v, "valign": "top", "bold": True}) for k, v in FORMATS.items()}
    title_fmt = wb.add_format({"bold": True, "font_size": 12})
    note_fmt = wb.add_format({"italic": True, "font_color": "#444444", "text_wrap": True, "valign": "top"})
    link = wb.add_format({"font_color": "blue", "underline": 1})

    toc = wb.add_worksheet("Содержание")
    toc.write(0, 0, title, title_fmt)
    _note(toc, 1, legend, [30, 110], note_fmt)
    if any(t.has_suppressed for t in tables):
        _note(toc, 2, SUPPRESSED_TEXT_NOTE, [30, 110], note_fmt)
    toc.write_row(3, 0, ["Лист", contents_column], header)
    toc.freeze_panes(4, 0)
    toc.set_column(0, 0, 30)
    toc.set_column(1, 1, 110, text)
    _print_setup(toc, [30, 110], 4)
    used = {"содержание"}

    def entry(cell: Cell, emphasis: bool) -> Entry:
        if cell.kind == "date" and cell.status == "ok" and isinstance(cell.value, date):
            return DATE, datetime(cell.value.year, cell.value.month, cell.value.day), \
                nums_bold["date"] if emphasis else nums["date"]
        if cell.kind in FORMATS and cell.status in ("ok", "small") and isinstance(cell.value, (int, float)):
            fmt = nums_small[cell.kind] if cell.status == "small" else (nums_bold[cell.kind] if emphasis else nums[cell.kind])
            return NUMBER, cell.value, fmt
        if cell.status == "suppressed":
            return STRING, cell.text, centered
        if (cell.kind in FORMATS and cell.status == "missing") or cell.text == "":
            return BLANK, None, text_bold if emphasis else text
        return STRING, cell.text, text_bold if emphasis else text

    for i, t in enumerate(tables, start=1):
        name = _sheet_name(t, i, used)
        toc.write_url(3 + i, 0, f"internal:'{name}'!A1", link, name)
        toc.write(3 + i, 1, f"Таблица {t.number}. {t.title}" if t.number else t.title)
        ws = wb.add_worksheet(name, worksheet_class=RowWorksheet)
        columns = ([t.group_title] if t.group_title else []) + list(t.columns)
        widths = [_width(c[:12]) for c in columns]     # a long title wraps in the header row
        ws.write_row(0, 0, columns, header)
        inside, totals = _split_totals(t)
        lines = [([Cell.of_text(row.group)] if t.group_title else []) + list(row.cells) for row in inside + totals]
        longest = _longest_texts(lines, len(columns))
        widths = [max(w, _width_of_length(n)) for w, n in zip(widths, longest)]
        # only a column whose longest text wraps can make a row taller (a pack has ~25 000 cells)
        wrapping = [col for col, n in enumerate(longest) if _text_lines(["x" * n], [widths[col]]) > 1]
        # a cell's entry kept by the cell's identity while `lines` holds every cell of the table
        # alive: the tables of a pack share one Cell per distinct value (reports.packs_cells)
        plain: dict[int, Entry] = {}
        emphasised: dict[int, Entry] = {}
        r = 1
        for row, line in zip(inside + totals, lines):
            memo = emphasised if row.emphasis else plain
            ws.put_row(r, [memo[id(cell)] if id(cell) in memo else memo.setdefault(id(cell), entry(cell, row.emphasis))
                           for cell in line])
            if wrapping:
                height = _text_lines([line[c].text for c in wrapping if c < len(line)],
                                     [widths[c] for c in wrapping if c < len(line)])
                if height > 1:      # wrapped: not every program grows the row itself (LibreOffice does not)
                    ws.set_row(r, 15 * height)
            r += 1
        for col, w in enumerate(widths):
            ws.set_column(col, col, w)
        ws.set_row(0, _header_height(columns, widths))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(inside), 1), len(columns) - 1)
        _print_setup(ws, widths, 1)
        notes = list(t.notes) + ([suppression_legend()] if t.needs_legend else []) + \
            ([SUPPRESSED_TEXT_NOTE] if t.has_suppressed else [])
        for k, n in enumerate(notes):
            _note(ws, r + 1 + k, n, widths, note_fmt)
    close_workbook(wb)
    return target
