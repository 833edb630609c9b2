"""ФИС ОКО aggregate forms of a ВПР work (input contract §9): one reader, kind `vpr_forms`.

```
row 1  Статистика по отметкам   |   Сравнение отметок с отметками по журналу   (the form's name)
row 3  ВПР 2026 Русский язык 4 класс
row 4–6 Предмет: … / Максимальный первичный балл: … / Дата: …
row 8  Группы участников | Кол-во ОО | Кол-во участников | 2 | 3 | 4 | 5                 («Статистика»)
row 8  Группы участников | Кол-во участников(всего) | Понизили (…) % | Кол-во участников
       | Подтвердили (…) % | Кол-во участников | Повысили (…) % | Кол-во участников    («Сравнение»)
row 9… Вся выборка; the region by name; <name>(reg86_m001); <name>(sch860123) …
```
Each group row is a data row (loaded or quarantined). The reader classifies it by its text only
— `russia` for «Вся выборка», `municipality` for `(regNN_mNNN)`, `school` for `(edu|sch NNNNNN)`,
`region` otherwise — and keeps the bracketed code; matching to the register happens in dbt.
Mark and category columns of «Статистика» hold percentages (fractions allowed).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ingestion.convert import object_frame
from ingestion.readers.base import FileError, ParsedFile
from ingestion.readers.vpr_fisoko import find_title
from ingestion.source import Source, Table
from ingestion.text import norm_header

FORMS = {"статистика по отметкам": "marks", "сравнение отметок с отметками по журналу": "journal"}
FORM_TITLES = {"marks": "Статистика по отметкам", "journal": "Сравнение отметок с отметками по журналу"}
GROUP_HEADER = "группы участников"
MO_CODE = re.compile(r"\(\s*reg(\d+)_m(\d+)\s*\)\s*$", re.I)
SCHOOL_LOGIN = re.compile(r"\(\s*((?:edu|sch)\d{6})\s*\)\s*$", re.I)
CATEGORIES = {"понизили": "lowered", "подтвердили": "confirmed", "повысили": "raised"}
# raw field -> header as the contract writes it (for messages when a column is missing)
LABELS = {"schools": "Кол-во ОО", "participants": "Кол-во участников", "mark2": "2", "mark3": "3", "mark4": "4",
          "mark5": "5", "lowered_pct": "Понизили (Отметка < Отметка по журналу) %", "lowered": "Кол-во участников",
          "confirmed_pct": "Подтвердили (Отметка = Отметке по журналу) %", "confirmed": "Кол-во участников",
          "raised_pct": "Повысили (Отметка > Отметка по журналу) %", "raised": "Кол-во участников"}
NUMBER_FIELDS = list(LABELS)


def form_of(rows: list[list[str | None]]) -> str | None:
    """`marks` / `journal` when a cell of the first rows names the form (sheet names are cut)."""
    for row in rows[:4]:
        for c in row:
            key = norm_header(c)
            for name, form in FORMS.items():
                if key.startswith(name):
                    return form
    return None


def form_of_sheet(name: str, rows: list[list[str | None]]) -> str | None:
    """The form from the sheet name (`МА 4 Сравнение отметок с отметк`, cut at 31 characters) or,
    failing that, from a `Группы участников` header: category columns → «Сравнение», marks → «Статистика»."""
    key = norm_header(name)
    if "статистика по отметкам" in key:
        return "marks"
    if "сравнение отметок" in key:
        return "journal"
    for row in rows:
        keys = [norm_header(c) for c in row if c]
        if keys and keys[0] == GROUP_HEADER:
            if any(k.startswith("понизили") for k in keys):
                return "journal"
            if {"2", "3", "4", "5"} <= set(keys):
                return "marks"
    return None


def layout(src: Source):
    """(sheet, header row, title, form) of the first sheet that is an aggregate form, or None."""
    for head in src.heads:
        form = form_of(head.rows) or form_of_sheet(head.name, head.rows)
        if form is None:
            continue
        for i, row in enumerate(head.rows):
            if row and norm_header(next((c for c in row if c), None)) == GROUP_HEADER:
                return head.name, i + 1, find_title(head.rows[:i]), form
        return head.name, -1, find_title(head.rows), form
    return None


def columns(header: list[str], form: str) -> dict[str, int]:
    """Field -> position. «Сравнение»: the count of a category is the column after its share."""
    keys = [norm_header(h) for h in header]
    out: dict[str, int] = {}
    if form == "marks":
        for pos, k in enumerate(keys):
            if k == "кол-во оо":
                out.setdefault("schools", pos)
            elif k.startswith("кол-во участников"):
                out.setdefault("participants", pos)
            elif k in ("2", "3", "4", "5"):
                out.setdefault(f"mark{k}", pos)
        return out
    for pos, k in enumerate(keys):
        cat = next((v for w, v in CATEGORIES.items() if k.startswith(w)), None)
        if cat is not None and f"{cat}_pct" not in out:
            out[f"{cat}_pct"] = pos
            if pos + 1 < len(keys) and keys[pos + 1].startswith("кол-во участников"):
                out[cat] = pos + 1
        elif k.startswith("кол-во участников") and "participants" not in out and not out:
            out["participants"] = pos
    return out


def classify(names: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(level, login, municipality number) of each group name, from its text alone.

    Row by row: a form has a row per school of the file, and pandas' text methods cost more
    per call than those rows.
    """
    n = len(names)
    level = np.empty(n, dtype=object)
    login = np.full(n, None, dtype=object)
    mo = np.full(n, None, dtype=object)
    for i, v in enumerate(names.tolist()):
        s = "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()
        lg = SCHOOL_LOGIN.search(s)
        m = MO_CODE.search(s)
        login[i] = lg.group(1).lower() if lg else None
        mo[i] = m.group(2) if m else None
        level[i] = ("russia" if norm_header(s) == "вся выборка" else "municipality" if m else
                    "school" if lg else "region")
    return level, login, mo


class VprFormsReader:
    kind = "vpr_forms"

    def _layout(self, src: Source):
        if "vpr_forms" not in src.cache:
            src.cache["vpr_forms"] = layout(src)
        return src.cache["vpr_forms"]

    def score(self, src: Source) -> float:
        found = self._layout(src)
        return 1.0 if found and (found[1] > 0 or found[2] is not None) else 0.0

    def recognise(self, src: Source) -> bool:
        return self.score(src) > 0

    def year(self, src: Source) -> int | None:
        found = self._layout(src)
        return found[2].year if found and found[2] else None

    def read(self, src: Source) -> ParsedFile:
        sheet, header_row, title, form = self._layout(src)
        if header_row < 0:
            raise FileError("не найдена строка заголовка «Группы участников»")
        table = src.table(sheet, header_row)
        if title is None:
            raise FileError("над таблицей нет заголовка «ВПР ГГГГ Предмет N класс»", row=3, column="заголовок",
                            rows_read=len(table.rows))
        fields = columns(table.header, form)
        need = ["participants", "mark2", "mark3", "mark4", "mark5"] if form == "marks" else \
            ["lowered_pct", "lowered", "confirmed_pct", "confirmed", "raised_pct", "raised"]
        missing = [LABELS[f] for f in need if f not in fields]
        if missing:
            raise FileError(f"в строке заголовка {header_row} формы «{FORM_TITLES[form]}» нет столбцов "
                            + ", ".join(f"«{m}»" for m in missing), row=header_row, column=missing[0],
                            rows_read=len(table.rows))
        frame = self._frame(table, fields, title, form)
        cols = {"group_name": table.header[0] or "Группы участников",
                **{f: table.header[fields[f]] if f in fields else LABELS[f] for f in NUMBER_FIELDS}}
        return ParsedFile(self.kind, title.year, frame, cols, [],
                          meta={"subject": title.subject, "grade": title.grade, "form": form})

    @staticmethod
    def _frame(table: Table, fields: dict[str, int], title, form: str) -> pd.DataFrame:
        n = len(table.rows)
        names = pd.Series(table.text(0), dtype=object)
        level, login, mo = classify(names)
        out: dict[str, object] = {"_row": table.rows, "year": np.full(n, title.year), "subject":
                                  np.full(n, title.subject, dtype=object), "grade": np.full(n, title.grade),
                                  "form": np.full(n, form, dtype=object), "group_name": names.to_numpy(dtype=object),
                                  "group_order": np.arange(1, n + 1), "group_level": level, "group_login": login,
                                  "group_mo_number": mo}
        for f in NUMBER_FIELDS:
            if f in fields:
                out[f], out[f"{f}__bad"] = table.numbers(fields[f], frozenset({"-", "—"}))
            else:
                out[f], out[f"{f}__bad"] = np.full(n, np.nan), np.full(n, None, dtype=object)
        return object_frame(out)
