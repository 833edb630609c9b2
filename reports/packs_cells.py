"""Cells and orderings shared by the school pack's workbook and its PDF.

A pack is not suppressed (its reader is the school itself), so its numbers do not pass through
`suppression.suppress`: a cell is the number, formatted for a Russian reader, or «—» when absent.
"""
from __future__ import annotations

import re
from functools import lru_cache

from reports.document import Cell, CellKind
from reports.formatting import fmt_int, fmt_number, fmt_signed, is_missing

_DIGITS = re.compile(r"(\d+)")


def natural_key(label: object) -> tuple:
    """«2» before «10», «4А» before «4Б», «1К1» before «2»: numbers inside a label compare as numbers."""
    return _natural_key("" if is_missing(label) else str(label))


@lru_cache(maxsize=4096)
def _natural_key(label: str) -> tuple:
    parts = _DIGITS.split(label)
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p != "")


@lru_cache(maxsize=512)
def work_key(work: object) -> tuple:
    """«ВПР Математика 4»: by subject, then grade as a number."""
    subject, _, grade = str(work).rpartition(" ")
    return (subject, int(grade) if grade.isdigit() else 0, str(work))


def text(value: object) -> Cell:
    return Cell.of_text("" if is_missing(value) else value)


def number(value: object, kind: CellKind = "dec1") -> Cell:
    """A number as it is (no suppression), «—» when absent."""
    if is_missing(value):
        return Cell("—", None, kind, "missing")
    v = float(value)
    if kind == "int":
        return Cell(fmt_int(v), int(round(v)), "int")
    if kind == "signed":
        return Cell(fmt_signed(v), round(v, 1), "signed")
    return Cell(fmt_number(v, 2 if kind == "dec2" else 1), round(v, 2 if kind == "dec2" else 1), kind)


def share(part: object, total: object) -> Cell:
    """100 · part / total, «—» when the total is 0 or absent."""
    if is_missing(part) or is_missing(total) or float(total) == 0:
        return Cell("—", None, "dec1", "missing")
    return number(100.0 * float(part) / float(total))


def flag(value: object) -> Cell:
    """A 1/0 flag as «да» / empty (reads better in a filtered sheet than 1/0)."""
    return Cell.of_text("да" if not is_missing(value) and int(value) == 1 else "")


def difference(a: object, b: object) -> Cell:
    """a − b in percentage points, signed."""
    if is_missing(a) or is_missing(b):
        return Cell("—", None, "signed", "missing")
    return number(float(a) - float(b), "signed")
