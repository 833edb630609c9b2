"""A small, independent reference implementation of the objectivity markers M1-M6
(methodology.md, «Markers of non-objective ВПР results»), used only to check that the generator's
planted schools are detectable and its decoys and honest schools are not.

It is *not* the production detector (that lives in dbt); it reads a clean generated inbox through
the generator's manifest (`truth_dir/files.json`) and recomputes the markers in pandas/scipy.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import binom

ALPHA = 0.001
ELITE = ("Гимназия", "Лицей", "СОШ с УИОП")


def percent_rank(values: np.ndarray) -> np.ndarray:
    """DuckDB percent_rank(): (rank - 1) / (n - 1), rank = 1 + number of strictly smaller values."""
    v = np.asarray(values, float)
    n = len(v)
    if n <= 1:
        return np.zeros(n)
    s = np.sort(v)
    return np.searchsorted(s, v, side="left") / (n - 1)


def _tail(k: int, n: int, p: float) -> float:
    return float(binom.sf(k - 1, n, p)) if k > 0 else 1.0


def work_markers(w: dict, oge_rank: dict[str, float], school_type: dict[str, str],
                 prev4_rank: dict[str, float] | None = None, alpha: float = ALPHA) -> list[dict]:
    """Markers M1-M6 for every evaluated school of one ВПР work (dict as made by `read_vpr`)."""
    scores, tmax, is_p = w["scores"], w["tmax"], w["is_p"]
    mark, journal, primary = w["mark"], w["journal"], w["primary"]
    login, cls = w["login"], w["cls"]
    t3, t4, t5 = w["thresholds"]
    wmax = int(tmax.sum())
    has_mark = ~np.isnan(mark)
    logins, counts = np.unique(login[has_mark], return_counts=True)
    evaluated = logins[counts >= 10]
    if len(evaluated) == 0:
        return []
    # region-level quantities (all pupils of the work)
    valid = ~np.isnan(scores)
    cell_max = np.where(valid, tmax[None, :], 0)
    cell_sc = np.nan_to_num(scores)
    reg_b = cell_sc[:, ~is_p].sum() / max(1, cell_max[:, ~is_p].sum()) * 100
    reg_p = cell_sc[:, is_p].sum() / max(1, cell_max[:, is_p].sum()) * 100
    prim_int = primary.astype(int)
    Rcount = np.bincount(prim_int, minlength=wmax + 2)
    jm = ~np.isnan(journal) & has_mark
    raised_j, conf_j = {}, {}
    for j in (2, 3, 4, 5):
        sel = jm & (journal == j)
        if sel.any():
            raised_j[j] = float((mark[sel] > j).mean())
            conf_j[j] = float((mark[sel] == j).mean())
    result = np.array([primary[login == s].mean() / wmax * 100 for s in evaluated])
    rank = dict(zip(evaluated, percent_rank(result) * 100))
    out = []
    label = f"ВПР {w['subject']} {w['grade']}"
    for s in evaluated:
        m = login == s
        row = lambda code, value, thr, flag: out.append(
            {"login": s, "work": label, "marker": code, "value": value, "threshold": thr, "flagged": int(flag)})
        # M1
        if s in oge_rank:
            elite = school_type.get(s) in ELITE
            row("M1", rank[s], 90, rank[s] >= 90 and oge_rank[s] <= 25 and not elite)
        # M2
        sb = cell_sc[m][:, ~is_p].sum() / max(1, cell_max[m][:, ~is_p].sum()) * 100
        sp = cell_sc[m][:, is_p].sum() / max(1, cell_max[m][:, is_p].sum()) * 100
        row("M2", sp - reg_p, 10, (sb - reg_b) < 0 and (sp - reg_p) >= 10)
        # M3
        c = np.bincount(prim_int[m], minlength=wmax + 2)
        A = N = 0
        p0n = 0.0
        for b in (t3, t4, t5):
            if b - 1 < 0 or b + 1 > wmax:
                continue
            Nb = c[b - 1] + c[b] + c[b + 1]
            den = Rcount[b - 1] + Rcount[b] + Rcount[b + 1]
            rb = Rcount[b] / den if den else 0.0
            A += c[b]
            N += Nb
            p0n += rb * Nb
        if N >= 10:
            pv = _tail(int(A), int(N), p0n / N)
            row("M3", pv, alpha, pv < alpha)
        else:
            row("M3", None, alpha, False)
        # M4
        sj = m & jm
        n = int(sj.sum())
        if n >= 10:
            jj = journal[sj].astype(int)
            k_r = int((mark[sj] > jj).sum())
            k_c = int((mark[sj] == jj).sum())
            pr = float(np.mean([raised_j[j] for j in jj]))
            pc = float(np.mean([conf_j[j] for j in jj]))
            pv = min(_tail(k_r, n, pr), _tail(k_c, n, pc))
            row("M4", pv, alpha, pv < alpha)
        else:
            row("M4", None, alpha, False)
        # M5
        best = None
        for c_name in np.unique(cls[m]):
            cm = m & (cls == c_name) & has_mark
            size = int(cm.sum())
            if size < 5:
                continue
            mid = cm & (primary >= t3) & (primary < t5)
            vecs = [tuple(np.where(np.isnan(v), -1, v).astype(int)) for v in scores[mid]]
            cnt: dict = {}
            for v in vecs:
                cnt[v] = cnt.get(v, 0) + 1
            share = sum(k for k in cnt.values() if k >= 3) / size * 100
            best = share if best is None else max(best, share)
        row("M5", best, 20, best is not None and best >= 20)
        # M6
        if prev4_rank is not None and w["grade"] == 5 and w["subject"] in ("Русский язык", "Математика") \
                and s in prev4_rank:
            row("M6", prev4_rank[s], 90, prev4_rank[s] >= 90 and rank[s] < 50)
    return out


def school_ranks(w: dict) -> dict[str, float]:
    has_mark = ~np.isnan(w["mark"])
    logins, counts = np.unique(w["login"][has_mark], return_counts=True)
    ev = logins[counts >= 10]
    wmax = int(w["tmax"].sum())
    res = np.array([w["primary"][w["login"] == s].mean() / wmax * 100 for s in ev])
    return dict(zip(ev, percent_rank(res) * 100))


def oge_ranks(gia9: pd.DataFrame, code_to_login: dict[str, str]) -> dict[str, float]:
    """Percent rank of the share of ОГЭ results with mark >= 4 (best per participant × subject)."""
    d = gia9[(gia9["Статус"] == "Явка") & (gia9["Форма ГИА"] == "ОГЭ")].copy()
    d["mark"] = pd.to_numeric(d["Отметка"])
    d["_d"] = pd.to_datetime(d["Дата экзамена"], format="%d.%m.%Y")
    d = d.sort_values(["ID участника", "Код предмета", "mark", "_d"])
    best = d.groupby(["ID участника", "Код предмета"]).tail(1)
    # the school of the result's own row
    g = best.groupby("Код ОО")["mark"].agg(n="size", good=lambda x: (x >= 4).mean())
    g = g[g["n"] >= 10]
    ranks = percent_rank(g["good"].to_numpy()) * 100
    return {code_to_login[c]: r for c, r in zip(g.index, ranks)}


# --------------------------------------------------------------------------------------------
# Reading a clean generated inbox


def read_vpr(path: Path, plan: pd.DataFrame, scale: pd.DataFrame) -> dict:
    """One ВПР workbook, in the second layout (title in row 1) or as a ФИС ОКО download (title in
    row 3, group rows `… | Кол-во участников: N` between the schools, `edu` logins)."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    if str(rows[0][0]).startswith("ВПР"):
        title = str(rows[0][0])
        year = int(title.split()[1].rstrip("."))
        subject = str(rows[1][1])
        grade = int(float(rows[2][1]))
        data = rows[8:]
    else:  # «ВПР 2025 Русский язык 4 класс»
        words = str(rows[2][0]).split()
        year, subject, grade = int(words[1]), " ".join(words[2:-2]), int(words[-2])
        data = [r for r in rows[8:] if not str(r[1]).startswith("Кол-во участников")]
        data = [["sch" + str(r[0])[3:], *r[1:]] for r in data if str(r[0]).strip()]
        data = [[("" if x == "нет отметки" else x) for x in r] for r in data]
    header = [str(x) for x in rows[7]]
    first_task = 6
    last_task = header.index("Первичный балл")
    data = [r for r in data if any(str(x).strip() for x in r)]
    body = np.array([[("" if x is None else x) for x in r] for r in data], dtype=object)
    task_cells = body[:, first_task:last_task]
    scores = np.array([[np.nan if str(x).strip() in ("X", "Х") else float(x) for x in r] for r in task_cells])
    p = plan[(plan["Год"] == str(year)) & (plan["Предмет"] == subject) & (plan["Класс"] == str(grade))]
    sc = scale[(scale["Год"] == str(year)) & (scale["Предмет"] == subject) & (scale["Класс"] == str(grade))].iloc[0]
    num = lambda col: np.array([np.nan if str(x).strip() == "" else float(x) for x in col])
    return {
        "year": year, "subject": subject, "grade": grade,
        "tmax": p["Макс. балл"].astype(int).to_numpy(), "is_p": (p["Уровень"] == "П").to_numpy(),
        "thresholds": (int(sc["Отметка 3 от"]), int(sc["Отметка 4 от"]), int(sc["Отметка 5 от"])),
        "login": body[:, 0].astype(str), "cls": np.array([_text(x) for x in body[:, 4]]), "scores": scores,
        "primary": num(body[:, last_task]), "mark": num(body[:, last_task + 1]),
        "journal": num(body[:, last_task + 2]),
    }


def _text(v) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def _merge(a: dict | None, b: dict) -> dict:
    """Two downloads of one work (municipal files) as one."""
    if a is None:
        return b
    out = dict(a)
    for k in ("login", "cls", "scores", "primary", "mark", "journal"):
        out[k] = np.concatenate([a[k], b[k]])
    return out


def evaluate(inbox: Path, truth_dir: Path, alpha: float = ALPHA) -> dict:
    """Run the reference markers on a clean inbox and compare the listed schools with the truth."""
    inbox, truth_dir = Path(inbox), Path(truth_dir)
    manifest = json.loads((truth_dir / "files.json").read_text(encoding="utf-8"))
    truth = json.loads((truth_dir / "truth.json").read_text(encoding="utf-8"))
    Y = max(truth["years"])
    rd = lambda f: pd.read_csv(inbox / f, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")
    files = manifest["files"]
    reg = rd(next(f["file"] for f in files if f["kind"] == "register"))
    login_of = dict(zip(reg["Код ОО"], reg["Логин ОО"]))
    stype = dict(zip(reg["Логин ОО"], reg["Тип ОО"]))
    plan = pd.concat([rd(f["file"]) for f in files if f["kind"] == "vpr_plan"])
    scale = pd.concat([rd(f["file"]) for f in files if f["kind"] == "vpr_scale"])
    # ГИА-9 of the year: with РЦОИ protocols in the inbox the generator keeps every result (after
    # the appeals, with its own ids) in the truth folder; otherwise the one normalised file
    truth_gia9 = truth_dir / f"gia9_{Y}.csv"
    gia9 = (pd.read_csv(truth_gia9, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")
            if truth_gia9.is_file() else rd(next(f["file"] for f in files if f["kind"] == "gia9" and f["year"] == Y)))
    ranks_oge = oge_ranks(gia9, login_of)
    works = {}
    for f in files:
        if f["kind"] == "vpr" and f["year"] in (Y, Y - 1):
            w = read_vpr(inbox / f["file"], plan, scale)
            key = (w["year"], w["subject"], w["grade"])
            works[key] = _merge(works.get(key), w)
    rows = []
    for (y, subj, g), w in works.items():
        if y != Y:
            continue
        prev = works.get((Y - 1, subj, 4)) if g == 5 else None
        prev_rank = school_ranks(prev) if prev is not None else None
        rows += work_markers(w, ranks_oge, stype, prev_rank, alpha)
    df = pd.DataFrame(rows)
    flagged = df[df["flagged"] == 1].groupby("login")["marker"].agg(lambda x: sorted(set(x)))
    listed = {s for s, ms in flagged.items() if len(ms) >= 2}
    planted = {e["login"] for e in truth["nonobjective"] if e["year"] == Y}
    code_to_login = login_of
    decoys = {code_to_login[c] for c in truth["decoys"]}
    tp = len(listed & planted)
    return {
        "year": Y, "listed": sorted(listed), "planted": sorted(planted),
        "precision": tp / len(listed) if listed else 1.0,
        "recall": tp / len(planted) if planted else 1.0,
        "decoys_listed": sorted(listed & decoys),
        "flagged": {s: ms for s, ms in flagged.items()},
        "markers": df,
    }
