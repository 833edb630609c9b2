"""«Шкала ВПР» — the minimum primary score for marks 3, 4, 5 of each work."""
from __future__ import annotations

from ingestion.convert import map_unique, set_object
from ingestion.readers.base import Col, ParsedFile, mode_year, read_columns, recognise_columns, RECOGNISE_SHARE
from ingestion.source import Source
from ingestion.text import norm_subject

SPEC = [
    Col("year", ("Год",), "int"),
    Col("subject", ("Предмет",)),
    Col("grade", ("Класс",), "int"),
    Col("min_mark3", ("Отметка 3 от", "«3» от", "3 от"), "int"),
    Col("min_mark4", ("Отметка 4 от", "«4» от", "4 от"), "int"),
    Col("min_mark5", ("Отметка 5 от", "«5» от", "5 от"), "int"),
]


class VprScaleReader:
    kind = "vpr_scale"

    def score(self, src: Source) -> float:
        return recognise_columns(src, SPEC)

    def recognise(self, src: Source) -> bool:
        return self.score(src) >= RECOGNISE_SHARE

    def year(self, src: Source) -> int | None:
        return self.read(src).year

    def read(self, src: Source) -> ParsedFile:
        frame, columns, extras, _ = read_columns(src, self.kind, SPEC)
        set_object(frame, "subject", map_unique(frame["subject"], norm_subject))
        return ParsedFile(self.kind, mode_year(frame["year"]), frame, columns, extras)
