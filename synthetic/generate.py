"""`generate_region`: write a contract-following inbox and its ground truth.

Files written (per year Y of `years`; names are free, the readers recognise files by content):

    reestr_oo.csv                                  register (UTF-8, `;`)
    gia/gia11_Y.csv, gia/gia9_Y.csv                ГИА-11 / ГИА-9 rows (with gia_layout="rcoi", the
                                                   default: only the schools of the last municipality)
    gia/rcoi/Y/protokol_*.csv|xlsx                 РЦОИ result protocols, synthetic names (rcoi)
    gia/rcoi/Y/apellyacii_*                        РЦОИ appeal and re-check protocols (rcoi)
    vpr/Y/vpr_Y_<subject>_<grade>.xlsx             ВПР, one workbook per work (28 works a year)
    spravochniki/plan_vpr_Y.csv, shkala_vpr_Y.csv  ВПР task plan and scale
    spravochniki/min_bally_ege_Y.csv               minimum ЕГЭ scores (the defaults)
    spravochniki/specifikacii_Y.csv                «План ГИА» of the last year and the one before
                                                   (`synthetic._gia_plan`; told from «План ВПР» by content)
    postuplenie/postuplenie_Y.csv                  admissions of the year's ВТГ
    niko/niko_Y_<subject>_<grade>.xlsx             НИКО study of the year
    mery/mery_Y.csv                                «Меры» of the last year (`synthetic._measures`)

and in `truth_dir`: `truth.json` (planted non-objective schools, decoys, the appeals and the results
they change) and `files.json` (the manifest `inject_defects` and `synthetic.oracle` read); with
РЦОИ protocols also `gia9_Y.csv` / `gia11_Y.csv`, every ГИА row after the appeals, by the
generator's own ids (the oracle's ОГЭ ranks). File modification times are fixed per
kind and year, so a corrected re-delivery can be made newer deterministically.
"""
from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pandas as pd

from . import _gia as G
from . import _gia_plan as GP
from . import _gia_rcoi as GR
from . import _measures as MS
from . import _model as M
from . import _plant as P
from . import _spec as S
from . import _vpr as V
from . import _vpr_fisoko as VF
from . import _write as W
from ._model import expit

PLAN_COLUMNS = ["Год", "Предмет", "Класс", "Задание", "Макс. балл", "Уровень", "Код умения",
                "Проверяемое умение", "Практико-ориентированное"]
SCALE_COLUMNS = ["Год", "Предмет", "Класс", "Отметка 3 от", "Отметка 4 от", "Отметка 5 от"]
REGISTER_COLUMNS = ["Код ОО", "Логин ОО", "Краткое наименование", "Полное наименование", "Код МО",
                    "Муниципальное образование", "Тип ОО", "Местность", "Транспортная доступность",
                    "Численность обучающихся", "ШНОР"]
# above this many ВПР task cells the XLSX files are written by a process pool
_POOL_CELLS = 200_000


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.relative_to(parent)
        return True
    except ValueError:
        return False


VPR_LAYOUTS = ("normalised", "fisoko")
GIA_LAYOUTS = ("normalised", "rcoi")


def generate_region(inbox: Path, truth_dir: Path, *, seed: int = 2025, scale: str | float = "demo",
                    years: tuple[int, ...] = (2023, 2024, 2025), plant: bool = True,
                    vpr_layout: str = "fisoko", gia_layout: str = "rcoi") -> dict:
    """Write a contract-following inbox into `inbox` and the ground truth into `truth_dir` (must be
    outside the inbox). Returns a summary dict: {"inbox", "truth", "years", "schools",
    "vpr_works": {year: n_pupil_works}, "vpr_task_cells": {year: n}, "gia11_rows": {year: n},
    "gia9_rows": {year: n}, "files": [...]}.

    `vpr_layout`: "normalised" writes every ВПР work as one workbook in the second layout of the
    contract (§4); "fisoko" writes them as ФИС ОКО downloads (`synthetic._vpr_fisoko`: regional
    and municipal files with group rows, `edu` logins, some works in the second layout, the two
    aggregate forms of every work, one download cut short in the last year).
    `gia_layout`: "rcoi" writes ГИА mostly as РЦОИ result protocols with synthetic names and a few
    appeal protocols (`synthetic._gia_rcoi`), the normalised CSV for one municipality; "normalised"
    writes every year's ГИА-9 and ГИА-11 as one normalised CSV each.

    Deterministic: the same arguments give byte-identical files. Existing files of the same names
    are overwritten; other files in `inbox` are left alone (use a fresh folder)."""
    inbox, truth_dir = Path(inbox).resolve(), Path(truth_dir).resolve()
    if _inside(truth_dir, inbox):
        raise ValueError("truth_dir must be outside the inbox")
    if vpr_layout not in VPR_LAYOUTS:
        raise ValueError(f"vpr_layout must be one of {VPR_LAYOUTS}")
    if gia_layout not in GIA_LAYOUTS:
        raise ValueError(f"gia_layout must be one of {GIA_LAYOUTS}")
    years = tuple(sorted(int(y) for y in years))
    if not years or any(b - a != 1 for a, b in zip(years, years[1:])):
        raise ValueError("years must be consecutive")
    sc = S.resolve_scale(scale)
    inbox.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)

    # ---- the region
    R = M.Region(seed=seed, scale=sc, years=years)
    M._build_schools(R)
    decoys = P.choose_decoys(R) if plant else []
    M._build_pupils(R)
    plan = P.choose_planted(R, decoys) if plant else P.Plan(year=years[-1])
    measures = MS.choose(R, plan) if plant else None

    files: list[dict] = []

    def record(rel: str, kind: str, year: int | None = None, when: dt.datetime | None = None, **extra):
        path = inbox / rel
        W.set_mtime(path, when or dt.datetime((year or years[-1]), 10, 1, 9, 0, 0))
        files.append({"file": rel, "kind": kind, "year": year, **extra})

    # ---- register
    reg = _register(R)
    W.write_csv(inbox / "reestr_oo.csv", reg)
    record("reestr_oo.csv", "register", None, dt.datetime(years[-1], 9, 1, 9, 0, 0))

    # ---- ВПР
    works_by_year = {y: V.works_of_year(R, y, plan.inflate) for y in years}
    if plant:
        P.apply(R, plan, works_by_year)
        MS.apply(R, measures, works_by_year)
    summary_vpr, summary_cells = {}, {}
    jobs, fisoko_jobs, ctx = [], [], VF.region_context(R)
    for y in years:
        plan_rows, scale_rows = [], []
        for (subject, grade) in S.VPR_PLANS:
            for t in S.parse_plan(subject, grade):
                plan_rows.append([str(y), subject, str(grade), t.label, str(t.max), t.level, t.skill_code,
                                  t.skill_name, "да" if t.practice else "нет"])
        for k, w in enumerate(works_by_year[y]):
            scale_rows.append([str(y), w.subject, str(w.grade), *map(str, w.thresholds)])
            if vpr_layout == "fisoko":
                fisoko_jobs.append((inbox, VF.payload(w, R), ctx, k, 3 if (y, k) == (years[-1], 2) else 0))
                continue
            rel = f"vpr/{y}/vpr_{y}_{S.VPR_SUBJECT_FILE[w.subject]}_{w.grade}.xlsx"
            jobs.append((inbox / rel, W.vpr_payload(w, R)))
            files.append({"file": rel, "kind": "vpr", "year": y, "subject": w.subject, "grade": w.grade,
                          "rows": len(w.pupil)})
        rel = f"spravochniki/plan_vpr_{y}.csv"
        W.write_csv(inbox / rel, pd.DataFrame(plan_rows, columns=PLAN_COLUMNS))
        record(rel, "vpr_plan", y, dt.datetime(y, 3, 1, 9, 0, 0))
        rel = f"spravochniki/shkala_vpr_{y}.csv"
        W.write_csv(inbox / rel, pd.DataFrame(scale_rows, columns=SCALE_COLUMNS))
        record(rel, "vpr_scale", y, dt.datetime(y, 5, 20, 9, 0, 0))
        rel = f"spravochniki/min_bally_ege_{y}.csv"
        W.write_csv(inbox / rel, pd.DataFrame([[str(y), str(c), str(v)] for c, v in S.EGE_MIN.items()],
                                              columns=["Год", "Код предмета", "Минимальный балл"]))
        record(rel, "ege_min", y, dt.datetime(y, 1, 15, 9, 0, 0))
        summary_vpr[y] = int(sum(len(w.pupil) for w in works_by_year[y]))
        summary_cells[y] = int(sum(w.n_cells for w in works_by_year[y]))
    _write_all_vpr(jobs, sum(summary_cells.values()))
    for path, d in jobs:
        W.set_mtime(path, dt.datetime(d["year"], 5, 25, 9, 0, 0))
    for job, written in zip(fisoko_jobs, _in_pool(VF.write_job, fisoko_jobs, sum(summary_cells.values()))):
        for e in written:
            W.set_mtime(inbox / e["file"], dt.datetime(job[1]["year"], 5, 25, 9, 0, 0))
        files.extend(written)

    # ---- ГИА and admissions
    g11_rows, g9_rows, appeals = {}, {}, []
    for y in years:
        g9 = G.gia9_year(R, y)
        if gia_layout == "rcoi":
            g11, vtg = G.gia11_year(R, y)
            got, mine, counts = GR.deliver_year(inbox, truth_dir, R, y, g9, g11)
            for e in got:
                record(e.pop("file"), e.pop("kind"), y, e.pop("when"), **{k: v for k, v in e.items() if k != "year"})
            appeals += mine
            g9_rows[y], g11_rows[y] = counts["gia9"], counts["gia11"]
            rel = f"postuplenie/postuplenie_{y}.csv"
            W.write_csv(inbox / rel, G.admissions_year(R, y, vtg))
            record(rel, "admissions", y, dt.datetime(y, 11, 1, 9, 0, 0))
            continue
        rel = f"gia/gia9_{y}.csv"
        g9_rows[y] = W.write_csv(inbox / rel, g9)
        record(rel, "gia9", y, dt.datetime(y, 9, 25, 9, 0, 0))
        g11, vtg = G.gia11_year(R, y)
        rel = f"gia/gia11_{y}.csv"
        g11_rows[y] = W.write_csv(inbox / rel, g11)
        record(rel, "gia11", y, dt.datetime(y, 9, 25, 9, 0, 0))
        adm = G.admissions_year(R, y, vtg)
        rel = f"postuplenie/postuplenie_{y}.csv"
        W.write_csv(inbox / rel, adm)
        record(rel, "admissions", y, dt.datetime(y, 11, 1, 9, 0, 0))

    # ---- «План ГИА» (optional): the last year and the one before
    gia_plan_truth: list[dict] = []
    for y in years:
        rows, truth_rows = GP.plan_year(y, tuple(years))
        if rows:
            rel = f"spravochniki/specifikacii_{y}.csv"
            W.write_csv(inbox / rel, pd.DataFrame(rows, columns=GP.COLUMNS))
            record(rel, "gia_plan", y, dt.datetime(y, 2, 1, 9, 0, 0), rows=len(rows))
            gia_plan_truth += truth_rows

    # ---- НИКО
    for y in years:
        d = _niko(R, y)
        rel = f"niko/niko_{y}_{S.VPR_SUBJECT_FILE.get(d['subject'], 'niko')}_{d['grade']}.xlsx"
        W.write_niko_xlsx(inbox / rel, d)
        record(rel, "niko", y, dt.datetime(y, 12, 1, 9, 0, 0), subject=d["subject"], grade=d["grade"],
               rows=len(d["login"]))

    # ---- «Меры» of the last year
    if measures is not None and len(years) >= 2:
        rel = f"mery/mery_{years[-1]}.csv"
        W.write_csv(inbox / rel, MS.register_frame(R, measures))
        record(rel, "measures", years[-1], dt.datetime(years[-1], 10, 15, 9, 0, 0))

    # ---- truth
    files.sort(key=lambda f: f["file"])
    truth = {
        "seed": seed, "scale": sc.name, "years": list(years), "region_code": S.REGION_CODE,
        "nonobjective": P.truth_entries(R, plan) if plant else [],
        "decoys": [str(R.schools["code"][s]) for s in plan.decoys],
        "vpr_layout": vpr_layout, "gia_layout": gia_layout,
        "appeals": GR.truth_appeals(appeals),
        "vpr_cut_short": sorted({json.dumps(f["cut_short"] | {"work": f"ВПР {f['subject']} {f['grade']}", "year": f["year"]},
                                            ensure_ascii=False) for f in files if "cut_short" in f}),
        "schools": R.n_schools,
        "nonobjective_previous": P.truth_entries(R, measures.previous) if measures else [],
        "measures": MS.truth(R, measures) if measures else None,
        "gia_plan": gia_plan_truth,
        "note": "Synthetic data. nonobjective lists the schools planted in the last year; M6 also "
                "inflated the grade-4 Русский язык/Математика works of the previous year.",
    }
    (truth_dir / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    (truth_dir / "files.json").write_text(json.dumps({"inbox": str(inbox), "files": files},
                                                     ensure_ascii=False, indent=1), encoding="utf-8")
    return {
        "inbox": str(inbox), "truth": str(truth_dir / "truth.json"), "years": list(years),
        "schools": R.n_schools, "vpr_works": summary_vpr, "vpr_task_cells": summary_cells,
        "gia11_rows": g11_rows, "gia9_rows": g9_rows, "files": [f["file"] for f in files],
    }


def _write_all_vpr(jobs, cells: int) -> None:
    """Write the ВПР workbooks of the second layout (see `_in_pool`)."""
    _in_pool(_write_vpr_job, jobs, cells)


def _write_vpr_job(job) -> None:
    W.write_vpr_xlsx(*job)


def _in_pool(fn, jobs: list, cells: int) -> list:
    """`[fn(job) for job in jobs]`; large volumes through a fork-based process pool (the data are
    already drawn, so the files do not depend on the number of workers). Results in job order."""
    workers = min(os.cpu_count() or 1, 8)
    # fork only from a single-threaded process (forking a threaded one can deadlock the child)
    if (cells >= _POOL_CELLS and workers > 1 and len(jobs) > 1 and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods()):
        order = sorted(range(len(jobs)), key=lambda i: -_job_cells(jobs[i]))  # largest first
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as ex:
                done = list(ex.map(fn, [jobs[i] for i in order], chunksize=1))
            out = [None] * len(jobs)
            for i, r in zip(order, done):
                out[i] = r
            return out
        except (OSError, BrokenProcessPool):  # pragma: no cover - fall back to one process
            pass
    return [fn(job) for job in jobs]


def _job_cells(job) -> int:
    d = next(x for x in job if isinstance(x, dict) and "scores" in x)
    return int(d["scores"].size)


def _register(R: M.Region) -> pd.DataFrame:
    sch = R.schools
    shnor = MS.shnor_mask(R)
    return pd.DataFrame({
        "Код ОО": sch["code"], "Логин ОО": sch["login"], "Краткое наименование": sch["short"],
        "Полное наименование": sch["full"], "Код МО": np.array(R.mo_codes, dtype=object)[sch["mo"]],
        "Муниципальное образование": np.array(R.mo_names, dtype=object)[sch["mo"]],
        "Тип ОО": sch["type"], "Местность": sch["locality"], "Транспортная доступность": sch["access"],
        "Численность обучающихся": sch["pupils_total"].astype(str),
        "ШНОР": np.where(shnor, "да", "нет"),
    })


def _niko(R: M.Region, year: int) -> dict:
    subject, grade, spec = S.NIKO_STUDIES[year % len(S.NIKO_STUDIES)]
    rng = S.rng_for(R.seed, "niko", year)
    idx = R.present(year, grade)
    school = R.school_at(grade)[idx]
    has = np.unique(school)
    sample = has[rng.random(len(has)) < 0.3]
    if len(sample) == 0 and len(has):
        sample = has[:1]
    keep = np.isin(school, sample) & (rng.random(len(idx)) >= 0.05)
    idx, school = idx[keep], school[keep]
    order = np.lexsort((R.pupils["letter"][idx], school))
    idx, school = idx[order], school[order]
    items = [it.split(":") for it in spec.split()]
    tmax = np.array([int(k) for _, k in items])
    b = np.linspace(-1.2, 0.9, len(items)) + rng.normal(0, 0.2, len(items))
    abil = R.ability(idx, subject, year, grade) + rng.normal(0, 0.35, len(idx))
    sc = rng.binomial(tmax[None, :], expit(1.3 * (abil[:, None] - b[None, :])))
    prim = sc.sum(axis=1)
    frac = prim / tmax.sum()
    level = np.array(S.NIKO_LEVELS, dtype=object)[np.searchsorted([0.3, 0.55, 0.8], frac, side="right")]
    n = len(idx)
    pool = 100000 - 10000
    codes = (10000 + rng.choice(pool, size=n, replace=False)) if n <= pool else np.arange(100000, 100000 + n)
    q = np.empty((n, S.NIKO_QUESTIONS), np.int64)
    q[:, 0] = np.where(R.pupils["male"][idx], 1, 2)
    for j in range(1, S.NIKO_QUESTIONS):
        k = 4 if j % 3 else 5
        lat = 0.6 * abil * (1 if j % 2 else -1) + rng.normal(0, 1, n)
        q[:, j] = 1 + np.searchsorted(np.quantile(lat, np.linspace(0, 1, k + 1)[1:-1]) if n else [], lat)
    q[rng.random(q.shape) < 0.02] = 0
    return {
        "year": year, "subject": subject, "grade": grade, "headers": [f"{lab} ({k}б)" for lab, k in items],
        "login": R.schools["login"][school],
        "cls": np.array([f"{grade}{S.CLASS_LETTERS[l]}" for l in R.pupils["letter"][idx]], dtype=object),
        "code": [f"{c:05d}" for c in codes], "scores": sc, "primary": prim, "level": level, "answers": q,
    }
