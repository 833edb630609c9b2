"""Cells of public tables: every number passes through `suppression.suppress` here.

The builders never format a number themselves; they call these helpers with the value *and* the
n behind it, so no public cell can rest on fewer pupils/results than the seed allows by accident.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date as Date, datetime
from typing import Hashable, Iterable, Sequence

import pandas as pd

from reports.document import Cell, Row
from reports.formatting import fmt_date, fmt_int, fmt_number, fmt_signed, is_missing
from reports.suppression import SMALL_SAMPLE_MARK, SUPPRESSED_TEXT, Line, Point, combined_n, complementary, suppress


def text(value: object) -> Cell:
    """A label (name, code, word): not computed from pupils, never suppressed."""
    return Cell.of_text("" if is_missing(value) else value)


def tally(value: float | int | None) -> Cell:
    """A number of schools, municipalities, files or rows: not pupils, so not suppressed."""
    if is_missing(value):
        return Cell("—", None, "int", "missing")
    return Cell(fmt_int(value), int(value), "int")


def year(value: float | int | None) -> Cell:
    """A calendar year: printed without a thousands space, a number in the annex."""
    if is_missing(value):
        return Cell("—", None, "year", "missing")
    return Cell(str(int(value)), int(value), "year")


def date(value: Date | datetime | pd.Timestamp | str | None) -> Cell:
    """A day (a file's load date): «20.11.2025» in print, a date in the annex."""
    if value is None or is_missing(value):
        return Cell("—", None, "date", "missing")
    day = pd.Timestamp(value).date()
    return Cell(fmt_date(day), day, "date")


def count(value: float | int | None) -> Cell:
    """A number of participants/results: it is its own n (a group of 3 is not published)."""
    return Cell.of(suppress(value, value, fmt=fmt_int), "int")


def number(value: float | int | None, n: float | int | None, *, digits: int = 1, mark: str = "") -> Cell:
    """A mean, a share already in percent, a completion: printed with `digits` decimals."""
    return Cell.of(suppress(value, n, fmt=lambda v: fmt_number(v, digits)), "dec2" if digits == 2 else "dec1", mark)


def reference(value: float | int | None, *, digits: int = 1, signed: bool = False) -> Cell:
    """A value set beside a group's own as its yardstick — the region's or a cluster's completion, an
    index on the 0–100 scale — computed from far more pupils than the row's group, so it is not
    suppressed by the row's n; it is still a number (the XLSX stores it as one), «—» when absent."""
    if is_missing(value):
        return Cell("—", None, "signed" if signed else ("dec2" if digits == 2 else "dec1"), "missing")
    text = fmt_signed(value, digits) if signed else fmt_number(value, digits)
    return Cell(text, round(float(value), digits), "signed" if signed else ("dec2" if digits == 2 else "dec1"))


def share(part: float | int | None, total: float | int | None, *, mark: str = "") -> Cell:
    """part / total in percent; n = total (the pupils or results of the group)."""
    if is_missing(part) or is_missing(total) or not total:
        return Cell.of(suppress(None, total))
    return number(100.0 * float(part) / float(total), total, mark=mark)


def change(value: float | int | None, *ns: float | int | None) -> Cell:
    """A change between years: n is the smaller n of the two years."""
    return Cell.of(suppress(value, combined_n(*ns), fmt=fmt_signed), "signed")


def worded(word: str | None, *ns: float | int | None, missing: str = "—") -> Cell:
    """A word derived from numbers (the verdict of a change): hidden when they are."""
    if word is None or is_missing(word):
        return Cell(missing, missing, "text", "missing")
    p = suppress(1, combined_n(*ns))
    if not p.shown:
        return Cell(p.text, p.text, "text", "suppressed")
    shown = str(word) + (SMALL_SAMPLE_MARK if p.status == "small" else "")
    return Cell(shown, str(word), "text", p.status)


def pct_value(part: float | int | None, total: float | int | None) -> float | None:
    """The share in percent or None (for charts and rules, after the caller checked n)."""
    if is_missing(part) or is_missing(total) or not total:
        return None
    return 100.0 * float(part) / float(total)


def plotted(c: Cell) -> Point:
    """The point a chart draws for a table cell: exactly what the cell prints (hidden, marked, rounded)."""
    if c.status not in ("ok", "small") or c.value is None or isinstance(c.value, str):
        return Point(None, "missing" if c.status == "missing" else "suppressed")
    return Point(float(c.value), c.status)  # type: ignore[arg-type]


# --- complementary suppression on a built table --------------------------------------------------

Coord = tuple[int, int]


def withheld(c: Cell) -> Cell:
    """A printed number (or a word resting on one) hidden as «*», like a group below 5: the reader
    must not tell a complementary cell from a small one."""
    if c.status not in ("ok", "small"):
        return c
    return replace(c, text=SUPPRESSED_TEXT, value=None, status="suppressed", mark="")


def _present(c: Cell) -> bool:
    """A cell that takes part in a line: a number printed or hidden, not «—» (known to be empty)."""
    return c.status != "missing"


def _n(c: Cell) -> int | None:
    """The n the rule sees: None (hidden) for a cell already «*», whatever its group's size — an
    earlier pass over the same table may have hidden it as a complement."""
    return None if c.status == "suppressed" else c.n


def lines_of(groups: Sequence[Hashable | None], totals: Sequence[bool]) -> list[tuple[int, list[int]]]:
    """(total row, part rows) for rows listed with their group (a subject, a work) and whether each
    is its group's total; a row whose group is None belongs to no line (the region beside a
    municipality and its schools)."""
    return [(i, [j for j, gj in enumerate(groups) if gj == g and not totals[j]])
            for i, g in enumerate(groups) if g is not None and totals[i]]


def complement_rows(rows: list[Row], lines: Iterable[tuple[int, Sequence[int]]], *, n_col: int,
                    cols: Sequence[int] | None = None, fixed: Iterable[int] = ()) -> frozenset[int]:
    """Rows that are groups of a total row (categories of «Все категории», municipalities of «Регион»):
    every number of a row rests on the n of its column `n_col`, so a hidden row hides all of `cols`
    (default: every cell but the label in column 0). `lines` are (total row, part rows) by index;
    `fixed` rows are printed elsewhere in the report (see `suppression.complementary`).
    Returns the rows hidden, small ones included."""
    lines = [(t, [p for p in parts if _present(rows[p].cells[n_col])]) for t, parts in lines
             if _present(rows[t].cells[n_col])]
    n = {i: _n(rows[i].cells[n_col]) for t, parts in lines for i in (t, *parts)}
    hidden = complementary([Line(t, tuple(parts)) for t, parts in lines if parts], n, fixed=fixed)
    for i in hidden:
        row = rows[i]
        for j in (cols if cols is not None else range(1, len(row.cells))):
            row.cells[j] = withheld(row.cells[j])
    return hidden


def complement_cells(rows: list[Row], lines: Iterable[tuple[Coord, Sequence[Coord]]]) -> frozenset[Coord]:
    """Cells that are parts of a total cell, each resting on its own n (a task's completion by mark
    group beside the whole region's). `lines` are (total cell, part cells) as (row, column) indices."""
    def at(k: Coord) -> Cell:
        return rows[k[0]].cells[k[1]]
    lines = [(t, [p for p in parts if _present(at(p))]) for t, parts in lines if _present(at(t))]
    n: dict[Hashable, int | None] = {k: _n(at(k)) for t, parts in lines for k in (t, *parts)}
    hidden = complementary([Line(t, tuple(parts)) for t, parts in lines if parts], n)
    for i, j in hidden:
        rows[i].cells[j] = withheld(rows[i].cells[j])
    return hidden
