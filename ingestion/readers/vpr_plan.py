"""«План ВПР» — one row per task of a work: maximum, level, checked skill, practice flag.

The plan is the authority on task maxima and levels (methodology, «Conventions»), so it is
loaded before the ВПР results it validates.
"""
from __future__ import annotations

from ingestion.convert import map_unique, set_object
from ingestion.readers.base import Col, ColumnTableReader
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


class VprPlanReader(ColumnTableReader):
    kind = "vpr_plan"
    spec = SPEC

    def prepare(self, frame) -> None:
        set_object(frame, "subject", map_unique(frame["subject"], norm_subject))
        set_object(frame, "task", map_unique(frame["task"], norm_task))
        set_object(frame, "task_level", [t.upper() if isinstance(t, str) else None for t in frame["task_level"]])
