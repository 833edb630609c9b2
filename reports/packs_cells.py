"""Cells and orderings shared by the school pack's workbook and its PDF.

A pack is not suppressed (its reader is the school itself), so its numbers do not pass through
`suppression.suppress`: a cell is the number, formatted for a Russian reader, or «—» when absent.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

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
    return _text("" if is_missing(value) else str(value))


@lru_cache(maxsize=65536)
def _text(value: str) -> Cell:
    return Cell.of_text(value)


MISSING = {kind: Cell("—", None, kind, "missing") for kind in ("int", "dec1", "dec2", "signed")}


def number(value: object, kind: CellKind = "dec1") -> Cell:
    """A number as it is (no suppression), «—» when absent.

    A pack has ~25 000 cells and most of them repeat (counts, percentages to one decimal), so
    cells are built once per rounded value: `Cell` is immutable, and rounding first prints the
    same text as formatting the unrounded value (both round the exact binary value correctly)."""
    if is_missing(value):
        return MISSING.get(kind) or Cell("—", None, kind, "missing")
    v = float(value)
    if kind == "int":
        return _int_cell(round(v))
    return _number_cell(round(v, 2 if kind == "dec2" else 1) + 0.0, kind)   # + 0.0: −0.0 is 0.0 (one cache key)


@lru_cache(maxsize=65536)
def _int_cell(v: int) -> Cell:
    return Cell(fmt_int(v), v, "int")


@lru_cache(maxsize=65536)
def _number_cell(v: float, kind: CellKind) -> Cell:
    if kind == "signed":
        return Cell(fmt_signed(v), v, "signed")
    return Cell(fmt_number(v, 2 if kind == "dec2" else 1), v, kind)


def share(part: object, total: object) -> Cell:
    """100 · part / total, «—» when the total is 0 or absent."""
    if is_missing(part) or is_missing(total) or float(total) == 0:
        return MISSING["dec1"]
    return number(100.0 * float(part) / float(total))


def flag(value: object) -> Cell:
    """A 1/0 flag as «да» / empty (reads better in a filtered sheet than 1/0)."""
    return _text("да" if not is_missing(value) and int(value) == 1 else "")


# --- whole columns ------------------------------------------------------------------------------
# A pack's tables are built a column at a time: each distinct value of a column becomes its Cell
# once (a pack's ~24 000 cells hold a few thousand distinct values), and the rows are zipped from
# the columns. The cells are those of the per-value functions above, so the files are the same.

def by_value(values, cell) -> list[Cell]:
    """`cell(v)` for every value of a column (a Series or an array), computed once per distinct
    value; a missing value gets `cell(None)`."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    cells = [cell(u) for u in uniques]
    cells.append(cell(None))            # code −1: a missing value
    return [cells[c] for c in codes.tolist()]


def texts(values) -> list[Cell]:
    return by_value(values, text)


def numbers(values, kind: CellKind = "dec1") -> list[Cell]:
    return by_value(values, lambda v: number(v, kind))


def flags(values) -> list[Cell]:
    return by_value(values, flag)


def _floats(values) -> np.ndarray:
    return pd.Series(values).to_numpy(dtype="float64", na_value=np.nan)


def shares(part, total) -> list[Cell]:
    """`share` row by row: 100 · part / total (the same float operations), «—» for a zero or
    absent total."""
    p, t = _floats(part), _floats(total)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(t != 0, 100.0 * p / t, np.nan)
    return numbers(values)


def differences(a, b) -> list[Cell]:
    """a − b in percentage points, signed, row by row; «—» where either is absent."""
    return numbers(_floats(a) - _floats(b), "signed")
