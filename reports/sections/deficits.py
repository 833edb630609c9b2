"""§3.3.6 «Дефициты»: the tasks below the deficit threshold (seed vpr_deficit_zones) for the scope
and for its schools, and the schools' priority deficits (methodology, «Priority deficits») that the
recommendations of §5 cite.
"""
from __future__ import annotations

from collections import defaultdict

import pandas as pd

from reports import cells, numerals, outline
from reports.context import Context, Scope
from reports.document import Paragraph, Row, Section, Table
from reports.formatting import fmt_number, is_missing
from reports.rules import DeficitTask, MarkTwoShare, PrioritySkill, SchoolEvidence, work_sort_key
from reports.sections.common import notes, task_order, title, to_float

def school_deficit_counts(ctx: Context, scope: Scope) -> dict[tuple[str, str], tuple[int, int]]:
    """(work, task) -> (schools of the scope with that deficit, schools of the scope evaluated (at least the deficit rule's minimum group))."""
    d = ctx.rows("mart_vpr_deficit_schools", scope, year=ctx.year)
    return {(r.work, r.task): (int(r.schools_with_deficit), int(r.schools_evaluated)) for r in d.itertuples()}


def build(ctx: Context, scope: Scope, sec: Section, works: list[str]) -> None:
    """§3.3.6 «Дефициты»: the tasks below the threshold for the whole scope, with how many of its
    schools share each; the schools with deficits per municipality (regional report)."""
    y = ctx.year
    defs = ctx.rows("fct_deficits", scope, year=y)
    defs = defs[defs["deficit"] == 1]
    counts = school_deficit_counts(ctx, scope)
    rows = []
    for w in works:
        t = defs[defs["work"] == w]
        t = t.assign(_k=t["task"].map(task_order)).sort_values("_k")
        for r in t.itertuples():
            k, m = counts.get((w, r.task), (0, 0))
            rows.append(Row([cells.text(r.task), cells.text(r.level_of_task), cells.text(r.skill_code),
                             cells.number(r.completion_pct, r.participants),
                             cells.text(f"{k} из {m}" if m else "не оценивается")], group=w))
    where = "региона" if scope.is_region else "муниципалитета"
    if rows:
        sec.add(Paragraph(f"Задания, выполнение которых ниже порогового на уровне {where} в целом; в последнем столбце — "
                          "число ОО, для которых задание также является дефицитным, из числа ОО с не менее чем "
                          f"{numerals.count(ctx.methodology.min_group_pupils, 'участник', 'ablt')} "
                          "(«не оценивается» — таких ОО нет)."),
                Table("deficits", title(ctx, scope, "deficits"),
                      ["Задание", "Уровень", "Код умения", "Выполнение, %", "ОО с дефицитом"], rows, group_title="Работа",
                      widths=[1.2, 1, 1.4, 1.5, 1.8], notes=notes()))
    else:
        sec.add(Paragraph(f"Заданий с дефицитом на уровне {where} в целом не выявлено."))
    school_defs = ctx.level_rows("fct_deficits", "school", year=y, entities=scope.school_codes)
    school_defs = school_defs[school_defs["deficit"] == 1]
    if scope.is_region:
        sat = ctx.level_rows("mart_vpr_marks", "school", year=y)
        sat = sat[sat["participants"] >= ctx.methodology.min_group_pupils]   # the deficit rule's minimum group
        rows = []
        for mo in ctx.mo_codes:
            mo_schools = set(ctx.schools.index[ctx.schools["mo_code"].astype(str) == mo])
            eval_n = sat[sat["entity_code"].isin(mo_schools)]["entity_code"].nunique()
            with_def = school_defs[school_defs["entity_code"].isin(mo_schools)]
            rows.append(Row([cells.text(mo), cells.text(ctx.mo_names[mo]), cells.tally(eval_n),
                             cells.tally(with_def["entity_code"].nunique()),
                             cells.tally(len(with_def))]))
        sec.add(Table("deficits_mo", title(ctx, scope, "deficits_mo"),
                      ["Код МО", "Муниципалитет", f"ОО с не менее чем {numerals.count(ctx.methodology.min_group_pupils, 'участник', 'ablt')} хотя бы одной работы",
                       "ОО с дефицитами", "Случаев «ОО × задание» с дефицитом"], rows, widths=[1, 4, 2.5, 1.6, 2.2]))
    else:
        sec.add(Paragraph("Задания, дефицитные для отдельных ОО муниципалитета, названы в рекомендациях этим ОО "
                          f"(раздел {outline.number('recommendations', scope.kind)}) "
                          "и приведены в приложении к региональному отчёту (лист «Дефициты ОО»)."))


def school_deficits_table(ctx: Context, scope: Scope) -> Table:
    """Per school of the scope (code order): the works and tasks that are deficits for it."""
    d = ctx.level_rows("fct_deficits", "school", year=ctx.year, entities=scope.school_codes)
    d = d[d["deficit"] == 1]
    grouped: dict[tuple[str, str], tuple[list[str], set[str]]] = {}
    for r in d.itertuples():
        tasks, skills = grouped.setdefault((str(r.entity_code), r.work), ([], set()))
        tasks.append(str(r.task))
        if not is_missing(r.skill_code):
            skills.add(str(r.skill_code))
    rows = []
    for (code, w) in sorted(grouped, key=lambda k: (k[0], work_sort_key(k[1]))):
        tasks, skills = grouped[(code, w)]
        rows.append(Row([cells.text(w), cells.text(", ".join(sorted(tasks, key=task_order))),
                         cells.text(", ".join(sorted(skills, key=task_order)))],
                        group=f"{ctx.school_name(code)} ({code})"))
    return Table("deficits_schools", title(ctx, scope, "deficits_schools"),
                 ["Работа", "Задания с дефицитом", "Коды умений"], rows, group_title="ОО",
                 widths=[3, 4, 4], notes=[f"Дефицит определяется для ОО с не менее чем "
                                          f"{numerals.count(ctx.methodology.min_group_pupils, 'участник', 'ablt')} работы."])


def deficit_inputs(ctx: Context, level: str, entity: str) -> list[DeficitTask]:
    """The deficits of one entity as the rules take them (§4 conclusions, §5 institute's recommendations)."""
    d = ctx.data["fct_deficits"]
    d = d[(d["year"] == ctx.year) & (d["level"] == level) & (d["entity_code"].astype(str) == entity) & (d["deficit"] == 1)]
    names = _skill_names(ctx)
    limits = ctx.methodology.deficit_below
    return [DeficitTask(r.work, str(r.task), "" if is_missing(r.skill_code) else str(r.skill_code),
                        names.get((r.work, r.skill_code), ""), str(r.level_of_task), float(r.completion_pct), int(r.participants),
                        limits.get(str(r.level_of_task)))
            for r in d.itertuples()]


def _skill_names(ctx: Context) -> dict[tuple[str, str], str]:
    """(work, skill code) -> the skill's wording (the region's rows carry every skill of the plan)."""
    sk = ctx.data["mart_vpr_skills"]
    sk = sk[(sk["year"] == ctx.year) & (sk["level"] == "region")]
    return {(r.work, r.skill_code): str(r.skill_name) for r in sk.itertuples() if not is_missing(r.skill_name)}


def _priority_rows(ctx: Context, scope: Scope, *, named_only: bool = True) -> pd.DataFrame:
    """The priority deficits of the scope's schools (mart_vpr_priority_deficits), code and work order."""
    d = ctx.data["mart_vpr_priority_deficits"]
    d = d[(d["year"] == ctx.year) & d["school_code"].astype(str).isin(scope.school_codes)]
    if named_only:
        d = d[d["named"] == 1]
    d = d.assign(_w=d["work"].map(work_sort_key), _t=d["task"].map(task_order))
    return d.sort_values(["school_code", "_w", "skill_rank", "_t"])


def school_evidence(ctx: Context, scope: Scope) -> list[SchoolEvidence]:
    """Per school of the scope that sat ВПР: its named priority skills (one per skill: the worst task)
    and its shares of «2»."""
    y = ctx.year
    by_school: dict[str, list[PrioritySkill]] = defaultdict(list)
    seen: set[tuple[str, str, str]] = set()
    pr = _priority_rows(ctx, scope).sort_values(["school_code", "_w", "skill_rank", "completion_pct", "_t"])
    for r in pr.itertuples():
        skill = "" if is_missing(r.skill_code) else str(r.skill_code)
        key = (str(r.school_code), r.work, skill or f"#{r.task}")
        if key in seen:
            continue
        seen.add(key)
        by_school[str(r.school_code)].append(PrioritySkill(
            r.work, skill, "" if is_missing(r.skill_name) else str(r.skill_name), str(r.task), float(r.completion_pct),
            float(r.region_completion_pct), to_float(r.cluster_completion_pct), int(r.participants)))
    marks = ctx.level_rows("mart_vpr_marks", "school", year=y, entities=scope.school_codes)
    twos: dict[str, list[MarkTwoShare]] = defaultdict(list)
    for r in marks.itertuples():
        if r.participants:
            twos[str(r.entity_code)].append(MarkTwoShare(r.work, 100.0 * (r.mark2 or 0) / r.participants, int(r.participants)))
    out = []
    for code in sorted(set(by_school) | set(twos)):
        mo = ctx.school_mo(code)
        out.append(SchoolEvidence(code, ctx.school_name(code), mo, ctx.mo_names.get(mo, mo), tuple(by_school.get(code, ())),
                                  tuple(twos.get(code, ())), ctx.school_cluster(code)))
    return out


def priority_deficits_table(ctx: Context, scope: Scope) -> Table:
    """Per school (code order, grouped by municipality in the regional annex): every priority deficit
    with the school's, the region's and the cluster's completion — what the recommendations cite."""
    d = _priority_rows(ctx, scope, named_only=False)
    gap, most = ctx.methodology.param("priority_min_gap_pp"), int(ctx.methodology.param("priority_max_skills_per_work"))
    rows = [Row([cells.text(r.work), cells.text(r.task), cells.text("" if is_missing(r.skill_code) else r.skill_code),
                 cells.text("" if is_missing(r.skill_name) else r.skill_name),
                 cells.number(r.completion_pct, r.participants), cells.reference(r.region_completion_pct),
                 cells.reference(r.cluster_completion_pct),
                 cells.text("да" if r.named == 1 else "нет")],
                group=f"{ctx.school_name(str(r.school_code))} ({r.school_code})") for r in d.itertuples()]
    return Table("priority_deficits", title(ctx, scope, "priority_deficits"),
                 ["Работа", "Задание", "Код умения", "Умение", "Выполнение в ОО, %", "Регион, %", "Кластер, %",
                  "Названо в рекомендации"], rows, group_title="ОО", widths=[2.6, 1, 1, 5, 1.4, 1.2, 1.2, 1.4],
                 notes=[f"Приоритетный дефицит: задание с дефицитом, выполненное ОО не менее чем на {fmt_number(gap, 0 if float(gap).is_integer() else 1)} п. п. и значимо "
                        "(с поправкой Бонферрони на число заданий работы) хуже, чем в регионе, и хуже, чем в кластере ОО. "
                        f"В рекомендации ОО названы не более {numerals.spelled(most, 'gent')} умений по каждой работе — "
                        "с наибольшим отставанием."])
