"""Russian reasons for quarantine rows, built over the failing rows of one expectation.

Every reason names the value and what it was checked against (the file and row are separate
quarantine columns), e.g. «балл 3 за задание 5 выше максимального 2».
"""
from __future__ import annotations

import re

import pandas as pd

from ingestion.convert import fmt

_FRACTION = re.compile(r"^[+-]?\d+[.,]\d+$")
_WHOLE = re.compile(r"^[+-]?\d+(?:[.,]0*)?$")


def not_null(label: str, when: str = "") -> callable:
    suffix = f" {when}" if when else ""
    return lambda sub: [f"пустое значение в столбце «{label}»{suffix}"] * len(sub)


def bad_number(label: str, col: str, what: str | None = None) -> callable:
    """A cell that is not a whole number: fractional or not a number at all."""
    def reason(sub: pd.DataFrame) -> list[str]:
        out = []
        for v in sub[f"{col}__bad"].tolist():
            v = str(v)
            if _WHOLE.match(v.strip()):
                out.append(f"число «{v}» в столбце «{label}» слишком велико")
            elif _FRACTION.match(v.strip()):
                out.append(f"дробное значение «{v}» в столбце «{label}»: ожидается целое число")
            else:
                out.append(f"нечисловое значение «{v}» в столбце «{label}»")
        return out
    return reason


def bad_date(label: str, col: str) -> callable:
    return lambda sub: [f"некорректная дата «{v}» в столбце «{label}»: ожидается ДД.ММ.ГГГГ"
                        for v in sub[f"{col}__bad"].tolist()]


def out_of_range(what: str, col: str, lo: float | None, hi: float | None) -> callable:
    """«отрицательный первичный балл -1» / «тестовый балл 120 выше максимального 100»."""
    def reason(sub: pd.DataFrame) -> list[str]:
        out = []
        for v in sub[col].tolist():
            if lo is not None and v < lo:
                out.append(f"отрицательное значение: {what} {fmt(v)}" if lo == 0 else f"{what} {fmt(v)} ниже минимального {fmt(lo)}")
            else:
                out.append(f"{what} {fmt(v)} выше максимального {fmt(hi)}")
        return out
    return reason


def not_in_set(label: str, col: str, allowed) -> callable:
    allowed_text = ", ".join(str(a) for a in allowed)
    return lambda sub: [f"недопустимое значение «{fmt(v)}» в столбце «{label}»: ожидается одно из {allowed_text}"
                        for v in sub[col].tolist()]


def unknown_code(label: str, col: str) -> callable:
    return lambda sub: [f"неизвестный {label} «{fmt(v)}»: нет в реестре ОО" for v in sub[col].tolist()]


def bad_format(label: str, col: str, expected: str) -> callable:
    return lambda sub: [f"значение «{fmt(v)}» в столбце «{label}» не в формате {expected}" for v in sub[col].tolist()]


def repeat(key_text: str) -> callable:
    return lambda sub: [f"повтор строки {fmt(r)}: {key_text} уже встречались" for r in sub["_repeat_of"].tolist()]


def problem(col: str) -> callable:
    return lambda sub: [str(v) for v in sub[col].tolist()]
