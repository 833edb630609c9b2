"""xlsxwriter's worksheet with a row-at-a-time path: the same file, a fraction of the per-cell work.

Why it exists: the school packs are most of a large region's publication (3 250 workbooks of
~24 000 cells each), and xlsxwriter's public `write_*` calls cost several microseconds per cell —
argument decoding, a bounds check and a tuple per cell, then on closing an attribute list, two
escapes and a `write` per cell. `put_row` stores a whole row with one bounds check, and the rows
are serialised one string per row. What is stored is xlsxwriter's own cell tuples and shared
strings, so the rest of xlsxwriter (widths, filters, print setup, the package) is unchanged.

The bytes are xlsxwriter's: `tests/test_worksheet.py` writes the same cells through the public
calls and through `put_row` and compares every part of the two packages. A newer xlsxwriter that
changes its internals fails that test, not the published files (the version is pinned).
"""
from __future__ import annotations

import math
from datetime import datetime
from typing import Sequence

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet, _utf16_len, _utf16_truncate

NUMBER, STRING, BLANK, DATE = "number", "string", "blank", "date"
# a string this long may exceed Excel's 32 767 UTF-16 units (xlsxwriter's test, and its truncation)
_LONG_STRING = 32767 // 2

Entry = tuple[str, object, Format]


class RowWorksheet(Worksheet):
    """A worksheet (`workbook.add_worksheet(name, worksheet_class=RowWorksheet)`) with `put_row`.

    Rows stored by `put_row` are kept apart from xlsxwriter's cell table (`self.table`), so they are
    invisible to the features that read that table — `autofit`, `add_table`, charts' data — none of
    which a sheet written this way uses; a row takes either `put_row` or the `write_*` calls."""

    def __init__(self) -> None:
        super().__init__()
        self.put_rows: dict[int, tuple[Sequence[Entry], list]] = {}

    def put_row(self, row: int, entries: Sequence[Entry]) -> None:
        """Store cells from column 0 on, each with its format: `(NUMBER, float, fmt)`,
        `(STRING, str, fmt)`, `(BLANK, None, fmt)` or `(DATE, datetime, fmt)` — as `write_number`,
        `write_string`, `write_blank` and `write_datetime` would, in column order."""
        if not entries:
            return
        if row in self.put_rows or self.table.get(row):
            raise ValueError(f"row {row} already has cells")
        if self._check_dimensions(row, len(entries) - 1) or self._check_dimensions(row, 0):
            raise ValueError(f"row {row} with {len(entries)} cells is outside the worksheet")
        shared = self.str_table._get_shared_string_index
        indices = []
        for col, (kind, value, fmt) in enumerate(entries):
            if fmt is None:
                raise ValueError(f"cell ({row}, {col}) has no format")
            if kind == STRING:
                if len(value) > _LONG_STRING and _utf16_len(value) > self.xls_strmax:
                    value = _utf16_truncate(value, self.xls_strmax)
                indices.append(shared(value))
            elif kind == NUMBER and not math.isfinite(value):
                raise TypeError(f"cell ({row}, {col}): {value} is not a finite number")
            elif kind not in _KINDS:
                raise ValueError(f"unknown cell kind {kind!r}")
        self.put_rows[row] = (entries, indices)

    def _calculate_spans(self) -> None:
        # as Worksheet._calculate_spans (the columns used in each block of 16 rows), from each
        # row's keys instead of probing every column of the sheet's width
        if self.comments:
            if self.put_rows:
                raise ValueError("comments on a sheet written by put_row")
            return super()._calculate_spans()
        spans: dict[int, str] = {}
        low = high = None
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = self.table.get(row_num)
            put = self.put_rows.get(row_num)
            if cells or put:
                first, last = (0, len(put[0]) - 1) if put else (min(cells), max(cells))
                low = first if low is None or first < low else low
                high = last if high is None or last > high else high
            if (row_num + 1) % 16 == 0 or row_num == self.dim_rowmax:
                if low is not None:
                    spans[row_num // 16] = f"{low + 1}:{high + 1}"
                    low = high = None
        self.row_spans = spans

    def _write_rows(self) -> None:
        # as Worksheet._write_rows; the rows of put_row are rendered into one string each
        if self.constant_memory or self.comments:
            if self.put_rows:
                raise ValueError("constant_memory or comments on a sheet written by put_row")
            return super()._write_rows()
        self._calculate_spans()
        write = self.fh.write
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = self.table.get(row_num)
            put = self.put_rows.get(row_num)
            info = self.row_info.get(row_num)
            span = self.row_spans.get(row_num // 16)
            if put:
                self._write_row(row_num, span, info)
                write(self._render(row_num, *put))
            elif cells:
                self._write_row(row_num, span, info)
                for col_num in sorted(cells):
                    self._write_cell(row_num, col_num, cells[col_num])
                write("</row>")
            elif info is not None:
                self._write_empty_row(row_num, span, info)

    def _render(self, row: int, entries: Sequence[Entry], indices: list) -> str:
        """The <c> elements of one row and its closing tag, as Worksheet._write_cell writes them."""
        number = str(row + 1)
        strings = iter(indices)
        parts = []
        for col, (kind, value, fmt) in enumerate(entries):
            ref = (_COLUMNS[col] if col < len(_COLUMNS) else xl_col_to_name(col)) + number
            style = fmt.xf_index if fmt.xf_index is not None else fmt._get_xf_index()
            if kind == STRING:
                parts.append(f'<c r="{ref}" s="{style}" t="s"><v>{next(strings)}</v></c>')
            elif kind == NUMBER:
                parts.append(f'<c r="{ref}" s="{style}"><v>{value:.16G}</v></c>')
            elif kind == BLANK:
                parts.append(f'<c r="{ref}" s="{style}"/>')
            else:
                parts.append(f'<c r="{ref}" s="{style}"><v>{self._convert_date_time(value):.16G}</v></c>')
        parts.append("</row>")
        return "".join(parts)


_KINDS = frozenset({NUMBER, STRING, BLANK, DATE})
_COLUMNS = [xl_col_to_name(c) for c in range(64)]


def close_workbook(workbook: Workbook) -> None:
    """Write the package, then cut the link from each sheet back to its workbook.

    Every xlsxwriter worksheet keeps the workbook's bound `add_format`, so a closed workbook and
    its sheets — every stored cell — form a reference cycle that only the garbage collector's
    full passes free. A school pack left ~24 000 such objects behind, and the collector's full
    passes over those piles took a fifth of a pack worker's CPU; with the link cut, the
    workbook is freed as soon as the caller drops it."""
    workbook.close()
    for sheet in workbook.worksheets():
        sheet.workbook_add_format = None
