"""Minimum ЕГЭ scores delivered with the inbox (`Год; Код предмета; Минимальный балл`)."""
from __future__ import annotations

from ingestion.readers.base import Col, ParsedFile, mode_year, read_columns, recognise_columns, RECOGNISE_SHARE
from ingestion.source import Source

SPEC = [
    Col("year", ("Год",), "int"),
    Col("subject_code", ("Код предмета",), "int"),
    Col("min_score", ("Минимальный балл", "Мин. балл"), "int"),
]


class EgeMinReader:
    kind = "ege_min"

    def score(self, src: Source) -> float:
        return recognise_columns(src, SPEC)

    def recognise(self, src: Source) -> bool:
        return self.score(src) >= RECOGNISE_SHARE

    def year(self, src: Source) -> int | None:
        return self.read(src).year

    def read(self, src: Source) -> ParsedFile:
        frame, columns, extras, _ = read_columns(src, self.kind, SPEC)
        return ParsedFile(self.kind, mode_year(frame["year"]), frame, columns, extras)
