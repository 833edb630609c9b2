"""ГИА-9 (ОГЭ, ГВЭ-9), ГИА-11 (ЕГЭ, ГВЭ-11) and admissions.

Answer strings are drawn task by task from the same logistic model as ВПР and the primary score
is their sum; ЕГЭ test scores come from a monotone primary→test table per subject. Each subject's
difficulty is calibrated on the year's participants so that means look like a real region
(ЕГЭ Russian ≈ 70, profile mathematics ≈ 58) and the share below the minimum is a few percent.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import _spec as S
from ._model import Region, expit, solve_two_anchors

GIA_COLUMNS = ["ID участника", "Код ОО", "Код МО", "Категория", "Класс", "Пол", "ОВЗ", "Форма ГИА",
               "Код предмета", "Предмет", "Этап", "Дата экзамена", "Вариант",
               "Задания с кратким ответом", "Задания с развернутым ответом", "Первичный балл",
               "Тестовый балл", "Отметка", "Статус"]
STATUSES = ("Явка", "Неявка", "Удалён", "Не закончил", "Аннулирован")
STATUS_P = (0.966, 0.03, 0.0015, 0.0015, 0.001)


def test_table(code: int) -> np.ndarray:
    """Primary -> test score (0..100), monotone; the minimum test score at `pmin`."""
    ex = S.EGE[code]
    mx, pmin, tmin = ex.max, ex.pmin, S.EGE_MIN[code]
    knots_x = [0, pmin, pmin + 0.68 * (mx - pmin), mx]
    knots_y = [0, tmin, 72, 100]
    return np.round(np.interp(np.arange(mx + 1), knots_x, knots_y)).astype(int)


def _task_params(seed, form, code, exam: S.Exam):
    rng = S.rng_for(seed, "gia-task", form, code)
    bs = np.sort(rng.normal(-0.6, 0.7, len(exam.short)))
    bl = rng.normal(0.3, 0.5, len(exam.long))
    a = rng.uniform(0.8, 1.3, len(exam.short) + len(exam.long))
    return a, np.concatenate([bs, bl]), np.array(exam.short + exam.long, np.int64)


class ExamModel:
    """Task parameters + calibrated difficulty for one exam (form × subject) in one year.

    Calibration uses two anchors on the year's participants: the ability quantile that should
    fall below the minimum (or get «2») and a second quantile (the median for ЕГЭ, the share of
    «4»/«5» for ОГЭ)."""

    def __init__(self, seed, year, form, code, exam: S.Exam, calib_abil: np.ndarray):
        self.exam, self.code, self.form = exam, code, form
        self.a, self.b, self.k = _task_params(seed, form, code, exam)
        self.n_short = len(exam.short)
        self.m, self.shift = 1.0, 0.0
        rng = S.rng_for(seed, "calib", year, form, code)
        j = rng.normal(0.0, 1.0, 2)
        if len(calib_abil) < 5:
            calib_abil = rng.normal(0.3, 1.1, 500)
        th = calib_abil + rng.normal(0.0, 0.55, len(calib_abil))
        q = lambda x: float(np.quantile(th, min(0.995, max(0.005, x))))
        if form == "ЕГЭ" and code != 22:
            tab = test_table(code)
            fail, mean = S.EGE_TARGET[code]
            p_mid = int(np.searchsorted(tab, mean + 1.0 * j[1]))
            lo, hi = (q(fail * (1 + 0.15 * j[0])), exam.pmin - 0.5), (q(0.5), p_mid)
        elif form == "ЕГЭ":
            lo, hi = (q(0.035), exam.marks[0] - 0.5), (q(0.5), S.BASE_MATH_TARGET * exam.max)
        elif form == "ОГЭ":
            s2, s45 = S.OGE_TARGET[code]
            lo = (q(s2 * (1 + 0.15 * j[0])), exam.marks[0] - 0.5)
            hi = (q(1 - s45 - 0.02 * j[1]), exam.marks[1] - 0.5)
        else:  # ГВЭ
            lo, hi = (q(0.05), exam.marks[0] - 0.5), (q(0.5), exam.marks[1])
        self.m, self.shift = solve_two_anchors(self.a, self.b, self.k, lo, hi)

    def draw(self, rng, abil: np.ndarray):
        p = expit(self.m * self.a[None, :] * (abil[:, None] - self.b[None, :] - self.shift))
        sc = rng.binomial(self.k[None, :], p)
        return sc[:, : self.n_short], sc[:, self.n_short:]


def short_strings(sc: np.ndarray, kmax: tuple[int, ...]) -> np.ndarray:
    if sc.shape[1] == 0:
        return np.full(sc.shape[0], "", dtype=object)
    km = np.array(kmax)
    ch = np.where(km[None, :] == 1, np.where(sc > 0, ord("+"), ord("-")), ord("0") + sc).astype(np.uint8)
    return np.ascontiguousarray(ch).view(f"S{sc.shape[1]}").ravel().astype(str).astype(object)


def long_strings(sc: np.ndarray, kmax: tuple[int, ...]) -> np.ndarray:
    n, c = sc.shape
    if c == 0:
        return np.full(n, "", dtype=object)
    buf = np.empty((n, c, 4), np.uint8)
    buf[:, :, 0] = ord("0") + sc
    buf[:, :, 1] = ord("(")
    buf[:, :, 2] = ord("0") + np.array(kmax)[None, :]
    buf[:, :, 3] = ord(")")
    return np.ascontiguousarray(buf).reshape(n, 4 * c).view(f"S{4 * c}").ravel().astype(str).astype(object)


# --------------------------------------------------------------------------------------------


def oge_electives(R: Region) -> np.ndarray:
    """Two ОГЭ electives per pupil (drawn once, so ЕГЭ choices two years later can lean on them)."""
    if "oge_el" in R.pupils:
        return R.pupils["oge_el"]
    p = R.pupils
    rng = S.rng_for(R.seed, "oge-electives")
    codes = np.array(S.OGE_ELECTIVES)
    logw = np.log([S.OGE_ELECTIVE_W[c] for c in codes])
    pull = np.array([S.CHOICE_PULL[c] for c in codes])
    util = (logw[None, :] + p["h"][:, None] * pull[None, :, 0] * 1.5 + p["s"][:, None] * pull[None, :, 1] * 1.5
            + rng.gumbel(size=(len(p["h"]), len(codes))))
    top = np.argsort(-util, axis=1)[:, :2]
    R.pupils["oge_el"] = codes[top]
    return R.pupils["oge_el"]


def _dates(year: int, table: dict, codes: np.ndarray) -> np.ndarray:
    import datetime as dt
    shift = dt.timedelta(days=(year * 3) % 5 - 2)
    out = np.empty(len(codes), dtype=object)
    for c in np.unique(codes):
        m, d = table[int(c)]
        out[codes == c] = (dt.date(year, m, d) + shift).strftime("%d.%m.%Y")
    return out


class _Rows:
    def __init__(self):
        self.parts: list[dict] = []

    def add(self, **cols):
        n = len(next(iter(cols.values())))
        self.parts.append({k: (np.asarray(v, dtype=object) if not np.isscalar(v) else np.full(n, v, dtype=object))
                           for k, v in cols.items()})

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=GIA_COLUMNS)
        cols = {k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]}
        return pd.DataFrame(cols)


def _score_rows(R: Region, year: int, grade: int, pidx, code, form, rng, models: dict, school):
    """Draw statuses and scores for rows (pupil × subject at `school`); return raw columns."""
    n = len(pidx)
    status = np.array(STATUSES, dtype=object)[rng.choice(len(STATUSES), size=n, p=STATUS_P)]
    present = status == "Явка"
    short = np.full(n, "", dtype=object)
    long = np.full(n, "", dtype=object)
    prim = np.full(n, "", dtype=object)
    test = np.full(n, "", dtype=object)
    mark = np.full(n, "", dtype=object)
    prim_i = np.full(n, -1)
    test_i = np.full(n, -1)
    mark_i = np.full(n, -1)
    for c in np.unique(code):
        for f in np.unique(form[code == c]):
            m = (code == c) & (form == f)
            mdl = models[(f, int(c))]
            sel = np.flatnonzero(m & present)
            if len(sel) == 0:
                continue
            abil = R.ability(pidx[sel], S.SUBJECTS[int(c)], year, grade) + rng.normal(0, 0.3, len(sel))
            if grade == 9:
                abil += R.schools["oge_shift"][school[sel]]
            ss, ls = mdl.draw(rng, abil)
            short[sel] = short_strings(ss, mdl.exam.short)
            long[sel] = long_strings(ls, mdl.exam.long)
            pr = ss.sum(axis=1) + ls.sum(axis=1)
            prim[sel] = pr.astype(str)
            prim_i[sel] = pr
            if f == "ЕГЭ" and int(c) != 22:
                t = test_table(int(c))[pr]
                test[sel] = t.astype(str)
                test_i[sel] = t
            elif f != "ЕГЭ" or int(c) == 22 or grade == 9:
                mk = 2 + (pr[:, None] >= np.array(mdl.exam.marks)[None, :]).sum(axis=1)
                mark[sel] = mk.astype(str)
                mark_i[sel] = mk
    variant = rng.integers(1, 41, n) + np.where(form == "ГВЭ", 500, 300)
    return dict(status=status, short=short, long=long, prim=prim, test=test, mark=mark,
                prim_i=prim_i, test_i=test_i, mark_i=mark_i, variant=variant)


def _emit(rows: _Rows, R: Region, pidx, school, category, clazz, form, code, names, stage, date, res):
    sch = R.schools
    p = R.pupils
    rows.add(**{
        "ID участника": p["uid"][pidx], "Код ОО": sch["code"][school],
        "Код МО": np.array(R.mo_codes, dtype=object)[sch["mo"][school]], "Категория": category,
        "Класс": clazz, "Пол": np.where(p["male"][pidx], "М", "Ж"),
        "ОВЗ": np.where(p["ovz"][pidx], "1", "0"), "Форма ГИА": form,
        "Код предмета": code.astype(str), "Предмет": names, "Этап": stage, "Дата экзамена": date,
        "Вариант": res["variant"].astype(str), "Задания с кратким ответом": res["short"],
        "Задания с развернутым ответом": res["long"], "Первичный балл": res["prim"],
        "Тестовый балл": res["test"], "Отметка": res["mark"], "Статус": res["status"],
        "_pidx": pidx, "_prim": res["prim_i"], "_test": res["test_i"], "_mark": res["mark_i"],
    })


def _models_for(R: Region, year: int, grade: int, exams: dict, form: str, pidx_by_code: dict):
    models = {}
    for c, ex in exams.items():
        idx = pidx_by_code.get(c, np.zeros(0, int))
        abil = R.ability(idx, S.SUBJECTS[c], year, grade) if len(idx) else np.zeros(0)
        models[(form, c)] = ExamModel(R.seed, year, form, c, ex, abil)
    return models


def gia9_year(R: Region, year: int) -> pd.DataFrame:
    p = R.pupils
    rng = S.rng_for(R.seed, "gia9", year)
    idx = R.present(year, 9)
    gve = p["ovz"][idx] & (rng.random(len(idx)) < 0.6)
    el = oge_electives(R)[idx]
    # rows: pupil × subject
    oge_idx = idx[~gve]
    pid = np.concatenate([oge_idx, oge_idx, oge_idx, oge_idx, idx[gve], idx[gve]])
    code = np.concatenate([np.full(len(oge_idx), 1), np.full(len(oge_idx), 2), el[~gve, 0], el[~gve, 1],
                           np.full(gve.sum(), 1), np.full(gve.sum(), 2)])
    form = np.array(["ОГЭ"] * (4 * len(oge_idx)) + ["ГВЭ"] * (2 * int(gve.sum())), dtype=object)
    by_code = {c: pid[(code == c) & (form == "ОГЭ")] for c in S.OGE}
    models = _models_for(R, year, 9, S.OGE, "ОГЭ", by_code)
    by_code = {c: pid[(code == c) & (form == "ГВЭ")] for c in S.GVE9}
    models.update(_models_for(R, year, 9, S.GVE9, "ГВЭ", by_code))
    stage = np.where(rng.random(len(pid)) < 0.012, "Досрочный", "Основной").astype(object)
    school = p["school"][pid]
    clazz = np.array([f"9{S.CLASS_LETTERS[l]}" for l in p["letter"][pid]], dtype=object)
    res = _score_rows(R, year, 9, pid, code, form, rng, models, school)
    date = np.where(stage == "Досрочный", _dates(year, S.OGE_EARLY, code), _dates(year, S.OGE_MAIN, code))
    names = np.array([S.SUBJECTS[c] for c in code], dtype=object)
    rows = _Rows()
    _emit(rows, R, pid, school, "ВТГ", clazz, form, code, names, stage, date, res)
    # retakes in September: «2» or absence in Russian / mathematics
    fail = np.isin(code, (1, 2)) & (((res["mark_i"] == 2) & (rng.random(len(pid)) < 0.85))
                                    | ((res["status"] == "Неявка") & (rng.random(len(pid)) < 0.4)))
    r = np.flatnonzero(fail)
    if len(r):
        res2 = _score_rows(R, year, 9, pid[r], code[r], form[r], rng, models, school[r])
        _emit(rows, R, pid[r], school[r], "ВТГ", clazz[r], form[r], code[r], names[r], "Дополнительный",
              _dates(year, S.OGE_EXTRA, code[r]), res2)
    return _finish(rows.frame())


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    df["_d"] = pd.to_datetime(df["Дата экзамена"], format="%d.%m.%Y")
    df = df.sort_values(["Код ОО", "ID участника", "_d", "Код предмета"], kind="stable").drop(columns="_d")
    return df.reset_index(drop=True)


def _ege_choices(R: Region, idx: np.ndarray, rng, year: int):
    """Mathematics level and 0-3 electives for graduates `idx` (leaning on their ОГЭ electives)."""
    p = R.pupils
    prof = p["profile"][idx]
    math_abil = R.ability(idx, "Математика", year, 11)
    profile_math = rng.random(len(idx)) < expit(1.3 * math_abil + np.where(prof == 0, 2.0, 0.0)
                                                + np.where(prof == 1, 0.6, 0.0) - 0.6)
    codes = np.array(S.EGE_ELECTIVES)
    logw = np.log([S.EGE_ELECTIVE_W[c] for c in codes])
    pull = np.array([S.CHOICE_PULL[c] for c in codes])
    util = logw[None, :] + p["h"][idx, None] * pull[None, :, 0] * 1.5 + p["s"][idx, None] * pull[None, :, 1] * 1.5
    oge = oge_electives(R)[idx]
    util += 1.3 * (codes[None, :] == oge[:, :1]) + 1.3 * (codes[None, :] == oge[:, 1:2])
    boost = {0: (3, 5), 1: (4, 6), 3: (12, 9), 2: (7, 18, 9, 12)}
    for pr, cs in boost.items():
        util += 1.0 * ((prof[:, None] == pr) & np.isin(codes, cs)[None, :])
    util += np.where(profile_math[:, None], 0.0, -1.2) * np.isin(codes, (3, 5))[None, :]
    util += rng.gumbel(size=util.shape)
    k = rng.choice(4, size=len(idx), p=[0.1, 0.38, 0.42, 0.10])
    order = np.argsort(-util, axis=1)
    return profile_math, codes[order[:, :3]], k


def gia11_year(R: Region, year: int):
    """ГИА-11 rows of `year` (ВТГ, ВПЛ, СПО) and the ВТГ list for admissions."""
    p = R.pupils
    rng = S.rng_for(R.seed, "gia11", year)
    rows = _Rows()
    vtg = R.present(year, 11)
    gve = p["ovz"][vtg] & (rng.random(len(vtg)) < 0.6)
    ege = vtg[~gve]
    prof_math, el, k = _ege_choices(R, ege, rng, year)
    pid = [ege, ege]
    code = [np.ones(len(ege), int), np.where(prof_math, 2, 22)]
    for j in range(3):
        sel = k > j
        pid.append(ege[sel])
        code.append(el[sel, j])
    pid.append(vtg[gve]); code.append(np.ones(gve.sum(), int))
    pid.append(vtg[gve]); code.append(np.full(gve.sum(), 2))
    n_gve = 2 * int(gve.sum())
    pid = np.concatenate(pid)
    code = np.concatenate(code)
    form = np.array(["ЕГЭ"] * (len(pid) - n_gve) + ["ГВЭ"] * n_gve, dtype=object)
    cat = np.full(len(pid), "ВТГ", dtype=object)
    school = p["school10"][pid]
    clazz = np.array([f"11{S.CLASS_LETTERS[l]}" for l in p["letter10"][pid]], dtype=object)
    stage = np.where(rng.random(len(pid)) < 0.015, "Досрочный", "Основной").astype(object)

    # ВПЛ: some graduates of year-1 sit again (profile mathematics or an elective)
    prev = R.present(year - 1, 11)
    vpl = prev[rng.random(len(prev)) < 0.07]
    if len(vpl):
        pm, el2, _ = _ege_choices(R, vpl, rng, year)
        c1 = np.where(pm & (rng.random(len(vpl)) < 0.5), 2, el2[:, 0])
        two = rng.random(len(vpl)) < 0.35
        vp = np.concatenate([vpl, vpl[two]])
        vc = np.concatenate([c1, el2[two, 1]])
        pid = np.concatenate([pid, vp]); code = np.concatenate([code, vc])
        form = np.concatenate([form, np.full(len(vp), "ЕГЭ", dtype=object)])
        cat = np.concatenate([cat, np.full(len(vp), "ВПЛ", dtype=object)])
        school = np.concatenate([school, p["school10"][vp]])
        clazz = np.concatenate([clazz, np.full(len(vp), "", dtype=object)])
        stage = np.concatenate([stage, np.where(rng.random(len(vp)) < 0.5, "Досрочный", "Основной").astype(object)])
    # СПО: college students who left after grade 9 two years ago
    left = R.present(year - 2, 9)
    left = left[(p["leave"][left] == 10)]
    spo = left[rng.random(len(left)) < 0.05]
    if len(spo):
        pm, el3, _ = _ege_choices(R, spo, rng, year)
        sp = np.concatenate([spo, spo])
        sc2 = np.concatenate([np.ones(len(spo), int), np.where(pm, 2, el3[:, 0])])
        pid = np.concatenate([pid, sp]); code = np.concatenate([code, sc2])
        form = np.concatenate([form, np.full(len(sp), "ЕГЭ", dtype=object)])
        cat = np.concatenate([cat, np.full(len(sp), "СПО", dtype=object)])
        school = np.concatenate([school, p["school"][sp]])
        clazz = np.concatenate([clazz, np.full(len(sp), "", dtype=object)])
        stage = np.concatenate([stage, np.full(len(sp), "Основной", dtype=object)])

    models = {}
    for c, ex in S.EGE.items():
        sel = pid[(code == c) & (form == "ЕГЭ") & (cat == "ВТГ")]
        abil = R.ability(sel, S.SUBJECTS[c], year, 11) if len(sel) else np.zeros(0)
        models[("ЕГЭ", c)] = ExamModel(R.seed, year, "ЕГЭ", c, ex, abil)
    for c, ex in S.GVE11.items():
        sel = pid[(code == c) & (form == "ГВЭ")]
        abil = R.ability(sel, S.SUBJECTS[c], year, 11) if len(sel) else np.zeros(0)
        models[("ГВЭ", c)] = ExamModel(R.seed, year, "ГВЭ", c, ex, abil)
    res = _score_rows(R, year, 11, pid, code, form, rng, models, school)
    names = np.array([S.EGE_NAME[c] if f == "ЕГЭ" else S.SUBJECTS[c] for c, f in zip(code, form)], dtype=object)
    date = np.where(stage == "Досрочный", _dates(year, S.EGE_EARLY, code), _dates(year, S.EGE_MAIN, code))
    _emit(rows, R, pid, school, cat, clazz, form, code, names, stage, date, res)

    # September retakes (Дополнительный): Russian below the minimum, base mathematics «2»,
    # profile mathematics below the minimum -> base mathematics
    r_rus = (code == 1) & (form == "ЕГЭ") & (res["test_i"] >= 0) & (res["test_i"] < S.EGE_MIN[1])
    r_base = (code == 22) & (res["mark_i"] == 2)
    r_gve = (form == "ГВЭ") & (res["mark_i"] == 2)
    r_prof = (code == 2) & (form == "ЕГЭ") & (res["test_i"] >= 0) & (res["test_i"] < S.EGE_MIN[2])
    go = (r_rus | r_base | r_gve) & (rng.random(len(pid)) < 0.8) & (cat == "ВТГ")
    go_prof = r_prof & (rng.random(len(pid)) < 0.5) & (cat == "ВТГ")
    r = np.flatnonzero(go | go_prof)
    if len(r):
        rc = np.where(go_prof[r], 22, code[r])
        res2 = _score_rows(R, year, 11, pid[r], rc, form[r], rng, models, school[r])
        names2 = np.array([S.EGE_NAME[c] if f == "ЕГЭ" else S.SUBJECTS[c] for c, f in zip(rc, form[r])],
                          dtype=object)
        _emit(rows, R, pid[r], school[r], cat[r], clazz[r], form[r], rc, names2, "Дополнительный",
              _dates(year, S.EGE_EXTRA, rc), res2)
    return _finish(rows.frame()), vtg


def admissions_year(R: Region, year: int, vtg: np.ndarray) -> pd.DataFrame:
    p = R.pupils
    rng = S.rng_for(R.seed, "admissions", year)
    abil = p["ind"][vtg] + R.schools["eff"][p["school10"][vtg]]
    u = rng.random(len(vtg))
    p_vo = expit(0.5 + 1.2 * abil)
    level = np.where(u < p_vo * 0.8, "ВО", np.where(u < p_vo * 0.8 + 0.17, "СПО", "")).astype(object)
    prof = p["profile"][vtg]
    prof_name = np.array(S.PROFILES, dtype=object)[np.maximum(prof, 0)]
    match = rng.random(len(vtg)) < 0.72
    groups = np.empty(len(vtg), int)
    for i, pn in enumerate(S.PROFILES):
        m = prof_name == pn
        pool = S.PROFILE_GROUPS.get(pn, S.ALL_GROUPS)
        groups[m] = np.where(match[m], np.array(pool)[rng.integers(0, len(pool), m.sum())],
                             np.array(S.ALL_GROUPS)[rng.integers(0, len(S.ALL_GROUPS), m.sum())])
    lvl = np.where(level == "ВО", np.where(rng.random(len(vtg)) < 0.85, "03", "05"), "02")
    spec = np.array([f"{g:02d}.{l}.{n:02d}" for g, l, n in zip(groups, lvl, rng.integers(1, 12, len(vtg)))],
                    dtype=object)
    admitted = level != ""
    return pd.DataFrame({
        "ID участника": p["uid"][vtg],
        "Код ОО": R.schools["code"][p["school10"][vtg]],
        "Год выпуска": str(year),
        "Уровень образования": level,
        "Код специальности": np.where(admitted, spec, ""),
        "Субъект обучения": np.where(admitted, np.where(rng.random(len(vtg)) < 0.45, "в регионе", "за пределами"), ""),
        "Профиль обучения": prof_name,
    }).sort_values(["Код ОО", "ID участника"], kind="stable").reset_index(drop=True)
