"""Readers, one per export kind, behind one small interface (`base.Reader`).

`identify()` opens a file and tells which reader recognises its content; when none does, it
checks whether another delimiter or encoding would make the header readable, so that a CSV
in KOI8-R or split by `|` is reported as an error naming the problem rather than as a stray file.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingestion.readers.admissions import AdmissionsReader
from ingestion.readers.base import FileError, ParsedFile, Reader, RECOGNISE_SHARE, header_keys
from ingestion.readers.ege_min import EgeMinReader
from ingestion.readers.gia import GiaReader
from ingestion.readers.gia_rcoi import RcoiProtocolReader
from ingestion.readers.niko import NikoReader
from ingestion.readers.register import RegisterReader
from ingestion.readers.vpr import VprReader
from ingestion.readers.vpr_plan import VprPlanReader
from ingestion.readers.vpr_scale import VprScaleReader
from ingestion.readers.works import TASK_HEADER
from ingestion.source import BROKEN, DELIMITER_NAMES, EXOTIC_DELIMITERS, Source, SourceError

READERS: list = [
    VprReader(), NikoReader(), GiaReader("gia11"), GiaReader("gia9"), RegisterReader(),
    VprPlanReader(), VprScaleReader(), EgeMinReader(), AdmissionsReader(),
]
# РЦОИ protocols (§10) are ГИА-11/ГИА-9 files in another layout: same kinds, same raw tables
READERS += [RcoiProtocolReader("gia11"), RcoiProtocolReader("gia9")]
BY_KIND: dict = {}
for _r in READERS:
    BY_KIND.setdefault(_r.kind, _r)
OTHER_ENCODINGS = ("koi8-r", "cp866", "mac-cyrillic", "iso8859-5", "utf-16-le", "utf-16-be")


def _vocabulary() -> set[str]:
    from ingestion.readers import admissions, ege_min, gia, gia_rcoi, niko, register, vpr, vpr_plan, vpr_scale

    keys = set()
    for mod in (admissions, ege_min, gia, gia_rcoi, niko, register, vpr, vpr_plan, vpr_scale):
        for col in mod.SPEC:
            keys.update(col.keys)
    return keys


VOCABULARY = _vocabulary()


def score_cells(cells: list[str | None]) -> int:
    """How many cells of a row read as known column names (for delimiter sniffing)."""
    return sum(1 for c in cells if c and (any(k in VOCABULARY for k in header_keys(c)) or TASK_HEADER.match(c)))


def best_reader(src: Source):
    best, best_score = None, 0.0
    for reader in READERS:
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

    @property
    def kind(self) -> str:
        return self.reader.kind if self.reader is not None else "unrecognised"


def identify(path: Path, rel: str) -> Identified:
    """Open `path` and find its reader (or the problem that hides it)."""
    try:
        src = Source.open(path, rel, score_cells)
    except SourceError as exc:
        return Identified(None, None, str(exc))
    except OSError as exc:
        return Identified(None, None, f"файл не читается: {exc.strerror or exc}")
    if src.format == "empty":
        return Identified(src, None, "файл пуст")
    if src.format == "binary":
        return Identified(src, None, unrecognised=True)
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
            alt = src.with_text(text, enc, score_cells)
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


__all__ = ["READERS", "BY_KIND", "FileError", "ParsedFile", "Reader", "Identified", "identify", "read_path"]
