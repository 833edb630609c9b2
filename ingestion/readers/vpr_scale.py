"""«Шкала ВПР» — the minimum primary score for marks 3, 4, 5 of each work."""
from __future__ import annotations

from ingestion.convert import map_unique, set_object
from ingestion.readers.base import Col, ColumnTableReader
from ingestion.text import norm_subject

SPEC = [
    Col("year", ("Год",), "int"),
    Col("subject", ("Предмет",)),
    Col("grade", ("Класс",), "int"),
    Col("min_mark3", ("Отметка 3 от", "«3» от", "3 от"), "int"),
    Col("min_mark4", ("Отметка 4 от", "«4» от", "4 от"), "int"),
    Col("min_mark5", ("Отметка 5 от", "«5» от", "5 от"), "int"),
]


class VprScaleReader(ColumnTableReader):
    kind = "vpr_scale"
    spec = SPEC

    def prepare(self, frame) -> None:
        set_object(frame, "subject", map_unique(frame["subject"], norm_subject))
