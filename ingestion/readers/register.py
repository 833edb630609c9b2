"""«Реестр ОО» — the register of schools (CSV or XLSX), the reference for every code check."""
from __future__ import annotations

from ingestion.readers.base import Col, ParsedFile, read_columns, recognise_columns, RECOGNISE_SHARE
from ingestion.source import Source

SPEC = [
    Col("school_code", ("Код ОО",), width=6),
    Col("school_login", ("Логин ОО",)),
    Col("short_name", ("Краткое наименование",)),
    Col("full_name", ("Полное наименование",), required=False),
    Col("mo_code", ("Код МО",), width=2),
    Col("mo_name", ("Муниципальное образование",)),
    Col("school_type", ("Тип ОО",)),
    Col("locality", ("Местность",)),
    Col("transport_access", ("Транспортная доступность",)),
    Col("pupils", ("Численность обучающихся",), "int", required=False),
    Col("shnor", ("ШНОР",), "bool", required=False),
]


class RegisterReader:
    kind = "register"

    def score(self, src: Source) -> float:
        return recognise_columns(src, SPEC)

    def recognise(self, src: Source) -> bool:
        return self.score(src) >= RECOGNISE_SHARE

    def year(self, src: Source) -> int | None:
        return None  # a register is not tied to a year: the newest one is in force

    def read(self, src: Source) -> ParsedFile:
        frame, columns, extras, _ = read_columns(src, self.kind, SPEC)
        return ParsedFile(self.kind, None, frame, columns, extras)
