"""The measures register («Меры», input contract §12) of the synthetic region, and the effects it plants.

The management cycle the effectiveness analysis follows (methodology, «The management cycle»):
- some schools are planted non-objective in Y−1 as well. Of those, the ones that get independent
  observers and re-checking of works in Y are honest in Y («cleared with measures»); the ones that
  get nothing are the schools planted again in Y (listed again, «without measures»);
- the ШНОР schools (but planted ones) and a few other weak schools get «адресная помощь» on Русский
  язык and Математика of grades 5–6 in Y, and their pupils' ability in Y rises by `HELP_EFFECT` (a
  genuine improvement: journal marks and ОГЭ move with it), so their gap to the cluster narrows
  from Y−1 to Y;
- teachers of a set of schools take courses on two region-wide deficit skills of one work (the
  basic-level tasks of lowest completion in the region in Y−1); in Y their pupils score more on those
  tasks (`COURSE_EFFECT`: the chance a missed point is gained), the other schools do not.
Planted schools are kept out of the help and course effects so that the markers planted in Y stay what
`truth.json` says. The expected direction of each effect goes to the ground truth (`truth["measures"]`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import _plant as P
from . import _spec as S
from . import _vpr as V
from ._model import Region

COLUMNS = ["Год", "Уровень", "Код", "Мера", "Работа", "Коды умений", "Дата начала", "Дата окончания",
           "Ответственный"]
HELP_EFFECT = 0.5            # ability shift of a helped ШНОР school's pupils in Y (logit units)
HELP_EXTRA_SHARE = 0.03      # weak non-ШНОР schools that get «адресная помощь» too (share of all schools)
HELP_WORKS = [(s, g) for g in (5, 6) for s in S.VPR_CORE]
COURSE_EFFECT = 0.35         # chance that a pupil of a course school gains a missed point on a targeted task
COURSE_SHARE = 0.4           # share of the eligible schools whose teachers take the courses
COURSE_SKILLS = 2
# M2–M5 only: M1 changes a school's ОГЭ for every year and M6 reaches back a year (see `_plant`)
PREVIOUS_COMBOS = tuple(c for c in P.COMBOS if not {"M1", "M6"} & set(c) and len(c) == 2)


@dataclass
class MeasuresPlan:
    year: int
    previous: P.Plan                                      # the non-objective schools of Y−1
    with_measures: list[int] = field(default_factory=list)    # listed in Y−1, observers and re-checks in Y
    without_measures: list[int] = field(default_factory=list)  # listed in Y−1, nothing, planted again in Y
    helped: list[int] = field(default_factory=list)            # ШНОР schools with «адресная помощь»
    course_schools: list[int] = field(default_factory=list)
    course_work: tuple[str, int] | None = None
    course_skills: list[str] = field(default_factory=list)


def shnor_mask(R: Region) -> np.ndarray:
    """ШНОР schools of the register: the weakest 7 % by school and municipality effect."""
    strength = R.schools["eff"] + R.mo_eff[R.schools["mo"]]
    return strength <= np.quantile(strength, 0.07)


def choose(R: Region, plan: P.Plan) -> MeasuresPlan:
    """Before any work is simulated: who is listed in Y−1, who is helped (the help is applied here,
    to the pupils' ability in Y), who takes courses (their work and skills are chosen later)."""
    Y = plan.year
    mp = MeasuresPlan(year=Y, previous=P.Plan(year=Y - 1))
    if len(R.years) < 2:
        return mp
    rng = S.rng_for(R.seed, "measures")
    sch = R.schools
    n_s = R.n_schools
    cnt = np.zeros((n_s, 12), int)
    for g in range(4, 9):
        np.add.at(cnt[:, g], R.school_at(g)[R.present(Y - 1, g)], 1)
    shnor = shnor_mask(R)
    busy = set(plan.planted) | set(plan.decoys)
    ok = ~sch["elite"] & (sch["max_grade"] >= 9) & (cnt[:, 4:9].min(axis=1) >= 12) & ~shnor
    n_prev = max(R.scale.min_planted, int(round(0.05 * n_s)))
    n_again = max(1, n_prev // 3)
    again = [s for s in sorted(plan.planted) if ok[s]][:n_again]
    fresh = [int(s) for s in rng.permutation(np.flatnonzero(ok)) if int(s) not in busy][: n_prev - len(again)]
    mp.without_measures, mp.with_measures = sorted(again), sorted(fresh)
    for i, s in enumerate(sorted(again + fresh)):
        mp.previous.planted[s] = PREVIOUS_COMBOS[i % len(PREVIOUS_COMBOS)]
    busy |= set(fresh)
    mp.helped = sorted([int(s) for s in np.flatnonzero(shnor) if int(s) not in busy]
                       + _weak_schools_to_help(R, busy, shnor))
    if mp.helped:
        p = R.pupils
        in_school = np.isin(p["school"], mp.helped) & (Y - p["cohort"] + 4 <= 9)
        R.drift(Y)[in_school] += HELP_EFFECT
    busy |= set(mp.helped)
    free = [s for s in range(n_s) if s not in busy and not shnor[s]]
    mp.course_schools = sorted(s for s in free if rng.random() < COURSE_SHARE)
    return mp


def _cluster_keys(R: Region) -> np.ndarray:
    """The methodology's cluster of each school (Местность × type group × Транспортная доступность)."""
    group = {"НОШ": "НОШ/ООШ", "ООШ": "НОШ/ООШ", "СОШ": "СОШ", "Гимназия": "Г/Л/УИОП", "Лицей": "Г/Л/УИОП",
             "СОШ с УИОП": "Г/Л/УИОП"}
    sch = R.schools
    return np.array([f"{loc}|{group.get(t, 'other')}|{acc}" for loc, t, acc in
                     zip(sch["locality"], sch["type"], sch["access"])], dtype=object)


def _weak_schools_to_help(R: Region, busy: set[int], shnor: np.ndarray) -> list[int]:
    """Besides the ШНОР schools (small and often alone in their cluster), municipalities give
    «адресная помощь» to a few weak schools large enough to compare with a cluster of ≥ 3 schools:
    the weakest `HELP_EXTRA_SHARE` of the schools with ≥ 12 pupils in each of grades 5 and 6 in Y."""
    Y = max(R.years)
    n_s = R.n_schools
    cnt = np.zeros((n_s, 7), int)
    for g in (5, 6):
        np.add.at(cnt[:, g], R.school_at(g)[R.present(Y, g)], 1)
    keys = _cluster_keys(R)
    _, inv, sizes = np.unique(keys, return_inverse=True, return_counts=True)
    strength = R.schools["eff"] + R.mo_eff[R.schools["mo"]]
    ok = (cnt[:, 5] >= 12) & (cnt[:, 6] >= 12) & (sizes[inv] >= 3) & ~shnor & ~R.schools["elite"]
    cand = [int(s) for s in np.flatnonzero(ok)[np.argsort(strength[ok], kind="stable")] if int(s) not in busy]
    return cand[: max(2, int(round(HELP_EXTRA_SHARE * n_s)))]


def apply(R: Region, mp: MeasuresPlan, works_by_year: dict[int, list[V.Work]]) -> None:
    """After the works are simulated: plant the markers of Y−1 and the courses' effect in Y."""
    Y = mp.year
    if Y - 1 not in works_by_year:
        return
    P.apply(R, mp.previous, works_by_year)
    target = _course_target(works_by_year[Y - 1], {(w.subject, w.grade) for w in works_by_year[Y]})
    if target is None or not mp.course_schools:
        return
    w_prev, skills = target
    mp.course_work, mp.course_skills = (w_prev.subject, w_prev.grade), skills
    w = next(x for x in works_by_year[Y] if (x.subject, x.grade) == mp.course_work)
    hit_tasks = np.array([t.skill_code in skills for t in w.tasks])
    rows = np.flatnonzero(np.isin(w.school, mp.course_schools))
    rng = S.rng_for(R.seed, "measures-courses", Y)
    sub = w.scores[rows]
    gain = (rng.random(sub.shape) < COURSE_EFFECT) & hit_tasks[None, :] & (sub >= 0) & (sub < w.tmax[None, :])
    sub[gain] += 1
    w.scores[rows] = sub


def _course_target(works: list[V.Work], next_year: set[tuple[str, int]]) -> tuple[V.Work, list[str]] | None:
    """The Y−1 Русский язык / Математика work (grades 5–8, written again in Y) with the lowest
    completion on a basic-level skill, and its `COURSE_SKILLS` basic skills of lowest completion."""
    best = None
    for w in works:
        if w.subject not in S.VPR_CORE or not 5 <= w.grade <= 8 or (w.subject, w.grade) not in next_year:
            continue
        sc = w.scores.astype(float)
        done = np.where(sc < 0, 0, sc).sum(axis=0)
        possible = ((sc >= 0) * w.tmax[None, :]).sum(axis=0)
        by_skill: dict[str, list[float]] = {}
        for j, t in enumerate(w.tasks):
            if t.level == "Б" and possible[j] > 0:
                acc = by_skill.setdefault(t.skill_code, [0.0, 0.0])
                acc[0] += done[j]
                acc[1] += possible[j]
        ranked = sorted((a / b, k) for k, (a, b) in by_skill.items())
        if len(ranked) < COURSE_SKILLS:
            continue
        if best is None or ranked[0][0] < best[0]:
            best = (ranked[0][0], w, [k for _, k in ranked[:COURSE_SKILLS]])
    return (best[1], best[2]) if best else None


def _date(d: dt.date) -> str:
    return d.strftime("%d.%m.%Y")


def register_frame(R: Region, mp: MeasuresPlan) -> pd.DataFrame:
    """The «Меры» file of year Y: one row per measure and addressee."""
    Y = mp.year
    code = R.schools["code"]
    mo_of = np.array(R.mo_codes, dtype=object)[R.schools["mo"]]
    rows = []
    for s in mp.with_measures:
        rows.append([Y, "ОО", code[s], "независимые наблюдатели", "", "", _date(dt.date(Y, 3, 15)),
                     _date(dt.date(Y, 5, 20)), "Управление образования"])
        rows.append([Y, "ОО", code[s], "перепроверка работ", "", "", _date(dt.date(Y, 5, 1)),
                     _date(dt.date(Y, 6, 10)), "ИРО"])
    for mo in sorted({mo_of[s] for s in mp.with_measures + mp.without_measures}):
        rows.append([Y, "МО", mo, "семинар", "", "", _date(dt.date(Y - 1, 12, 20)), _date(dt.date(Y - 1, 12, 20)),
                     "ИРО"])
    for s in mp.helped:
        for subject, grade in HELP_WORKS:
            rows.append([Y, "ОО", code[s], "адресная помощь", f"ВПР {subject} {grade}", "",
                         _date(dt.date(Y - 1, 12, 25)), _date(dt.date(Y, 5, 31)), "ИРО"])
    if mp.course_work:
        work = f"ВПР {mp.course_work[0]} {mp.course_work[1]}"
        for s in mp.course_schools:
            rows.append([Y, "ОО", code[s], "курсы повышения квалификации", work, ", ".join(mp.course_skills),
                         _date(dt.date(Y, 1, 20)), _date(dt.date(Y, 2, 28)), "ИРО"])
    return pd.DataFrame([[str(c) for c in r] for r in rows], columns=COLUMNS)


def truth(R: Region, mp: MeasuresPlan) -> dict:
    """What the effectiveness analysis should find (directions, not values: the data are noisy)."""
    code = lambda ss: [str(R.schools["code"][s]) for s in ss]  # noqa: E731 - a local shorthand
    return {
        "year": mp.year,
        "listed_previous_with_measures": code(mp.with_measures),
        "listed_previous_without_measures": code(mp.without_measures),
        "expected_listing": "schools with measures are honest in Y (not listed again); schools without "
                            "measures are planted again in Y (listed again)",
        "helped": code(mp.helped), "help_works": [f"ВПР {s} {g}" for s, g in HELP_WORKS],
        "help_effect": HELP_EFFECT,
        "expected_help": "the helped schools' gap to their cluster narrows from Y-1 to Y",
        "course_schools": code(mp.course_schools),
        "course_work": f"ВПР {mp.course_work[0]} {mp.course_work[1]}" if mp.course_work else None,
        "course_skills": mp.course_skills, "course_effect": COURSE_EFFECT,
        "expected_courses": "completion of the targeted skills rises more in the course schools than in "
                            "the other schools",
    }
