"""ГИА appeal and re-check protocols of the РЦОИ (input contract §11), kind `gia_appeals`.

    № | Код ОО | Класс | Код ППЭ | Аудитория | Фамилия | Имя | Отчество | Документ |
      Тип апелляции / перепроверки | Состояние | Дата отправки на обработку | Дата изменений |
      Балл до изменения | Текущие: Первичный балл, Балл | Разница

`Текущие` spans two columns with a second header line under it. The exam is named by the title
row (as in a result protocol) or by a compact `Экзамен` column (`Математика(2025.06.02)`).

Rows land in `raw.gia_appeals` with the pseudonymous id (names and the document are dropped
here, as for result protocols) and `replaces`: whether the row's result replaces the original
(a satisfied appeal or a completed re-check). The replacement belongs downstream of the raw
layer (dbt), so the original result stays in `raw.gia11/9`; the ledger note of the load says
how many results the file changes and how many appeals found no original.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ingestion import pseudonym
from ingestion.convert import set_object
from ingestion.readers.base import Col, FileError, ParsedFile, header_keys, map_header, require, typed_frame
from ingestion.readers.gia_rcoi import (CODE_AS, ParsedOnce, find_title, header_table, person_columns, strip_personal,
                                        subject_from_name)
from ingestion.source import Source, Table
from ingestion.text import norm_header

CURRENT = "Текущие"
SPEC = [
    Col("school_code", ("Код ОО",), width=6, required=False),
    Col("class_name", ("Класс",), required=False),
    Col("surname", ("Фамилия",)),
    Col("first_name", ("Имя",)),
    Col("patronymic", ("Отчество",), required=False),
    Col("doc_series", ("Серия",), required=False),
    Col("doc_number", ("Номер",), required=False),
    Col("document", ("Документ",), required=False),
    Col("exam", ("Экзамен",), required=False),
    Col("appeal_type", ("Тип апелляции / перепроверки", "Тип апелляции/перепроверки", "Тип апелляции")),
    Col("appeal_state", ("Состояние",)),
    Col("sent_at", ("Дата отправки на обработку",), required=False),
    Col("changed_at", ("Дата изменений", "Дата изменения"), required=False),
    Col("score_before", ("Балл до изменения",), "int", required=False),
    Col("primary_score", (f"{CURRENT}: Первичный балл", "Текущий первичный балл"), "int"),
    Col("score", (f"{CURRENT}: Балл", f"{CURRENT}: Тестовый балл", f"{CURRENT}: Оценка", "Текущий балл"), "int"),
    Col("score_diff", ("Разница",), "int", required=False),
]
MARKERS = {norm_header(h) for h in ("Тип апелляции / перепроверки", "Тип апелляции/перепроверки", "Тип апелляции",
                                    "Балл до изменения")}
_EXAM = re.compile(r"^\s*(.+?)\s*\(\s*(\d{4})\.(\d{1,2})\.(\d{1,2})\s*\)\s*$")


def replaces(appeal_type: object, state: object) -> bool:
    """Does this row's result replace the original? A satisfied appeal, or a re-check not withdrawn."""
    t, s = norm_header(appeal_type), norm_header(state)
    if any(w in s for w in ("отклон", "отозван", "не удовлетвор", "отказ")):
        return False
    if "перепровер" in t:
        return True
    return "удовлетвор" in s


def merge_second_header(table: Table) -> None:
    """`Текущие` with `Первичный балл` / `Балл` on the line below → two columns of one header."""
    if not len(table.rows):
        return
    first = table.cells[0]
    texts = [str(v).strip() if v is not None and str(v).strip() else "" for v in first]
    if not any(norm_header(t) in ("первичный балл", "балл", "тестовый балл", "оценка") for t in texts):
        return
    header = list(table.header)
    for j, t in enumerate(texts):
        if t and j < len(header):
            header[j] = f"{CURRENT}: {t}"
    table.header = header
    table.cells = table.cells[1:]
    table.rows = table.rows[1:]
    table._text = {}


def _parse_datetime(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = pd.Series(values, dtype=object)
    d = pd.to_datetime(s, format="%d.%m.%Y %H:%M:%S", errors="coerce")
    retry = d.isna() & s.notna()
    if retry.any():
        d[retry] = pd.to_datetime(s[retry], format="%d.%m.%Y", errors="coerce")
    bad = np.where((d.isna() & s.notna()).to_numpy(), s.to_numpy(dtype=object), None)
    return d.to_numpy(dtype="datetime64[ns]"), bad.astype(object)


class AppealReader(ParsedOnce):
    """A РЦОИ appeal / re-check protocol: recognised by its «Тип апелляции» or «Балл до изменения» header."""

    kind = "gia_appeals"
    cache_key = "appeals"

    def score(self, src: Source) -> float:
        for head in src.heads:
            for row in head.rows:
                keys = {k for c in row if c for k in header_keys(c)}
                if keys & MARKERS and {"фамилия", "имя"} <= keys:
                    return 1.0
        return 0.0

    def parse(self, src: Source) -> ParsedFile:
        return read_appeals(src)


def read_appeals(src: Source) -> ParsedFile:
    table, header_row = header_table(src, SPEC, "протокола апелляций")
    merge_second_header(table)
    fields, extras = map_header(table.header, SPEC)
    require(fields, SPEC, header_row, len(table.rows))
    title = find_title(table.top)
    if title is None and "exam" not in fields:
        raise FileError("в протоколе апелляций не указан экзамен: нет заголовка «<код> - <предмет> <ГГГГ.ММ.ДД>» и "
                        "столбца «Экзамен»", row=header_row, column="Экзамен", rows_read=len(table.rows))
    frame = typed_frame(table, SPEC, fields, extras)
    ids = pseudonym.person_ids(pseudonym.current_key(), *person_columns(frame))
    frame, extra_cols = strip_personal(frame, [f"extra:{e}" for e in extras])
    set_object(frame, "participant_id", ids)
    n = len(frame)
    code = np.full(n, np.nan)
    date = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    exam_bad = np.full(n, None, dtype=object)
    if title is not None:
        code[:] = CODE_AS.get(title["code"], title["code"])
        date[:] = np.datetime64(title["date"], "ns")
    if "exam" in fields:  # a row's own exam wins over the title
        for i, e in enumerate(frame["exam"].to_numpy(dtype=object)):
            m = _EXAM.match(e) if isinstance(e, str) else None
            c = subject_from_name(m.group(1)) if m else None
            if m and c is not None:
                code[i] = c
                date[i] = np.datetime64(f"{int(m.group(2)):04d}-{int(m.group(3)):02d}-{int(m.group(4)):02d}", "ns")
            elif isinstance(e, str):
                exam_bad[i] = e
        del frame["exam"]
    frame["subject_code"], frame["subject_code__bad"] = code, None
    frame["exam_date"], frame["exam_date__bad"] = date, exam_bad
    for c in ("sent_at", "changed_at"):
        frame[c], frame[f"{c}__bad"] = _parse_datetime(frame[c].to_numpy(dtype=object))
    set_object(frame, "replaces", np.array([replaces(t, s) for t, s in
                                            zip(frame["appeal_type"], frame["appeal_state"])], dtype=object))
    years = pd.Series(date).dt.year.dropna()
    year = int(years.mode().max()) if len(years) else None
    frame["year"] = float(year) if year is not None else np.nan
    columns = {"participant_id": "ID участника (Фамилия, Имя, Отчество, документ)", "subject_code": "Экзамен",
               "exam_date": "Экзамен", "primary_score": f"{CURRENT}: Первичный балл", "score": f"{CURRENT}: Балл",
               "score_before": "Балл до изменения", "appeal_type": "Тип апелляции / перепроверки",
               "appeal_state": "Состояние", "sent_at": "Дата отправки на обработку", "changed_at": "Дата изменений"}
    return ParsedFile("gia_appeals", year, frame, columns, extra_cols)
