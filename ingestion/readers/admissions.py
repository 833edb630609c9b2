"""Graduates' admissions to colleges and universities (CSV), for indicator G01."""
from __future__ import annotations

from ingestion.readers.base import Col, ParsedFile, mode_year, read_columns, recognise_columns, RECOGNISE_SHARE
from ingestion.source import Source

SPEC = [
    Col("participant_id", ("ID участника",)),
    Col("school_code", ("Код ОО",), width=6),
    Col("grad_year", ("Год выпуска",), "int"),
    Col("edu_level", ("Уровень образования",)),
    Col("specialty_code", ("Код специальности",)),
    Col("study_region", ("Субъект обучения",)),
    Col("profile", ("Профиль обучения",)),
]


class AdmissionsReader:
    kind = "admissions"

    def score(self, src: Source) -> float:
        return recognise_columns(src, SPEC)

    def recognise(self, src: Source) -> bool:
        return self.score(src) >= RECOGNISE_SHARE

    def year(self, src: Source) -> int | None:
        return self.read(src).year

    def read(self, src: Source) -> ParsedFile:
        frame, columns, extras, _ = read_columns(src, self.kind, SPEC)
        frame["year"] = frame["grad_year"]
        return ParsedFile(self.kind, mode_year(frame["grad_year"]), frame, columns, extras)
