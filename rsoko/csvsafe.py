"""Spreadsheet safety of the data tables (`data/*.csv`).

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is taken by Excel and
LibreOffice as a formula when the CSV is opened: a quarantined input value such as
`=HYPERLINK("http://…")` would become a live link, and worse. Such text cells get a leading
apostrophe (`'=HYPERLINK(…)`), the convention spreadsheets show as plain text. Numbers are left
alone — `-3.5` is a value, not a formula — so numeric columns keep their meaning.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_TRIGGER_RE = r"^[=+\-@\t\r]"
_NUMBER_RE = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


def neutralise(value: str) -> str:
    """The text a spreadsheet shows as is: an apostrophe before a formula-like start."""
    if value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Neutralise every text (non-numeric) column of a frame before it is written as CSV."""
    out = df
    for col in df.columns:
        if pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_bool_dtype(df[col]):
            continue
        s = df[col]
        # the test runs on the column's distinct values (a data table's text columns hold a few
        # thousand of them over millions of rows: codes, names, levels)
        codes, uniques = pd.factorize(s)
        text = pd.Series(uniques, dtype=object).astype("string")
        risky_uniques = (text.str.match(_TRIGGER_RE, na=False) & ~text.str.fullmatch(_NUMBER_RE, na=False)).to_numpy(bool)
        if risky_uniques.any():
            risky = pd.Series(risky_uniques[codes] & (codes >= 0), index=s.index)
            if out is df:
                out = df.copy()
            out[col] = s.where(~risky, "'" + s.astype("string"))
    return out


def neutralise_csv(path: Path) -> int:
    """Rewrite a CSV file with every risky cell neutralised; returns how many cells changed."""
    path = Path(path)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    changed = 0
    for row in rows[1:]:
        for i, cell in enumerate(row):
            safe = neutralise(cell)
            if safe != cell:
                row[i] = safe
                changed += 1
    if changed:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
    return changed
