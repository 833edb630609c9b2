"""Suite for «Меры» (input contract, §12): a measure must name a known addressee, type, work and year.

The addressee is a municipality (`Код МО`) or a school (`Код ОО`) of the register; the work a ВПР
work of the plan and its skills the plan's skills of that work. A measure that cannot be tied to
what it was aimed at cannot be evaluated, so such a row is quarantined with the reason, and the
rest of the file loads. Without a register (or a plan) the codes (or works) are not checked.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from expectations import messages as m
from expectations.core import Check, gx_expectations, repeat_of
from expectations.params import ContextParams
from expectations.reference import in_set, int_checks, text_required
from ingestion.convert import fmt
from ingestion.readers.measures import CODE_WIDTH, LEVELS, MEASURE_TYPES

# contract §1: `Код МО` has 2–3 characters as the regional systems number them (the РЦОИ's `Код МСУ`)
CODE_LENGTHS = {"МО": (2, 3), "ОО": (6,)}
KEY = ["year", "level", "code", "measure", "_work_key"]  # a measure without a work repeats too


def code_problems(df: pd.DataFrame, params: ContextParams) -> list[str | None]:
    """Why a row's `Код` does not name an addressee of its level (None when it does)."""
    schools = params.school_codes
    mos = frozenset(params.school_mo.values()) if params.school_mo else None
    out: list[str | None] = []
    for level, code in zip(df["level"], df["code"]):
        if not isinstance(code, str) or level not in CODE_WIDTH:
            out.append(None)  # blank code or bad level: their own checks say so
        elif len(code) not in CODE_LENGTHS[level] or not code.isdigit():
            out.append(f"код «{code}» не является кодом МО: ожидается 2–3 цифры"
                       if level == "МО" else f"код «{code}» не является кодом ОО: ожидается 6 цифр")
        elif level == "ОО" and schools is not None and code not in schools:
            out.append(f"неизвестный Код ОО «{code}»: нет в реестре ОО")
        elif level == "МО" and mos is not None and code not in mos:
            out.append(f"неизвестный Код МО «{code}»: нет в реестре ОО")
        else:
            out.append(None)
    return out


def plan_skills(params: ContextParams) -> dict[tuple[str, int], frozenset[str]]:
    """(subject, grade) → the skill codes of that work in any year of the plan."""
    p = params.plan
    if p.empty or "skill_code" not in p:
        return {}
    out: dict[tuple[str, int], set[str]] = {}
    for s, g, k in zip(p["subject"], p["grade"], p["skill_code"]):
        if isinstance(s, str) and pd.notna(g):
            out.setdefault((s, int(g)), set()).update([str(k)] if isinstance(k, str) and k else [])
    return {w: frozenset(v) for w, v in out.items()}


def work_problems(df: pd.DataFrame, params: ContextParams) -> tuple[list[str | None], list[str | None]]:
    """(why `Работа` is not a known ВПР work, why some `Коды умений` are not that work's skills)."""
    known = plan_skills(params)
    works, skills = [], []
    for work, subject, grade, codes in zip(df["work"], df["subject"], df["grade"], df["skill_codes"]):
        if not isinstance(work, str):
            works.append(None)
            skills.append(None)
            continue
        if not isinstance(subject, str) or pd.isna(grade):
            works.append(f"работа «{work}» не в формате «ВПР <Предмет> <класс>» (например «ВПР Математика 5»)")
            skills.append(None)
            continue
        if known and (subject, int(grade)) not in known:
            works.append(f"неизвестная работа «{work}»: её нет в плане ВПР")
            skills.append(None)
            continue
        works.append(None)
        have = known.get((subject, int(grade)))
        missing = [c for c in (codes or "").split(",") if c and have is not None and c not in have]
        skills.append(f"код умения {', '.join(missing)} не входит в план работы «{work}»" if missing else None)
    return works, skills


def date_problems(df: pd.DataFrame) -> list[str | None]:
    """A start outside the year before the measure's year and that year, or an end before the start.

    `Год` is the year whose results the measure aims at; a measure for Y starts after the report on
    Y−1 (December) or in Y itself, so a start in another year is a typing error in one of the two.
    """
    out: list[str | None] = []
    for year, start, end in zip(df["year"], df["start_date"], df["end_date"]):
        if pd.isna(year) or pd.isna(start):
            out.append(None)
        elif pd.Timestamp(start).year not in (int(year) - 1, int(year)):
            out.append(f"дата начала {fmt(start)} не относится к году меры {int(year)}: ожидается {int(year) - 1} "
                       f"или {int(year)} год")
        elif pd.notna(end) and pd.Timestamp(end) < pd.Timestamp(start):
            out.append(f"дата окончания {fmt(end)} раньше даты начала {fmt(start)}")
        else:
            out.append(None)
    return out


def measures_suite(df: pd.DataFrame, params: ContextParams) -> tuple[pd.DataFrame, list[Check]]:
    E = gx_expectations()
    df = df.copy(deep=False)  # new columns only: the reader's frame is not touched
    df["_work_key"] = pd.Series([w if isinstance(w, str) else "" for w in df["work"]], dtype=object)
    df["_repeat_of"] = repeat_of(df, KEY)
    df["_code_problem"] = pd.Series(code_problems(df, params), dtype=object)
    works, skills = work_problems(df, params)
    df["_work_problem"] = pd.Series(works, dtype=object)
    df["_skills_problem"] = pd.Series(skills, dtype=object)
    df["_date_problem"] = pd.Series(date_problems(df), dtype=object)
    if "_file_year" not in df:
        df["_file_year"] = df["year"]
    df["_file_year"] = pd.to_numeric(df["_file_year"], errors="coerce").to_numpy(dtype=float)
    checks = [
        *int_checks(E, "year", "Год", 2000, 2100, "год"),
        Check(E.ExpectColumnPairValuesToBeEqual(column_A="year", column_B="_file_year",
                                                ignore_row_if="either_value_is_missing"), "Год",
              lambda sub: [f"год {fmt(y)} не совпадает с годом файла {int(f)}: в одном файле меры одного года"
                           for y, f in zip(sub["year"], sub["_file_year"])], value="year"),
        text_required(E, "level", "Уровень"),
        in_set(E, "level", "Уровень", LEVELS),
        text_required(E, "code", "Код"),
        Check(E.ExpectColumnValuesToBeNull(column="_code_problem"), "Код", m.problem("_code_problem"), value="code"),
        text_required(E, "measure", "Мера"),
        Check(E.ExpectColumnValuesToBeInSet(column="measure", value_set=list(MEASURE_TYPES)), "Мера",
              lambda sub: [f"неизвестный вид меры «{fmt(v)}»: ожидается одно из {', '.join(MEASURE_TYPES)}"
                           for v in sub["measure"]]),
        Check(E.ExpectColumnValuesToBeNull(column="_work_problem"), "Работа", m.problem("_work_problem"), value="work"),
        Check(E.ExpectColumnValuesToBeNull(column="_skills_problem"), "Коды умений", m.problem("_skills_problem"),
              value="skill_codes"),
        Check(E.ExpectColumnValuesToBeNull(column="start_date__bad"), "Дата начала",
              m.bad_date("Дата начала", "start_date"), value="start_date__bad"),
        Check(E.ExpectColumnValuesToNotBeNull(column="start_date"), "Дата начала", m.not_null("Дата начала"),
              value="start_date__bad"),
        Check(E.ExpectColumnValuesToBeNull(column="end_date__bad"), "Дата окончания",
              m.bad_date("Дата окончания", "end_date"), value="end_date__bad"),
        Check(E.ExpectColumnValuesToBeNull(column="_date_problem"), "Дата начала", m.problem("_date_problem"),
              value="start_date"),
        Check(E.ExpectColumnValuesToBeNull(column="_repeat_of"), "Мера",
              m.repeat("те же Год, Уровень, Код, Мера и Работа"), value="measure"),
    ]
    return df, checks
