"""The school pack's summary `<Код ОО>.pdf`: one or two pages through the report's Typst writer.

The summary says what a deputy head acts on first — each work's marks against the journal and its
deficits, the priority deficits with the region and the cluster beside them, the classes where
priority deficits are — and points to the workbook for classes and pupils in full. It is a
`Document` like the reports, written without a title page (`write_pdf(cover=False)`).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from reports.document import Document, Paragraph, Row, Section, Table
from reports.formatting import count_phrase, fmt_date, fmt_int
from reports.packs import PackData
from reports.packs_cells import natural_key, number, share, text
from reports.packs_xlsx import _sorted, _with_counts


def works_summary(data: PackData) -> Table:
    groups, tasks = data["mart_pack_groups"], data["mart_pack_task_completion"]
    school = _sorted(_with_counts(groups[groups["level"] == "school"], tasks[tasks["level"] == "school"]))
    rows = [Row([text(r.work), number(r.participants, "int"), share(r.mark2, r.participants),
                 share(r.mark4 + r.mark5, r.participants), share(r.confirmed, r.journal_participants),
                 share(r.raised, r.journal_participants), number(r.deficits, "int"), number(r.priorities, "int")])
            for r in school.itertuples()]
    return Table("pack_works", "Работы: отметки, журнал, дефициты",
                 ["Работа", "Участников", "«2», %", "«4» и «5», %", "Подтвердили журнал, %", "Повысили, %",
                  "Заданий с дефицитом", "Приоритетных"], rows, widths=[3, 1.2, 1, 1.2, 1.4, 1.2, 1.3, 1.3],
                 notes=["Доли «подтвердили» и «повысили» — среди участников с отметкой по журналу."])


def _skill_names(data: PackData) -> dict[tuple[str, str], str]:
    skills = data["mart_pack_skill_completion"]
    return {(str(w), str(c)): str(n) for w, c, n in zip(skills["work"], skills["skill_code"], skills["skill_name"])
            if n == n and n is not None}


def priority_table(data: PackData) -> Table | None:
    tasks = data["mart_pack_task_completion"]
    prio = _sorted(tasks[(tasks["level"] == "school") & (tasks["priority"] == 1)], "task")
    if prio.empty:
        return None
    names = _skill_names(data)
    rows = [Row([text(r.task), text(f"{r.skill_code} {names.get((str(r.work), str(r.skill_code)), '')}".strip()),
                 number(r.completion_pct), number(r.region_completion_pct), number(r.cluster_completion_pct)],
                group=r.work) for r in prio.itertuples()]
    return Table("pack_priority", "Приоритетные дефициты ОО", ["Задание", "Проверяемое умение", "ОО, %", "Регион, %",
                                                                 "Кластер, %"], rows, widths=[0.9, 5, 0.9, 0.9, 0.9],
                 notes=["Приоритетный дефицит — задание ниже порога ФИОКО, заметно и значимо ниже региона и ниже "
                        "кластера (методика, как в аналитическом отчёте)."])


def classes_table(data: PackData) -> Table | None:
    tasks = data["mart_pack_task_completion"]
    prio = tasks[(tasks["level"] == "class") & (tasks["priority"] == 1)]
    if prio.empty:
        return None
    groups = data["mart_pack_groups"]
    classes = groups.loc[groups["level"] == "class", ["work", "entity_code", "class_name", "participants"]]
    listed = (prio.groupby(["work", "entity_code"])["task"]
              .apply(lambda t: ", ".join(sorted(map(str, t), key=natural_key))).reset_index())
    listed = _sorted(listed.merge(classes, on=["work", "entity_code"], how="left"), "class_name")
    rows = [Row([text(r.class_name), number(r.participants, "int"), text(r.task)], group=r.work)
            for r in listed.itertuples()]
    return Table("pack_classes", "Классы с приоритетными дефицитами", ["Класс", "Участников", "Задания"], rows,
                 widths=[1, 1, 5])


def routes_paragraph(data: PackData, school_code: str) -> Paragraph:
    pupils = data["mart_pack_pupils"]
    with_gaps = int((pupils["skills_not_mastered"] > 0).sum()) if not pupils.empty else 0
    return Paragraph(
        f"На листе «Ученики» файла {school_code}.xlsx — {count_phrase(len(pupils), ('строка', 'строки', 'строк'))}, "
        f"по одной на участника и работу (по коду участника ВПР и классу): отметка, отметка по журналу, "
        f"не освоенные задания и умения. Хотя бы одно умение не освоено в {fmt_int(with_gaps)} из них; "
        "это основа индивидуальных образовательных маршрутов. Листы «Классы», «Задания по классам» и "
        "«Умения по классам» дают то же по каждому классу.")


def pack_document(data: PackData, school_code: str, generated_at: datetime) -> Document:
    """The summary of one school; `data` holds that school's rows only."""
    school = data.school(school_code)
    name = school["short_name"] or school_code
    doc = Document(title=f"Пакет ОО: результаты ВПР {data.year} года",
                   subtitle=f"{name} (код {school_code}), {school['mo_name'] or ''}",
                   scope_name=str(name), year=data.year, generated=fmt_date(generated_at), kind="school",
                   entity_code=school_code)
    works = data["mart_pack_groups"]
    n_works = int((works["level"] == "school").sum())
    top = Section("1", "Сводка по ОО").add(
        Paragraph("Для ОО и её муниципального органа управления образованием; не публикуется. Малые группы "
                  "не скрыты.", "note"),
        Paragraph(f"ОО писала {count_phrase(n_works, ('работу', 'работы', 'работ'))} ВПР; кластер сравнения — "
                  f"{school['cluster_name'] or 'не определён'}."))
    top.sub("По работам").add(works_summary(data))
    prio = priority_table(data)
    top.sub("Приоритетные дефициты").add(prio if prio is not None else Paragraph("Приоритетных дефицитов нет."))
    classes = classes_table(data)
    top.sub("Классы").add(classes if classes is not None else Paragraph("Приоритетных дефицитов классов нет."))
    top.sub("Для индивидуальных маршрутов").add(routes_paragraph(data, school_code))
    doc.sections.append(top)
    doc.number_figures()
    return doc


def write_pack_pdf(data: PackData, school_code: str, target: Path, generated_at: datetime) -> Path:
    from reports.typst_writer import write_pdf

    doc = pack_document(data, school_code, generated_at)
    return write_pdf(doc, target, f"Пакет ОО {school_code} · ВПР {data.year}", cover=False)
