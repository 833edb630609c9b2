"""ВПР: task model, scales, pupil results and the planted manipulations.

Scores follow a logistic model: a pupil with ability a scores Binomial(K_j, expit(d_j (a - b_j)))
on task j (max K_j, difficulty b_j; `П` tasks are harder). The published scale of a work is placed
on the honest score distribution of the region's pupils (target mark shares, e.g. ВПР-4
Математика 5/30/45/20 %), so honest data have no heaping at the boundaries.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _spec as S
from ._model import Region, expit, solve_two_anchors


@dataclass
class Work:
    year: int
    subject: str
    grade: int
    tasks: list[S.Task]
    date: str
    tmax: np.ndarray
    is_p: np.ndarray
    thresholds: tuple[int, int, int] = (0, 0, 0)
    pupil: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    school: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    letter: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    code: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    variant: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    scores: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int8))  # -1 = X
    journal: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))      # 0 = empty
    x_char: str = "X"

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.year, self.subject, self.grade)

    @property
    def label(self) -> str:
        return f"ВПР {self.subject} {self.grade}"

    @property
    def max(self) -> int:
        return int(self.tmax.sum())

    @property
    def primary(self) -> np.ndarray:
        return np.where(self.scores < 0, 0, self.scores).sum(axis=1).astype(np.int16)

    @property
    def mark(self) -> np.ndarray:
        return mark_of(self.primary, self.thresholds)

    @property
    def n_cells(self) -> int:
        return int(self.scores.size)


def mark_of(primary: np.ndarray, thr: tuple[int, int, int]) -> np.ndarray:
    return (2 + (primary >= thr[0]).astype(np.int8) + (primary >= thr[1]) + (primary >= thr[2])).astype(np.int8)


def task_params(seed: int, subject: str, grade: int, year: int, tasks: list[S.Task]):
    rng = S.rng_for(seed, "vpr-task", subject, grade)
    T = len(tasks)
    is_p = np.array([t.level == "П" for t in tasks])
    b = np.where(is_p, rng.normal(0.45, 0.45, T), rng.normal(-1.0, 0.45, T))
    b[rng.random(T) < 0.08] += 0.8  # the odd hard basic task: a region-wide deficit
    a = rng.uniform(1.0, 1.8, T)
    jit = S.rng_for(seed, "vpr-task", subject, grade, year).normal(0.0, 0.08, T)
    return a, b + jit


def simulate(rng, ability, a, b, tmax, x_task) -> np.ndarray:
    p = expit(a[None, :] * (ability[:, None] - b[None, :]))
    sc = rng.binomial(tmax[None, :].astype(np.int64), p).astype(np.int8)
    px = np.full(len(tmax), 0.0015)
    px[x_task] = 0.03
    sc[rng.random(sc.shape) < px[None, :]] = -1
    return sc


def place_scale(primary: np.ndarray, target, wmax: int) -> tuple[int, int, int]:
    cum = np.cumsum(target)[:3]
    vals = np.sort(primary)
    out = []
    for c in cum:
        # the smallest s with share(primary < s) >= c
        s = int(vals[min(len(vals) - 1, int(np.ceil(c * len(vals))))]) if len(vals) else 1
        out.append(s)
    t3 = max(1, out[0])
    t4 = max(t3 + 1, out[1])
    t5 = min(max(t4 + 1, out[2]), wmax - 1)
    t4 = min(t4, t5 - 1)
    t3 = min(t3, t4 - 1)
    return (t3, t4, t5)


def works_of_year(R: Region, year: int, inflate: dict | None = None) -> list[Work]:
    """Every ВПР work of `year`: grades 4-8; grade 4 writes its three works, each class of grades
    5-8 writes Русский язык, Математика and two electives drawn for the class."""
    inflate = inflate or {}
    out = []
    for grade in range(4, 9):
        idx = R.present(year, grade)
        if grade == 4:
            subj_of = {s: idx for s in S.VPR_GRADE4}
        else:
            el = S.VPR_ELECTIVES[grade]
            cls = R.pupils["cls"][idx]
            ucls = np.unique(cls)
            rng = S.rng_for(R.seed, "vpr-electives", year, grade)
            pick = np.argsort(rng.random((len(ucls), len(el))), axis=1)[:, :2]
            chosen = np.zeros((len(ucls), len(el)), bool)
            np.put_along_axis(chosen, pick, True, axis=1)
            pos = np.searchsorted(ucls, cls)
            subj_of = {s: idx for s in S.VPR_CORE}
            for k, s in enumerate(el):
                subj_of[s] = idx[chosen[pos, k]]
        for subject, sidx in subj_of.items():
            if (subject, grade) not in S.VPR_PLANS:
                continue
            out.append(_make_work(R, year, grade, subject, sidx,
                                  inflate.get((year, subject, grade), {})))
    return out


def _make_work(R: Region, year: int, grade: int, subject: str, idx: np.ndarray,
               inflate: dict[int, float]) -> Work:
    tasks = S.parse_plan(subject, grade)
    T = len(tasks)
    tmax = np.array([t.max for t in tasks], np.int8)
    is_p = np.array([t.level == "П" for t in tasks])
    a, b = task_params(R.seed, subject, grade, year, tasks)
    x_task = int(np.flatnonzero(is_p)[-1]) if is_p.any() else T - 1
    rng = S.rng_for(R.seed, "vpr", year, subject, grade)
    month, day = S.VPR_DATES[grade]
    day += sorted(S.VPR_SUBJECT_FILE).index(subject) % 5
    w = Work(year, subject, grade, tasks, f"{day:02d}.{month:02d}.{year}", tmax, is_p)
    w.x_char = "Х" if (year + grade + len(subject)) % 7 == 0 else "X"
    # absent on the day
    idx = idx[rng.random(len(idx)) >= 0.05]
    true = R.ability(idx, subject, year, grade)
    abil = true + rng.normal(0.0, 0.55, len(idx))
    target = S.VPR_MARK_TARGET.get((subject, grade), S.VPR_MARK_TARGET_DEFAULT)
    if len(idx) >= 20:
        # place the work's difficulty so that the «3» boundary falls near 30 % of the maximum and
        # the «5» boundary near 80 % (as in the published scales)
        fr = S.rng_for(R.seed, "vpr-anchor", subject, grade).uniform([0.26, 0.74], [0.34, 0.84])
        m, shift = solve_two_anchors(a, b, tmax.astype(float),
                                     (float(np.quantile(abil, target[0])), fr[0] * tmax.sum()),
                                     (float(np.quantile(abil, 1 - target[3])), fr[1] * tmax.sum()))
        a, b = a * m, b + shift
    scores = simulate(rng, abil, a, b, tmax, x_task)
    primary = np.where(scores < 0, 0, scores).sum(axis=1)
    w.thresholds = place_scale(primary, target, int(tmax.sum()))
    school = R.school_at(grade)[idx]
    # planted inflation (help during the work): re-draw those pupils with a raised ability
    if inflate:
        by_school = np.zeros(R.n_schools)
        by_school[list(inflate)] = list(inflate.values())
        delta = by_school[school]
        hit = delta != 0
        if hit.any():
            scores[hit] = simulate(S.rng_for(R.seed, "vpr-inflate", year, subject, grade),
                                   abil[hit] + delta[hit], a, b, tmax, x_task)
    # journal marks: the teacher's honest view of the pupil's level, noisy
    jr = S.rng_for(R.seed, "journal", year, subject, grade)
    latent = true + jr.normal(0.0, 0.3, len(idx))
    jt = S.JOURNAL_TARGET.get(grade, S.JOURNAL_TARGET_DEFAULT)
    cuts = np.quantile(latent, np.cumsum(jt)[:3]) if len(idx) else np.zeros(3)
    journal = (2 + np.searchsorted(cuts, latent)).astype(np.int8)
    journal[jr.random(len(idx)) < 0.03] = 0
    # participant codes: unique within school and work, not stable across years
    letter = R.pupils["letter"][idx]
    order = np.lexsort((rng.random(len(idx)), letter, school))
    idx, school, letter, scores, journal = idx[order], school[order], letter[order], scores[order], journal[order]
    us, start, cnt = np.unique(school, return_index=True, return_counts=True)
    base = rng.integers(0, 99000 - 1000, len(us))
    rank = np.arange(len(idx)) - np.repeat(start, cnt)
    code = np.repeat(base, cnt) + rank * rng.integers(1, 4) + 1
    variant = 1 + ((rank + np.repeat(rng.integers(0, 2, len(us)), cnt)) % 2)
    w.pupil, w.school, w.letter, w.scores, w.journal = idx, school, letter, scores, journal
    w.code, w.variant = code, variant
    return w


# --------------------------------------------------------------------------------------------
# Planted manipulations (operate in place on the rows of one school in one work)


def _add_points(rng, row: np.ndarray, tmax: np.ndarray, k: int) -> None:
    for _ in range(k):
        slack = np.flatnonzero((row >= 0) & (row < tmax))
        if len(slack) == 0:
            return
        row[rng.choice(slack)] += 1


def _remove_points(rng, row: np.ndarray, k: int) -> None:
    for _ in range(k):
        have = np.flatnonzero(row > 0)
        if len(have) == 0:
            return
        row[rng.choice(have)] -= 1


def help_hard_tasks(rng, w: Work, rows: np.ndarray, share: float = 0.5) -> None:
    """M2: the П tasks are «helped»: a share of the pupils' П cells are raised to the maximum."""
    sub = w.scores[rows]
    hit = (rng.random(sub.shape) < share) & w.is_p[None, :] & (sub >= 0)
    sub[hit] = np.broadcast_to(w.tmax, sub.shape)[hit]
    w.scores[rows] = sub


def nudge_to_boundaries(rng, w: Work, rows: np.ndarray) -> None:
    """M3: pupils a few points below a mark boundary are pulled up onto it (most of those one
    point below, fewer the further below)."""
    for r in rows:
        s = int(np.where(w.scores[r] < 0, 0, w.scores[r]).sum())
        for b in w.thresholds:
            gap = b - s
            if 0 < gap <= 5 and rng.random() < (0.0, 0.85, 0.7, 0.5, 0.3, 0.15)[gap]:
                _add_points(rng, w.scores[r], w.tmax, gap)
                break


def fit_to_journal(rng, w: Work, rows: np.ndarray) -> None:
    """M4: ВПР marks made to agree with the journal marks."""
    t3, t4, t5 = w.thresholds
    lo = {2: 0, 3: t3, 4: t4, 5: t5}
    hi = {2: t3 - 1, 3: t4 - 1, 4: t5 - 1, 5: w.max}
    for r in rows:
        j = int(w.journal[r])
        if j == 0:
            continue
        s = int(np.where(w.scores[r] < 0, 0, w.scores[r]).sum())
        m = int(mark_of(np.array([s]), w.thresholds)[0])
        if m < j and rng.random() < 0.95:
            target = min(hi[j], lo[j] + int(rng.integers(0, 3)))
            _add_points(rng, w.scores[r], w.tmax, target - s)
        elif m > j and j >= 3 and rng.random() < 0.8:
            target = max(lo[j], hi[j] - int(rng.integers(0, 3)))
            _remove_points(rng, w.scores[r], s - target)


def copy_in_class(rng, w: Work, rows: np.ndarray) -> int:
    """M5: groups of 3-4 pupils of a class hand in one mid-range vector of task scores."""
    t3, _, t5 = w.thresholds
    copied = 0
    for letter in np.unique(w.letter[rows]):
        cls = rows[w.letter[rows] == letter]
        if len(cls) < 7:
            continue
        want = int(round(rng.uniform(0.27, 0.4) * len(cls)))
        free = list(rng.permutation(cls))
        done = 0
        while done + 3 <= want and len(free) >= 3:
            prim = np.where(w.scores[free] < 0, 0, w.scores[free]).sum(axis=1)
            mid = [f for f, p in zip(free, prim) if t3 <= p < t5]
            if not mid:
                break
            src = mid[0]
            free.remove(src)
            size = int(min(len(free), rng.integers(2, 4), want - done - 1))
            if size < 2:
                break
            for dst in free[:size]:
                w.scores[dst] = w.scores[src]
            free = free[size:]
            done += size + 1
        copied += done
    return copied
