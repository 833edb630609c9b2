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
