"""Suite for ГИА-11 and ГИА-9 result rows.

Rows whose `Статус` is not `Явка` may have empty scores, marks and answer strings (methodology,
«Conventions»): the «must be filled» expectations carry `row_condition status=="Явка"` and every
other expectation ignores blanks, so such rows are never quarantined for their blanks.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from expectations import messages as m
from expectations.core import Check, gx_expectations, repeat_of, when
from expectations.params import SUBJECT_CODES, ContextParams
from expectations.reference import in_set, int_checks, text_required
from ingestion.convert import fmt

FORMS = {"gia11": ["ЕГЭ", "ГВЭ"], "gia9": ["ОГЭ", "ГВЭ"]}
CATEGORIES = ["ВТГ", "ВПЛ", "СПО", "ВПЛ/СПО"]  # ВПЛ/СПО: a РЦОИ protocol tells them apart no further
STAGES = ["Досрочный", "Основной", "Дополнительный"]
STATUSES = ["Явка", "Неявка", "Удалён", "Не закончил", "Аннулирован"]
KEY = ["participant_id", "subject_code", "gia_form", "stage", "exam_date"]


def gia_suite(kind: str):
    def build(df: pd.DataFrame, params: ContextParams) -> tuple[pd.DataFrame, list[Check]]:
        E = gx_expectations()
        df = df.copy(deep=False)  # new columns only: the reader's frame is not touched
        df["_repeat_of"] = repeat_of(df, KEY)
        df["_exam_year"] = pd.Series(df["exam_date"]).dt.year.to_numpy(dtype=float)
        if "_file_year" not in df:
            df["_file_year"] = df["_exam_year"]
        # the sum is compared only when both strings read well (a bad string is reported by itself)
        answered = (df["_short_sum"].notna() | df["_long_sum"].notna()) & df["_short_problem"].isna() & df["_long_problem"].isna()
        sums = df["_short_sum"].fillna(0) + df["_long_sum"].fillna(0)
        present = (df["status"] == "Явка").to_numpy()
        df["_answers_sum"] = np.where(answered & present, sums, np.nan)
        form, subject = df["gia_form"], df["subject_code"]
        df["present"] = present
        df["needs_mo"] = (df["category"] != "ВПЛ/СПО").to_numpy()
        df["needs_test"] = present & (form == "ЕГЭ").to_numpy() & (subject != 22).to_numpy()
        if kind == "gia11":
            df["needs_mark"] = present & ((form == "ГВЭ") | (subject == 22)).to_numpy()
        else:
            df["needs_mark"] = present
        checks = [
            text_required(E, "participant_id", "ID участника"),
            Check(E.ExpectColumnValuesToMatchRegex(column="participant_id", regex=r"^[0-9a-fA-F]{16}$"), "ID участника",
                  m.bad_format("ID участника", "participant_id", "из 16 шестнадцатеричных символов")),
            text_required(E, "school_code", "Код ОО"),
            # a protocol without `Код МСУ` gives an earlier graduate or college student (ВПЛ/СПО: a Код ОО
            # outside the register) no municipality to take from the register: the row is legal (§10)
            Check(E.ExpectColumnValuesToNotBeNull(column="mo_code", row_condition=when("needs_mo")), "Код МО",
                  m.not_null("Код МО")),
            in_set(E, "category", "Категория", CATEGORIES),
            text_required(E, "gia_form", "Форма ГИА"),
            Check(E.ExpectColumnValuesToBeInSet(column="gia_form", value_set=FORMS[kind]), "Форма ГИА",
                  lambda sub: [f"форма ГИА «{v}» не относится к {'ГИА-11' if kind == 'gia11' else 'ГИА-9'}: ожидается "
                               f"{' или '.join(FORMS[kind])}" for v in sub["gia_form"]]),
            *int_checks(E, "subject_code", "Код предмета"),
            Check(E.ExpectColumnValuesToBeInSet(column="subject_code", value_set=sorted(SUBJECT_CODES)), "Код предмета",
                  lambda sub: [f"код предмета {fmt(v)} не входит в перечень предметов" for v in sub["subject_code"]]),
            in_set(E, "stage", "Этап", STAGES),
            text_required(E, "stage", "Этап"),
            Check(E.ExpectColumnValuesToBeNull(column="exam_date__bad"), "Дата экзамена",
                  m.bad_date("Дата экзамена", "exam_date"), value="exam_date__bad"),
            Check(E.ExpectColumnValuesToNotBeNull(column="exam_date"), "Дата экзамена", m.not_null("Дата экзамена"),
                  value="exam_date__bad"),
            Check(E.ExpectColumnPairValuesToBeEqual(column_A="_exam_year", column_B="_file_year",
                                                    ignore_row_if="either_value_is_missing"), "Дата экзамена",
                  lambda sub: [f"дата экзамена {fmt(d)} вне года файла {int(y)}"
                               for d, y in zip(sub["exam_date"], sub["_file_year"])], value="exam_date"),
            in_set(E, "status", "Статус", STATUSES),
            text_required(E, "status", "Статус"),
            *int_checks(E, "primary_score", "Первичный балл", 0, None, "первичный балл", required=False),
            Check(E.ExpectColumnValuesToNotBeNull(column="primary_score", row_condition=when("present")),
                  "Первичный балл", m.not_null("Первичный балл", "при статусе «Явка»"), value="primary_score__bad"),
            *int_checks(E, "test_score", "Тестовый балл", 0, 100, "тестовый балл", required=False),
            *int_checks(E, "mark", "Отметка", 2, 5, "отметка", required=False),
            *int_checks(E, "ovz", "ОВЗ", 0, 1, "ОВЗ", required=False),
            *int_checks(E, "variant", "Вариант", 0, None, "вариант", required=False),
            Check(E.ExpectColumnValuesToBeNull(column="_short_problem"), "Задания с кратким ответом",
                  lambda sub: [f"строка кратких ответов «{s}»: {p}" for s, p in zip(sub["short_answers"], sub["_short_problem"])],
                  value="short_answers"),
            Check(E.ExpectColumnValuesToBeNull(column="_long_problem"), "Задания с развернутым ответом",
                  lambda sub: [f"строка развёрнутых ответов «{s}»: {p}" for s, p in zip(sub["long_answers"], sub["_long_problem"])],
                  value="long_answers"),
            Check(E.ExpectColumnPairValuesToBeEqual(column_A="primary_score", column_B="_answers_sum",
                                                    ignore_row_if="either_value_is_missing"), "Первичный балл",
                  lambda sub: [f"первичный балл {fmt(p)} не равен сумме баллов по строкам ответов {fmt(s)}"
                               for p, s in zip(sub["primary_score"], sub["_answers_sum"])], value="primary_score"),
            Check(E.ExpectColumnValuesToBeNull(column="_repeat_of"), "ID участника",
                  m.repeat("те же ID участника, Код предмета, Форма ГИА, Этап и Дата экзамена"), value="participant_id"),
        ]
        if kind == "gia11":
            checks.append(Check(E.ExpectColumnValuesToNotBeNull(column="test_score", row_condition=when("needs_test")),
                                "Тестовый балл", m.not_null("Тестовый балл", "у ЕГЭ при статусе «Явка»"),
                                value="test_score__bad"))
        checks.append(Check(E.ExpectColumnValuesToNotBeNull(column="mark", row_condition=when("needs_mark")), "Отметка",
                            m.not_null("Отметка", "при статусе «Явка»" if kind == "gia9"
                                       else "у ГВЭ и математики базовой при статусе «Явка»"), value="mark__bad"))
        if params.school_codes is not None:
            # a protocol's ВПЛ/СПО rows carry the РЦОИ's own codes, not schools of the register (§10)
            df["_school_expected"] = (df["category"] != "ВПЛ/СПО").to_numpy()
            checks.append(Check(E.ExpectColumnValuesToBeInSet(column="school_code", value_set=sorted(params.school_codes),
                                                              row_condition=when("_school_expected")),
                                "Код ОО", m.unknown_code("Код ОО", "school_code")))
        return df, checks
    return build
