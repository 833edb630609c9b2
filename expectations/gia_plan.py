"""Suite for the optional «План ГИА» (methodology, «ГИА tasks and risk zones»; columns of contract §5).

The plan gives each ГИА task its level, and the level decides which risk threshold the task is held
to, so a row whose subject, exam, level or maximum cannot be trusted is quarantined with the
reason rather than loaded: a wrong level would put a task into (or out of) the risk zone silently.
A task the answers do not have is not an error here (it is loaded and simply unused).
"""
from __future__ import annotations

import pandas as pd

from expectations import messages as m
from expectations.core import Check, gx_expectations, repeat_of
from expectations.params import ContextParams
from expectations.reference import in_set, int_checks, practice_check, text_required
from ingestion.convert import fmt
from ingestion.readers.gia_plan import EXAMS, LEVELS, task_parts

EXAM_GRADE = {"ЕГЭ": 11, "ГВЭ-11": 11, "ОГЭ": 9, "ГВЭ-9": 9}


def subject_problems(df: pd.DataFrame) -> list[str | None]:
    """A subject the contract's list of ГИА subjects (§2) does not have."""
    return [f"неизвестный предмет «{s}»: его нет в перечне предметов ГИА"
            if isinstance(s, str) and pd.isna(c) else None for s, c in zip(df["subject"], df["subject_code"])]


def task_problems(df: pd.DataFrame) -> list[str | None]:
    """A label that is neither a task number `N` nor a criterion `NК<m>` of the answer strings."""
    return [f"задание «{t}» не в формате «номер» или «номерК<критерий>» (например 5 или 27К1)"
            if isinstance(t, str) and task_parts(t)[0] is None else None for t in df["task"]]


def exam_problems(df: pd.DataFrame) -> list[str | None]:
    """An exam of the other grade (ЕГЭ in grade 9, ОГЭ in grade 11)."""
    out: list[str | None] = []
    for exam, grade in zip(df["exam"], df["grade"]):
        want = EXAM_GRADE.get(exam) if isinstance(exam, str) else None
        out.append(f"экзамен {exam} не сдают в {int(grade)} классе" if want and pd.notna(grade) and int(grade) in (9, 11)
                   and int(grade) != want else None)
    return out


def gia_plan_suite(df: pd.DataFrame, params: ContextParams) -> tuple[pd.DataFrame, list[Check]]:
    E = gx_expectations()
    df = df.copy(deep=False)  # new columns only: the reader's frame is not touched
    df["_repeat_of"] = repeat_of(df, ["year", "exam", "subject", "grade", "task"])
    df["_subject_problem"] = pd.Series(subject_problems(df), index=df.index, dtype=object)
    df["_task_problem"] = pd.Series(task_problems(df), index=df.index, dtype=object)
    df["_exam_problem"] = pd.Series(exam_problems(df), index=df.index, dtype=object)
    checks = [
        *int_checks(E, "year", "Год", 2000, 2100, "год"),
        text_required(E, "subject", "Предмет"),
        Check(E.ExpectColumnValuesToBeNull(column="_subject_problem"), "Предмет", m.problem("_subject_problem"),
              value="subject"),
        *int_checks(E, "grade", "Класс"),
        Check(E.ExpectColumnValuesToBeInSet(column="grade", value_set=[9, 11]), "Класс",
              lambda sub: [f"класс {fmt(v)}: «План ГИА» — для 9 или 11 класса" for v in sub["grade"]]),
        text_required(E, "task", "Задание"),
        Check(E.ExpectColumnValuesToBeNull(column="_task_problem"), "Задание", m.problem("_task_problem"), value="task"),
        *int_checks(E, "task_max", "Макс. балл", 1, 100, "максимальный балл"),
        text_required(E, "task_level", "Уровень"),
        Check(E.ExpectColumnValuesToBeInSet(column="task_level", value_set=list(LEVELS)), "Уровень",
              lambda sub: [f"недопустимый уровень «{fmt(v)}» в столбце «Уровень»: ожидается Б (базовый), "
                           "П (повышенный) или В (высокий)" for v in sub["task_level"]]),
        in_set(E, "exam", "Экзамен", EXAMS),
        Check(E.ExpectColumnValuesToBeNull(column="_exam_problem"), "Экзамен", m.problem("_exam_problem"), value="exam"),
        practice_check(E),
        Check(E.ExpectColumnValuesToBeNull(column="_repeat_of"), "Задание",
              m.repeat("те же Год, Экзамен, Предмет, Класс и Задание"), value="task"),
    ]
    return df, checks
