"""Writers: `;`-separated CSV and the ФИС ОКО-like XLSX layouts (xlsxwriter, constant memory)."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from . import _spec as S

VPR_SHEET = "Индивидуальные результаты"


def write_csv(path: Path, df: pd.DataFrame, *, encoding: str = "utf-8", sep: str = ";") -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = [c for c in df.columns if not str(c).startswith("_")]
    df[cols].to_csv(path, sep=sep, index=False, encoding=encoding, lineterminator="\n")
    return len(df)


def _workbook(path: Path, year: int) -> xlsxwriter.Workbook:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    # fixed metadata so that the same seed gives byte-identical files
    wb.set_properties({"title": "Синтетические данные", "author": "synthetic generator (rsoko)",
                       "created": dt.datetime(year, 6, 1, 12, 0, 0)})
    return wb


def vpr_payload(work, R) -> dict:
    """Plain arrays for writing one ВПР work (picklable for a process pool)."""
    sch = R.schools
    return {
        "year": work.year, "subject": work.subject, "grade": work.grade, "date": work.date,
        "max": work.max, "x_char": work.x_char,
        "levels": [t.level for t in work.tasks],
        "headers": [S.task_header(t) for t in work.tasks],
        "login": sch["login"][work.school], "mo": np.array(R.mo_names, dtype=object)[sch["mo"][work.school]],
        "name": sch["short"][work.school], "code": work.code, "letter": work.letter,
        "variant": work.variant, "scores": work.scores, "primary": work.primary, "mark": work.mark,
        "journal": work.journal,
    }


def write_vpr_xlsx(path: Path, d: dict) -> None:
    wb = _workbook(path, d["year"])
    ws = wb.add_worksheet(VPR_SHEET)
    bold = wb.add_format({"bold": True})
    T = len(d["headers"])
    ws.merge_range(0, 0, 0, 7, f"ВПР {d['year']}. {d['subject']}. {d['grade']} класс", bold)
    ws.write_string(1, 0, "Предмет:"); ws.write_string(1, 1, d["subject"])
    ws.write_string(2, 0, "Класс:"); ws.write_number(2, 1, d["grade"])
    ws.write_string(3, 0, "Максимальный первичный балл:"); ws.write_number(3, 1, d["max"])
    ws.write_string(4, 0, "Дата:"); ws.write_string(4, 1, d["date"])
    for j, lv in enumerate(d["levels"]):
        ws.write_string(6, 6 + j, lv)
    header = ["Логин ОО", "Муниципалитет", "Название ОО", "Код участника", "Класс", "Вариант",
              *d["headers"], "Первичный балл", "Отметка", "Отметка по журналу"]
    for j, h in enumerate(header):
        ws.write_string(7, j, h, bold)
    grade = str(d["grade"])
    login, mo, name = d["login"].tolist(), d["mo"].tolist(), d["name"].tolist()
    code = [f"{c:05d}" for c in d["code"].tolist()]
    cls = [grade + S.CLASS_LETTERS[l] for l in d["letter"].tolist()]
    variant, scores = d["variant"].tolist(), d["scores"].tolist()
    primary, mark, journal = d["primary"].tolist(), d["mark"].tolist(), d["journal"].tolist()
    x = d["x_char"]
    ws_s, ws_n = ws.write_string, ws.write_number
    cp, cm, cj = 6 + T, 7 + T, 8 + T
    for i in range(len(login)):
        r = 8 + i
        ws_s(r, 0, login[i]); ws_s(r, 1, mo[i]); ws_s(r, 2, name[i]); ws_s(r, 3, code[i])
        ws_s(r, 4, cls[i]); ws_n(r, 5, variant[i])
        c = 6
        for v in scores[i]:
            if v < 0:
                ws_s(r, c, x)
            else:
                ws_n(r, c, v)
            c += 1
        ws_n(r, cp, primary[i]); ws_n(r, cm, mark[i])
        if journal[i]:
            ws_n(r, cj, journal[i])
    wb.close()


def write_niko_xlsx(path: Path, d: dict) -> None:
    wb = _workbook(path, d["year"])
    ws = wb.add_worksheet("Результаты")
    ws.write_string(0, 0, f"НИКО {d['year']}. {d['subject']}. {d['grade']} класс")
    header = ["Логин ОО", "Код участника", "Класс", *d["headers"], "Первичный балл", "Уровень подготовки"]
    for j, h in enumerate(header):
        ws.write_string(1, j, h)
    T = len(d["headers"])
    login, code, cls = d["login"].tolist(), d["code"], d["cls"].tolist()
    scores, primary, level = d["scores"].tolist(), d["primary"].tolist(), d["level"].tolist()
    for i in range(len(login)):
        r = 2 + i
        ws.write_string(r, 0, login[i]); ws.write_string(r, 1, code[i]); ws.write_string(r, 2, cls[i])
        for j, v in enumerate(scores[i]):
            ws.write_number(r, 3 + j, v)
        ws.write_number(r, 3 + T, primary[i]); ws.write_string(r, 4 + T, level[i])
    ws2 = wb.add_worksheet("Анкета")
    q = d["answers"]
    ws2.write_string(0, 0, "Код участника")
    for j in range(q.shape[1]):
        ws2.write_string(0, 1 + j, f"В{j + 1}")
    ql = q.tolist()
    for i in range(len(code)):
        ws2.write_string(1 + i, 0, code[i])
        for j, v in enumerate(ql[i]):
            if v > 0:
                ws2.write_number(1 + i, 1 + j, v)
    wb.close()


def set_mtime(path: Path, when: dt.datetime) -> None:
    ts = when.replace(tzinfo=dt.timezone.utc).timestamp()
    os.utime(path, (ts, ts))
