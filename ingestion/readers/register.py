"""«Реестр ОО» — the register of schools (CSV or XLSX), the reference for every code check."""
from __future__ import annotations

from expectations.reference import LOCALITIES, SCHOOL_TYPES, TRANSPORT
from ingestion.convert import map_unique, set_object
from ingestion.readers.base import Col, ParsedFile, read_columns, recognise_columns, RECOGNISE_SHARE
from ingestion.source import Source
from ingestion.text import canonical_value, value_keys

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


# categorical columns: a value that differs from the list only in case or ё/е is that value
VALUE_SETS = {"school_type": value_keys(SCHOOL_TYPES), "locality": value_keys(LOCALITIES),
              "transport_access": value_keys(TRANSPORT)}


class RegisterReader:
    kind = "register"
    spec = SPEC

    def score(self, src: Source) -> float:
        return recognise_columns(src, SPEC)

    def recognise(self, src: Source) -> bool:
        return self.score(src) >= RECOGNISE_SHARE

    def year(self, src: Source) -> int | None:
        return None  # a register is not tied to a year: the newest one is in force

    def read(self, src: Source) -> ParsedFile:
        frame, columns, extras, _ = read_columns(src, self.kind, SPEC)
        for name, allowed in VALUE_SETS.items():
            set_object(frame, name, map_unique(frame[name], lambda v, a=allowed: canonical_value(v, a)))
        return ParsedFile(self.kind, None, frame, columns, extras)
