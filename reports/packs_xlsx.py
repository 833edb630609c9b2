"""The school pack's workbook `<Код ОО>.xlsx`: per work, per class, per pupil.

Sheets (each a `Table`, written by the annex writer, so headers, frozen rows, filters, widths
and numbers-as-numbers are those of the public annex): «Работы» (marks, journal, deficit counts),
«Задания» and «Умения» of the school beside the region and the cluster, «Классы», «Задания по
классам», «Умения по классам», and «Ученики» — one row per pupil × work by Код участника, with the
tasks and skills the pupil has not mastered, what an individual route starts from.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from reports.document import Cell, Row, Table
from reports.formatting import fmt_number
from reports.packs import PackData
from reports.packs_cells import differences, flags, natural_key, numbers, shares, texts, work_key

MARK_COLUMNS = ["Участников с отметкой", "«2»", "«3»", "«4»", "«5»", "Доля «2», %", "Доля «4» и «5», %",
                "С отметкой по журналу", "Понизили", "Подтвердили", "Повысили"]


def _sorted(df: pd.DataFrame, *keys: str) -> pd.DataFrame:
    """Rows by work (subject, grade), then by each key in natural order (tasks, classes, codes);
    rows that tie keep their order.

    The keys are computed per distinct value, not per row (a pack's task rows repeat a few dozen
    tasks and classes), and the rows ordered by those ranks at once."""
    if df.empty:
        return df
    ranks = [_ranks(df["work"], work_key), *(_ranks(df[k], natural_key) for k in keys)]
    return df.iloc[np.lexsort(ranks[::-1])].reset_index(drop=True)     # lexsort: last key first, stable


def _ranks(column: pd.Series, key) -> np.ndarray:
    """Each row's place among the column's distinct values ordered by `key` (equal keys, equal places)."""
    codes, values = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=False)
    keys = [key(v) for v in values]
    place = np.empty(len(keys), dtype=np.int64)
    rank, previous = -1, None
    for i in sorted(range(len(keys)), key=keys.__getitem__):
        if rank < 0 or keys[i] != previous:
            rank, previous = rank + 1, keys[i]
        place[i] = rank
    return place[codes]


def _rows(columns: list[list[Cell]], groups=None) -> list[Row]:
    """Rows zipped from whole columns of cells (reports.packs_cells: each distinct value made once)."""
    if groups is None:
        return [Row(list(cells)) for cells in zip(*columns)]
    return [Row(list(cells), group=g) for g, cells in zip(groups, zip(*columns))]


def _mark_columns(df: pd.DataFrame) -> list[list[Cell]]:
    return [numbers(df["participants"], "int"), numbers(df["mark2"], "int"), numbers(df["mark3"], "int"),
            numbers(df["mark4"], "int"), numbers(df["mark5"], "int"), shares(df["mark2"], df["participants"]),
            shares(df["mark4"] + df["mark5"], df["participants"]), numbers(df["journal_participants"], "int"),
            numbers(df["lowered"], "int"), numbers(df["confirmed"], "int"), numbers(df["raised"], "int")]


def deficit_counts(tasks: pd.DataFrame) -> pd.DataFrame:
    """Per work and group: how many tasks are deficits and how many of them are priority ones."""
    if tasks.empty:
        return pd.DataFrame(columns=["work", "entity_code", "deficits", "priorities"])
    return (tasks.groupby(["work", "entity_code"], as_index=False)
            .agg(deficits=("deficit", "sum"), priorities=("priority", "sum")))


def _with_counts(groups: pd.DataFrame, tasks: pd.DataFrame) -> pd.DataFrame:
    merged = groups.merge(deficit_counts(tasks), on=["work", "entity_code"], how="left")
    return merged.fillna({"deficits": 0, "priorities": 0})


def works_table(data: PackData) -> Table:
    groups = data["mart_pack_groups"]
    tasks = data["mart_pack_task_completion"]
    school = _sorted(_with_counts(groups[groups["level"] == "school"], tasks[tasks["level"] == "school"]))
    rows = _rows([texts(school["work"]), numbers(school["pupils"], "int"), *_mark_columns(school),
                  numbers(school["deficits"], "int"), numbers(school["priorities"], "int")])
    return Table("Работы", "Результаты ОО по работам: отметки, сравнение с журналом, дефициты",
                 ["Работа", "Писали работу", *MARK_COLUMNS, "Заданий с дефицитом", "Из них приоритетных"], rows,
                 notes=["Дефицит и приоритетный дефицит — как в data/deficits.csv и в аналитическом отчёте."])


def _task_rows(df: pd.DataFrame, with_class: bool) -> list[Row]:
    lead = [texts(df["class_name"])] if with_class else []
    return _rows([*lead, texts(df["task"]), texts(df["level_of_task"]), texts(df["skill_code"]),
                  numbers(df["participants"], "int"), numbers(df["completion_pct"]), numbers(df["region_completion_pct"]),
                  numbers(df["cluster_completion_pct"]), differences(df["completion_pct"], df["region_completion_pct"]),
                  texts(df["zone"]), flags(df["deficit"]), flags(df["priority"])], df["work"])


TASK_COLUMNS = ["Задание", "Уровень", "Код умения", "Участников", "Выполнение, %", "Регион, %", "Кластер, %",
                "Разница с регионом, п. п.", "Зона", "Дефицит", "Приоритетный дефицит"]


def tasks_table(data: PackData) -> Table:
    tasks = data["mart_pack_task_completion"]
    school = _sorted(tasks[tasks["level"] == "school"], "task")
    return Table("Задания", "Выполнение заданий ОО рядом с регионом и кластером",
                 TASK_COLUMNS, _task_rows(school, False), group_title="Работа",
                 notes=["Выполнение = сумма баллов / сумма максимальных баллов, %; участников — писавших задание."])


def _with_class_names(rows: pd.DataFrame, data: PackData) -> pd.DataFrame:
    """Class rows (entity_code '<Код ОО>/<Класс>') with the class's name as the school writes it."""
    groups = data["mart_pack_groups"]
    names = groups.loc[groups["level"] == "class", ["work", "entity_code", "class_name"]]
    return rows[rows["level"] == "class"].merge(names, on=["work", "entity_code"], how="left")


def class_tasks_table(data: PackData) -> Table:
    tasks = data["mart_pack_task_completion"]
    classes = _with_class_names(tasks, data)
    return Table("Задания по классам", "Выполнение заданий по классам рядом с регионом и кластером ОО",
                 ["Класс", *TASK_COLUMNS], _task_rows(_sorted(classes, "class_name", "task"), True),
                 group_title="Работа")


def _skill_rows(df: pd.DataFrame, with_class: bool) -> list[Row]:
    lead = [texts(df["class_name"])] if with_class else []
    return _rows([*lead, texts(df["skill_code"]), texts(df["skill_name"]), numbers(df["participants"], "int"),
                  numbers(df["completion_pct"]), numbers(df["region_completion_pct"]),
                  numbers(df["cluster_completion_pct"]), differences(df["completion_pct"], df["region_completion_pct"])],
                 df["work"])


SKILL_COLUMNS = ["Код умения", "Умение", "Участников", "Выполнение, %", "Регион, %", "Кластер, %",
                 "Разница с регионом, п. п."]


def skills_table(data: PackData) -> Table:
    skills = data["mart_pack_skill_completion"]
    return Table("Умения", "Достижение планируемых результатов (проверяемые умения) ОО",
                 SKILL_COLUMNS, _skill_rows(_sorted(skills[skills["level"] == "school"], "skill_code"), False),
                 group_title="Работа")


def class_skills_table(data: PackData) -> Table:
    skills = data["mart_pack_skill_completion"]
    classes = _with_class_names(skills, data)
    return Table("Умения по классам", "Достижение планируемых результатов по классам",
                 ["Класс", *SKILL_COLUMNS],
                 _skill_rows(_sorted(classes, "class_name", "skill_code"), True),
                 group_title="Работа")


def classes_table(data: PackData) -> Table:
    groups = data["mart_pack_groups"]
    tasks = data["mart_pack_task_completion"]
    classes = _sorted(_with_counts(groups[groups["level"] == "class"], tasks[tasks["level"] == "class"]), "class_name")
    rows = _rows([texts(classes["class_name"]), numbers(classes["pupils"], "int"), *_mark_columns(classes),
                  numbers(classes["deficits"], "int"), numbers(classes["priorities"], "int")], classes["work"])
    return Table("Классы", "Результаты классов: отметки, сравнение с журналом, дефициты",
                 ["Класс", "Писали работу", *MARK_COLUMNS, "Заданий с дефицитом", "Из них приоритетных"], rows,
                 group_title="Работа",
                 notes=["Дефицит задания класса отмечается, только если класс не меньше минимальной группы методики (как в data/deficits.csv)."])


def pupils_table(data: PackData) -> Table:
    pupils = _sorted(data["mart_pack_pupils"], "class_name", "participant_code")
    share_text = fmt_number(100 * data.mastery_share, 0)
    rows = _rows([texts(pupils["class_name"]), texts(pupils["participant_code"]), texts(pupils["variant"]),
                  numbers(pupils["primary_score"], "int"), numbers(pupils["work_max"], "int"),
                  numbers(pupils["mark"], "int"), numbers(pupils["journal_mark"], "int"),
                  numbers(pupils["tasks_not_mastered"], "int"), texts(pupils["tasks_not_mastered_list"]),
                  numbers(pupils["skills_not_mastered"], "int"), texts(pupils["skills_not_mastered_list"])],
                 pupils["work"])
    return Table("Ученики", "Результаты участников (по коду участника): что не освоено",
                 ["Класс", "Код участника", "Вариант", "Первичный балл", "Максимальный балл", "Отметка",
                  "Отметка по журналу", "Не освоено заданий", "Задания", "Не освоено умений", "Коды умений"],
                 rows, group_title="Работа",
                 notes=[f"Задание не освоено, если балл участника ниже {share_text} % максимального; умение — если сумма "
                        f"баллов по его заданиям ниже {share_text} % суммы их максимальных баллов. Названия умений — на листе «Умения».",
                        "Участники указаны кодами ВПР; сопоставление кода с учеником есть только в ОО."])


def pack_tables(data: PackData) -> list[Table]:
    return [works_table(data), tasks_table(data), skills_table(data), classes_table(data), class_tasks_table(data),
            class_skills_table(data), pupils_table(data)]


def write_pack_xlsx(data: PackData, school_code: str, target: Path, generated_at: datetime) -> Path:
    """The workbook of one school; `data` holds that school's rows only."""
    from reports.annex import write_annex

    school = data.school(school_code)
    title = (f"Пакет ОО по результатам ВПР {data.year} года: {school['short_name'] or school_code} "
             f"(код {school_code}), {school['mo_name'] or ''}")
    legend = ("Для ОО и её муниципального органа управления образованием; не публикуется. Малые группы не скрыты: "
              "данные предназначены самой ОО.")
    # the creation date from the data (15 December of the year), as the public files, so reruns match
    created = datetime(int(data.year), 12, 15, tzinfo=timezone.utc)
    return write_annex(pack_tables(data), target, title=title, created=created, legend=legend,
                       contents_column="Содержание листа")
