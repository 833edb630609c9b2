"""НИКО results (XLSX): sheet «Результаты» (title row 1, header row 2) and sheet «Анкета».

«Анкета» is read long (participant × question); its rows count towards the file's rows_read
so that a questionnaire row that cannot be loaded is quarantined like any other row.
"""
from __future__ import annotations

import re

import pandas as pd

from ingestion.convert import map_unique, object_frame
from ingestion.readers.base import Col, FileError, ParsedFile
from ingestion.readers.vpr import build_frame, find_layout, read_work
from ingestion.readers.works import WorkFileReader, first_text, parse_title, task_column
from ingestion.source import Source
from ingestion.text import norm_header, pad_code

SPEC = [
    Col("school_login", ("Логин ОО",)),
    Col("participant_code", ("Код участника",), width=5),
    Col("class_name", ("Класс",)),
    Col("primary_score", ("Первичный балл",), "int"),
    Col("level_name", ("Уровень подготовки",)),
]
QUESTION = re.compile(r"^[ВB]\s*\d+", re.I)


class NikoReader(WorkFileReader):
    kind = "niko"

    def _layout(self, src: Source):
        if "niko" not in src.cache:
            found = None
            for h in src.heads:
                title = parse_title(first_text(h.rows[0]) if h.rows else None, "НИКО")
                lay = find_layout(h, "НИКО", "уровень подготовки")
                if title is not None or (lay and lay[0] > 0):
                    found = (h.name, lay[0] if lay else -1, title)
                    break
            src.cache["niko"] = found
        return src.cache["niko"]

    def read(self, src: Source) -> ParsedFile:
        sheet, header_row, title = self._layout(src)
        table, fields, extras, tasks = read_work(src, sheet, header_row, title, "НИКО", SPEC)
        frame = build_frame(table, SPEC, fields, extras, tasks)
        cols = {c.field: table.header[fields[c.field]] if c.field in fields else c.names[0] for c in SPEC}
        cols.update({f"task:{t.label}": t.header for t in tasks})
        pf = ParsedFile(self.kind, title.year, frame, cols, [f"extra:{e}" for e in extras],
                        meta={"subject": title.subject, "grade": title.grade, "tasks": tasks,
                              "work_max": sum(t.max for t in tasks), "header_row": header_row})
        anketa = next((h.name for h in src.heads if norm_header(h.name) == "анкета" and h.name != sheet), None)
        if anketa is not None:
            pf.parts["questionnaire"] = self._questionnaire(src, anketa)
        else:
            pf.notes.append("лист «Анкета» не найден")
        return pf

    def _questionnaire(self, src: Source, sheet: str) -> pd.DataFrame:
        head = next(h for h in src.heads if h.name == sheet)
        header_row = next((i + 1 for i, r in enumerate(head.rows)
                           if any(norm_header(c) == "код участника" for c in r if c)), None)
        if header_row is None:
            raise FileError("на листе «Анкета» нет столбца «Код участника»", column="Код участника")
        table = src.table(sheet, header_row)
        code_pos = next(i for i, h in enumerate(table.header) if norm_header(h) == "код участника")
        questions = [(i, h) for i, h in enumerate(table.header) if i != code_pos and h and QUESTION.match(h)]
        out = {"_row": table.rows, "participant_code": map_unique(table.text(code_pos), lambda t: pad_code(t, 5))}
        for i, h in questions:
            out[f"q:{h}"], out[f"q:{h}__bad"] = task_column(table, i)
        return object_frame(out)
