"""Planted non-objective schools (markers M1-M6 of the methodology) and honest decoys.

Each planted school gets at least two distinct manipulations, each of the size a real school
shows (see the module functions in `_vpr`). Decoys are gymnasiums/lyceums whose pupils are simply
strong: high ВПР, high ОГЭ, honest journal marks; they must not be listed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _spec as S
from . import _vpr as V
from ._model import Region

KINDS = {
    "M1": "high_vpr_weak_oge",
    "M2": "help_on_hard_tasks",
    "M3": "nudging_to_boundaries",
    "M4": "marks_fitted_to_journal",
    "M5": "copying_in_class",
    "M6": "inflated_grade4_previous_year",
}
# M1 is not paired with M4: fitting marks to the (honest, low) journal would undo the inflation;
# M1 schools show M4 «raised» on their own anyway.
COMBOS = (("M2", "M3"), ("M1", "M5"), ("M6", "M4"), ("M4", "M5"), ("M3", "M5"), ("M2", "M4"),
          ("M1", "M3"), ("M6", "M3"), ("M2", "M5"), ("M3", "M4"), ("M6", "M5"), ("M1", "M3", "M5"),
          ("M2", "M3", "M5"), ("M4", "M5", "M3"))
OGE_WEAKEN = -0.6  # M1 schools: their (objective) ОГЭ is weak
INFLATE = 2.0


@dataclass
class Plan:
    year: int
    decoys: list[int] = field(default_factory=list)
    planted: dict[int, tuple[str, ...]] = field(default_factory=dict)
    inflate: dict[tuple[int, str, int], dict[int, float]] = field(default_factory=dict)
    works: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    previous: dict[int, list[str]] = field(default_factory=dict)


def choose_decoys(R: Region) -> list[int]:
    """Before pupils exist: make a few large gymnasiums/lyceums genuinely strong."""
    sch = R.schools
    rng = S.rng_for(R.seed, "decoys")
    cand = np.flatnonzero(sch["elite"] & (sch["locality"] == "город") & (sch["max_grade"] == 11))
    n = max(2, int(round(0.02 * R.n_schools)))
    cand = cand[np.argsort(-(sch["par"][cand] * sch["size"][cand] + rng.random(len(cand))), kind="stable")]
    chosen = sorted(int(c) for c in cand[:n])
    for c in chosen:
        sch["eff"][c] = max(sch["eff"][c], 1.05 + rng.normal(0, 0.08))
        sch["par"][c] = max(sch["par"][c], 2)
        sch["size"][c] = max(sch["size"][c], 24.0)
    return chosen


def choose_planted(R: Region, decoys: list[int]) -> Plan:
    Y = max(R.years)
    plan = Plan(year=Y, decoys=decoys)
    sch = R.schools
    rng = S.rng_for(R.seed, "planted")
    n_s = R.n_schools
    cnt = np.zeros((n_s, 12), int)
    for g in range(4, 10):
        np.add.at(cnt[:, g], R.school_at(g)[R.present(Y, g)], 1)
    prev4 = np.zeros(n_s, int)
    if len(R.years) >= 2:
        np.add.at(prev4, R.school_at(4)[R.present(Y - 1, 4)], 1)
    strength = sch["eff"] + R.mo_eff[sch["mo"]]
    with9 = cnt[:, 9] >= 8
    q_oge = np.quantile(strength[with9], 0.4) if with9.any() else -np.inf
    vpr_counts = cnt[:, 4:9]
    ok = (~sch["elite"] & (sch["max_grade"] >= 9) & (vpr_counts.min(axis=1) >= 12)
          & (np.median(vpr_counts, axis=1) >= 15))
    ok[decoys] = False
    req = {
        "M1": with9 & (strength <= q_oge),
        "M6": (prev4 >= 12) & (cnt[:, 5] >= 12) & (len(R.years) >= 2)
              & (strength < np.quantile(strength[cnt[:, 5] >= 10], 0.4)),
        "M2": strength < np.quantile(strength, 0.6),
        "M3": np.ones(n_s, bool), "M4": np.ones(n_s, bool), "M5": np.ones(n_s, bool),
    }
    n_plant = max(R.scale.min_planted, int(round(0.07 * n_s)))
    cand = np.flatnonzero(ok)
    # prefer larger schools, but not only the largest
    key = np.log(vpr_counts[cand].sum(axis=1)) + 0.3 * rng.gumbel(size=len(cand))
    by_size = cand[np.argsort(-key, kind="stable")]
    # M1 and M6 need a school that is weak on objective measures: take the weakest first
    by_weakness = cand[np.argsort(strength[cand], kind="stable")]
    taken: set[int] = set()
    i = misses = 0
    while len(plan.planted) < n_plant and misses < len(COMBOS):
        combo = COMBOS[i % len(COMBOS)]
        i += 1
        order = by_weakness if ("M1" in combo or "M6" in combo) else by_size
        s = next((int(s) for s in order if s not in taken and all(req[m][s] for m in combo)), None)
        if s is None:
            misses += 1
            continue
        misses = 0
        plan.planted[s] = combo
        taken.add(s)
    for s, combo in plan.planted.items():
        if "M1" in combo:
            sch["oge_shift"][s] = OGE_WEAKEN
            for (subject, grade) in S.VPR_PLANS:
                plan.inflate.setdefault((Y, subject, grade), {})[s] = INFLATE
        if "M6" in combo:
            for subject in S.VPR_CORE:
                plan.inflate.setdefault((Y - 1, subject, 4), {})[s] = INFLATE
            plan.previous[s] = [f"ВПР {subject} 4" for subject in S.VPR_CORE]
    return plan


def apply(R: Region, plan: Plan, works_by_year: dict[int, list[V.Work]]) -> None:
    """Apply the post-hoc manipulations (M2-M5) to the works of the plan's year and record the
    works each planted marker touches."""
    Y = plan.year
    works = works_by_year.get(Y, [])
    for s, combo in sorted(plan.planted.items()):
        rec: dict[str, list[str]] = {}
        for m in ordered(combo):
            rng = S.rng_for(R.seed, "plant", s, m)
            mine = [(w, np.flatnonzero(w.school == s)) for w in works]
            mine = [(w, r) for w, r in mine if len(r) >= 10]
            if m == "M1":
                rec[m] = [w.label for w, r in mine]
                continue
            if m == "M6":
                rec[m] = [w.label for w, r in mine if w.grade == 5 and w.subject in S.VPR_CORE]
                continue
            if "M6" in combo:
                mine = [(w, r) for w, r in mine if not (w.grade == 5 and w.subject in S.VPR_CORE)]
            pick = rng.random(len(mine)) < 0.8
            if pick.sum() < min(2, len(mine)):
                pick[rng.permutation(len(mine))[:2]] = True
            done = []
            for (w, r), p in zip(mine, pick):
                if not p:
                    continue
                if m == "M2":
                    V.help_hard_tasks(rng, w, r)
                elif m == "M3":
                    V.nudge_to_boundaries(rng, w, r)
                elif m == "M4":
                    V.fit_to_journal(rng, w, r)
                elif m == "M5":
                    if V.copy_in_class(rng, w, r) == 0:
                        continue
                done.append(w.label)
            rec[m] = done
        plan.works[s] = rec


def _order(m: str) -> int:
    return {"M2": 0, "M4": 1, "M3": 2, "M5": 3}.get(m, -1)


def ordered(combo: tuple[str, ...]) -> tuple[str, ...]:
    """Manipulations are applied help → journal → nudging → copying (copies stay identical)."""
    return tuple(sorted(combo, key=_order))


def truth_entries(R: Region, plan: Plan) -> list[dict]:
    out = []
    for s, combo in sorted(plan.planted.items()):
        rec = plan.works.get(s, {})
        manip = []
        for m in combo:
            entry = {"marker": m, "kind": KINDS[m], "works": sorted(rec.get(m, []))}
            if m == "M6":
                entry["previous_year"] = plan.year - 1
                entry["previous_year_works"] = plan.previous.get(s, [])
            manip.append(entry)
        out.append({
            "school_code": str(R.schools["code"][s]), "login": str(R.schools["login"][s]),
            "year": plan.year, "markers": sorted(combo),
            "manipulations": manip,
            "works": sorted({w for e in manip for w in e["works"]}),
        })
    return out
