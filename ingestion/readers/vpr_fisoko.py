"""The current ФИС ОКО layout of ВПР «Индивидуальные результаты» (downloads of 2024–2026).

```
row 1  Индивидуальные результаты                    (the form's name)
row 3  ВПР 2026 Русский язык 4 класс                (title without dots)
row 4  Предмет: | …   row 5  Максимальный первичный балл: | …   row 6  Дата: | ДД.ММ.ГГГГ
row 7  Уровень сложности задания, then Б/П above each task column
row 8  ОО | Муниципалитет | Название ОО | Код участника | Класс | Вариант | tasks … | Отметка по журналу
row 9  МБОУ «СОШ № 1»(edu860123) | Кол-во участников: 89     (a group row)
```
What differs from the second layout lives here: the title anywhere in the first rows, the
group rows (structure, not data: dropped before anything counts rows, their announced number
checked against the pupil rows that follow), and the `edu`/`sch` login rule, which needs the
register and so is applied by the loader (`canonical_logins`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ingestion.convert import set_object
from ingestion.readers.works import Title
from ingestion.source import Table
from ingestion.text import norm_header, norm_subject

# «ВПР 2026 Русский язык 4 класс» (also with dots or commas, as in the second layout)
TITLE = re.compile(r"^\s*ВПР\s*(?P<year>\d{4})\s*[.,]?\s*(?P<subject>.+?)\s*[.,]?\s*(?P<grade>\d{1,2})\s*-?\s*(?:й\s*)?класс\w*\.?\s*$", re.I)
GROUP_COUNT = re.compile(r"кол-?\s*во\s+участников\s*:?\s*(\d+)", re.I)
GROUP_LOGIN = re.compile(r"\(\s*((?:edu|sch)\d{6})\s*\)", re.I)
LOGIN = re.compile(r"^(edu|sch)(\d{6})$", re.I)
NO_MARK = frozenset({"нет отметки", "нет", "н/о"})


def find_title(rows: list[list[str | None]]) -> Title | None:
    """The first row (of those above the header) whose first cell is a ВПР title."""
    for row in rows:
        text = next((c for c in row if c), None)
        m = TITLE.match(" ".join(text.split())) if text else None
        if m:
            return Title(int(m["year"]), norm_subject(m["subject"]), int(m["grade"]))
    return None


@dataclass
class Group:
    """One group row: the school it announces and how many pupil rows it says follow."""

    row: int            # spreadsheet row
    name: str           # the text as written (name with the login in brackets)
    announced: int
    present: int = 0


def group_rows(table: Table, code_pos: int | None) -> tuple[np.ndarray, list[Group]]:
    """(mask of group rows, the groups with the pupil rows counted under each).

    A group row carries `Кол-во участников: N` in its first two cells and no participant code.
    """
    n = len(table.rows)
    if n == 0 or table.width == 0:
        return np.zeros(n, dtype=bool), []
    # candidates: rows without a participant code (pupil rows, the bulk, are not searched);
    # they are few (a group row per school), so they are looked at one by one: pandas' text
    # methods cost more per call than a file's group rows
    cand = np.flatnonzero(pd.isna(table.text(code_pos))) if code_pos is not None else np.arange(n)
    col0 = table.text(0)
    col1 = table.text(1) if table.width > 1 else None
    mask = np.zeros(n, dtype=bool)
    groups: list[Group] = []
    found: list[tuple[int, str, str, int]] = []   # (table position, first cell, second cell, count)
    for i in cand:
        first = col0[i] or ""
        second = (col1[i] or "") if col1 is not None else ""
        m = GROUP_COUNT.search(first + " " + second)
        if m:
            mask[i] = True
            found.append((int(i), first, second, int(m.group(1))))
    bounds = [i for i, *_ in found] + [n]
    for k, (i, first, second, count) in enumerate(found):
        name = first.split("|")[0].strip() or second
        name = GROUP_COUNT.sub("", name).strip(" |:")
        groups.append(Group(int(table.rows[i]), name, count, int(bounds[k + 1] - i - 1)))
    return mask, groups


def drop_rows(table: Table, drop: np.ndarray) -> Table:
    """The same table without the rows in `drop` (cached column texts kept in step)."""
    keep = ~drop
    out = Table(table.sheet, table.header_row, table.top, table.header, table.cells[keep], table.rows[keep],
                all_text=table.all_text)
    out._text = {j: t[keep] for j, t in table._text.items()}
    return out


def group_notes(groups: list[Group]) -> list[str]:
    """Ledger notes for groups whose announced count differs from the rows present."""
    bad = [g for g in groups if g.announced != g.present]
    if not bad:
        return []
    items = [f"группа «{g.name}» (строка {g.row}): заявлено {g.announced} участников, в файле {g.present}" for g in bad]
    more = f" и ещё {len(items) - 5} групп" if len(items) > 5 else ""
    return ["выгрузка неполная: " + "; ".join(items[:5]) + more]


def null_no_mark(frame: pd.DataFrame, field: str) -> None:
    """`нет отметки` in a mark column is a blank, not a bad cell."""
    bad = f"{field}__bad"
    if bad not in frame:
        return
    b = frame[bad].to_numpy(dtype=object)
    present = np.flatnonzero(pd.notna(b))
    if not len(present):
        return
    hit = np.array([norm_header(v) in NO_MARK for v in b[present]], dtype=bool)
    if hit.any():  # the column replaced at once: a `.loc` assignment cost more than the check
        b = b.copy()
        b[present[hit]] = None
        set_object(frame, bad, b)


@lru_cache(maxsize=4)
def _logins_by_digits(known: frozenset[str]) -> dict[str, str]:
    """The register's logins by their 6 digits (the same register serves every file of a load)."""
    by_digits: dict[str, str] = {}
    for k in sorted(known):
        m = LOGIN.match(k)
        if m:
            by_digits.setdefault(m[2], k)
    return by_digits


def canonical_logins(logins: np.ndarray, known: frozenset[str]) -> tuple[np.ndarray, list[str]]:
    """Logins not in the register but whose 6 digits are, under the other prefix → the register's.

    `edu860123` and `sch860123` are the same school in different systems and years; the
    note lists the pairs matched that way, for the ledger.
    """
    by_digits = _logins_by_digits(known)
    # plain Python over a file's few hundred logins: pandas' where/map/isin cost more per file
    uniq = {u for u in logins if u is not None and u == u and u not in known}
    mapping = {}
    for u in uniq:
        m = LOGIN.match(str(u).strip())
        if m and m[2] in by_digits:
            mapping[u] = by_digits[m[2]]
    if not mapping:
        return logins, []
    out = np.array([mapping.get(v, v) for v in logins], dtype=object)
    pairs = sorted(f"{a} → {b}" for a, b in mapping.items())
    more = f" и ещё {len(pairs) - 5}" if len(pairs) > 5 else ""
    return out, [f"логин ОО найден в реестре по тем же 6 цифрам с другим префиксом: {', '.join(pairs[:5])}{more}"]
