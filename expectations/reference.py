"""Suites for the reference kinds and admissions: register, ВПР plan and scale, minimum scores.

Every suite builder takes the reader's frame (possibly several files, told apart by `_file`)
and the context parameters, adds the derived columns its expectations need (repeats,
per-row limits) and returns the frame with its checks.
"""
from __future__ import annotations

import pandas as pd

from expectations import messages as m
from expectations.core import Check, gx_expectations, repeat_of, when
from expectations.params import SUBJECT_CODES, ContextParams

SCHOOL_TYPES = ["НОШ", "ООШ", "СОШ", "СОШ с УИОП", "Гимназия", "Лицей", "Кадетская школа", "Школа-интернат", "ЦО"]
LOCALITIES = ["город", "село"]
TRANSPORT = ["доступная", "удалённая", "труднодоступная"]
EDU_LEVELS = ["ВО", "СПО"]
STUDY_REGIONS = ["в регионе", "за пределами"]
PROFILES = ["технологический", "естественно-научный", "гуманитарный", "социально-экономический", "универсальный"]


def int_checks(E, col: str, label: str, lo=None, hi=None, what: str | None = None, required: bool = True) -> list[Check]:
    """A whole number, not blank (optionally), inside [lo, hi].

    The «not a number» check comes first: the loader keeps one reason per cell, the earliest.
    """
    out = [Check(E.ExpectColumnValuesToBeNull(column=f"{col}__bad"), label, m.bad_number(label, col),
                 value=f"{col}__bad")]
    if required:
        out.append(Check(E.ExpectColumnValuesToNotBeNull(column=col), label, m.not_null(label), value=f"{col}__bad"))
    if lo is not None or hi is not None:
        out.append(Check(E.ExpectColumnValuesToBeBetween(column=col, min_value=lo, max_value=hi), label,
                         m.out_of_range(what or f"значение в столбце «{label}»", col, lo, hi)))
    return out


def text_required(E, col: str, label: str) -> Check:
    return Check(E.ExpectColumnValuesToNotBeNull(column=col), label, m.not_null(label))


def in_set(E, col: str, label: str, values) -> Check:
    return Check(E.ExpectColumnValuesToBeInSet(column=col, value_set=list(values)), label, m.not_in_set(label, col, values))


def register_suite(df: pd.DataFrame, params: ContextParams) -> tuple[pd.DataFrame, list[Check]]:
    E = gx_expectations()
    df = df.copy(deep=False)  # new columns only: the reader's frame is not touched
    df["_repeat_of"] = repeat_of(df, ["school_code"])
    df["_login_repeat_of"] = repeat_of(df, ["school_login"])
    checks = [
        text_required(E, "school_code", "Код ОО"),
        Check(E.ExpectColumnValuesToMatchRegex(column="school_code", regex=r"^\d{6}$"), "Код ОО",
              m.bad_format("Код ОО", "school_code", "из 6 цифр")),
        text_required(E, "school_login", "Логин ОО"),
        text_required(E, "short_name", "Краткое наименование"),
        text_required(E, "mo_code", "Код МО"),
        Check(E.ExpectColumnValuesToMatchRegex(column="mo_code", regex=r"^\d{2,3}$"), "Код МО",
              m.bad_format("Код МО", "mo_code", "из 2–3 цифр")),  # §1: 2–3 characters (the РЦОИ's Код МСУ)
        text_required(E, "mo_name", "Муниципальное образование"),
        in_set(E, "school_type", "Тип ОО", SCHOOL_TYPES),
        in_set(E, "locality", "Местность", LOCALITIES),
        in_set(E, "transport_access", "Транспортная доступность", TRANSPORT),
        *int_checks(E, "pupils", "Численность обучающихся", lo=0, required=False, what="численность обучающихся"),
        Check(E.ExpectColumnValuesToBeNull(column="shnor__bad"), "ШНОР",
              lambda sub: [f"недопустимое значение «{v}» в столбце «ШНОР»: ожидается да или нет" for v in sub["shnor__bad"]],
              value="shnor__bad"),
        Check(E.ExpectColumnValuesToBeNull(column="_repeat_of"), "Код ОО", m.repeat("тот же Код ОО"), value="school_code"),
        Check(E.ExpectColumnValuesToBeNull(column="_login_repeat_of"), "Логин ОО",
              lambda sub: [f"повтор строки {int(r)}: тот же Логин ОО уже встречался" for r in sub["_login_repeat_of"]],
              value="school_login"),
    ]
    return df, checks


def practice_check(E) -> Check:
    """`Практико-ориентированное` of a plan (ВПР or ГИА) reads as да or нет."""
    return Check(E.ExpectColumnValuesToBeNull(column="practice_oriented__bad"), "Практико-ориентированное",
                 lambda sub: [f"недопустимое значение «{v}» в столбце «Практико-ориентированное»: ожидается да или нет"
                              for v in sub["practice_oriented__bad"]], value="practice_oriented__bad")


def plan_suite(df: pd.DataFrame, params: ContextParams) -> tuple[pd.DataFrame, list[Check]]:
    E = gx_expectations()
    df = df.copy(deep=False)  # new columns only: the reader's frame is not touched
    df["_repeat_of"] = repeat_of(df, ["year", "subject", "grade", "task"])
    checks = [
        *int_checks(E, "year", "Год", 2000, 2100, "год"),
        text_required(E, "subject", "Предмет"),
        *int_checks(E, "grade", "Класс", 1, 11, "класс"),
        text_required(E, "task", "Задание"),
        *int_checks(E, "task_max", "Макс. балл", 1, 100, "максимальный балл"),
        in_set(E, "task_level", "Уровень", ["Б", "П"]),
        practice_check(E),
        Check(E.ExpectColumnValuesToBeNull(column="_repeat_of"), "Задание",
              m.repeat("те же Год, Предмет, Класс и Задание"), value="task"),
    ]
    return df, checks


def scale_suite(df: pd.DataFrame, params: ContextParams) -> tuple[pd.DataFrame, list[Check]]:
    E = gx_expectations()
    df = df.copy(deep=False)  # new columns only: the reader's frame is not touched
    df["_repeat_of"] = repeat_of(df, ["year", "subject", "grade"])
    df["_plan_max"] = params.plan_work_max(df)
    checks = [
        *int_checks(E, "year", "Год", 2000, 2100, "год"),
        text_required(E, "subject", "Предмет"),
        *int_checks(E, "grade", "Класс", 1, 11, "класс"),
        *int_checks(E, "min_mark3", "Отметка 3 от", 0, None, "граница отметки 3"),
        *int_checks(E, "min_mark4", "Отметка 4 от", 0, None, "граница отметки 4"),
        *int_checks(E, "min_mark5", "Отметка 5 от", 0, None, "граница отметки 5"),
        Check(E.ExpectColumnPairValuesAToBeGreaterThanB(column_A="min_mark4", column_B="min_mark3",
                                                        ignore_row_if="either_value_is_missing"), "Отметка 4 от",
              lambda sub: [f"граница отметки 4 ({int(a)}) не больше границы отметки 3 ({int(b)})"
                           for a, b in zip(sub["min_mark4"], sub["min_mark3"])], value="min_mark4"),
        Check(E.ExpectColumnPairValuesAToBeGreaterThanB(column_A="min_mark5", column_B="min_mark4",
                                                        ignore_row_if="either_value_is_missing"), "Отметка 5 от",
              lambda sub: [f"граница отметки 5 ({int(a)}) не больше границы отметки 4 ({int(b)})"
                           for a, b in zip(sub["min_mark5"], sub["min_mark4"])], value="min_mark5"),
        Check(E.ExpectColumnPairValuesAToBeGreaterThanB(column_A="_plan_max", column_B="min_mark5", or_equal=True,
                                                        ignore_row_if="either_value_is_missing"), "Отметка 5 от",
              lambda sub: [f"граница отметки 5 ({int(a)}) выше максимального первичного балла {int(b)} по плану ВПР"
                           for a, b in zip(sub["min_mark5"], sub["_plan_max"])], value="min_mark5"),
        Check(E.ExpectColumnValuesToBeNull(column="_repeat_of"), "Предмет", m.repeat("те же Год, Предмет и Класс"),
              value="subject"),
    ]
    return df, checks


def ege_min_suite(df: pd.DataFrame, params: ContextParams) -> tuple[pd.DataFrame, list[Check]]:
    E = gx_expectations()
    df = df.copy(deep=False)  # new columns only: the reader's frame is not touched
    df["_repeat_of"] = repeat_of(df, ["year", "subject_code"])
    checks = [
        *int_checks(E, "year", "Год", 2000, 2100, "год"),
        *int_checks(E, "subject_code", "Код предмета"),
        Check(E.ExpectColumnValuesToBeInSet(column="subject_code", value_set=sorted(SUBJECT_CODES)), "Код предмета",
              lambda sub: [f"код предмета {int(v)} не входит в перечень предметов" for v in sub["subject_code"]]),
        *int_checks(E, "min_score", "Минимальный балл", 0, 100, "минимальный балл"),
        Check(E.ExpectColumnValuesToBeNull(column="_repeat_of"), "Код предмета", m.repeat("те же Год и Код предмета"),
              value="subject_code"),
    ]
    return df, checks


def admissions_suite(df: pd.DataFrame, params: ContextParams) -> tuple[pd.DataFrame, list[Check]]:
    E = gx_expectations()
    df = df.copy(deep=False)  # new columns only: the reader's frame is not touched
    df["_repeat_of"] = repeat_of(df, ["participant_id", "grad_year"])
    df["admitted"] = df["edu_level"].notna()
    checks = [
        text_required(E, "participant_id", "ID участника"),
        Check(E.ExpectColumnValuesToMatchRegex(column="participant_id", regex=r"^[0-9a-fA-F]{16}$"), "ID участника",
              m.bad_format("ID участника", "participant_id", "из 16 шестнадцатеричных символов")),
        text_required(E, "school_code", "Код ОО"),
        *int_checks(E, "grad_year", "Год выпуска", 2000, 2100, "год выпуска"),
        in_set(E, "edu_level", "Уровень образования", EDU_LEVELS),
        Check(E.ExpectColumnValuesToNotBeNull(column="specialty_code", row_condition=when("admitted")), "Код специальности",
              m.not_null("Код специальности", "у поступившего")),
        Check(E.ExpectColumnValuesToMatchRegex(column="specialty_code", regex=r"^\d{2}\.\d{2}\.\d{2}$"),
              "Код специальности", m.bad_format("Код специальности", "specialty_code", "ДД.ДД.ДД (например 09.03.01)")),
        in_set(E, "study_region", "Субъект обучения", STUDY_REGIONS),
        in_set(E, "profile", "Профиль обучения", PROFILES),
        Check(E.ExpectColumnValuesToBeNull(column="_repeat_of"), "ID участника", m.repeat("те же ID участника и Год выпуска"),
              value="participant_id"),
    ]
    if params.school_codes is not None:
        checks.append(Check(E.ExpectColumnValuesToBeInSet(column="school_code", value_set=sorted(params.school_codes)),
                            "Код ОО", m.unknown_code("Код ОО", "school_code")))
    return df, checks
