"""What ВПР and НИКО files share: the title `ВПР 2025. Математика. 4 класс` and task columns.

Task columns are headed `N (Kб)`: the task label N (`7`, `9.1`, `2К1`) and its maximum K. A
task cell holds 0…K or `X`/`Х` (Latin or Cyrillic) — not applicable or not checked — read as
null. The wide task block is kept as one float matrix plus the text of cells that are not
whole numbers, so the suites can report them and loading can unpivot them in one step.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ingestion.readers.vpr_plan import norm_task
from ingestion.text import norm_subject

TASK_HEADER = re.compile(r"^\s*(?P<label>[^()\s][^()]*?)\s*\(\s*(?P<max>\d+)\s*(?:б|b|балл\w*)\.?\s*\)\s*$", re.I)
NOT_CHECKED = frozenset({"X", "Х", "x", "х", "-", "—", "–"})  # `-`/`—`: not applicable (ФИС ОКО)


def title_pattern(procedure: str) -> re.Pattern:
    return re.compile(rf"^\s*{procedure}\s*(?P<year>\d{{4}})\s*[.,]?\s*(?P<subject>.+?)\s*[.,]\s*(?P<grade>\d{{1,2}})\s*-?\s*(?:й\s*)?класс\w*\.?\s*$", re.I)


@dataclass
class Title:
    year: int
    subject: str
    grade: int


def parse_title(text: str | None, procedure: str) -> Title | None:
    if not text:
        return None
    m = title_pattern(procedure).match(" ".join(text.split()))
    if not m:
        return None
    return Title(int(m["year"]), norm_subject(m["subject"]), int(m["grade"]))


def first_text(row: list[str | None]) -> str | None:
    return next((c for c in row if c), None)


@dataclass
class TaskColumn:
    label: str        # normalised task label (as in the plan)
    header: str       # the header as written, for messages
    max: int          # K from the header
    position: int     # column position in the table
    level: str | None = None


def task_columns(header: list[str]) -> list[TaskColumn]:
    out = []
    for pos, name in enumerate(header):
        m = TASK_HEADER.match(name or "")
        if m:
            out.append(TaskColumn(norm_task(m["label"]), name, int(m["max"]), pos))
    return out


def task_column(table, pos: int) -> tuple[np.ndarray, np.ndarray]:
    """One task column: floats (NaN for X/Х, blank and bad cells) and the text of bad cells.

    A fractional score is bad too: scores are whole numbers.
    """
    return _whole(table, pos, *table.numbers(pos, NOT_CHECKED))


def task_block(table, positions: list[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    """`task_column` of every task column at once (`Table.numbers_block`)."""
    return [_whole(table, pos, values, bad)
            for pos, (values, bad) in zip(positions, table.numbers_block(positions, NOT_CHECKED))]


def _whole(table, pos: int, values: np.ndarray, bad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    frac = ~np.isnan(values) & ((values != np.floor(values)) | (np.abs(values) >= 2 ** 31))
    if frac.any():
        bad = bad.copy()
        bad[frac] = table.text(pos)[frac]
        values = np.where(frac, np.nan, values)
    return values, bad


class WorkFileReader:
    """Recognition shared by the per-work readers (ВПР, НИКО): both locate the sheet, header
    row and title once (`_layout`, cached on the source) and answer kind and year from it."""

    def _layout(self, src):  # -> (sheet, header_row, Title | None) | None
        raise NotImplementedError

    def score(self, src) -> float:
        return 1.0 if self._layout(src) else 0.0

    def recognise(self, src) -> bool:
        return self._layout(src) is not None

    def year(self, src) -> int | None:
        found = self._layout(src)
        return found[2].year if found and found[2] else None
