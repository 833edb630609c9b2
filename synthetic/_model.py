"""The synthetic region: municipalities, schools, and every pupil of the cohorts the exports need.

A pupil is one element of the arrays in `Region.pupils`. A cohort is named by the calendar year in
which it sits grade 4 (so in year Y the cohort c is in grade 4 + Y - c). Pupils keep their class
letter through grades 4-9 (class 4Б of year Y is 5Б of Y+1), a few leave and a few join each year,
about 60 % continue to grades 10-11 (pupils of ООШ move to a СОШ of their municipality), and the
16-hex `ID участника` is drawn once per pupil, so it is the same in ГИА-9 and in ГИА-11.

Ability on a subject in a year = municipality effect + school effect + class effect + the pupil's
own level + a humanities/STEM offset weighted by the subject + a small yearly drift.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _spec as S


def expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def _expected(theta: float, a, b, k, m: float, shift: float) -> float:
    return float((k * expit(m * a * (theta - b - shift))).sum())


def solve_two_anchors(a, b, k, lo: tuple[float, float], hi: tuple[float, float]) -> tuple[float, float]:
    """Discrimination multiplier m and shift such that the expected primary score at ability
    lo[0] is lo[1] and at hi[0] is hi[1] (two anchors: e.g. the share below the minimum and the
    median)."""
    def shift_for(m):
        s0, s1 = -8.0, 8.0
        for _ in range(26):
            mid = (s0 + s1) / 2
            if _expected(lo[0], a, b, k, m, mid) > lo[1]:
                s0 = mid
            else:
                s1 = mid
        return (s0 + s1) / 2
    l0, l1 = np.log(0.05), np.log(6.0)
    for _ in range(22):
        lm = (l0 + l1) / 2
        if _expected(hi[0], a, b, k, np.exp(lm), shift_for(np.exp(lm))) < hi[1]:
            l0 = lm
        else:
            l1 = lm
    m = float(np.exp((l0 + l1) / 2))
    return m, shift_for(m)


@dataclass
class Region:
    seed: int
    scale: S.Scale
    years: tuple[int, ...]
    mo_codes: list[str] = field(default_factory=list)
    mo_names: list[str] = field(default_factory=list)
    mo_eff: np.ndarray | None = None
    schools: dict[str, np.ndarray] = field(default_factory=dict)
    pupils: dict[str, np.ndarray] = field(default_factory=dict)
    _drift: dict[int, np.ndarray] = field(default_factory=dict)

    # ----------------------------------------------------------------------------------------
    @property
    def n_schools(self) -> int:
        return len(self.schools["code"])

    def drift(self, year: int) -> np.ndarray:
        if year not in self._drift:
            self._drift[year] = S.rng_for(self.seed, "drift", year).normal(0.0, 0.18, len(self.pupils["ind"]))
        return self._drift[year]

    def school_at(self, grade: int) -> np.ndarray:
        return self.pupils["school"] if grade <= 9 else self.pupils["school10"]

    def present(self, year: int, grade: int) -> np.ndarray:
        """Indices of pupils in `grade` in `year` (in a school that teaches that grade)."""
        p = self.pupils
        m = (p["cohort"] == year - grade + 4) & (p["join"] <= grade) & (grade < p["leave"])
        if grade <= 9:
            m &= self.schools["max_grade"][p["school"]] >= grade
        else:
            m &= p["school10"] >= 0
        return np.flatnonzero(m)

    def ability(self, idx: np.ndarray, subject: str, year: int, grade: int) -> np.ndarray:
        """True (honest) ability of pupils `idx` on `subject` in `year`."""
        p = self.pupils
        sch = self.school_at(grade)[idx]
        wh, ws = S.FAMILY.get(subject, (0.5, 0.5))
        class_eff = p["class_eff"][idx] if grade <= 9 else 0.0
        return (self.mo_eff[self.schools["mo"][sch]] + self.schools["eff"][sch] + class_eff
                + p["ind"][idx] + wh * p["h"][idx] + ws * p["s"][idx] + self.drift(year)[idx])


# --------------------------------------------------------------------------------------------


def _choice(rng, shares: dict[str, float], n: int) -> np.ndarray:
    keys = list(shares)
    w = np.array([shares[k] for k in keys], float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=w / w.sum())]


def _build_schools(R: Region) -> None:
    sc = R.scale
    rng = S.rng_for(R.seed, "schools", sc.name)
    n_mo = sc.n_mo
    R.mo_codes = [f"{i + 1:02d}" for i in range(n_mo)]
    R.mo_names = [f"г. Синтетический-{i + 1}" if i < sc.city_mo else f"Синтетический район-{i + 1}"
                  for i in range(n_mo)]
    is_city_mo = np.arange(n_mo) < sc.city_mo
    R.mo_eff = rng.normal(0.0, 0.12, n_mo) + np.where(is_city_mo, 0.12, -0.02)

    # schools per municipality (urban okrugs a bit larger in school count)
    w = np.where(is_city_mo, 1.3, 1.0)
    counts = np.floor(w / w.sum() * sc.n_schools).astype(int)
    counts[np.argsort(-w, kind="stable")[: sc.n_schools - counts.sum()]] += 1
    mo = np.repeat(np.arange(n_mo), counts)
    n = len(mo)
    town = is_city_mo[mo] | (rng.random(n) < 0.13)
    stype = np.empty(n, dtype=object)
    stype[town] = _choice(rng, S.TYPE_SHARES_TOWN, int(town.sum()))
    stype[~town] = _choice(rng, S.TYPE_SHARES_VILLAGE, int((~town).sum()))
    # at least two gymnasium/lyceum-type schools in towns even at the smallest scale
    elite = np.isin(stype, S.ELITE_TYPES)
    need = max(2, int(0.025 * n)) - int(elite.sum())
    if need > 0:
        cand = np.flatnonzero(town & (stype == "СОШ"))
        stype[rng.choice(cand, size=min(need, len(cand)), replace=False)] = "Гимназия"
    access = np.full(n, "доступная", dtype=object)
    access[~town] = _choice(rng, {"доступная": 0.5, "удалённая": 0.35, "труднодоступная": 0.15},
                            int((~town).sum()))
    max_grade = np.array([S.MAX_GRADE.get(t, 11) for t in stype])

    # parallels per grade and class-size means
    elite = np.isin(stype, S.ELITE_TYPES)
    par = np.ones(n, int)
    big = town & np.isin(stype, ("СОШ", "ЦО"))
    par[big] = rng.choice([1, 2, 2, 3, 3, 4], size=int(big.sum()))
    par[town & elite] = rng.choice([2, 3, 3, 4], size=int((town & elite).sum()))
    par[town & ~big & ~elite] = rng.choice([1, 1, 2], size=int((town & ~big & ~elite).sum()))
    par[~town] = rng.choice([1, 1, 1, 1, 2], size=int((~town).sum()))
    par = np.maximum(1, np.floor(par * sc.parallels_mult + rng.random(n))).astype(int)
    size = np.where(town, rng.normal(24.5, 2.0, n), 0.0)
    vill = ~town
    size[vill] = np.select(
        [stype[vill] == "НОШ", stype[vill] == "ООШ", stype[vill] == "Школа-интернат"],
        [rng.normal(8, 2, vill.sum()), rng.normal(10, 2.5, vill.sum()), rng.normal(15, 3, vill.sum())],
        rng.normal(14, 3.5, vill.sum()))
    size = np.clip(size * sc.class_size_mult, 5, 29)

    # school effect on ability
    eff = (np.array([S.TYPE_EFFECT[t] for t in stype]) + np.where(town, 0.0, -0.15)
           + np.select([access == "удалённая", access == "труднодоступная"], [-0.1, -0.25], 0.0)
           + rng.normal(0.0, 0.24, n))
    weight = par * size * (max_grade >= 9)
    eff -= np.average(eff + R.mo_eff[mo], weights=np.maximum(weight, 1e-9))

    # names and codes (clearly synthetic)
    code = np.array([f"{S.REGION_CODE}{i + 1:04d}" for i in range(n)], dtype=object)
    login = np.array([f"sch{c}" for c in code], dtype=object)
    short, full = [], []
    num_in_mo: dict[int, int] = {}
    village_no = 0
    for i in range(n):
        num_in_mo[mo[i]] = num_in_mo.get(mo[i], 0) + 1
        k = num_in_mo[mo[i]]
        abbr, long_name = S.TYPE_FULL[stype[i]]
        if town[i]:
            place = R.mo_names[mo[i]] if is_city_mo[mo[i]] else f"г. Синтетический-{mo[i] + 1}"
            form = "МБОУ", "Муниципальное бюджетное общеобразовательное учреждение"
        else:
            village_no += 1
            place = f"с. Синтетическое-{village_no}"
            form = "МКОУ", "Муниципальное казённое общеобразовательное учреждение"
        short.append(f"{form[0]} {abbr} № {k} {place}")
        full.append(f"{form[1]} «{long_name} № {k}» {place}")
    R.schools = {
        "code": code, "login": login, "short": np.array(short, dtype=object),
        "full": np.array(full, dtype=object), "mo": mo, "type": stype,
        "locality": np.where(town, "город", "село").astype(object), "access": access,
        "max_grade": max_grade, "par": par, "size": size, "eff": eff,
        "elite": elite, "oge_shift": np.zeros(n),
    }


def _build_pupils(R: Region) -> None:
    sc = R.scale
    Y0, Yn = min(R.years), max(R.years)
    cohorts = np.arange(Y0 - 8, Yn + 1)
    rng = S.rng_for(R.seed, "pupils", sc.name, Y0, Yn)
    sch = R.schools
    n_s = R.n_schools
    # classes: school x cohort x parallel
    c_school = np.repeat(np.arange(n_s), sch["par"] * len(cohorts))
    c_cohort = np.concatenate([np.repeat(cohorts, p) for p in sch["par"]])
    c_letter = np.concatenate([np.tile(np.arange(p), len(cohorts)) for p in sch["par"]])
    n_c = len(c_school)
    c_size = np.maximum(3, np.round(rng.normal(sch["size"][c_school], 2.5))).astype(int)
    c_eff = rng.normal(0.0, 0.13, n_c)
    # base pupils + joiners (grades 5-9) + benchmark joiners at grade 9
    n_join = rng.poisson(c_size * 0.10)
    n_gia = rng.poisson(c_size * max(0.0, sc.gia_mult - 1.0)) if sc.gia_mult > 1 else np.zeros(n_c, int)
    cls = np.concatenate([np.repeat(np.arange(n_c), c_size), np.repeat(np.arange(n_c), n_join),
                          np.repeat(np.arange(n_c), n_gia)])
    join = np.concatenate([np.ones(c_size.sum(), int), rng.integers(5, 10, n_join.sum()),
                           np.full(n_gia.sum(), 9)])
    order = np.lexsort((join, cls))
    cls, join = cls[order], join[order]
    n = len(cls)
    school = c_school[cls]
    leave = np.maximum(join, 4) + rng.geometric(0.022, n)
    ind = rng.normal(0.0, 1.0, n)
    h = rng.normal(0.0, 0.42, n)
    s = rng.normal(0.0, 0.42, n)
    sex = rng.random(n) < 0.5
    ovz = rng.random(n) < 0.025
    # continuing to grades 10-11
    abil = ind + sch["eff"][school] + R.mo_eff[sch["mo"][school]]
    cont = (rng.random(n) < expit(0.45 + 1.0 * abil)) & (leave >= 10)
    leave = np.where(leave >= 10, np.where(cont, 12, 10), leave)
    leave = np.minimum(leave, sch["max_grade"][school] + 1)
    leave = np.where(cont & (sch["max_grade"][school] == 9), 12, leave)
    cont &= leave == 12

    school10 = np.full(n, -1)
    school10[cont] = school[cont]
    movers = np.flatnonzero(cont & (sch["max_grade"][school] < 11))
    has11 = sch["max_grade"] == 11
    wsize = sch["par"] * sch["size"]
    for m in np.unique(sch["mo"][school[movers]]):
        who = movers[sch["mo"][school[movers]] == m]
        targets = np.flatnonzero(has11 & (sch["mo"] == m))
        if len(targets) == 0:
            targets = np.flatnonzero(has11)
        w = wsize[targets] / wsize[targets].sum()
        school10[who] = targets[rng.choice(len(targets), size=len(who), p=w)]

    # profile (grades 10-11) and class letter 10-11
    cohort = c_cohort[cls]
    profile = np.full(n, -1)
    lean = s - h + rng.normal(0, 0.25, n)
    prof_by_lean = np.select([lean > 0.35, lean > 0.0, lean > -0.35], [0, 1, 3], 2)
    letter10 = np.full(n, -1)
    key = np.where(cont, school10 * 10000 + (cohort - cohorts[0]), -1)
    ks, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
    group_n = cnt[inv]
    univ = rng.random(n) < np.where(group_n < 26, 0.65, 0.15)
    profile[cont] = np.where(univ, 4, prof_by_lean)[cont]
    rnd = rng.random(n)
    order = np.lexsort((rnd, profile, key))
    rank = np.empty(n, int)
    starts = np.r_[0, np.cumsum(cnt)[:-1]]
    rank[order] = np.arange(n) - np.repeat(starts, cnt)
    letter10[cont] = (rank // 25)[cont]

    ids = rng.integers(0, 2 ** 63, n, dtype=np.int64).astype(np.uint64) | (
        rng.integers(0, 2, n).astype(np.uint64) << np.uint64(63))
    while len(np.unique(ids)) < n:  # pragma: no cover - 64-bit collisions
        _, first = np.unique(ids, return_index=True)
        dup = np.setdiff1d(np.arange(n), first)
        ids[dup] = rng.integers(0, 2 ** 63, len(dup), dtype=np.int64).astype(np.uint64)
    uid = np.array([f"{int(x):016X}" for x in ids], dtype=object)

    R.pupils = {
        "uid": uid, "school": school, "cohort": cohort, "cls": cls, "letter": c_letter[cls],
        "class_eff": c_eff[cls], "ind": ind, "h": h, "s": s, "male": sex, "ovz": ovz,
        "join": join, "leave": leave, "cont": cont, "school10": school10, "letter10": letter10,
        "profile": profile,
    }
    # register: number of pupils in the last year (grades 1-3 estimated from grade-4 classes)
    total = np.zeros(n_s)
    for g in range(4, 12):
        idx = R.present(Yn, g)
        np.add.at(total, R.school_at(g)[idx], 1)
    total += 3 * sch["par"] * np.round(sch["size"])
    sch["pupils_total"] = total.astype(int)
