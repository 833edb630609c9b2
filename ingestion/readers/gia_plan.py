"""«План ГИА» (optional) — one row per task of a ЕГЭ, ОГЭ or ГВЭ exam: maximum, level, checked skill.

The methodology («ГИА tasks and risk zones») takes the task levels of ГИА from this plan: a task
of basic level is in the risk zone below one completion threshold, a task of higher or high level
below another. The plan has the columns of «План ВПР» (contract §5):
`Год; Предмет; Класс; Задание; Макс. балл; Уровень; Код умения; Проверяемое умение;
Практико-ориентированное`, plus an optional `Экзамен` (`ЕГЭ`, `ОГЭ`, `ГВЭ-11`, `ГВЭ-9`).

Since the columns are the same, a file is taken for a «План ГИА» rather than a «План ВПР» when
(`gia_evidence`) any of these holds:
- it has the column `Экзамен`;
- its file name (not its folder's), a sheet name or a title row above the header names ГИА, ЕГЭ,
  ОГЭ or ГВЭ;
- every row is of `Класс` 9 or 11 and some row says that it cannot be ВПР: `Класс` 9 (there is
  no ВПР in grade 9), `Уровень` «В» (high level exists in ГИА plans only), or `Класс` 11 with
  Русский язык or Математика (ВПР in grade 11 has neither).
Otherwise the file stays a «План ВПР» (a ВПР plan of grades 4–8 with a stray «В» is a ВПР plan
with a bad row, not a ГИА plan). A plan of grade 11 in a subject that ВПР also has in grade 11
(История, Биология, …) with no «В» task is told apart only by its name or the `Экзамен` column.

Tasks are labelled as the answer strings number them: `N` for task N of the short-answer part
(`К<N>` in the warehouse), and for the long-answer part either `N` (a task scored by one
criterion) or `NК<m>` (criterion m of task N, as «План ВПР» writes `4К1`); the long-answer rows,
in the order of N and m, are the criteria `Р1`, `Р2`, … of the long-answer string (dbt model
`stg_gia_task_plan`). A plan row whose task is not in the answers is loaded and simply unused.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import PurePath

import pandas as pd

from ingestion.convert import map_unique, set_object
from ingestion.readers.base import (
    RECOGNISE_SHARE, Col, ColumnTableReader, ParsedFile, find_header, read_columns_lenient,
)
from ingestion.readers.vpr_plan import SPEC as VPR_PLAN_SPEC
from ingestion.source import Source
from ingestion.text import blank, canonical_value, norm_subject, value_keys

EXAMS = ("ЕГЭ", "ОГЭ", "ГВЭ-11", "ГВЭ-9")
EXAM_ALIASES = {"гвэ11": "ГВЭ-11", "гвэ 11": "ГВЭ-11", "гвэ9": "ГВЭ-9", "гвэ 9": "ГВЭ-9"}
LEVELS = ("Б", "П", "В")
# Subject names as ГИА plans write them → contract subject code (§2). The seed `subjects` names
# the codes for the report; here only the spellings a plan uses are needed to find the code.
SUBJECT_CODES = {
    "Русский язык": 1, "Математика": 2, "Математика профильная": 2, "Математика профильного уровня": 2,
    "Математика (профильный уровень)": 2, "Математика базовая": 22, "Математика базового уровня": 22,
    "Математика (базовый уровень)": 22, "Физика": 3, "Химия": 4, "Информатика": 5, "Информатика и икт": 5,
    "Биология": 6, "История": 7, "География": 8, "Английский язык": 9, "Немецкий язык": 10,
    "Французский язык": 11, "Испанский язык": 13, "Обществознание": 12, "Литература": 18,
}
NO_VPR_11 = frozenset({1, 2, 22})          # subjects without ВПР in grade 11
_NAME_MARK = re.compile(r"(?<![а-яё])(гиа|егэ|огэ|гвэ)(?![а-яё])", re.IGNORECASE)
_LABEL = re.compile(r"^(\d+)(?:К(\d+))?$")
BONUS = 0.5                                # above any share: a ГИА plan beats «План ВПР» on the same columns

# the ВПР plan's columns; a ГИА plan may leave out the skill and practice columns (the levels are what it is for)
SPEC = [*(replace(c, required=False) if c.field in ("skill_code", "practice_oriented") else c for c in VPR_PLAN_SPEC),
        Col("exam", ("Экзамен", "Форма ГИА", "Вид экзамена"), required=False)]
DEFAULT_EXAM = {11: "ЕГЭ", 9: "ОГЭ"}


def norm_task(label: object) -> str | None:
    """Task label as compared with the answer strings: no spaces, any K/к → Cyrillic К, no «№»."""
    if blank(label):
        return None
    text = "".join(str(label).split()).replace("№", "")
    if text.endswith(".0") and text[:-2].isdigit():     # a number cell read as 27.0
        text = text[:-2]
    return text.replace("K", "К").replace("k", "К").replace("к", "К")


def task_parts(label: str | None) -> tuple[int | None, int | None]:
    """(task number, criterion number or None) of `27`, `27К3`; (None, None) when it is neither."""
    m = _LABEL.match(label or "")
    return (int(m.group(1)), int(m.group(2)) if m.group(2) else None) if m else (None, None)


def subject_code(subject: object) -> int | None:
    if blank(subject):
        return None
    return SUBJECT_CODES.get(norm_subject(subject) or "")


def norm_exam(value: object) -> object:
    """`егэ` → `ЕГЭ`, `ГВЭ 11` → `ГВЭ-11`; anything else as written (the suite names it)."""
    if blank(value):
        return None
    key = " ".join(str(value).split()).lower()
    return canonical_value(EXAM_ALIASES.get(key, value), value_keys(EXAMS))


def name_marks(texts: list[str]) -> str | None:
    """The first of ГИА/ЕГЭ/ОГЭ/ГВЭ named in file name, sheet names or title rows."""
    for t in texts:
        m = _NAME_MARK.search(t or "")
        if m:
            return m.group(1).upper()
    return None


def gia_evidence(*, has_exam: bool, names: list[str], grades: list, levels: list, subjects: list) -> str | None:
    """Why the rows are a «План ГИА» and not a «План ВПР» with the same columns (None: they are not).

    Content first where it is decisive (a column, a grade or level ВПР never has); the file's
    name last, since analysts rename files but seldom write ЕГЭ on a ВПР plan.
    """
    if has_exam:
        return "есть столбец «Экзамен»"
    grade_set = {int(g) for g in grades if not pd.isna(g)}
    if grade_set and grade_set <= {9, 11}:
        if 9 in grade_set:
            return "класс 9 (ВПР в 9 классе нет)"
        if any(isinstance(lv, str) and lv.strip().upper() == "В" for lv in levels):
            return "задания высокого уровня «В»"
        if any(subject_code(s) in NO_VPR_11 for s, g in zip(subjects, grades) if g == 11):
            return "русский язык или математика в 11 классе (ВПР в 11 классе по ним нет)"
    mark = name_marks(names)
    return f"в названии указано «{mark}»" if mark else None


class GiaPlanReader(ColumnTableReader):
    kind = "gia_plan"
    spec = SPEC

    def _evidence(self, src: Source) -> str | None:
        """`gia_evidence` of a file (remembered in `src.cache`: scoring and reading both ask)."""
        if "gia_plan_evidence" not in src.cache:
            frame, _columns, _extras, table, fields = read_columns_lenient(src, SPEC)
            head = next((h for h in src.heads if h.name == table.sheet), None)
            above = [str(c) for r in (head.rows[: table.header_row - 1] if head else []) for c in r if c]
            src.cache["gia_plan_evidence"] = gia_evidence(
                # the file's own name, not its folders: an inbox folder «ГИА и ВПР» says nothing of a file
                has_exam="exam" in fields, names=[PurePath(src.rel).name, *(h.name for h in src.heads), *above],
                grades=list(frame["grade"]), levels=list(frame["task_level"]), subjects=list(frame["subject"]))
        return src.cache["gia_plan_evidence"]

    def score(self, src: Source) -> float:
        base = _base_share(src)
        if base < RECOGNISE_SHARE:
            return 0.0
        try:
            evidence = self._evidence(src)
        except Exception:     # the header is there but the table does not read: «План ВПР» reports it
            return 0.0
        return base + BONUS if evidence else 0.0

    def prepare(self, frame: pd.DataFrame) -> None:
        set_object(frame, "subject", map_unique(frame["subject"], norm_subject))
        set_object(frame, "task", map_unique(frame["task"], norm_task))
        set_object(frame, "task_level", [t.strip().upper() if isinstance(t, str) else None for t in frame["task_level"]])
        exams = map_unique(frame["exam"], norm_exam)
        # without `Экзамен` a grade-11 plan is of ЕГЭ and a grade-9 plan of ОГЭ (ГВЭ has its own plans)
        set_object(frame, "exam", [e if e is not None else DEFAULT_EXAM.get(int(g)) if not pd.isna(g) else None
                                   for e, g in zip(exams, frame["grade"])])
        parts = [task_parts(t) for t in frame["task"]]
        frame["task_no"] = [float(n) if n is not None else float("nan") for n, _ in parts]
        frame["criterion"] = [float(c) if c is not None else float("nan") for _, c in parts]
        frame["subject_code"] = [float(c) if (c := subject_code(s)) is not None else float("nan")
                                 for s in frame["subject"]]

    def read(self, src: Source) -> ParsedFile:
        parsed = super().read(src)
        evidence = src.cache.get("gia_plan_evidence")
        if evidence:
            parsed.notes.append(f"распознан как «План ГИА»: {evidence}")
        return parsed


def _base_share(src: Source) -> float:
    """Share of the «План ВПР» columns present: the same bar as the ВПР plan reader's."""
    found = find_header(src, VPR_PLAN_SPEC)
    return found[2] if found else 0.0
