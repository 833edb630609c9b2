"""Graduates' admissions to colleges and universities (CSV), for indicator G01."""
from __future__ import annotations

from ingestion.readers.base import Col, ColumnTableReader

SPEC = [
    Col("participant_id", ("ID участника",)),
    Col("school_code", ("Код ОО",), width=6),
    Col("grad_year", ("Год выпуска",), "int"),
    Col("edu_level", ("Уровень образования",)),
    Col("specialty_code", ("Код специальности",)),
    Col("study_region", ("Субъект обучения",)),
    Col("profile", ("Профиль обучения",)),
]


class AdmissionsReader(ColumnTableReader):
    kind = "admissions"
    spec = SPEC
    year_column = "grad_year"

    def prepare(self, frame) -> None:
        frame["year"] = frame["grad_year"]
