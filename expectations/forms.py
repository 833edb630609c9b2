"""Suite of the ФИС ОКО aggregate forms (`vpr_forms`): one row per group row of a form.

Counts are whole numbers ≥ 0, shares percentages in [0, 100]; a group name is required and
appears once per file. Whether the numbers agree with the individual results is not a
validation matter: `mart_vpr_crosscheck` compares them after loading.
"""
from __future__ import annotations

import pandas as pd

from expectations import messages as m
from expectations.core import Check, gx_expectations, repeat_of
from expectations.params import ContextParams
from expectations.reference import int_checks, text_required

COUNTS = {"schools": "Кол-во ОО", "participants": "Кол-во участников", "lowered": "Кол-во участников (понизили)",
          "confirmed": "Кол-во участников (подтвердили)", "raised": "Кол-во участников (повысили)"}
SHARES = {"mark2": "2", "mark3": "3", "mark4": "4", "mark5": "5", "lowered_pct": "Понизили %",
          "confirmed_pct": "Подтвердили %", "raised_pct": "Повысили %"}


def _share_checks(E, col: str, label: str) -> list[Check]:
    return [Check(E.ExpectColumnValuesToBeNull(column=f"{col}__bad"), label,
                  lambda sub, c=col, lb=label: [f"нечисловое значение «{v}» в столбце «{lb}»: ожидается процент"
                                                for v in sub[f"{c}__bad"].tolist()], value=f"{col}__bad"),
            Check(E.ExpectColumnValuesToBeBetween(column=col, min_value=0, max_value=100), label,
                  m.out_of_range(f"доля в столбце «{label}», %,", col, 0, 100))]


def forms_suite(df: pd.DataFrame, params: ContextParams) -> tuple[pd.DataFrame, list[Check]]:
    E = gx_expectations()
    df = df.copy(deep=False)  # new columns only: the reader's frame is not touched
    df["_repeat_of"] = repeat_of(df, ["group_name"])
    checks = [text_required(E, "group_name", "Группы участников")]
    for col, label in COUNTS.items():
        checks += int_checks(E, col, label, 0, None, f"число в столбце «{label}»", required=col == "participants")
    for col, label in SHARES.items():
        checks += _share_checks(E, col, label)
    checks.append(Check(E.ExpectColumnValuesToBeNull(column="_repeat_of"), "Группы участников",
                        m.repeat("та же группа участников"), value="group_name"))
    return df, checks
