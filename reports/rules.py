"""Conclusions (section 4) and recommendations (section 5) by explicit, testable rules.

Each rule is a small pure function over plain records (no database, no pandas): it decides *when*
something is worth saying, cites the numbers it rests on and names whom it concerns. The wording
is formal Russian for municipal education departments. A rule never states a number that the
tables would suppress (n below the seed's minimum): it goes through `suppression.suppress` like every public cell.
Schools are never ranked: a school is named because of its own evidence (markers, deficits, a
persistently low index), and lists are ordered by code.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Literal, Mapping, Sequence

from reports import numerals
from reports.formatting import count_phrase, fmt_number, fmt_signed, join_ru
from reports.methodology import se_phrase
from reports.suppression import combined_n, suppress

LEVEL_WORDS = {"Б": "базового уровня", "П": "повышенного уровня"}
VERDICT_IMPROVED = "улучшение"
VERDICT_DECLINED = "ухудшение"
VERDICT_STABLE = "без существенных изменений"
INSTITUTE = "Региональному институту развития образования"
SCHOOLS_FORMS = ("общеобразовательная организация", "общеобразовательные организации", "общеобразовательных организаций")
SCHOOL = "общеобразовательная организация"
WORK_FORMS = ("работа", "работы", "работ")


@dataclass(frozen=True)
class Item:
    """One conclusion or recommendation: whom it concerns, what it says, on what evidence."""

    kind: Literal["conclusion", "recommendation"]
    topic: str
    addressee: str
    text: str
    evidence: tuple[str, ...] = ()
    mo_code: str | None = None
    school_code: str | None = None

    @property
    def printed_evidence(self) -> tuple[str, ...]:
        """The evidence a reader is shown under the item: only the marker details of an objectivity
        recommendation. Other evidence (school codes, indicator codes) repeats what the text already
        names and is kept for tests and the annex, not printed as a bare list of codes."""
        return self.evidence if self.kind == "recommendation" and self.topic == "objectivity" else ()


@dataclass(frozen=True)
class IndicatorChange:
    """An indicator of one entity in year Y beside Y−1 (a row of mart_indicator_dynamics)."""

    code: str
    name: str
    unit: str                   # '%' or 'балл'
    direction: str              # 'up' or 'down'
    value: float | None
    n: int | None
    prev_value: float | None = None
    prev_n: int | None = None
    change: float | None = None
    change_se: float | None = None
    verdict: str | None = None
    value_y2: float | None = None       # Y−2 and the three-year trend (mart_indicator_trend)
    n_y2: int | None = None
    trend: str | None = None


@dataclass(frozen=True)
class EntityValue:
    """An indicator's value for one entity (the region or a municipality) with its n."""

    code: str
    entity_code: str
    entity_name: str
    value: float | None
    n: int | None


@dataclass(frozen=True)
class IndicatorMeta:
    code: str
    name: str
    unit: str
    direction: str


@dataclass(frozen=True)
class DeficitTask:
    """A task of a work that is a deficit for a group (fct_deficits, deficit = 1)."""

    work: str
    task: str
    skill_code: str
    skill_name: str
    level_of_task: str
    completion_pct: float
    participants: int
    limit: float | None = None      # the seed's deficit threshold for the task's level (vpr_deficit_zones)


@dataclass(frozen=True)
class MarkTwoShare:
    """The share of «2» on a work in a school (from mart_vpr_marks), with its n."""

    work: str
    share: float
    n: int


@dataclass(frozen=True)
class PrioritySkill:
    """A priority deficit a school's recommendation names (mart_vpr_priority_deficits, named = 1):
    one skill of a work with its worst task and the region's and the cluster's completion of it."""

    work: str
    skill_code: str             # '' when the task has no skill code
    skill_name: str
    task: str
    completion_pct: float
    region_pct: float
    cluster_pct: float | None
    n: int


@dataclass(frozen=True)
class SchoolEvidence:
    """What the school rules look at for one school."""

    school_code: str
    school_name: str
    mo_code: str
    mo_name: str
    priority: tuple[PrioritySkill, ...] = ()
    mark_two: tuple[MarkTwoShare, ...] = ()
    cluster_name: str = ""


@dataclass(frozen=True)
class MarkerEvidence:
    work: str
    marker_code: str
    explanation: str


@dataclass(frozen=True)
class ListedSchool:
    """A school «с признаками необъективности» (≥ 2 distinct markers flagged in year Y)."""

    school_code: str
    school_name: str
    mo_code: str
    mo_name: str
    markers: tuple[MarkerEvidence, ...]

    @property
    def marker_codes(self) -> list[str]:
        return sorted({m.marker_code for m in self.markers})

    @property
    def works(self) -> list[str]:
        return sorted({m.work for m in self.markers})


@dataclass(frozen=True)
class LowSchool:
    """A school «с устойчиво низкими результатами» (mart_school_standing.persistently_low)."""

    school_code: str
    school_name: str
    mo_code: str
    mo_name: str


@dataclass(frozen=True)
class RuleConfig:
    """The rules' numbers: the methodology's come from the seeds (`Methodology`), never typed here."""

    z: float                    # «beyond noise»: more than z standard errors (indicator_settings)
    score_sd: float             # SD of ЕГЭ test scores, for the SE of a mean score (analysis_params)
    cluster_z: float            # persistently low / good practice: SEs below/above the cluster (analysis_params)
    min_group: int              # a group is evaluated from this many pupils (vpr_deficit_zones)
    listed_min_markers: int     # a school is listed with this many distinct markers (marker_thresholds)
    marker_names: Mapping[str, str] = field(default_factory=dict)   # seed marker_catalogue


# --- wording helpers --------------------------------------------------------------------------

def work_sort_key(work: str) -> tuple:
    """ВПР/НИКО works by grade, then subject with Russian and mathematics first (as ФИС ОКО lists them)."""
    head, _, grade = str(work).rpartition(" ")
    subject = head.removeprefix("ВПР ").removeprefix("НИКО ")
    first = {"Русский язык": 0, "Математика": 1}.get(subject, 2)
    return (int(grade) if grade.isdigit() else 99, first, subject)


def cite(value: float | None, n: int | None, unit: str) -> str | None:
    """A value as a sentence may cite it («68,4 балла», «12,3 %»), or None when it is suppressed."""
    p = suppress(value, n)
    if not p.shown:
        return None
    text = fmt_number(p.value) + (" балла" if unit == "балл" else " %")
    return text + (" (малая выборка)" if p.status == "small" else "")


def cite_change(change: float | None, n: int | None, unit: str) -> str | None:
    """A change between years: «+1,7 балла», «−2,3 процентного пункта»; None when suppressed.

    Values are printed with one decimal, so the noun is always in the genitive singular."""
    p = suppress(change, n, fmt=fmt_signed)
    if not p.shown:
        return None
    return fmt_signed(p.value) + " " + unit_words(unit)


def unit_words(unit: str) -> str:
    """The unit of a change or gap printed with one decimal: «балла» or «процентного пункта»."""
    return "балла" if unit == "балл" else "процентного пункта"


def school_label(name: str, code: str) -> str:
    return f"{name} ({code})"


def mo_addressee(mo_name: str) -> str:
    return f"Органу местного самоуправления, осуществляющему управление в сфере образования: {mo_name}"


def schools_phrase(n: int, case: str = "nomn") -> str:
    """«3 общеобразовательные организации», with case='gent' «21 общеобразовательной организации»."""
    return numerals.count(n, SCHOOL, case)


def year_in(year: int) -> str:
    """«в 2025 году» — running text spells the word out."""
    return f"в {year} году"


def importance(size: float | None, n: int | None) -> float:
    """How much a finding weighs when findings of one theme are ordered (issue: size × n): the
    absolute change or gap in its own unit times the number of pupils or results behind it."""
    if size is None or n is None or math.isnan(size):
        return 0.0
    return abs(float(size)) * int(n)


# --- section 4: conclusions -------------------------------------------------------------------

def _with_n(value: str, n: int | None) -> str:
    return f"{value} (n = {fmt_number(n, 0)})" if n is not None else value


def conclude_dynamics(changes: Sequence[IndicatorChange], year: int, scope: str, cfg: RuleConfig) -> list[Item]:
    """Which indicators declined or improved beyond noise (the verdict of mart_indicator_dynamics),
    and which have a three-year trend (mart_indicator_trend).

    The verdicts come from the marts (a change is named only beyond `cfg.z` standard errors); the
    rule words them with the indicator's name, both values and their n. Declines come first, then
    improvements, then trends within a year's noise, each ordered by importance (|change| × n).
    Indicators without such a change are counted, not listed — the table of section 2 shows them —
    so the text never turns into a run of codes; those without a comparable previous year are named.
    """
    named: list[tuple[int, float, str, Item]] = []
    stable, no_prev = 0, []
    for c in sorted(changes, key=lambda c: c.code):
        n = combined_n(c.n, c.prev_n)
        now, before = cite(c.value, c.n, c.unit), cite(c.prev_value, c.prev_n, c.unit)
        delta = cite_change(c.change, n, c.unit)
        if c.verdict is None or before is None:
            if now is not None:
                no_prev.append(c)
            continue
        if delta is None or now is None:
            continue
        trend = ""
        first = cite(c.value_y2, c.n_y2, c.unit)
        if c.trend and c.trend != "без устойчивой тенденции" and first is not None:
            trend = f" За три года — {c.trend}: {_with_n(first, c.n_y2)} {year_in(year - 2)}."
        elif c.trend and first is not None and c.verdict in (VERDICT_IMPROVED, VERDICT_DECLINED):
            trend = f" Устойчивой тенденции за три года нет ({_with_n(first, c.n_y2)} {year_in(year - 2)})."
        if c.verdict in (VERDICT_IMPROVED, VERDICT_DECLINED) or trend.startswith(" За три года"):
            word = {VERDICT_IMPROVED: "Улучшение", VERDICT_DECLINED: "Ухудшение"}.get(c.verdict)
            se = ""
            if c.change_se is not None and not math.isnan(c.change_se):
                se = f"; {se_phrase(cfg.z, 'nomn')} изменения — {fmt_number(cfg.z * c.change_se)} {unit_words(c.unit)}"
            head = (f"{word} по показателю «{c.name}»" if word else
                    f"По показателю «{c.name}» изменение за год в пределах погрешности")
            group = {VERDICT_DECLINED: 0, VERDICT_IMPROVED: 1}.get(c.verdict, 2)
            named.append((group, -importance(c.change, n), c.code, Item(
                "conclusion", "dynamics", scope,
                f"{head}: {_with_n(now, c.n)} {year_in(year)} против {_with_n(before, c.prev_n)} {year_in(year - 1)} "
                f"({delta}{se}).{trend}",
                evidence=(c.code,),
            )))
        else:
            stable += 1
    items = [item for *_, item in sorted(named, key=lambda t: t[:3])]
    if stable:
        if stable == 1:
            head = f"По {'остальному' if items else 'единственному'} показателю изменение по сравнению с {year - 1} годом не выходит"
        else:
            head = (f"По {'остальным' if items else 'всем'} {numerals.count(stable, 'показатель', 'datv')} изменения "
                    f"по сравнению с {year - 1} годом не выходят")
        items.append(Item(
            "conclusion", "dynamics", scope,
            f"{head} за {se_phrase(cfg.z, 'accs')} и устойчивой тенденции за три года нет; значения и их "
            "изменения — в таблице показателей раздела 2.",
        ))
    if no_prev:
        names = join_ru([f"«{c.name}»" for c in no_prev])
        noun = "показателю" if len(no_prev) == 1 else "показателям"
        items.append(Item(
            "conclusion", "dynamics", scope,
            f"По {noun} {names} нет сопоставимых данных за {year - 1} год: изменение не оценивается.",
            evidence=tuple(c.code for c in no_prev),
        ))
    return items


def worse_than_reference(meta: IndicatorMeta, value: float, n: int, reference: float, cfg: RuleConfig) -> bool:
    """True when `value` (of n pupils/results) is worse than `reference` by more than z standard errors.

    Shares: the binomial SE of a group of n at the reference share; mean scores: score_sd / √n.
    Worse means lower for ↑ indicators and higher for ↓ ones.
    """
    if n is None or n <= 0:
        return False
    if meta.unit == "балл":
        se = cfg.score_sd / math.sqrt(n)
    else:
        p = min(max(reference / 100.0, 0.0), 1.0)
        se = 100.0 * math.sqrt(max(p * (1 - p), 1e-4) / n)
    gap = (reference - value) if meta.direction == "up" else (value - reference)
    return gap > cfg.z * se


def conclude_below_region(region: Mapping[str, EntityValue], entities: Sequence[EntityValue],
                          catalogue: Mapping[str, IndicatorMeta], cfg: RuleConfig,
                          *, entity_kind: Literal["municipality", "school"] = "municipality") -> list[Item]:
    """Which municipalities are below the region, on which indicators (beyond noise), one item each.

    Municipalities in code order (never a ranking); within one, the indicators by importance
    (gap × n), so the largest shortfall on the most pupils is read first."""
    found: dict[str, list[tuple[float, str, str]]] = defaultdict(list)
    names: dict[str, str] = {}
    for e in sorted(entities, key=lambda e: (e.entity_code, e.code)):
        ref = region.get(e.code)
        meta = catalogue.get(e.code)
        if ref is None or meta is None or e.value is None or ref.value is None:
            continue
        own = cite(e.value, e.n, meta.unit)
        reg = cite(ref.value, ref.n, meta.unit)
        if own is None or reg is None:
            continue
        if worse_than_reference(meta, e.value, int(e.n), ref.value, cfg):
            weight = importance(e.value - ref.value, e.n)
            found[e.entity_code].append((-weight, e.code, f"«{meta.name}» — {_with_n(own, e.n)} при {reg} по региону"))
            names[e.entity_code] = e.entity_name
    items = []
    for code in sorted(found):
        listed = sorted(found[code])
        items.append(Item(
            "conclusion", "below_region", names[code],
            f"Значения хуже региональных сверх {se_phrase(cfg.z, 'gent')} "
            f"({count_phrase(len(listed), ('показатель', 'показателя', 'показателей'))}): "
            + "; ".join(text for *_, text in listed) + ".",
            evidence=tuple(sorted(c for _, c, _ in listed)),
            mo_code=code if entity_kind == "municipality" else None,
        ))
    return items


def _task_phrase(t: DeficitTask) -> str:
    limit_text = f" при пороге {fmt_number(t.limit)} %" if t.limit is not None else ""
    skill = f"умение {t.skill_code}" + (f" «{t.skill_name}»" if t.skill_name else "")
    return f"задание {t.task} ({LEVEL_WORDS.get(t.level_of_task, 'уровень ' + t.level_of_task)}, {skill}): выполнение {fmt_number(t.completion_pct)} %{limit_text}"


def _deficit_weight(tasks: Sequence[DeficitTask]) -> float:
    """A work's deficits weigh the shortfall below the threshold times the pupils, summed over tasks."""
    return sum(importance((t.limit - t.completion_pct) if t.limit is not None else 0.0, t.participants) for t in tasks)


def conclude_deficits(tasks: Sequence[DeficitTask], scope: str, cfg: RuleConfig,
                      schools_with_deficit: Mapping[tuple[str, str], tuple[int, int]] | None = None,
                      *, mo_code: str | None = None) -> list[Item]:
    """Which tasks are deficits for the whole group (region or municipality), per work.

    Works are ordered by importance (Σ shortfall below the threshold × pupils), tasks within a work
    as in the work. Deficits exist only for groups of at least `cfg.min_group` pupils, so the
    completions cited are never small-n. When given, `schools_with_deficit[(work, task)] = (k, m)`
    adds «дефицит у k из m общеобразовательных организаций».
    """
    by_work: dict[str, list[DeficitTask]] = defaultdict(list)
    for t in tasks:
        by_work[t.work].append(t)
    items = []
    for work in sorted(by_work, key=lambda w: (-_deficit_weight(by_work[w]), work_sort_key(w))):
        parts = []
        for t in sorted(by_work[work], key=lambda t: _task_key(t.task)):
            phrase = _task_phrase(t)
            if schools_with_deficit and (work, t.task) in schools_with_deficit:
                k, m = schools_with_deficit[(work, t.task)]
                phrase += (f"; дефицит у {numerals.out_of(k, m, SCHOOL)}" if m else
                           f"; ни в одной общеобразовательной организации нет "
                           f"{numerals.count(cfg.min_group, 'участник', 'gent')} работы, дефицит отдельных "
                           "организаций не оценивается")
            parts.append(phrase)
        items.append(Item("conclusion", "deficits", scope,
                          f"{work}: дефицит на уровне {('региона' if mo_code is None else 'муниципалитета')} — " + "; ".join(parts) + ".",
                          evidence=tuple(f"{work} / {t.task}" for t in by_work[work]), mo_code=mo_code))
    return items


def marker_list(school: ListedSchool, names: Mapping[str, str]) -> str:
    """«M1 «Высокие результаты ВПР при невысоких результатах ГИА», M4 «…»» — codes with their names."""
    return ", ".join(f"{code} «{names[code]}»" if names.get(code) else code for code in school.marker_codes)


def conclude_objectivity(listed: Sequence[ListedSchool], evaluated_schools: int, scope: str, cfg: RuleConfig) -> list[Item]:
    """How many schools show signs of non-objective ВПР results, and which (named, by code)."""
    if evaluated_schools <= 0:
        return []
    rule = f"не менее {numerals.count(cfg.listed_min_markers, 'разный признак', 'gent')}"
    if not listed:
        return [Item("conclusion", "objectivity", scope,
                     f"Признаки необъективности результатов ВПР ({rule}) не выявлены ни у одной из "
                     f"{schools_phrase(evaluated_schools, 'gent')}, где проводились ВПР.")]
    names = [f"{school_label(s.school_name, s.school_code)} — {marker_list(s, cfg.marker_names)}"
             for s in sorted(listed, key=lambda s: s.school_code)]
    share = 100.0 * len(listed) / evaluated_schools
    return [Item("conclusion", "objectivity", scope,
                 f"Признаки необъективности результатов ВПР ({rule}) выявлены у "
                 f"{numerals.out_of(len(listed), evaluated_schools, SCHOOL)} ({fmt_number(share)} %): "
                 + "; ".join(names) + ".",
                 evidence=tuple(s.school_code for s in listed))]


def conclude_persistently_low(low: Sequence[LowSchool], scope: str, cfg: RuleConfig) -> list[Item]:
    """Schools with persistently low results: the lowest decile two years running and below their cluster."""
    if not low:
        return []
    names = [school_label(s.school_name, s.school_code) for s in sorted(low, key=lambda s: s.school_code)]
    return [Item("conclusion", "persistently_low", scope,
                 f"Устойчиво низкие результаты (индекс результатов обучения два года подряд среди самых низких в регионе "
                 f"и ниже среднего по кластеру сверх {se_phrase(cfg.cluster_z, 'gent')}) — "
                 f"{schools_phrase(len(names))}: " + "; ".join(names) + ".",
                 evidence=tuple(s.school_code for s in low))]


# --- section 5: recommendations ---------------------------------------------------------------

def _works_phrase(works: Sequence[str], limit: int = 4) -> str:
    """«ВПР Математика 4 и ВПР Русский язык 4», or for many works the first ones and how many more."""
    works = sorted(works, key=work_sort_key)
    if len(works) <= limit:
        return join_ru(works)
    return f"{count_phrase(len(works), WORK_FORMS)} с признаками, в том числе {', '.join(works[:limit])} и др."


def marker_evidence(school: ListedSchool) -> tuple[str, ...]:
    """One line per flagged marker: in how many works, and the first work's explanation with its numbers."""
    by_marker: dict[str, list[MarkerEvidence]] = defaultdict(list)
    for m in school.markers:
        by_marker[m.marker_code].append(m)
    lines = []
    for code in sorted(by_marker):
        ms = sorted(by_marker[code], key=lambda m: work_sort_key(m.work))
        example = next((m for m in ms if m.explanation), ms[0])
        head = f"{code} — в {len(ms)} {'работе' if len(ms) == 1 else 'работах'}"
        lines.append(f"{head}; {example.work}: {example.explanation}" if example.explanation else head)
    return tuple(lines)


def recommend_municipal(listed: Sequence[ListedSchool], low: Sequence[LowSchool], year: int,
                        marker_names: Mapping[str, str] | None = None) -> list[Item]:
    """To each municipal department with listed or persistently low schools: what to do, for whom, why."""
    by_mo: dict[str, dict] = defaultdict(lambda: {"name": "", "listed": [], "low": []})
    for s in listed:
        by_mo[s.mo_code]["name"] = s.mo_name
        by_mo[s.mo_code]["listed"].append(s)
    for s in low:
        by_mo[s.mo_code]["name"] = s.mo_name
        by_mo[s.mo_code]["low"].append(s)
    marker_names = marker_names or {}
    items = []
    for mo in sorted(by_mo):
        entry = by_mo[mo]
        addressee = mo_addressee(entry["name"])
        for s in sorted(entry["listed"], key=lambda s: s.school_code):
            evidence = marker_evidence(s)
            items.append(Item(
                "recommendation", "objectivity", addressee,
                f"{school_label(s.school_name, s.school_code)}: обеспечить присутствие независимых наблюдателей при проведении ВПР "
                f"{year_in(year + 1)}; организовать перепроверку работ ВПР {year} года ({_works_phrase(s.works)}) муниципальной "
                f"предметной комиссией; включить организацию в программу адресной помощи. Основание: признаки "
                f"{marker_list(s, marker_names)}.",
                evidence=evidence, mo_code=mo, school_code=s.school_code))
        if entry["low"]:
            names = [school_label(s.school_name, s.school_code) for s in sorted(entry["low"], key=lambda s: s.school_code)]
            items.append(Item(
                "recommendation", "persistently_low", addressee,
                "Включить в муниципальную программу адресной помощи "
                + ("общеобразовательную организацию" if len(names) == 1 else "общеобразовательные организации")
                + " с устойчиво низкими результатами "
                "(два года подряд среди самых низких в регионе и ниже своего кластера): " + "; ".join(names) + ".",
                evidence=tuple(s.school_code for s in entry["low"]), mo_code=mo))
    return items


def _task_key(task: str) -> tuple:
    """Order tasks as in the work: 2 < 9.1 < 10 < 2К1 (numbers first, then the rest)."""
    head = ""
    for ch in task:
        if ch.isdigit():
            head += ch
        else:
            break
    return (int(head) if head else 10 ** 6, task)


def _short_work(work: str) -> str:
    return work.removeprefix("ВПР ")


def _skill_phrase(p: PrioritySkill) -> str:
    """«2.1 «Писать текст под диктовку» (задание 7: 44,2 % при 61,0 % по региону и 58,3 % по кластеру)»."""
    name = f"{p.skill_code} «{p.skill_name}»" if p.skill_code and p.skill_name else (p.skill_code or p.skill_name)
    ref = f"{fmt_number(p.region_pct)} % по региону"
    if p.cluster_pct is not None:
        ref += f" и {fmt_number(p.cluster_pct)} % по кластеру"
    where = f"задание {p.task}: {fmt_number(p.completion_pct)} % при {ref}"
    return f"{name} ({where})" if name else f"задание {p.task} ({fmt_number(p.completion_pct)} % при {ref})"


def recommend_schools(schools: Sequence[SchoolEvidence], max_works_cited: int = 5) -> list[Item]:
    """To each school with priority deficits (methodology, «Priority deficits»): amend the work
    programmes in the named skills, citing the school's, the region's and the cluster's completion.

    A school without priority deficits gets no deficit recommendation — a task merely under the
    ФИОКО limit flags nearly every school and would give them all the same advice. At most
    `max_works_cited` works (presentation, not methodology) are cited in work order; the rest are counted and referred to the annex.
    """
    items = []
    for s in sorted(schools, key=lambda s: s.school_code):
        if not s.priority:
            continue
        by_work: dict[str, list[PrioritySkill]] = defaultdict(list)
        for p in s.priority:
            by_work[p.work].append(p)
        works = sorted(by_work, key=work_sort_key)
        shown = works[:max_works_cited]
        phrases = [f"{_short_work(w)} — " + "; ".join(_skill_phrase(p) for p in by_work[w]) for w in shown]
        text = ("Внести изменения в рабочие программы в части умений, выполненных значимо хуже, чем в регионе и в "
                "её кластере: " + "; ".join(phrases))
        if len(works) > len(shown):
            text += (f"; а также ещё {count_phrase(len(works) - len(shown), WORK_FORMS)} "
                     "(перечень — в приложении, лист «Приоритетные дефициты ОО»)")
        evidence = tuple(f"{p.work} / {p.task}: {fmt_number(p.completion_pct)} %" for w in shown for p in by_work[w])
        items.append(Item("recommendation", "school_deficits", school_label(s.school_name, s.school_code),
                          text + ".", evidence=evidence, mo_code=s.mo_code, school_code=s.school_code))
    return items


def recommend_individual_routes(schools: Sequence[SchoolEvidence]) -> list[Item]:
    """One recommendation to every school whose pupils got «2» on ВПР: individual routes built from
    each pupil's task results. It is addressed to all of them at once and counts them, because the
    advice is the same for each and naming them one by one would only repeat it."""
    with_twos = [s for s in schools if any(m.share > 0 for m in s.mark_two)]
    if not with_twos:
        return []
    return [Item("recommendation", "individual_routes", "Общеобразовательным организациям, в которых есть "
                 "обучающиеся с отметкой «2» по ВПР",
                 f"Разработать индивидуальные образовательные маршруты для обучающихся, получивших «2» "
                 f"(такие обучающиеся есть в {numerals.out_of(len(with_twos), len(schools), SCHOOL)}, где проводились "
                 "ВПР), на основе выполнения "
                 "каждого задания каждым обучающимся (поэлементные результаты ВПР).",
                 evidence=tuple(s.school_code for s in sorted(with_twos, key=lambda s: s.school_code)))]


def summarise_school_recommendations(items: Sequence[Item], mo_names: Mapping[str, str],
                                     clusters: Mapping[str, str] | None = None,
                                     school_works: Mapping[str, Sequence[str]] | None = None) -> list[Item]:
    """For the regional report: one item per municipality naming its schools with priority deficits,
    grouped by cluster, in code order (never by a count), with the works concerned.

    The full per-school wording is in that municipality's report.
    """
    clusters = clusters or {}
    school_works = school_works or {}
    by_mo: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        if it.topic == "school_deficits" and it.mo_code:
            by_mo[it.mo_code].append(it)
    out = []
    for mo in sorted(by_mo):
        by_cluster: dict[str, list[Item]] = defaultdict(list)
        for it in by_mo[mo]:
            by_cluster[clusters.get(it.school_code or "", "")].append(it)
        groups = []
        for cl in sorted(by_cluster):
            entries = sorted(by_cluster[cl], key=lambda i: i.school_code or "")
            names = ", ".join(it.addressee + (f" — {join_ru([_short_work(w) for w in school_works[it.school_code]])}"
                                              if school_works.get(it.school_code or "") else "") for it in entries)
            groups.append(f"кластер «{cl}»: {names}" if cl else names)
        n = len(by_mo[mo])
        out.append(Item("recommendation", "school_deficits_summary",
                        f"Общеобразовательным организациям: {mo_names.get(mo, mo)}",
                        f"Приоритетные дефициты выявлены в {numerals.count(n, SCHOOL, 'loct')}; им рекомендовано внести "
                        "изменения в рабочие программы в части названных умений (перечень умений с процентами "
                        "выполнения — в отчёте муниципалитета): " + "; ".join(groups) + ".",
                        evidence=tuple(sorted(i.school_code or "" for i in by_mo[mo])), mo_code=mo))
    return out


def recommend_institute(region_deficits: Sequence[DeficitTask], listed: Sequence[ListedSchool],
                        low: Sequence[LowSchool] = ()) -> list[Item]:
    """To the institute: courses on the region-wide deficits, a seminar for schools with markers."""
    items = []
    if region_deficits:
        by_work: dict[str, list[DeficitTask]] = defaultdict(list)
        for t in region_deficits:
            by_work[t.work].append(t)
        topics = []
        for work in sorted(by_work, key=lambda w: (-_deficit_weight(by_work[w]), work_sort_key(w))):   # by importance
            skills: dict[str, tuple[str, float]] = {}
            for t in by_work[work]:
                if t.skill_code not in skills or t.completion_pct < skills[t.skill_code][1]:
                    skills[t.skill_code] = (t.skill_name, t.completion_pct)
            topics.append(f"{work}: " + ", ".join(
                f"{code}{(' «' + name + '»') if name else ''} ({fmt_number(pct)} %)" for code, (name, pct) in sorted(skills.items())))
        items.append(Item("recommendation", "courses", INSTITUTE,
                          "Включить в программы курсов повышения квалификации учителей темы по умениям, несформированным "
                          "на уровне региона (в скобках — выполнение соответствующих заданий): " + "; ".join(topics) + ".",
                          evidence=tuple(f"{t.work} / {t.task}" for t in region_deficits)))
    if listed:
        names = [f"{school_label(s.school_name, s.school_code)}, {s.mo_name}" for s in sorted(listed, key=lambda s: s.school_code)]
        items.append(Item("recommendation", "seminar", INSTITUTE,
                          f"Провести семинар по объективности оценивания для руководителей и учителей "
                          f"{schools_phrase(len(listed), 'gent')} с признаками необъективности результатов ВПР "
                          f"(критерии оценивания, организация проверки и наблюдения): " + "; ".join(names) + ".",
                          evidence=tuple(s.school_code for s in listed)))
    if low:
        items.append(Item("recommendation", "support", INSTITUTE,
                          f"Обеспечить методическое сопровождение {schools_phrase(len(low), 'gent')} с устойчиво низкими "
                          "результатами в рамках региональной программы адресной помощи: "
                          + "; ".join(school_label(s.school_name, s.school_code) for s in sorted(low, key=lambda s: s.school_code)) + ".",
                          evidence=tuple(s.school_code for s in low)))
    return items


def group_by_addressee(items: Iterable[Item]) -> list[tuple[str, list[Item]]]:
    """Items in order of first appearance of their addressee, for printing under headings."""
    groups: dict[str, list[Item]] = {}
    for it in items:
        groups.setdefault(it.addressee, []).append(it)
    return list(groups.items())
