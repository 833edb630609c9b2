"""The small interface every reader implements, and the column-table helpers they share.

A reader knows one export kind: how to recognise it from content (`recognise`), which year a
file holds (`year`, cheap enough for `scan_inbox`), and how to turn it into a `ParsedFile`:
one row per data row with the spreadsheet row number, fields typed (numbers as floats with NaN,
dates as datetime64) and, for every typed field, a `<field>__bad` column with the original text
of cells that did not parse. Readers never judge values: the expectation suites do.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Protocol

import numpy as np
import pandas as pd

from ingestion.convert import map_unique, object_frame, parse_bool, parse_date, parse_int
from ingestion.source import Source, Table
from ingestion.text import norm_header, pad_code

RECOGNISE_SHARE = 0.6  # share of a kind's columns that must be present to recognise it
_NOTE = re.compile(r"\s*\([^()]*\)\s*$")


class FileError(Exception):
    """The file cannot be loaded at all (missing column, unreadable header ...); text in Russian."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None,
                 value: str | None = None, rows_read: int = 0):
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column
        self.value = value
        self.rows_read = rows_read


@dataclass(frozen=True)
class Col:
    """One column of an export: the raw-table field, accepted header names, type, requiredness."""

    field: str
    names: tuple[str, ...]
    type: str = "text"          # text | int | date | bool
    required: bool = True
    width: int | None = None    # restore leading zeros of codes stored as numbers

    @cached_property
    def keys(self) -> tuple[str, ...]:
        return tuple(norm_header(n) for n in self.names)


@dataclass
class ParsedFile:
    """What a reader hands to validation and loading."""

    kind: str
    year: int | None
    frame: pd.DataFrame                     # `_row` + fields (+ `<field>__bad`) + extras
    columns: dict[str, str]                 # field -> header as written in the file (for messages)
    extras: list[str] = field(default_factory=list)   # frame columns kept in `_extra`
    meta: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    parts: dict[str, pd.DataFrame] = field(default_factory=dict)  # e.g. НИКО «Анкета»

    @property
    def rows_read(self) -> int:
        return len(self.frame) + sum(len(p) for p in self.parts.values())


class Reader(Protocol):
    """One layout of one export kind; listed in that kind's `readers` in `ingestion.kinds`."""

    kind: str

    def score(self, src: Source) -> float: ...   # share of the layout's marks found; the best reader wins

    def recognise(self, src: Source) -> bool: ...

    def year(self, src: Source) -> int | None: ...

    def read(self, src: Source) -> ParsedFile: ...


# ------------------------------------------------------------------ column tables
@lru_cache(maxsize=8192)
def header_keys(name: str | None) -> tuple[str, ...]:
    """Comparison keys of a header cell: as written, and without a trailing «(…)» note."""
    key = norm_header(name)
    bare = _NOTE.sub("", key).strip()
    return (key, bare) if bare and bare != key else (key,)


def match_count(cells: list[str | None], spec: list[Col]) -> int:
    keys = row_keys(tuple(cells))
    return sum(1 for col in spec if not keys.isdisjoint(col.keys))


@lru_cache(maxsize=8192)
def row_keys(cells: tuple) -> frozenset[str]:
    """The header keys of a row's cells (remembered: every reader scores the same head rows)."""
    return frozenset(k for c in cells if c for k in header_keys(c))


def find_header(src: Source, spec: list[Col]) -> tuple[str, int, float] | None:
    """(sheet, header row, share of the spec's columns present) of the best-matching row."""
    best = None
    for head in src.heads:
        for i, row in enumerate(head.rows):
            n = match_count(row, spec)
            if n and (best is None or n > best[2]):
                best = (head.name, i + 1, n)
    if best is None:
        return None
    return best[0], best[1], best[2] / len(spec)


def recognise_columns(src: Source, spec: list[Col]) -> float:
    found = find_header(src, spec)
    return found[2] if found else 0.0


def map_header(header: list[str], spec: list[Col]) -> tuple[dict[str, int], dict[str, int]]:
    """(field -> position, extra header -> position). A repeated column is kept as an extra."""
    by_key = {k: col for col in spec for k in col.keys}
    fields: dict[str, int] = {}
    extras: dict[str, int] = {}
    for pos, name in enumerate(header):
        col = next((by_key[k] for k in header_keys(name) if k in by_key), None)
        if col is not None and col.field not in fields:
            fields[col.field] = pos
        else:
            label = name or f"столбец {pos + 1}"
            while label in extras:
                label += "'"
            extras[label] = pos
    return fields, extras


def require(fields: dict[str, int], spec: list[Col], header_row: int, rows_read: int) -> None:
    missing = [col.names[0] for col in spec if col.required and col.field not in fields]
    if missing:
        names = ", ".join(f"«{m}»" for m in missing)
        word = "обязательного столбца" if len(missing) == 1 else "обязательных столбцов"
        raise FileError(f"в строке заголовка {header_row} нет {word} {names}",
                        row=header_row, column=missing[0], rows_read=rows_read)


def typed_frame(table: Table, spec: list[Col], fields: dict[str, int], extras: dict[str, int]) -> pd.DataFrame:
    """Text cells → typed fields with `__bad` companions; extras kept as text."""
    out: dict[str, object] = {"_row": table.rows}
    for col in spec:
        add_field(out, table, col, fields.get(col.field))
    for label, pos in extras.items():
        out[f"extra:{label}"] = table.text(pos)
    return object_frame(out)


def add_field(out: dict, table: Table, col: Col, pos: int | None) -> None:
    """One typed field (+ `__bad`) from its column; numbers straight from numeric cells."""
    n = len(table.rows)
    if pos is None:
        add_typed(out, col.field, np.full(n, None, dtype=object), col.type)
    elif col.type == "int":
        values, bad = table.numbers(pos)
        # a fractional number is not a whole score, and INTEGER columns stop at 2^31
        frac = ~np.isnan(values) & ((values != np.floor(values)) | (np.abs(values) >= 2 ** 31))
        if frac.any():  # reported as written
            bad = bad.copy()
            bad[frac] = table.text(pos)[frac]
            values = np.where(frac, np.nan, values)
        out[col.field], out[f"{col.field}__bad"] = values, bad
    else:
        text = table.text(pos)
        if col.width:
            text = map_unique(text, lambda t, w=col.width: pad_code(t, w))
        add_typed(out, col.field, text, col.type)


def add_typed(out: dict, name: str, text: np.ndarray, typ: str) -> None:
    if typ == "text":
        out[name] = text
    elif typ == "int":
        out[name], out[f"{name}__bad"] = parse_int(text)
    elif typ == "date":
        out[name], out[f"{name}__bad"] = parse_date(text)
    elif typ == "bool":
        out[name], out[f"{name}__bad"] = parse_bool(text)
    else:  # pragma: no cover - a spec typo
        raise ValueError(typ)


def read_columns(src: Source, kind: str, spec: list[Col]) -> tuple[pd.DataFrame, dict[str, str], list[str], Table]:
    """Read a one-header-row export (register, ГИА, plan, scale, minimum scores, admissions)."""
    frame, columns, extras, table, fields = read_columns_lenient(src, spec)
    require(fields, spec, table.header_row, len(table.rows))
    return frame, columns, extras, table


def read_columns_lenient(src: Source, spec: list[Col], limit: int | None = None):
    """As `read_columns`, without the required-column check; also returns field → position."""
    found = find_header(src, spec)
    if found is None:
        raise FileError("не найдена строка заголовка")
    sheet, header_row, _share = found
    table = src.table(sheet, header_row, limit=limit)
    fields, extras = map_header(table.header, spec)
    frame = typed_frame(table, spec, fields, extras)
    columns = {col.field: table.header[fields[col.field]] if col.field in fields else col.names[0] for col in spec}
    return frame, columns, [f"extra:{e}" for e in extras], table, fields


def mode_year(values: pd.Series) -> int | None:
    """The most common year among the values (ties → the later year)."""
    v = pd.Series(values).dropna()
    if v.empty:
        return None
    counts = v.astype(int).value_counts()
    top = counts.max()
    return int(max(counts[counts == top].index))


class ColumnTableReader:
    """A reader for the flat reference tables (plan, scale, minimum scores, admissions):
    recognised by its column names, read by the column spec, year = the most common year.

    Subclasses set `kind`, `spec` and, where values need normalising, override `prepare`."""

    kind: str = ""
    spec: list[Col] = []
    year_column: str = "year"

    def score(self, src: Source) -> float:
        return recognise_columns(src, self.spec)

    def recognise(self, src: Source) -> bool:
        return self.score(src) >= RECOGNISE_SHARE

    def year(self, src: Source) -> int | None:
        return self.read(src).year

    def prepare(self, frame: pd.DataFrame) -> None:
        """Normalise values in place (subject names, task labels); nothing by default."""

    def read(self, src: Source) -> ParsedFile:
        frame, columns, extras, _ = read_columns(src, self.kind, self.spec)
        self.prepare(frame)
        return ParsedFile(self.kind, mode_year(frame[self.year_column]), frame, columns, extras)
