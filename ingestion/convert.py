"""Vectorised text → typed conversions that keep what did not convert.

Each parser returns (values, bad): `values` typed with NaN/NaT/None for blank *and* for
unparseable cells, `bad` the original text of the unparseable cells (None elsewhere). The
expectation suites check `bad` is empty, so a non-numeric score is reported with its value.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

_NUMBER = r"^[+-]?\d+(?:[.,]\d+)?$"
_GROUPED = r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?$"   # «1 234»: thousands apart, unambiguous
_GROUP_SPACES = r"[ \u00a0\u202f]"


def parse_number(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Text → float. "12", "12.0", "12,0", "-1", "1 234" parse; anything else is bad.

    `pd.to_numeric` does the bulk in C; only the cells it rejects (decimal commas, words) are
    looked at again.
    """
    text = np.asarray(text, dtype=object)
    present = pd.notna(text)
    out = np.array(pd.to_numeric(text, errors="coerce"), dtype=float, copy=True)
    failed = present & ~np.isfinite(out)
    if failed.any():
        sub = pd.Series(text[failed], dtype=object).astype(str).str.strip()
        grouped = sub.str.match(_GROUPED)
        if grouped.any():
            sub = sub.where(~grouped, sub.str.replace(_GROUP_SPACES, "", regex=True))
        ok = sub.str.match(_NUMBER).to_numpy()
        vals = np.full(len(sub), np.nan)
        if ok.any():
            vals[ok] = pd.to_numeric(sub[ok].str.replace(",", ".", regex=False)).to_numpy(dtype=float)
        out[failed] = vals
        failed = present & ~np.isfinite(out)
    bad = np.full(len(text), None, dtype=object)
    bad[failed] = text[failed]
    out[failed] = np.nan
    return out, bad


def parse_int(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Text → whole number (as float, NaN for blank). A fractional value is bad."""
    values, bad = parse_number(text)
    frac = ~np.isnan(values) & ((values != np.floor(values)) | (np.abs(values) >= 2 ** 31))
    if frac.any():
        bad = bad.copy()
        bad[frac] = np.asarray(text, dtype=object)[frac]
        values = values.copy()
        values[frac] = np.nan
    return values, bad


DATE_YEARS = (1900, 2200)   # the years a date of the inputs can have; outside them the cell is bad


def parse_date(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`ДД.ММ.ГГГГ` (also ISO `ГГГГ-ММ-ДД`, and a spreadsheet date with time 00:00:00)."""
    if len(text) == 1:  # a work's «Дата:» (once a file): pandas' machinery costs a millisecond a call
        one = _one_date(text[0])
        if one is not None:
            return np.array([one], dtype="datetime64[ns]"), np.array([None], dtype=object)
    s = pd.Series(text, dtype=object)
    present = s.notna()
    d = pd.to_datetime(s, format="%d.%m.%Y", errors="coerce")
    retry = d.isna() & present
    if retry.any():  # «ДД.ММ.ГГГГ 00:00:00» from a spreadsheet date, or ISO
        head = s[retry].map(lambda t: str(t).split(" ")[0])
        again = pd.to_datetime(head, format="%d.%m.%Y", errors="coerce")
        iso = again.isna()
        if iso.any():
            again[iso] = pd.to_datetime(head[iso], format="%Y-%m-%d", errors="coerce")
        d[retry] = again
    # no date of an assessment (or of a pupil's birth) lies outside 1900–2200, and one before 1678
    # does not fit datetime64[ns]: converting it would wrap to a wrong date instead of failing
    d[d.notna() & ((d.dt.year < DATE_YEARS[0]) | (d.dt.year > DATE_YEARS[1]))] = pd.NaT
    bad = np.where((d.isna() & present).to_numpy(), s.to_numpy(dtype=object), None)
    return d.to_numpy(dtype="datetime64[ns]"), bad.astype(object)


_DMY = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})")


def _one_date(value) -> np.datetime64 | None:
    """A strict `ДД.ММ.ГГГГ` text as pandas would parse it; None for anything else (the
    general path decides those)."""
    m = _DMY.fullmatch(value) if isinstance(value, str) else None
    if m is None or not DATE_YEARS[0] <= int(m[3]) <= DATE_YEARS[1]:
        return None
    try:
        return np.datetime64(dt.date(int(m[3]), int(m[2]), int(m[1])), "ns")
    except ValueError:
        return None


YES = {"да", "1", "true", "истина", "+"}
NO = {"нет", "0", "false", "ложь", "-"}


def parse_bool(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`да`/`нет` (also 1/0, true/false) → True/False; anything else is bad."""
    out = np.full(len(text), None, dtype=object)
    bad = np.full(len(text), None, dtype=object)
    for i, t in enumerate(text):
        if t is None:
            continue
        k = str(t).strip().lower()
        if k in YES:
            out[i] = True
        elif k in NO:
            out[i] = False
        else:
            bad[i] = t
    return out, bad


def fmt(value) -> str:
    """A value as it should read in a message: 3.0 → "3", NaN/None → ""."""
    if value is None:
        return ""
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        ts = pd.Timestamp(value)
        return "" if pd.isna(ts) else ts.strftime("%d.%m.%Y")
    if value is pd.NaT:
        return ""
    return str(value)


def object_frame(columns: dict) -> pd.DataFrame:
    """A DataFrame whose text columns stay `object` with None for blanks.

    pandas 3 infers its `str` dtype (blanks become NaN) for object arrays of strings; the
    readers and suites compare with None and keep codes as given, so text stays object.
    The object columns are handed to pandas as one 2-D object block (typed as object, so
    nothing is inferred) rather than as a Series each: a reader builds a frame per file, and
    wrapping and aligning dozens of Series cost more than a small file's rows.
    """
    obj = [k for k, v in columns.items() if isinstance(v, np.ndarray) and v.dtype == object and v.ndim == 1]
    if len(obj) < 2:
        return pd.DataFrame({k: (pd.Series(v, dtype=object) if k in obj else v) for k, v in columns.items()})
    n = len(columns[obj[0]])
    if any(len(columns[k]) != n for k in obj):  # let pandas say what is wrong
        return pd.DataFrame({k: (pd.Series(v, dtype=object) if k in obj else v) for k, v in columns.items()})
    block = np.empty((n, len(obj)), dtype=object)
    for j, k in enumerate(obj):
        block[:, j] = columns[k]
    objects = pd.DataFrame(block, columns=pd.Index(obj), dtype=object)
    taken = set(obj)
    rest = {k: v for k, v in columns.items() if k not in taken}
    if not rest:
        return objects
    frame = pd.concat([pd.DataFrame(rest, index=objects.index), objects], axis=1)
    names = list(columns)
    return frame if list(frame.columns) == names else frame[names]


def set_object(frame: pd.DataFrame, col: str, values) -> None:
    frame[col] = pd.Series(np.asarray(values, dtype=object), index=frame.index, dtype=object)


def map_unique(values, fn) -> np.ndarray:
    """`fn` applied to each distinct value once (codes, names and categories repeat a lot).

    Blanks (None/NaN) stay None and are not passed to `fn`.
    """
    arr = np.asarray(values, dtype=object)
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    mapped = np.array([fn(u) for u in uniques] + [None], dtype=object)
    return mapped[codes]  # code -1 (blank) picks the trailing None
