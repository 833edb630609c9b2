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
import re
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
_ENCODINGS = {"UTF-8 (BOM)", "UTF-8", "windows-1251", "UTF-16"}   # what `decode_text` reports

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

    def numbers_block(self, positions: list[int], null_marks: frozenset = frozenset()) -> list[tuple[np.ndarray, np.ndarray]]:
        """`numbers` of several columns, the number cells of all of them converted in one C pass.

        A ВПР file has dozens of task columns; one `pd.to_numeric` per column was a fixed cost
        paid per column of every file. Cells that are not numbers go through `numbers`' text
        path column by column, so each column comes out as `numbers` gives it.
        """
        if self.all_text or len(positions) < 2:
            return [self.numbers(p, null_marks) for p in positions]
        from ingestion.convert import parse_number

        raw = self.cells[:, positions]
        vals = np.array(pd.to_numeric(raw.ravel(), errors="coerce"), dtype=float).reshape(raw.shape)
        bad = np.full(raw.shape, None, dtype=object)
        odd = ~np.isfinite(vals) & pd.notna(raw)
        for j in np.flatnonzero(odd.any(axis=0)):
            rows = odd[:, j]
            text = column_text(raw[rows, j])
            if null_marks:
                text = np.where(pd.Series(text, dtype=object).isin(null_marks).to_numpy(), None, text)
            vals[rows, j], bad[rows, j] = parse_number(text)
        return [(vals[:, j].copy(), bad[:, j].copy()) for j in range(len(positions))]


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
    bad_lines: list[tuple[int, str]] = field(default_factory=list)   # CSV lines left out (line, reason)
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
        decoded = decode_text(data)
        if decoded.text is None:
            return cls(path, rel, "binary")
        src = cls(path, rel, "csv", encoding=decoded.encoding, notes=decoded.notes, bad_lines=decoded.bad_lines,
                  _text=decoded.text)
        src.delimiter = sniff_delimiter(decoded.text, score, CSV_DELIMITERS)
        src.heads = [SheetHead("", _csv_rows(decoded.text, src.delimiter, HEAD_ROWS))]
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
        text = fix_newlines(text, [])
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
            data = self.path.read_bytes()
            if self.encoding in _ENCODINGS:
                self._text = decode_text(data).text or ""
            else:  # a wrong encoding named by `identify`
                self._text = fix_newlines(data.decode(self.encoding or "utf-8", errors="replace"), [])
        return self._text


# -------------------------------------------------------------------- decoding
@dataclass
class Decoded:
    """A CSV's text and what decoding it had to do (for the ledger)."""

    text: str | None                    # None: binary content, not a CSV
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    bad_lines: list[tuple[int, str]] = field(default_factory=list)   # (1-based line, reason): left out


_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL)
_UTF8_PAIR = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
BINARY = "двоичные данные, не CSV и не XLSX"
_OTHER = {"UTF-8": "windows-1251", "windows-1251": "UTF-8"}


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or more control characters than any text export holds (junk, images, archives)."""
    sample = data[:65536]
    if b"\x00" in sample[:8192]:
        return True
    controls = len(sample.translate(None, _NOT_CONTROL))
    return controls > max(8, len(sample) // 50)


def fix_newlines(data, notes: list[str]):
    """CR-only line endings → LF; a stray CR inside a line → a space (the csv module rejects both).

    Works on bytes (before decoding: CR and LF are the same bytes in UTF-8 and windows-1251) and
    on text. A CR counts as a line ending when bare CRs outnumber the LF line endings.
    """
    cr, lf = ("\r", "\n") if isinstance(data, str) else (b"\r", b"\n")
    if cr not in data:
        return data
    crlf = data.count(cr + lf)
    bare = data.count(cr) - crlf
    if bare > data.count(lf):   # classic Mac line endings, perhaps with a few CRLF lines
        notes.append("окончания строк — символ CR: строки разделены по нему")
        return data.replace(cr + lf, lf).replace(cr, lf)
    data = data.replace(cr + lf, lf)
    if not bare:
        return data
    lines, pos = [], data.find(cr)
    while pos >= 0:
        lines.append(data.count(lf, 0, pos) + 1)
        pos = data.find(cr, pos + 1)
    shown = ", ".join(map(str, sorted(set(lines))[:5])) + (" и др." if len(set(lines)) > 5 else "")
    notes.append(f"символ CR внутри строки заменён пробелом (строка {shown})")
    return data.replace(cr, b" " if cr == b"\r" else " ")


def decode_text(data: bytes) -> Decoded:
    """Decode a CSV: UTF-8 (with or without BOM) if it decodes strictly, else windows-1251.

    A file that mixes the two (lines appended from another export) is decoded line by line:
    lines in the file's main encoding (that of its first non-ASCII line among the head rows:
    title or header) are kept, the others are left out as `bad_lines` (blank lines in the text,
    so line numbers stay). A UTF-8 BOM over a windows-1251 body is read as windows-1251.
    """
    notes: list[str] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded(fix_newlines(data.decode("utf-16", errors="replace"), notes), "UTF-16", notes)
    if looks_binary(data):
        return Decoded(None)
    bom = data.startswith(codecs.BOM_UTF8)
    data = fix_newlines(data[3:] if bom else data, notes)
    try:
        return Decoded(data.decode("utf-8"), "UTF-8 (BOM)" if bom else "UTF-8", notes)
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n") if _UTF8_PAIR.search(data) else None
    classes = [_line_class(line) for line in lines] if lines else []
    if "u" not in classes:   # one 8-bit encoding throughout
        if bom:
            notes.append("файл помечен меткой BOM как UTF-8, но записан в windows-1251 (с первой строки): "
                         "прочитан как windows-1251")
        return Decoded(data.decode("cp1251", errors="replace"), "windows-1251", notes)
    head = [c for c in classes[:HEAD_ROWS] if c != "a"]
    main = head[0] if head else max("uc", key=classes.count)
    encoding = "UTF-8" if main == "u" else "windows-1251"
    reason = f"строка в кодировке {_OTHER[encoding]}, а файл — в {encoding} (смешанная кодировка): строка не загружена"
    out, bad = [], []
    for i, (line, c) in enumerate(zip(lines, classes)):
        if c in ("a", main):
            out.append(line.decode("utf-8" if c == "u" else "cp1251", errors="replace"))
        else:
            out.append("")
            bad.append((i + 1, reason))
    if bom and main == "c":
        notes.append("файл помечен меткой BOM как UTF-8, но записан в windows-1251: прочитан как windows-1251")
    notes.append(f"смешанная кодировка: файл прочитан как {encoding}, строк в кодировке {_OTHER[encoding]} — "
                 f"{len(bad)}, первая — строка {bad[0][0]}; они в карантине")
    return Decoded("\n".join(out), encoding + (" (BOM)" if bom and main == "u" else ""), notes, bad)


def _line_class(line: bytes) -> str:
    """'a' (ASCII: either encoding), 'u' (valid UTF-8 with non-ASCII) or 'c' (not UTF-8: windows-1251)."""
    if line.isascii():
        return "a"
    try:
        line.decode("utf-8")
        return "u"
    except UnicodeDecodeError:
        return "c"


# -------------------------------------------------------------------- helpers
def _csv_rows(text: str, delimiter: str, limit: int | None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    out: list[list[str]] = []
    try:
        for row in reader:
            out.append(row)
            if limit is not None and len(out) >= limit:
                break
    except csv.Error as exc:  # the text is normalised first, so this is a malformed file
        raise SourceError(f"CSV не разбирается: ошибка разметки в строке {reader.line_num}") from exc
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
