"""Readers, one per layout of an export kind, behind one small interface (`base.Reader`).

Which readers exist is declared per kind in `ingestion.kinds` (read lazily here: the registry
imports the reader modules).

`identify()` opens a file and tells which reader recognises its content; when none does, it
checks whether another delimiter or encoding would make the header readable, so that a CSV
in KOI8-R or split by `|` is reported as an error naming the problem rather than as a stray file.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ingestion.readers.base import FileError, ParsedFile, Reader, RECOGNISE_SHARE, header_keys
from ingestion.readers.works import TASK_HEADER
from ingestion.source import BINARY, BROKEN, DELIMITER_NAMES, EXOTIC_DELIMITERS, Source, SourceError

OTHER_ENCODINGS = ("koi8-r", "cp866", "mac-cyrillic", "iso8859-5", "utf-16-le", "utf-16-be")


@cache
def all_readers() -> tuple:
    """Every reader of every kind, in the order of `ingestion.kinds.KINDS`."""
    from ingestion.kinds import readers

    return tuple(readers())


@cache
def vocabulary() -> frozenset[str]:
    """Every known column name (normalised) of every reader: its module's `SPEC`, its `spec` (lists
    of `Col`) and its `vocabulary` (plain header names, for layouts not described by a `Col` list)."""
    keys: set[str] = set()
    for reader in all_readers():
        for spec in (getattr(sys.modules[type(reader).__module__], "SPEC", []), getattr(reader, "spec", [])):
            for col in spec:
                keys.update(col.keys)
        keys.update(header_keys(name)[0] for name in getattr(reader, "vocabulary", ()))
    return frozenset(keys)


def __getattr__(name: str):
    """`READERS` and `BY_KIND` as before the registry (for callers not yet moved to `ingestion.kinds`)."""
    if name == "READERS":
        return list(all_readers())
    if name == "BY_KIND":  # the first reader of each kind
        by_kind: dict = {}
        for r in all_readers():
            by_kind.setdefault(r.kind, r)
        return by_kind
    raise AttributeError(name)


def score_cells(cells: list[str | None]) -> int:
    """How many cells of a row read as known column names (for delimiter sniffing)."""
    known = vocabulary()
    return sum(1 for c in cells if c and (any(k in known for k in header_keys(c)) or TASK_HEADER.match(c)))


def best_reader(src: Source):
    best, best_score = None, 0.0
    for reader in all_readers():
        s = reader.score(src)
        if s > best_score:
            best, best_score = reader, s
    return best if best_score >= RECOGNISE_SHARE else None


@dataclass
class Identified:
    src: Source | None
    reader: object | None          # a Reader, or None
    problem: str | None = None     # a file-level problem: the file is an error of that kind
    unrecognised: bool = False
    detail: str | None = None      # why an unrecognised file is not a table (binary content)

    @property
    def kind(self) -> str:
        return self.reader.kind if self.reader is not None else "unrecognised"


def identify(path: Path, rel: str) -> Identified:
    """Open `path` and find its reader (or the problem that hides it). Never raises: whatever
    goes wrong with one file is that file's problem, for its ledger row."""
    try:
        return _identify(path, rel)
    except SourceError as exc:
        return Identified(None, None, str(exc))
    except OSError as exc:
        return Identified(None, None, f"файл не читается: {exc.strerror or exc}")
    except Exception as exc:  # a reader's sniffing bug must not stop the run
        return Identified(None, None, f"внутренняя ошибка распознавания: {type(exc).__name__}: {exc}")


def _identify(path: Path, rel: str) -> Identified:
    src = Source.open(path, rel, score_cells)
    if src.format == "empty":
        return Identified(src, None, "файл пуст")
    if src.format == "binary":
        return Identified(src, None, unrecognised=True, detail=BINARY)
    try:
        reader = best_reader(src)
    except SourceError as exc:
        return Identified(src, None, str(exc))
    if src.broken:
        return Identified(src, reader, BROKEN)
    if reader is not None:
        return Identified(src, reader)
    if src.format == "csv":
        for delim in EXOTIC_DELIMITERS:
            alt = src.with_delimiter(delim)
            reader = best_reader(alt)
            if reader is not None:
                return Identified(alt, reader, f"разделитель {DELIMITER_NAMES[delim]} не поддерживается: "
                                               "ожидается «;», «,» или табуляция; заголовок не прочитан")
        data = path.read_bytes()
        for enc in OTHER_ENCODINGS:
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            try:
                alt = src.with_text(text, enc, score_cells)
            except SourceError:
                continue
            reader = best_reader(alt)
            if reader is not None:
                return Identified(alt, reader, f"кодировка файла {enc.upper()} не поддерживается: ожидается "
                                               "UTF-8 или windows-1251; заголовок не прочитан")
    return Identified(src, None, unrecognised=True)


def read_path(path: Path, rel: str | None = None) -> ParsedFile:
    """Recognise and read one file (for a look at a single export; the loader does more).

    Raises FileError with the Russian reason when the file cannot be read.
    """
    ident = identify(Path(path), rel or Path(path).name)
    if ident.reader is None:
        raise FileError(ident.problem or "вид выгрузки не распознан по содержимому")
    if ident.problem:
        raise FileError(ident.problem)
    return ident.reader.read(ident.src)


__all__ = ["all_readers", "FileError", "ParsedFile", "Reader", "Identified", "identify", "read_path"]
