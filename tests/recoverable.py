"""An independent check of complementary suppression: which hidden numbers a reader can compute.

A second, deliberately different implementation from `reports.suppression.complementary`: it
knows nothing of «the smallest other part». It writes every line as the equation
total − Σ parts = 0, moves the printed numbers to the right-hand side and asks linear algebra
whether a hidden number is fixed by the system: hidden key k is recoverable exactly when the unit
vector e_k lies in the row space of the equations restricted to the hidden keys (the rank does not
grow when e_k is appended). That covers subtraction in one line and any combination of lines.
"""
from __future__ import annotations

from typing import Hashable, Iterable, Sequence

import numpy as np


def recoverable(lines: Iterable[tuple[Hashable, Sequence[Hashable]]], hidden: set) -> set:
    """The hidden keys that the printed numbers and the lines' totals determine exactly."""
    lines = list(lines)
    unknown = sorted({k for total, parts in lines for k in (total, *parts) if k in hidden}, key=repr)
    if not unknown:
        return set()
    col = {k: i for i, k in enumerate(unknown)}
    rows = []
    for total, parts in lines:
        row = np.zeros(len(unknown))
        if total in col:
            row[col[total]] += 1.0
        for p in parts:
            if p in col:
                row[col[p]] -= 1.0
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    out = set()
    for k, i in col.items():
        e = np.zeros(len(unknown))
        e[i] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            out.add(k)
    return out


# --- reading a published HTML table back row by row ------------------------------------------

from dataclasses import dataclass, field  # noqa: E402
from html.parser import HTMLParser  # noqa: E402
from pathlib import Path  # noqa: E402


@dataclass
class HtmlRow:
    cells: list[str]
    group: str | None
    emphasis: bool = False
    header: bool = False


@dataclass
class HtmlTable:
    key: str
    columns: list[str] = field(default_factory=list)
    rows: list[HtmlRow] = field(default_factory=list)


class _Tables(HTMLParser):
    """The report's data tables as printed: columns, and body rows with their group heading."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[HtmlTable] = []
        self._t: HtmlTable | None = None
        self._group: str | None = None
        self._row: HtmlRow | None = None
        self._cell: str | None = None
        self._kind = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "data-key" in a:
            self._t = HtmlTable(a["data-key"])
            self.tables.append(self._t)
        elif self._t is None:
            return
        elif tag == "thead":
            self._kind = "head"
        elif tag == "tbody":
            self._kind, self._group = "body", None
        elif tag == "tr":
            cls = a.get("class") or ""
            self._row = HtmlRow([], self._group, "emph" in cls, "subhead" in cls)
            self._kind = "group" if "group" in cls.split() else self._kind if self._kind == "head" else "body"
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if self._t is None:
            return
        if tag in ("td", "th") and self._cell is not None:
            text, self._cell = self._cell.strip(), None
            if self._kind == "head":
                self._t.columns.append(text)
            elif self._kind == "group":
                self._group = text
            elif self._row is not None:
                self._row.cells.append(text)
        elif tag == "tr":
            if self._kind in ("body",) and self._row is not None and self._row.cells:
                self._t.rows.append(self._row)
            if self._kind == "group":
                self._kind = "body"
            self._row = None
        elif tag == "table":
            self._t = None


def html_tables(path: Path) -> dict[str, list[HtmlTable]]:
    """Every data table of a published HTML page by its key (a key may repeat: the list)."""
    p = _Tables()
    p.feed(Path(path).read_text(encoding="utf-8"))
    out: dict[str, list[HtmlTable]] = {}
    for t in p.tables:
        out.setdefault(t.key, []).append(t)
    return out
