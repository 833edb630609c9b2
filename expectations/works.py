"""Suites for ВПР and НИКО: the task header against the plan, pupil rows, task cells.

Three grains, three frames:
- `vpr_header` — one row per (file, task) of the header and of the plan: a header `N (Kб)`
  disagreeing with the plan rejects the file (methodology, «Conventions»);
- `vpr` / `niko` — one row per pupil: codes, scores, marks, sums, the scale, repeats;
- `vpr_tasks` / `niko_tasks` — one row per pupil × task cell: the cell against the task's maximum.
A failing task cell quarantines its pupil row whole (the loader maps cells back to pupils).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from expectations import messages as m
from expectations.core import Check, gx_expectations, repeat_of, when
from expectations.params import ContextParams
from expectations.reference import in_set, int_checks, text_required
from ingestion.convert import fmt

NIKO_LEVELS = ["Ниже базового", "Базовый", "Повышенный", "Высокий"]


def header_suite(df: pd.DataFrame, params: ContextParams) -> tuple[pd.DataFrame, list[Check]]:
    """File-level: every header task is in the plan with the same maximum, and vice versa."""
    E = gx_expectations()
    checks = [
        Check(E.ExpectColumnPairValuesToBeEqual(column_A="header_max", column_B="plan_max",
                                                ignore_row_if="either_value_is_missing"), _header_name,
              lambda sub: [f"заголовок «{h}»: максимальный балл {fmt(a)}, а в плане ВПР {fmt(b)}"
                           for h, a, b in zip(sub["header"], sub["header_max"], sub["plan_max"])], value="header"),
        Check(E.ExpectColumnValuesToNotBeNull(column="plan_max", row_condition=when("has_plan")),
              _header_name, lambda sub: [f"задания «{h}» нет в плане ВПР" for h in sub["header"]], value="header"),
        Check(E.ExpectColumnValuesToNotBeNull(column="header_max", row_condition=when("has_plan")),
              lambda sub: [f"задание {t}" for t in sub["task"]],
              lambda sub: [f"в файле нет столбца задания {t} из плана ВПР" for t in sub["task"]], value="task"),
    ]
    return df, checks


def _header_name(sub: pd.DataFrame) -> list[str]:
    return [str(h) for h in sub["header"]]


def _pupil_common(E, df: pd.DataFrame, params: ContextParams) -> list[Check]:
    checks = [
        text_required(E, "school_login", "Логин ОО"),
        text_required(E, "participant_code", "Код участника"),
        Check(E.ExpectColumnValuesToMatchRegex(column="participant_code", regex=r"^\d{5}$"), "Код участника",
              m.bad_format("Код участника", "participant_code", "из 5 цифр")),
        text_required(E, "class_name", "Класс"),
        *int_checks(E, "primary_score", "Первичный балл", 0, None, "первичный балл", required=False),
        Check(E.ExpectColumnPairValuesAToBeGreaterThanB(column_A="_work_max", column_B="primary_score", or_equal=True,
                                                        ignore_row_if="either_value_is_missing"), "Первичный балл",
              lambda sub: [f"первичный балл {fmt(p)} выше максимального {fmt(w)}"
                           for p, w in zip(sub["primary_score"], sub["_work_max"])], value="primary_score"),
        Check(E.ExpectColumnPairValuesToBeEqual(column_A="primary_score", column_B="_task_sum",
                                                ignore_row_if="either_value_is_missing"), "Первичный балл",
              lambda sub: [f"первичный балл {fmt(p)} не равен сумме баллов за задания {fmt(s)}"
                           for p, s in zip(sub["primary_score"], sub["_task_sum"])], value="primary_score"),
        Check(E.ExpectColumnValuesToBeNull(column="_repeat_of"), "Код участника",
              m.repeat("те же Логин ОО и Код участника"), value="participant_code"),
    ]
    if params.school_logins is not None:
        checks.append(Check(E.ExpectColumnValuesToBeInSet(column="school_login", value_set=sorted(params.school_logins)),
                            "Логин ОО", m.unknown_code("Логин ОО", "school_login")))
    return checks


def vpr_suite(df: pd.DataFrame, params: ContextParams) -> tuple[pd.DataFrame, list[Check]]:
    E = gx_expectations()
    df = df.copy(deep=False)  # new columns only: the reader's frame is not touched
    df["_repeat_of"] = repeat_of(df, ["school_login", "participant_code"])
    m3, m4, m5 = params.scale_columns(df)
    p = df["primary_score"].to_numpy(dtype=float)
    expected = 2 + (p >= m3).astype(float) + (p >= m4).astype(float) + (p >= m5).astype(float)
    known = ~np.isnan(p) & ~np.isnan(m3) & ~np.isnan(m4) & ~np.isnan(m5)
    df["_expected_mark"] = np.where(known, expected, np.nan)
    checks = [
        *_pupil_common(E, df, params),
        *int_checks(E, "variant", "Вариант", 0, None, "вариант", required=False),
        *int_checks(E, "mark", "Отметка", 2, 5, "отметка", required=False),
        Check(E.ExpectColumnPairValuesToBeEqual(column_A="mark", column_B="_expected_mark",
                                                ignore_row_if="either_value_is_missing"), "Отметка",
              lambda sub: [f"отметка {fmt(a)} не соответствует шкале ВПР: первичному баллу {fmt(p)} соответствует отметка {fmt(b)}"
                           for a, p, b in zip(sub["mark"], sub["primary_score"], sub["_expected_mark"])], value="mark"),
        *int_checks(E, "journal_mark", "Отметка по журналу", 2, 5, "отметка по журналу", required=False),
    ]
    return df, checks


def niko_suite(df: pd.DataFrame, params: ContextParams) -> tuple[pd.DataFrame, list[Check]]:
    E = gx_expectations()
    df = df.copy(deep=False)  # new columns only: the reader's frame is not touched
    df["_repeat_of"] = repeat_of(df, ["school_login", "participant_code"])
    checks = [*_pupil_common(E, df, params), in_set(E, "level_name", "Уровень подготовки", NIKO_LEVELS)]
    return df, checks


def tasks_suite(df: pd.DataFrame, params: ContextParams) -> tuple[pd.DataFrame, list[Check]]:
    """One row per pupil × task cell; `header` names the column, `task_max` its maximum."""
    E = gx_expectations()
    checks = [
        Check(E.ExpectColumnValuesToBeNull(column="score__bad"), _header_name,
              lambda sub: [_bad_cell(v, t) for v, t in zip(sub["score__bad"], sub["task"])], value="score__bad"),
        Check(E.ExpectColumnValuesToBeBetween(column="score", min_value=0), _header_name,
              lambda sub: [f"отрицательный балл {fmt(v)} за задание {t}" for v, t in zip(sub["score"], sub["task"])],
              value="score"),
        Check(E.ExpectColumnPairValuesAToBeGreaterThanB(column_A="task_max", column_B="score", or_equal=True,
                                                        ignore_row_if="either_value_is_missing"), _header_name,
              lambda sub: [f"балл {fmt(v)} за задание {t} выше максимального {fmt(x)}"
                           for v, t, x in zip(sub["score"], sub["task"], sub["task_max"])], value="score"),
    ]
    return df, checks


def _bad_cell(value, task) -> str:
    text = str(value).strip()
    if text.lstrip("+-").isdigit():
        return f"число «{value}» за задание {task} слишком велико"
    if text.replace(",", ".").replace(".", "", 1).lstrip("+-").isdigit():
        return f"дробный балл «{value}» за задание {task}: ожидается целое число или X"
    return f"нечисловое значение «{value}» за задание {task}: ожидается балл или X"


def questionnaire_suite(df: pd.DataFrame, params: ContextParams) -> tuple[pd.DataFrame, list[Check]]:
    """НИКО «Анкета», one row per sheet row: answers are coded integers, the participant is known.

    `bad_answers` lists the answers that are not whole numbers (`В3 «abc»`); `known` tells
    whether the participant code is on the same file's «Результаты» sheet.
    """
    E = gx_expectations()
    checks = [
        Check(E.ExpectColumnValuesToBeNull(column="bad_answers"), "ответы (лист «Анкета»)",
              lambda sub: [f"нечисловые коды ответов: {v}" for v in sub["bad_answers"]], value="bad_answers"),
        Check(E.ExpectColumnValuesToNotBeNull(column="participant_code"), "Код участника (лист «Анкета»)",
              m.not_null("Код участника")),
        Check(E.ExpectColumnValuesToBeInSet(column="known", value_set=[True]), "Код участника (лист «Анкета»)",
              lambda sub: [f"участника с кодом {fmt(c)} нет на листе «Результаты»" for c in sub["participant_code"]],
              value="participant_code"),
    ]
    return df, checks
