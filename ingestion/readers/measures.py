"""«Меры» — the register of measures the institute and municipalities took (input contract, §12).

One row per measure and addressee: the year whose results the measure aims at, the addressee
(a municipality or a school), the type of measure, the ВПР work and skills it targets, its dates.
The reader only normalises spellings (level, type, work, codes) so that the suite compares like
with like; judging the values (unknown codes, works, types, years) is the suite's job.
"""
from __future__ import annotations

import re

from ingestion.convert import map_unique, set_object
from ingestion.readers.base import Col, ColumnTableReader
from ingestion.text import blank, canonical_value, norm_subject, pad_code, value_keys

LEVELS = ("МО", "ОО")
MEASURE_TYPES = ("независимые наблюдатели", "перепроверка работ", "адресная помощь",
                 "курсы повышения квалификации", "семинар", "другое")
# spellings analysts use for a type in the list (methodology calls the courses «курсы»)
MEASURE_ALIASES = {"курсы": "курсы повышения квалификации", "курсы пк": "курсы повышения квалификации",
                   "наблюдатели": "независимые наблюдатели", "перепроверка": "перепроверка работ",
                   "шнор": "адресная помощь", "программа шнор": "адресная помощь"}
CODE_WIDTH = {"МО": 2, "ОО": 6}
_WORK = re.compile(r"^\s*ВПР\s+(.+?)\s+(\d{1,2})(?:\s*(?:класс|кл\.?))?\s*$", re.IGNORECASE)
_SKILL_SPLIT = re.compile(r"[,;]")

SPEC = [
    Col("year", ("Год",), "int"),
    Col("level", ("Уровень", "Уровень (МО / ОО)")),
    Col("code", ("Код", "Код МО или Код ОО", "Код (Код МО или Код ОО)")),
    Col("measure", ("Мера", "Вид меры", "Тип меры")),
    Col("work", ("Работа",), required=False),
    Col("skill_codes", ("Коды умений", "Код умения"), required=False),
    Col("start_date", ("Дата начала",), "date"),
    Col("end_date", ("Дата окончания",), "date", required=False),
    Col("responsible", ("Ответственный",), required=False),
]


def parse_work(text: object) -> tuple[str | None, str | None, int | None]:
    """(work as stored, subject, grade) of «ВПР Математика 5»; (text, None, None) when it does not parse."""
    if blank(text):
        return None, None, None
    m = _WORK.match(str(text).replace("\xa0", " "))
    if not m:
        return str(text).strip(), None, None
    subject, grade = norm_subject(m.group(1)), int(m.group(2))
    return f"ВПР {subject} {grade}", subject, grade


def norm_skills(text: object) -> str | None:
    """«1.1; 2.3 ,3» → «1.1,2.3,3»: the list as stored (order kept, blanks and repeats dropped)."""
    if blank(text):
        return None
    codes: list[str] = []
    for part in _SKILL_SPLIT.split(str(text)):
        code = "".join(part.split())
        if code and code not in codes:
            codes.append(code)
    return ",".join(codes) or None


def norm_measure(value: object) -> object:
    known = value_keys(MEASURE_TYPES)
    return canonical_value(MEASURE_ALIASES.get(str(value).strip().lower(), value) if not blank(value) else value, known)


class MeasuresReader(ColumnTableReader):
    kind = "measures"
    spec = SPEC

    def prepare(self, frame) -> None:
        set_object(frame, "level", map_unique(frame["level"], lambda v: canonical_value(v, value_keys(LEVELS))))
        set_object(frame, "measure", map_unique(frame["measure"], norm_measure))
        works = [parse_work(w) for w in frame["work"]]
        set_object(frame, "work", [w[0] for w in works])
        set_object(frame, "subject", [w[1] for w in works])
        frame["grade"] = [float(w[2]) if w[2] is not None else float("nan") for w in works]
        set_object(frame, "skill_codes", map_unique(frame["skill_codes"], norm_skills))
        codes = [None if blank(c) else "".join(str(c).split()) for c in frame["code"]]
        set_object(frame, "code", [pad_code(c, CODE_WIDTH.get(lv, 0)) if c else c
                                   for c, lv in zip(codes, frame["level"])])
