"""«План ВПР» — one row per task of a work: maximum, level, checked skill, practice flag.

The plan is the authority on task maxima and levels (methodology, «Conventions»), so it is
loaded before the ВПР results it validates.
"""
from __future__ import annotations

from ingestion.convert import map_unique, set_object
from ingestion.readers.base import Col, ParsedFile, mode_year, read_columns, recognise_columns, RECOGNISE_SHARE
from ingestion.source import Source
from ingestion.text import blank, norm_subject

SPEC = [
    Col("year", ("Год",), "int"),
    Col("subject", ("Предмет",)),
    Col("grade", ("Класс",), "int"),
    Col("task", ("Задание", "Номер задания", "№ задания")),
    Col("task_max", ("Макс. балл", "Максимальный балл", "Макс балл"), "int"),
    Col("task_level", ("Уровень", "Уровень сложности")),
    Col("skill_code", ("Код умения", "Код проверяемого умения")),
    Col("skill_name", ("Проверяемое умение", "Проверяемые умения"), required=False),
    Col("practice_oriented", ("Практико-ориентированное", "Практико-ориентированное задание"), "bool"),
]


def norm_task(label: str | None) -> str | None:
    """Task label as compared between header and plan: no spaces, Latin K → Cyrillic К."""
    if blank(label):
        return None
    return "".join(str(label).split()).replace("K", "К").replace("k", "К").replace("к", "К")


class VprPlanReader:
    kind = "vpr_plan"

    def score(self, src: Source) -> float:
        return recognise_columns(src, SPEC)

    def recognise(self, src: Source) -> bool:
        return self.score(src) >= RECOGNISE_SHARE

    def year(self, src: Source) -> int | None:
        return self.read(src).year

    def read(self, src: Source) -> ParsedFile:
        frame, columns, extras, _ = read_columns(src, self.kind, SPEC)
        set_object(frame, "subject", map_unique(frame["subject"], norm_subject))
        set_object(frame, "task", map_unique(frame["task"], norm_task))
        set_object(frame, "task_level", [t.upper() if isinstance(t, str) else None for t in frame["task_level"]])
        return ParsedFile(self.kind, mode_year(frame["year"]), frame, columns, extras)
