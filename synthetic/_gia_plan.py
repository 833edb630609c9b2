"""The optional «План ГИА» of the synthetic region (methodology, «ГИА tasks and risk zones»).

Levels follow the public КИМ specifications in outline (ФИПИ, «обобщённый план варианта»): ЕГЭ Русский
язык tasks 1–26 basic with two of higher level, the essay 27 of high level (its criteria К1…К10);
ЕГЭ Математика профильного уровня 1–9 basic, 10–17 higher, 18–19 high; ОГЭ Математика part 1 basic,
part 2 higher and high. Maxima are the generator's own (`_spec.EGE` / `_spec.OGE`), so the plan
agrees with the answer strings. The last year has all three; the year before only ЕГЭ Русский
язык («some years»: the earlier years stay without a plan, under the no-plan rule).

Task labels are written as a plan writes them: `N` for task N, `27К<m>` for the essay's criteria;
the ground truth (`truth.json` → `gia_plan`) keys each task as the answer strings do (К<N> for the
short part, Р<i> for the i-th long-answer criterion) — by construction here, not by the rule the
warehouse applies to the labels.
"""
from __future__ import annotations

from . import _spec as S

COLUMNS = ["Год", "Предмет", "Класс", "Задание", "Макс. балл", "Уровень", "Код умения", "Проверяемое умение",
           "Практико-ориентированное"]


def _ege_russian(n_short: int, n_long: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    short = [(str(i), "П" if i in (8, 26) else "Б") for i in range(1, n_short + 1)]
    return short, [(f"{n_short + 1}К{m}", "В") for m in range(1, n_long + 1)]


def _ege_math(n_short: int, n_long: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    short = [(str(i), "Б" if i <= 9 else "П") for i in range(1, n_short + 1)]
    last = n_short + n_long
    return short, [(str(i), "В" if i > last - 2 else "П") for i in range(n_short + 1, last + 1)]


def _oge_math(n_short: int, n_long: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    short = [(str(i), "Б") for i in range(1, n_short + 1)]
    long_levels = ["П", "П", "В", "П", "П", "В"]
    return short, [(str(n_short + 1 + j), long_levels[j % len(long_levels)]) for j in range(n_long)]


# (exam, form, subject code, subject as the plan names it, grade, levels builder, spec)
PLANS = [
    ("gia11", "ЕГЭ", 1, "Русский язык", 11, _ege_russian, S.EGE[1]),
    ("gia11", "ЕГЭ", 2, "Математика профильного уровня", 11, _ege_math, S.EGE[2]),
    ("gia9", "ОГЭ", 2, "Математика", 9, _oge_math, S.OGE[2]),
]


def plans_of_year(year: int, years: tuple[int, ...]) -> list[tuple]:
    """The plans delivered for `year`: all in the last year, ЕГЭ Русский язык the year before, none earlier."""
    if year == years[-1]:
        return PLANS
    if len(years) >= 2 and year == years[-2]:
        return PLANS[:1]
    return []


def plan_year(year: int, years: tuple[int, ...]) -> tuple[list[list[str]], list[dict]]:
    """(file rows, ground-truth rows) of the year's «План ГИА» (both empty without one)."""
    rows, truth = [], []
    for exam, form, code, subject, grade, levels, spec in plans_of_year(year, years):
        short, long = levels(len(spec.short), len(spec.long))
        for i, ((label, level), top) in enumerate(zip(short, spec.short), start=1):
            rows.append([str(year), subject, str(grade), label, str(top), level, f"{code}.{i}", f"Умение {i}", "нет"])
            truth.append({"year": year, "exam": exam, "gia_form": form, "subject_code": code, "task": f"К{i}",
                          "level": level})
        for i, ((label, level), top) in enumerate(zip(long, spec.long), start=1):
            rows.append([str(year), subject, str(grade), label, str(top), level, f"{code}.Р{i}", f"Умение Р{i}", "нет"])
            truth.append({"year": year, "exam": exam, "gia_form": form, "subject_code": code, "task": f"Р{i}",
                          "level": level})
    return rows, truth
