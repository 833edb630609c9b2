"""ГИА-11 (ЕГЭ, ГВЭ-11) and ГИА-9 (ОГЭ, ГВЭ-9) results: one reader, two kinds.

Both exports have the same columns. Which exam a file holds is decided from its content:
`ЕГЭ` or `ОГЭ` in `Форма ГИА` settle it; a file of ГВЭ rows only is told by the grade in
`Класс` (9 vs 11), then by categories only ГИА-11 has (`ВПЛ`, `СПО`) or subject 22
(Математика базовая). The answer strings are parsed here (reading), but judged by the suite.
"""
from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd

from ingestion.convert import map_unique, set_object
from ingestion.readers.base import (Col, FileError, ParsedFile, RECOGNISE_SHARE, mode_year, read_columns_lenient,
                                    recognise_columns, require)
from ingestion.source import Source
from ingestion.text import blank, norm_value


def _spec(exam: str) -> list[Col]:
    return [
        Col("participant_id", ("ID участника", "Идентификатор участника")),
        Col("school_code", ("Код ОО",), width=6),
        Col("mo_code", ("Код МО",), width=2),
        Col("category", ("Категория",)),
        Col("class_name", ("Класс",)),
        Col("sex", ("Пол",), required=False),
        Col("ovz", ("ОВЗ",), "int", required=False),
        Col("gia_form", ("Форма ГИА",)),
        Col("subject_code", ("Код предмета",), "int"),
        Col("subject_name", ("Предмет",), required=False),
        Col("stage", ("Этап",)),
        Col("exam_date", ("Дата экзамена",), "date"),
        Col("variant", ("Вариант",), "int", required=False),
        Col("short_answers", ("Задания с кратким ответом",), required=False),
        Col("long_answers", ("Задания с развернутым ответом",), required=False),
        Col("primary_score", ("Первичный балл",), "int"),
        Col("test_score", ("Тестовый балл",), "int", required=(exam == "gia11")),
        Col("mark", ("Отметка",), "int"),
        Col("status", ("Статус",)),
    ]


SPEC = _spec("gia11")

# canonical spelling of the categorical values dbt compares with
CANON = {
    "status": ["Явка", "Неявка", "Удалён", "Не закончил", "Аннулирован"],
    "stage": ["Досрочный", "Основной", "Дополнительный"],
    "category": ["ВТГ", "ВПЛ", "СПО"],
    "gia_form": ["ЕГЭ", "ГВЭ", "ОГЭ"],
    "sex": ["М", "Ж"],
}
_CANON_MAP = {f: {norm_value(v): v for v in vals} for f, vals in CANON.items()}
_GRADE = re.compile(r"^\s*(\d{1,2})")
SAMPLE_ROWS = 5000            # rows a big file is sniffed by
SAMPLE_BYTES = 4 << 20        # files up to this size are read whole at once


def decide_exam(frame: pd.DataFrame) -> str:
    """'gia11' or 'gia9' from the forms, grades, categories and subjects in the file."""
    forms = _counts(frame["gia_form"], lambda f: norm_value(f).upper())
    ege, oge = forms.get("ЕГЭ", 0), forms.get("ОГЭ", 0)
    if ege or oge:
        return "gia11" if ege >= oge else "gia9"
    grades = _counts(frame["class_name"], lambda c: int(m.group(1)) if (m := _GRADE.match(c)) else None)
    eleven = sum(n for g, n in grades.items() if g is not None and g >= 10)
    nine = sum(n for g, n in grades.items() if g is not None and g <= 9)
    if eleven != nine:
        return "gia11" if eleven > nine else "gia9"
    cats = set(_counts(frame["category"], lambda c: norm_value(c).upper()))
    if cats & {"ВПЛ", "СПО"} or (frame["subject_code"] == 22).any():
        return "gia11"
    return "gia11"


def _counts(values: pd.Series, key) -> Counter:
    """Counts of key(value) over the non-blank values, computing key once per distinct value."""
    counts = pd.Series(values, dtype=object).value_counts(dropna=True)
    out: Counter = Counter()
    for v, n in counts.items():
        out[key(v)] += int(n)
    return out


def _canon(frame: pd.DataFrame) -> None:
    for f, mapping in _CANON_MAP.items():
        set_object(frame, f, map_unique(frame[f].to_numpy(dtype=object), lambda v, m=mapping: m.get(norm_value(v), v)))


_LONG_ITEM = re.compile(r"(\d+)\((\d+)\)")
_LONG_FULL = re.compile(r"^(?:\d+\(\d+\))+$")
_MINUS = str.maketrans({"−": "-", "–": "-", "—": "-"})


_SHORT_OK = re.compile(r"^[+\-0-9]*$")
_NO_SIGNS = str.maketrans("", "", "+-")


def parse_short(s: str | None) -> tuple[float, str | None]:
    """Sum of a short-answer string and the first invalid character (None when valid)."""
    if blank(s):
        return np.nan, None
    t = s.translate(_MINUS).replace(" ", "")
    if not _SHORT_OK.match(t):
        i, ch = next((i, ch) for i, ch in enumerate(t) if ch not in "+-0123456789")
        return np.nan, f"недопустимый символ «{ch}» в позиции {i + 1}"
    digits = t.translate(_NO_SIGNS)
    return float(t.count("+") + (sum(map(int, digits)) if digits else 0)), None


def parse_long(s: str | None) -> tuple[float, str | None]:
    """Sum of a long-answer string `2(3)1(2)` and a problem (format or a criterion over its max)."""
    if blank(s):
        return np.nan, None
    s = s.replace(" ", "")
    if not _LONG_FULL.match(s):
        return np.nan, "строка не в формате «балл(максимум)…»"
    total = 0
    for k, (score, mx) in enumerate(_LONG_ITEM.findall(s), start=1):
        if int(score) > int(mx):
            return np.nan, f"балл {score} за критерий {k} выше максимального {mx}"
        total += int(score)
    return float(total), None


def add_answer_columns(frame: pd.DataFrame) -> None:
    """`_short_sum`, `_short_problem`, `_long_sum`, `_long_problem` (cached per distinct string)."""
    for col, fn in (("short_answers", parse_short), ("long_answers", parse_long)):
        cache: dict = {}
        sums = np.full(len(frame), np.nan)
        problems = np.full(len(frame), None, dtype=object)
        for i, s in enumerate(frame[col].to_numpy(dtype=object)):
            if not isinstance(s, str):
                continue
            r = cache.get(s)
            if r is None:
                r = cache[s] = fn(s)
            sums[i], problems[i] = r
        part = "short" if col == "short_answers" else "long"
        frame[f"_{part}_sum"] = sums
        set_object(frame, f"_{part}_problem", problems)


class GiaReader:
    def __init__(self, kind: str):
        self.kind = kind

    def score(self, src: Source) -> float:
        share = recognise_columns(src, SPEC)
        if share < RECOGNISE_SHARE:
            return 0.0
        return share if self._exam(src) == self.kind else 0.0

    def recognise(self, src: Source) -> bool:
        return self.score(src) >= RECOGNISE_SHARE

    def _frame(self, src: Source, sample: bool = False):
        """The file read leniently (no column required): enough to tell the exam and the year.

        A file missing a required column is still told ГИА-11 from ГИА-9 here; `read` then
        rejects it naming the column. `sample`: the first SAMPLE_ROWS rows of a big file do for
        recognition and the year in `scan_inbox`; loading reads every row.
        """
        key = "gia" if not sample or src.path.stat().st_size <= SAMPLE_BYTES else "gia_sample"
        if "gia" in src.cache:
            return src.cache["gia"]
        if key not in src.cache:
            try:
                src.cache[key] = read_columns_lenient(src, SPEC, limit=None if key == "gia" else SAMPLE_ROWS)
            except FileError as exc:
                src.cache[key] = exc
        return src.cache[key]

    def _exam(self, src: Source) -> str:
        got = self._frame(src, sample=True)
        if isinstance(got, FileError):
            return "gia11"  # the error is reported by read(); the kind hardly matters then
        return decide_exam(got[0])

    def year(self, src: Source) -> int | None:
        got = self._frame(src, sample=True)
        if isinstance(got, FileError):
            return None
        return mode_year(pd.Series(got[0]["exam_date"]).dt.year)

    def read(self, src: Source) -> ParsedFile:
        got = self._frame(src)  # read once for recognition, the year and the rows
        if isinstance(got, FileError):
            raise got
        frame, columns, extras, table, fields = got
        require(fields, _spec(self.kind), table.header_row, len(table.rows))
        frame = frame.copy(deep=False)
        _canon(frame)
        frame["year"] = pd.Series(frame["exam_date"]).dt.year.to_numpy(dtype=float)
        add_answer_columns(frame)
        year = mode_year(frame["year"])
        return ParsedFile(self.kind, year, frame, columns, extras)
