"""One inbox file opened for reading: format, encoding, delimiter, sheet heads, full tables.

A `Source` is what the readers sniff (`heads`: the first rows of every sheet, as text) and what
they read (`table()`: a header row and the data rows below it as a text DataFrame with
spreadsheet row numbers). It is opened once per file and caches what it has parsed, so
recognising a kind and reading the file never parse the same bytes twice.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ingestion.xlsx_peek import peek_xlsx, salvage_xlsx

HEAD_ROWS = 12
CSV_DELIMITERS = (";", "\t", ",")
EXOTIC_DELIMITERS = ("|", ":", "#")
DELIMITER_NAMES = {";": "«;»", ",": "«,»", "\t": "табуляция", "|": "«|»", ":": "«:»", "#": "«#»"}
BROKEN = "файл повреждён или обрезан"
_CODECS = {"UTF-8 (BOM)": "utf-8-sig", "UTF-8": "utf-8", "windows-1251": "cp1251", "UTF-16": "utf-16"}

csv.field_size_limit(1 << 24)


class SourceError(Exception):
    """A file-level problem found while opening or reading a file; the text is for the ledger."""


@dataclass
class SheetHead:
    name: str
    rows: list[list[str | None]]


@dataclass
class Table:
    """A header row and the data rows under it.

    Cells are kept as the file holds them (calamine floats, strings, dates); `text(pos)` gives a
    column as stripped text, `number(pos)` as floats — straight from numeric cells, without a
    round trip through text (most ВПР cells are numbers).
    """

    sheet: str
    header_row: int                      # spreadsheet row number of the header (1-based)
    top: list[list[str | None]]          # rows above the header (title, metadata)
    header: list[str]                    # header cell texts, '' for a blank header cell
    cells: np.ndarray                    # 2-D object array: data rows × columns
    rows: np.ndarray                     # spreadsheet row number of each data row
    all_text: bool = False               # a CSV: every cell is a string
    _text: dict = field(default_factory=dict)

    @property
    def width(self) -> int:
        return self.cells.shape[1]

    def raw(self, pos: int) -> np.ndarray:
        return self.cells[:, pos]

    def text(self, pos: int) -> np.ndarray:
        if pos not in self._text:
            self._text[pos] = column_text(self.cells[:, pos], all_text=self.all_text)
        return self._text[pos]

    def numbers(self, pos: int, null_marks: frozenset = frozenset()) -> tuple[np.ndarray, np.ndarray]:
        """(floats with NaN for blank/bad/marked cells, original text of bad cells).

        One C pass (`pd.to_numeric`) takes number cells and numbers stored as text; only the
        cells it leaves (X, «н/д», decimal commas) are looked at as text.
        """
        from ingestion.convert import parse_number

        raw = self.cells[:, pos]
        if self.all_text:
            text = self.text(pos)
            if null_marks:
                text = np.where(pd.Series(text, dtype=object).isin(null_marks).to_numpy(), None, text)
            return parse_number(text)
        vals = np.array(pd.to_numeric(raw, errors="coerce"), dtype=float, copy=True)
        bad = np.full(len(raw), None, dtype=object)
        odd = ~np.isfinite(vals) & pd.notna(raw)
        if odd.any():
            text = column_text(raw[odd])
            if null_marks:
                text = np.where(pd.Series(text, dtype=object).isin(null_marks).to_numpy(), None, text)
            v, b = parse_number(text)
            vals[odd], bad[odd] = v, b
        return vals, bad


@dataclass
class Source:
    path: Path
    rel: str
    format: str                          # xlsx | csv | empty | binary
    heads: list[SheetHead] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    broken: bool = False                 # damaged: heads salvaged for recognition only
    cache: dict = field(default_factory=dict)
    _text: str | None = None
    _grids: dict = field(default_factory=dict)

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(cls, path: Path, rel: str, score: Callable[[list[str | None]], int]) -> "Source":
        """Open `path`: tell XLSX from CSV from anything else, decode and sniff a CSV.

        `score(cells)` counts how many cells of a row look like known column names; the CSV
        delimiter is the candidate under which some early row scores best.
        """
        with path.open("rb") as fh:
            magic = fh.read(4)
        if magic in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0"):  # a workbook: only its first rows are read here
            src = cls(path, rel, "xlsx")
            src._open_workbook(magic == b"\xd0\xcf\x11\xe0")
            return src
        data = path.read_bytes()
        if not data.strip():
            return cls(path, rel, "empty")
        text, encoding = decode_text(data)
        if text is None:
            return cls(path, rel, "binary")
        src = cls(path, rel, "csv", encoding=encoding, _text=text)
        src.delimiter = sniff_delimiter(text, score, CSV_DELIMITERS)
        src.heads = [SheetHead("", _csv_rows(text, src.delimiter, HEAD_ROWS))]
        return src

    def _open_workbook(self, legacy_xls: bool) -> None:
        if not legacy_xls:
            try:
                self.heads = [SheetHead(n, rows) for n, rows in peek_xlsx(self.path, HEAD_ROWS)]
                return
            except zipfile.BadZipFile as exc:
                try:
                    self.heads = [SheetHead(n, rows) for n, rows in salvage_xlsx(self.path, HEAD_ROWS)]
                except Exception:
                    raise SourceError(BROKEN) from exc
                self.broken = True
                return
            except Exception:  # an unusual but readable workbook: let calamine try
                pass
        try:
            from python_calamine import CalamineWorkbook

            wb = CalamineWorkbook.from_path(str(self.path))
            self.heads = []
            for name in wb.sheet_names:
                grid = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
                self._grids[name] = grid
                self.heads.append(SheetHead(name, [_text_row(r) for r in grid[:HEAD_ROWS]]))
        except Exception as exc:
            raise SourceError(BROKEN) from exc

    def with_delimiter(self, delimiter: str) -> "Source":
        """The same CSV parsed with another delimiter (to name a wrong one)."""
        src = Source(self.path, self.rel, "csv", encoding=self.encoding, delimiter=delimiter, _text=self._text)
        src.heads = [SheetHead("", _csv_rows(self._text or "", delimiter, HEAD_ROWS))]
        return src

    def with_text(self, text: str, encoding: str, score: Callable[[list[str | None]], int]) -> "Source":
        """The same CSV decoded in another encoding (to name a wrong one)."""
        src = Source(self.path, self.rel, "csv", encoding=encoding, _text=text)
        src.delimiter = sniff_delimiter(text, score, CSV_DELIMITERS)
        src.heads = [SheetHead("", _csv_rows(text, src.delimiter, HEAD_ROWS))]
        return src

    # ---------------------------------------------------------------- reading
    @property
    def raw_bytes(self) -> bytes:
        return self.path.read_bytes()

    def grid(self, sheet: str) -> list[list]:
        """Every row of a sheet (or of the CSV), cells as the file holds them."""
        if sheet in self._grids:
            return self._grids[sheet]
        if self.format == "csv":
            grid = _csv_rows(self._decoded(), self.delimiter or ";", None)
        else:
            try:
                from python_calamine import CalamineWorkbook

                wb = CalamineWorkbook.from_path(str(self.path))
                grid = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            except Exception as exc:
                raise SourceError(BROKEN) from exc
        self._grids[sheet] = grid
        return grid

    def release(self, keep_cache: bool = False) -> None:
        """Drop parsed grids and text (a large file's cells are not kept once its rows are loaded)."""
        self._grids.clear()
        if not keep_cache:
            self.cache.clear()
        self._text = None

    def table(self, sheet: str, header_row: int, limit: int | None = None) -> Table:
        """The rows under `header_row` (1-based) of `sheet`; blank rows and blank trailing columns dropped.

        `limit` reads only the first data rows of a CSV (enough to sniff a big ГИА file's exam and year).
        """
        if limit is not None and self.format == "csv" and sheet not in self._grids:
            grid = _csv_rows(self._decoded(), self.delimiter or ";", header_row + limit)
        else:
            grid = self.grid(sheet)
        top = [_text_row(r) for r in grid[: header_row - 1]]
        header_cells = _text_row(grid[header_row - 1]) if len(grid) >= header_row else []
        body = grid[header_row:] if limit is None else grid[header_row:header_row + limit]
        width = max([len(header_cells)] + [len(r) for r in body]) if body else len(header_cells)
        if any(len(r) != width for r in body):
            body = [list(r) + [None] * (width - len(r)) for r in body]
        cells = np.empty((len(body), width), dtype=object)
        if body and width:
            cells[:] = body
        n_body = len(body)
        if limit is None:  # a sheet becomes one table: its rows as lists are not needed again
            self._grids.pop(sheet, None)
            if self.format == "csv":
                self._text = None
        del grid, body
        rows = np.arange(header_row + 1, header_row + 1 + n_body, dtype=np.int64)
        header = [h or "" for h in header_cells] + [""] * (width - len(header_cells))
        if self.format == "csv":
            # CSV cells are all text: strip every column once; a blank is what strips to nothing
            texts = {j: column_text(cells[:, j], all_text=True) for j in range(width)}
            filled = np.column_stack([texts[j] != None for j in range(width)]) if width else \
                np.zeros((n_body, 0), dtype=bool)  # noqa: E711 - elementwise on object arrays
        else:
            texts = {}
            if n_body and width:
                cells[cells == ""] = None  # calamine's empty cell
            filled = np.column_stack([pd.notna(cells[:, j]) for j in range(width)]) if width else \
                np.zeros((n_body, 0), dtype=bool)
        keep = filled.any(axis=1) if width else np.zeros(n_body, dtype=bool)
        used = [j for j in range(width) if header[j] or filled[keep, j].any()]
        last = max(used) + 1 if used else 0
        table = Table(sheet, header_row, top, header[:last], cells[keep][:, :last], rows[keep],
                      all_text=self.format == "csv")
        if texts:
            table._text = {j: t[keep] for j, t in texts.items() if j < last}
        return table

    def _decoded(self) -> str:
        if self._text is None:  # dropped after sniffing: decode again, the same way
            self._text = self.path.read_bytes().decode(_CODECS.get(self.encoding, self.encoding or "utf-8"),
                                                       errors="replace")
        return self._text


# -------------------------------------------------------------------- helpers
def decode_text(data: bytes) -> tuple[str | None, str | None]:
    """Decode a CSV: UTF-8 (with or without BOM) if it decodes strictly, else windows-1251.

    Returns (None, None) for binary content (NUL bytes outside UTF-16).
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "UTF-8 (BOM)"
        except UnicodeDecodeError:
            return data[3:].decode("utf-8", errors="replace"), "UTF-8 (BOM)"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16"
    if b"\x00" in data[:8192]:
        return None, None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251"), "windows-1251"
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace"), "windows-1251"


def _csv_rows(text: str, delimiter: str, limit: int | None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    if limit is None:
        return list(reader)
    out = []
    for row in reader:
        out.append(row)
        if len(out) >= limit:
            break
    return out


def sniff_delimiter(text: str, score: Callable[[list[str | None]], int], candidates) -> str:
    """The candidate under which the best early row has most recognisable column names.

    Ties go to the order of `candidates` (`;` first: the contract's default).
    """
    sample = "\n".join(text[:65536].splitlines()[:HEAD_ROWS])
    best, best_score = candidates[0], -1
    for delim in candidates:
        rows = _csv_rows(sample, delim, HEAD_ROWS)
        s = max((score([c.strip() or None for c in r]) for r in rows), default=0)
        if s > best_score:
            best, best_score = delim, s
    return best


def _text_cell(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        v = v.replace("\xa0", " ").strip()
        return v or None
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        if v != v:
            return None
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%d.%m.%Y") if (v.hour, v.minute, v.second) == (0, 0, 0) else v.strftime("%d.%m.%Y %H:%M:%S")
    if isinstance(v, dt.date):
        return v.strftime("%d.%m.%Y")
    text = str(v).strip()
    return text or None


def _text_row(row) -> list[str | None]:
    return [_text_cell(v) for v in row]


def column_text(values: np.ndarray, all_text: bool = False) -> np.ndarray:
    """Cells of one column as stripped text (None for blank); numbers without a trailing `.0`.

    The column's type is inferred in C; text columns are stripped in one pass, number columns
    formatted vectorised, and only mixed columns go cell by cell.
    """
    n = len(values)
    if n == 0:
        return values
    out = np.empty(n, dtype=object)
    kind = "string" if all_text else pd.api.types.infer_dtype(values, skipna=True)
    if kind == "string":
        out[:] = [v.strip() or None if v is not None else None for v in values]
        return out
    if kind in ("floating", "integer", "mixed-integer-float", "empty"):
        num = np.array(pd.to_numeric(values, errors="coerce"), dtype=float)
        ok = ~np.isnan(num)
        whole = ok & (num == np.floor(num)) & (np.abs(num) < 1e15)
        out[:] = None
        out[whole] = num[whole].astype(np.int64).astype(str)
        frac = ok & ~whole
        out[frac] = [repr(float(x)) for x in num[frac]]
        return out
    out[:] = [_text_cell(v) for v in values]
    return out
