"""ВПР «Индивидуальные результаты» (XLSX, or CSV with the same 8-row layout), both layouts.

The current ФИС ОКО layout (title in row 3 without dots, `ОО` for the login, group rows) is
described in `vpr_fisoko`; this reader takes it and the second layout the contract keeps:
```
row 1  ВПР 2025. Математика. 4 класс
row 2  Предмет: | Математика          row 3  Класс: | 4
row 4  Максимальный первичный балл: | 20      row 5  Дата: | 15.04.2025
row 7  Б/П above each task column
row 8  Логин ОО | … | 1 (1б) | 9.1 (1б) | 2К1 (1б) … | Первичный балл | Отметка | Отметка по журналу
```
The header row is found by content (not assumed to be row 8) so a file with one metadata line
more or less still reads; row numbers stay those of the spreadsheet.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ingestion.convert import object_frame, parse_date, parse_int
from ingestion.readers.base import Col, FileError, ParsedFile, add_field, map_header, require
from ingestion.readers.vpr_fisoko import drop_rows, find_title, group_notes, group_rows, null_no_mark
from ingestion.readers.works import TaskColumn, WorkFileReader, first_text, parse_title, task_block, task_columns
from ingestion.source import Source, SheetHead
from ingestion.text import norm_header, norm_subject

SPEC = [
    Col("school_login", ("Логин ОО", "ОО")),
    Col("mo_name", ("Муниципалитет", "Муниципальное образование"), required=False),
    Col("school_name", ("Название ОО", "Наименование ОО"), required=False),
    Col("participant_code", ("Код участника",), width=5),
    Col("class_name", ("Класс",)),
    Col("variant", ("Вариант",), "int", required=False),
    Col("primary_score", ("Первичный балл",), "int"),
    Col("mark", ("Отметка",), "int"),
    Col("journal_mark", ("Отметка по журналу",), "int", required=False),
]
META_LABELS = {"предмет": "subject", "класс": "grade", "максимальный первичный балл": "work_max",
               "максимальный балл": "work_max", "дата": "work_date", "дата проведения": "work_date"}


def find_layout(head: SheetHead, procedure: str, marker: str | tuple[str, ...]) -> tuple[int, object] | None:
    """(header row, title) of a ВПР/НИКО sheet: the row with `Логин ОО`/`Код участника` and a task column.

    A ВПР title may also stand lower (row 3 of the current ФИС ОКО layout, under the form's name).
    """
    markers = (marker,) if isinstance(marker, str) else marker
    title = parse_title(first_text(head.rows[0]) if head.rows else None, procedure)
    for i, row in enumerate(head.rows):
        keys = {norm_header(c) for c in row if c}
        if "код участника" in keys and keys.intersection(markers) and task_columns([c or "" for c in row]):
            if title is None and procedure == "ВПР":
                title = find_title(head.rows[:i])
            return i + 1, title
    if title is not None:
        return -1, title  # titled, but no header row found: still this kind (a file error)
    return None


def read_metadata(top: list[list[str | None]]) -> dict[str, str]:
    """`Предмет:`, `Класс:`, `Максимальный первичный балл:`, `Дата:` by their labels, each with the
    spreadsheet row it stands in (`<field>_row`): the two layouts put them in different rows, and
    a blank row may be missing or doubled (contract §4), so messages must not assume a number."""
    meta = {}
    for i, row in enumerate(top[1:], start=2):
        cells = [c for c in row if c]
        if len(cells) >= 2:
            key = norm_header(cells[0]).rstrip(":").strip()
            if key in META_LABELS:
                meta[META_LABELS[key]] = cells[1]
                meta[f"{META_LABELS[key]}_row"] = i
    return meta


def date_note(work_date, year: int, row: int | None) -> list[str]:
    """A work date outside the title's year (contract, «What bad input gets»): the rows still
    load under the title's year, and the ledger says which date disagrees."""
    if pd.isna(work_date) or work_date.year == year:
        return []
    return [f"дата работы {work_date:%d.%m.%Y} (строка {row}) вне года файла {year}"]


def read_work(src: Source, sheet: str, header_row: int, title, procedure: str, spec: list[Col],
              groups: list | None = None):
    """The shared part of ВПР and НИКО: table, fields, task block, title vs metadata.

    With `groups` (a list to fill), ФИС ОКО group rows are dropped first — they are neither read
    nor counted, even in a file rejected for a missing column — and collected into it.
    """
    if header_row < 0:
        raise FileError("не найдена строка заголовка с «Код участника» и столбцами заданий «N (Kб)»")
    table = src.table(sheet, header_row)
    fields, extras = map_header(table.header, spec)
    if groups is not None:
        mask, found = group_rows(table, fields.get("participant_code"))
        groups += found
        if mask.any():  # structure, not data: not read, not quarantined
            table = drop_rows(table, mask)
    tasks = task_columns(table.header)
    for t in tasks:
        extras = {k: v for k, v in extras.items() if v != t.position}
    require(fields, spec, header_row, len(table.rows))
    if title is None:
        raise FileError(f"в строке 1 нет заголовка «{procedure} ГГГГ. Предмет. N класс»", row=1,
                        column="заголовок", value=first_text(next((r for r in table.top if any(r)), [])),
                        rows_read=len(table.rows))
    return table, fields, extras, tasks


def build_frame(table, spec, fields, extras, tasks: list[TaskColumn]) -> pd.DataFrame:
    out: dict[str, object] = {"_row": table.rows}
    for col in spec:
        add_field(out, table, col, fields.get(col.field))
    for t, (values, bad) in zip(tasks, task_block(table, [t.position for t in tasks])):
        out[f"task:{t.label}"], out[f"task:{t.label}__bad"] = values, bad
    for label, pos in extras.items():
        out[f"extra:{label}"] = table.text(pos)
    return object_frame(out)


class VprReader(WorkFileReader):
    kind = "vpr"

    def _layout(self, src: Source):
        if "vpr" not in src.cache:
            src.cache["vpr"] = next(((h.name, *found) for h in src.heads
                                     if (found := find_layout(h, "ВПР", ("логин оо", "оо"))) is not None
                                     and not _is_niko(h)), None)
        return src.cache["vpr"]

    def read(self, src: Source) -> ParsedFile:
        sheet, header_row, title = self._layout(src)
        groups: list = []
        table, fields, extras, tasks = read_work(src, sheet, header_row, title, "ВПР", SPEC, groups)
        meta = read_metadata(table.top)
        subject, grade = title.subject, title.grade
        if meta.get("subject") and norm_subject(meta["subject"]) != subject:
            raise FileError(f"предмет в заголовке «{subject}» и в строке «Предмет:» «{meta['subject']}» различаются",
                            row=meta["subject_row"], column="Предмет:", value=meta["subject"], rows_read=len(table.rows))
        if meta.get("grade") and parse_int(np.array([meta["grade"]], dtype=object))[0][0] != grade:
            raise FileError(f"класс в заголовке «{grade}» и в строке «Класс:» «{meta['grade']}» различаются",
                            row=meta["grade_row"], column="Класс:", value=meta["grade"], rows_read=len(table.rows))
        header_sum = sum(t.max for t in tasks)
        work_max = parse_int(np.array([meta.get("work_max")], dtype=object))[0][0]
        notes = group_notes(groups)
        if np.isnan(work_max):
            work_max = header_sum
        elif work_max != header_sum:
            notes.append(f"максимальный первичный балл {int(work_max)} (строка {meta['work_max_row']}) не равен сумме "
                         f"максимумов заданий {header_sum}")
        work_date = parse_date(np.array([meta.get("work_date")], dtype=object))[0][0]
        notes += date_note(pd.Timestamp(work_date), title.year, meta.get("work_date_row"))
        levels = levels_row(table.top, tasks)
        for t in tasks:
            lv = levels[t.position] if t.position < len(levels) else None
            t.level = lv.upper() if lv else None
        frame = build_frame(table, SPEC, fields, extras, tasks)
        null_no_mark(frame, "journal_mark")
        cols = {c.field: table.header[fields[c.field]] if c.field in fields else c.names[0] for c in SPEC}
        cols.update({f"task:{t.label}": t.header for t in tasks})
        return ParsedFile(self.kind, title.year, frame, cols, [f"extra:{e}" for e in extras],
                          meta={"subject": subject, "grade": grade, "work_max": int(work_max),
                                "work_date": work_date, "tasks": tasks, "header_row": header_row},
                          notes=notes)


def levels_row(top: list[list[str | None]], tasks: list[TaskColumn]) -> list[str | None]:
    """The row of Б/П above the task columns: the nearest one above the header that has them
    (a blank row between them may be missing or doubled)."""
    for row in reversed(top):
        if any(t.position < len(row) and (row[t.position] or "").strip().upper() in ("Б", "П") for t in tasks):
            return row
    return []


def _is_niko(head: SheetHead) -> bool:
    """A НИКО sheet looks like ВПР but has a НИКО title or a `Уровень подготовки` column."""
    text = first_text(head.rows[0]) if head.rows else None
    if text and norm_header(text).startswith("нико"):
        return True
    return any(norm_header(c) == "уровень подготовки" for row in head.rows for c in row if c)
