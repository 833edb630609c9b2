"""Suite of the ГИА appeal and re-check protocols (`gia_appeals`, input contract §11).

A row must name its participant (the pseudonymous id), the exam (subject and date, from the
title or the `Экзамен` column), its type and state, and the current scores as whole numbers.
Whether an original result exists to replace is not a validation matter: the ledger note says
how many appeal rows found none.
"""
from __future__ import annotations

import pandas as pd

from expectations import messages as m
from expectations.core import Check, gx_expectations
from expectations.params import ContextParams
from expectations.reference import int_checks, text_required


def appeals_suite(df: pd.DataFrame, params: ContextParams) -> tuple[pd.DataFrame, list[Check]]:
    E = gx_expectations()
    checks = [
        text_required(E, "participant_id", "ID участника"),
        Check(E.ExpectColumnValuesToMatchRegex(column="participant_id", regex=r"^[0-9a-f]{16}$"), "ID участника",
              m.bad_format("ID участника", "participant_id", "из 16 шестнадцатеричных символов")),
        Check(E.ExpectColumnValuesToBeNull(column="exam_date__bad"), "Экзамен",
              m.bad_format("Экзамен", "exam_date__bad", "«Предмет(ГГГГ.ММ.ДД)»"), value="exam_date__bad"),
        text_required(E, "subject_code", "Экзамен"),
        text_required(E, "exam_date", "Экзамен"),
        text_required(E, "appeal_type", "Тип апелляции / перепроверки"),
        text_required(E, "appeal_state", "Состояние"),
        Check(E.ExpectColumnValuesToBeNull(column="sent_at__bad"), "Дата отправки на обработку",
              m.bad_date("Дата отправки на обработку", "sent_at"), value="sent_at__bad"),
        Check(E.ExpectColumnValuesToBeNull(column="changed_at__bad"), "Дата изменений",
              m.bad_date("Дата изменений", "changed_at"), value="changed_at__bad"),
        *int_checks(E, "primary_score", "Текущие: Первичный балл", 0, 100, "первичный балл"),
        *int_checks(E, "score", "Текущие: Балл", 0, 100, "балл"),
        *int_checks(E, "score_before", "Балл до изменения", 0, 100, "балл", required=False),
        *int_checks(E, "score_diff", "Разница", -100, 100, "разница баллов", required=False),
    ]
    return df, checks
