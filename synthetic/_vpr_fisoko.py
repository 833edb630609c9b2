"""ВПР as an institute downloads it from ФИС ОКО (input contract §4 current layout, §9 forms).

`write_work` writes one work as a real inbox has it: a regional download, or one download per
municipality, or (some works) the second layout; beside it the two aggregate forms with a
federal «Вся выборка» row. Logins of about one school in five are written with the `edu`
prefix (the register has `sch`), classes as ordinals, missing journal marks as «нет отметки».
The aggregate forms always describe the full delivery; `cut_short` removes pupils of one
school from the individual results only — the download cut short that the cross-check finds.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from . import _spec as S
from . import _write as W

FORM_MARKS = "Статистика по отметкам"
FORM_JOURNAL = "Сравнение отметок с отметками по журналу"
SUBJECT_ABBR = {"Русский язык": "РУ", "Математика": "МА", "Окружающий мир": "ОМ", "История": "ИС",
                "Биология": "БИ", "География": "ГЕ", "Обществознание": "ОБ", "Физика": "ФИ", "Химия": "ХИ",
                "Информатика": "ИН", "Литература": "ЛИ"}
REGION_TITLE = "Синтетический край"
# the federal sample: a fixed distribution the region's rows are blended with
FEDERAL_MARKS = np.array([12.0, 38.0, 36.0, 14.0])
FEDERAL_JOURNAL = np.array([21.0, 70.0, 9.0])


def file_login(login: str, school: int) -> str:
    """The login as ФИС ОКО shows it: one school in five under `edu` (same 6 digits)."""
    return "edu" + login[3:] if school % 5 == 2 and login.startswith("sch") else login


def mode_of(k: int) -> str:
    """How work number k of a year is delivered: regional file, municipal files, second layout."""
    return {0: "region", 1: "second"}.get(k % 4, "municipal")


def _title(d: dict) -> str:
    return f"ВПР {d['year']} {d['subject']} {d['grade']} класс"


def _top(ws, d: dict, form_name: str, bold) -> None:
    ws.write_string(0, 0, form_name, bold)
    ws.write_string(2, 0, _title(d), bold)
    ws.write_string(3, 0, "Предмет:"); ws.write_string(3, 1, d["subject"])
    ws.write_string(4, 0, "Максимальный первичный балл:"); ws.write_number(4, 1, d["max"])
    ws.write_string(5, 0, "Дата:"); ws.write_string(5, 1, d["date"])


def write_individual(path: Path, d: dict, rows: np.ndarray, announced: dict[int, int]) -> None:
    """«Индивидуальные результаты» for the pupils `rows` (grouped by school, in order), each school
    under its group row announcing `announced[school]` participants."""
    wb = W._workbook(path, d["year"])
    ws = wb.add_worksheet(f"{SUBJECT_ABBR.get(d['subject'], 'ВПР')} {d['grade']} Индивидуальные результаты"[:31])
    bold = wb.add_format({"bold": True})
    _top(ws, d, "Индивидуальные результаты", bold)
    T = len(d["headers"])
    ws.write_string(6, 2, "Уровень сложности задания")
    for j, lv in enumerate(d["levels"]):
        ws.write_string(6, 6 + j, lv)
    header = ["ОО", "Муниципалитет", "Название ОО", "Код участника", "Класс", "Вариант", *d["headers"],
              "Первичный балл", "Отметка", "Отметка по журналу"]
    for j, h in enumerate(header):
        ws.write_string(7, j, h, bold)
    school, login, mo, name = d["school"], d["login"], d["mo"], d["name"]
    code, letter, variant, scores = d["code"], d["letter"], d["variant"], d["scores"]
    primary, mark, journal, x = d["primary"], d["mark"], d["journal"], d["x_char"]
    r, current = 8, None
    for i in rows.tolist():
        s = int(school[i])
        lg = file_login(str(login[i]), s)
        label = f"{name[i]}({lg})"
        if s != current:
            ws.write_string(r, 0, label)
            ws.write_string(r, 1, f"Кол-во участников: {announced[s]}")
            r, current = r + 1, s
        ws.write_string(r, 0, lg); ws.write_string(r, 1, str(mo[i])); ws.write_string(r, 2, label)
        # Код участника: a 5-digit integer, unique within the school; Класс: the class's ordinal
        ws.write_number(r, 3, 10000 + int(code[i]) % 90000)
        ws.write_number(r, 4, int(letter[i]) + 1); ws.write_number(r, 5, int(variant[i]))
        for j, v in enumerate(scores[i].tolist()):
            if v < 0:
                ws.write_string(r, 6 + j, x)
            else:
                ws.write_number(r, 6 + j, v)
        ws.write_number(r, 6 + T, int(primary[i])); ws.write_number(r, 7 + T, int(mark[i]))
        if journal[i]:
            ws.write_number(r, 8 + T, int(journal[i]))
        else:
            ws.write_string(r, 8 + T, "нет отметки")
        r += 1
    wb.close()


def region_context(R) -> dict:
    """What the writers need of the region (small and picklable, for a process pool)."""
    return {"mo_names": list(R.mo_names), "mo_codes": list(R.mo_codes), "n_schools": int(R.n_schools)}


def _groups(d: dict, R: dict) -> list[tuple[str, np.ndarray, int]]:
    """(name, pupil rows, schools) of the forms' group rows below «Вся выборка»."""
    school, mo = d["school"], d["mo_idx"]
    out = [(REGION_TITLE, np.arange(len(school)), len(np.unique(school)))]
    for m in np.unique(mo).tolist():
        rows = np.flatnonzero(mo == m)
        out.append((f"{R['mo_names'][m]}(reg{S.REGION_CODE}_m{int(R['mo_codes'][m]):03d})", rows,
                    len(np.unique(school[rows]))))
    for s in np.unique(school).tolist():
        rows = np.flatnonzero(school == s)
        out.append((f"{d['name'][rows[0]]}({file_login(str(d['login'][rows[0]]), s)})", rows, 1))
    return out


def _pct(n: np.ndarray, total: int) -> list[float]:
    return [round(float(v) * 100 / total, 2) if total else 0.0 for v in n]


def write_forms(marks_path: Path, journal_path: Path, d: dict, R: dict) -> None:
    """The two aggregate forms of the full delivery, with a federal «Вся выборка» row first."""
    mark, journal = d["mark"].astype(int), d["journal"].astype(int)
    groups = _groups(d, R)
    region_n = len(mark)
    reg_marks = np.array(_pct(np.bincount(mark, minlength=6)[2:6], region_n))
    for path, form in ((marks_path, FORM_MARKS), (journal_path, FORM_JOURNAL)):
        wb = W._workbook(path, d["year"])
        ws = wb.add_worksheet(f"{SUBJECT_ABBR.get(d['subject'], 'ВПР')} {d['grade']} {form}"[:31])
        bold = wb.add_format({"bold": True})
        _top(ws, d, form, bold)
        if form == FORM_MARKS:
            header = ["Группы участников", "Кол-во ОО", "Кол-во участников", "2", "3", "4", "5"]
            fed = np.round(0.8 * FEDERAL_MARKS + 0.2 * reg_marks, 2)
            body = [["Вся выборка", 30000 + 7 * R["n_schools"], 1200000 + 17 * region_n, *fed.tolist()]]
            for name, rows, n_sch in groups:
                c = np.bincount(mark[rows], minlength=6)[2:6]
                body.append([name, n_sch, len(rows), *_pct(c, len(rows))])
        else:
            header = ["Группы участников", "Кол-во участников(всего)", "Понизили (Отметка < Отметка по журналу) %",
                      "Кол-во участников", "Подтвердили (Отметка = Отметке по журналу) %", "Кол-во участников",
                      "Повысили (Отметка > Отметка по журналу) %", "Кол-во участников"]
            fed_n = 1100000 + 13 * region_n
            fed = FEDERAL_JOURNAL
            body = [["Вся выборка", fed_n, *[v for p in fed.tolist() for v in (p, int(round(fed_n * p / 100)))]]]
            for name, rows, _n in groups:
                both = rows[journal[rows] > 0]
                m, j = mark[both], journal[both]
                c = np.array([(m < j).sum(), (m == j).sum(), (m > j).sum()])
                body.append([name, len(both), *[v for p, n in zip(_pct(c, len(both)), c.tolist()) for v in (p, n)]])
        for j, h in enumerate(header):
            ws.write_string(7, j, h, bold)
        for i, row in enumerate(body):
            ws.write_string(8 + i, 0, row[0])
            for j, v in enumerate(row[1:]):
                ws.write_number(8 + i, 1 + j, v)
        wb.close()


def write_work(inbox: Path, d: dict, R: dict, k: int, cut_short: int = 0) -> list[dict]:
    """Write work number `k` of its year (`R` = `region_context`); returns the manifest entries.

    `cut_short` > 0 removes that many pupils of the work's first school from its download.
    """
    y, subj, grade = d["year"], S.VPR_SUBJECT_FILE[d["subject"]], d["grade"]
    base = f"vpr/{y}/{subj}_{grade}"
    meta = {"kind": "vpr", "year": y, "subject": d["subject"], "grade": grade}
    order = np.lexsort((d["code"], d["school"], d["mo_idx"]))
    school = d["school"]
    announced = {int(s): int(n) for s, n in zip(*np.unique(school, return_counts=True))}
    entries = []
    if cut_short:
        first = int(school[order[0]])
        drop = order[school[order] == first][-cut_short:]
        order = order[~np.isin(order, drop)]
        entries.append({"file": None, "cut_short": {"login": str(d["login"][drop[0]]), "announced": announced[first],
                                                    "present": announced[first] - len(drop)}})
    mode = mode_of(k)
    if mode == "second":
        rel = f"{base}/vpr_{y}_{subj}_{grade}.xlsx"
        W.write_vpr_xlsx(inbox / rel, {**d, **{key: d[key][order] for key in _PUPIL_KEYS}})
        entries.append({"file": rel, "layout": "second", **meta, "rows": len(order)})
    elif mode == "region":
        rel = f"{base}/Индивидуальные результаты ({REGION_TITLE}).xlsx"
        write_individual(inbox / rel, d, order, announced)
        entries.append({"file": rel, "layout": "fisoko-region", **meta, "rows": len(order)})
    else:
        for m in np.unique(d["mo_idx"][order]).tolist():
            rows = order[d["mo_idx"][order] == m]
            rel = f"{base}/Индивидуальные результаты ({R['mo_codes'][m]}).xlsx"
            write_individual(inbox / rel, d, rows, announced)
            entries.append({"file": rel, "layout": "fisoko-municipal", **meta, "rows": len(rows)})
    mrel, jrel = f"{base}/{FORM_MARKS}.xlsx", f"{base}/{FORM_JOURNAL}.xlsx"
    write_forms(inbox / mrel, inbox / jrel, d, R)
    entries += [{"file": mrel, "kind": "vpr_forms", "year": y, "form": "marks"},
                {"file": jrel, "kind": "vpr_forms", "year": y, "form": "journal"}]
    cut = next((e["cut_short"] for e in entries if "cut_short" in e), None)
    entries = [e for e in entries if e["file"] is not None]
    if cut:
        for e in entries:
            if e["kind"] == "vpr":
                e["cut_short"] = cut
    return entries


_PUPIL_KEYS = ("login", "mo", "name", "code", "letter", "variant", "scores", "primary", "mark", "journal", "school",
               "mo_idx")


def payload(work, R) -> dict:
    """The second layout's payload plus each pupil's school and municipality index."""
    d = W.vpr_payload(work, R)
    d["school"] = np.asarray(work.school)
    d["mo_idx"] = np.asarray(R.schools["mo"][work.school])
    return d


def write_job(job: tuple) -> list[dict]:
    """One work's files (a process-pool task): (inbox, payload, region context, k, cut_short)."""
    return write_work(*job)
