"""Minimum ЕГЭ scores delivered with the inbox (`Год; Код предмета; Минимальный балл`)."""
from __future__ import annotations

from ingestion.readers.base import Col, ColumnTableReader

SPEC = [
    Col("year", ("Год",), "int"),
    Col("subject_code", ("Код предмета",), "int"),
    Col("min_score", ("Минимальный балл", "Мин. балл"), "int"),
]


class EgeMinReader(ColumnTableReader):
    kind = "ege_min"
    spec = SPEC
