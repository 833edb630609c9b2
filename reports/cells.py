"""Cells of public tables: every number passes through `suppression.suppress` here.

The builders never format a number themselves; they call these helpers with the value *and* the
n behind it, so no public cell can rest on fewer than 5 pupils/results by accident.
"""
from __future__ import annotations

from datetime import date as Date, datetime

import pandas as pd

from reports.document import Cell
from reports.formatting import fmt_date, fmt_int, fmt_number, fmt_signed, is_missing
from reports.suppression import SMALL_SAMPLE_MARK, combined_n, suppress


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
