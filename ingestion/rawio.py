"""Writing rows into `raw.*`: one registered DataFrame per insert, never row by row.

Columns are matched by name against the table (`insert … by name`), so the frame may carry
its values as floats (NaN → NULL) or datetime64 and DuckDB casts to the declared types. Audit
columns come in as query parameters rather than as repeated values in the frame.
"""
from __future__ import annotations

import datetime as dt
import itertools
import json

import duckdb
import numpy as np
import pandas as pd

_counter = itertools.count()


class Audit:
    """The audit values shared by every row of one load."""

    def __init__(self, load_id: str, source_file: str, sha256: str, loaded_at: dt.datetime):
        self.load_id = load_id
        self.source_file = source_file
        self.sha256 = sha256
        self.loaded_at = loaded_at


_COLUMNS: dict[str, list[str]] = {}


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Column names of raw.<table> (cached: the raw DDL is fixed in schema.py)."""
    if table not in _COLUMNS:
        _COLUMNS[table] = _query_columns(con, table)
    return _COLUMNS[table]


def _query_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ?"
        " order by ordinal_position", [table]).fetchall()]


def extra_json(frame: pd.DataFrame, extras: list[str]) -> np.ndarray | None:
    """Unknown columns of each row as a JSON object text (None when a row has none)."""
    extras = [e for e in extras if e in frame]
    if not extras:
        return None
    labels = [e.split(":", 1)[1] for e in extras]
    values = frame[extras].to_numpy(dtype=object)
    out = np.full(len(frame), None, dtype=object)
    for i, row in enumerate(values):
        d = {k: v for k, v in zip(labels, row) if v is not None and v == v}
        if d:
            out[i] = json.dumps(d, ensure_ascii=False)
    return out


def insert(con: duckdb.DuckDBPyConnection, table: str, data: dict[str, object], rows: np.ndarray, audit: Audit) -> int:
    """Insert `data` (column → array) with `_source_row` = rows into raw.<table>; returns the row count."""
    n = len(rows)
    if n == 0:
        return 0
    cols = set(table_columns(con, table))
    frame = pd.DataFrame({k: v for k, v in data.items() if k in cols})
    frame["_source_row"] = np.asarray(rows, dtype=np.int64)
    name = f"_ingest_{next(_counter)}"
    con.register(name, frame)
    try:
        con.execute(
            f"insert into raw.{table} by name select *, ? as _load_id, ? as _source_file, ? as _source_sha256,"
            f" ?::timestamp as _loaded_at from {name}",
            [audit.load_id, audit.source_file, audit.sha256, audit.loaded_at])
    finally:
        con.unregister(name)
    return n


def insert_select(con: duckdb.DuckDBPyConnection, table: str, select_sql: str, frames: dict[str, pd.DataFrame],
                  params: dict, audit: Audit) -> None:
    """Insert the result of `select_sql` (over `frames`, named `{name}` in it) into raw.<table>, with audit.

    Used where a join in DuckDB beats materialising strings in pandas (task cells: the
    pupil's codes and the task's label are joined in SQL, not repeated per cell in Python).
    """
    names = {k: f"_ingest_{next(_counter)}_{k}" for k in frames}
    sql = select_sql.format(**names)
    for k, df in frames.items():
        con.register(names[k], df)
    try:
        con.execute(f"insert into raw.{table} by name select *, $load_id as _load_id, $source_file as _source_file,"
                    f" $sha as _source_sha256, $loaded_at::timestamp as _loaded_at from ({sql})",
                    {**params, "load_id": audit.load_id, "source_file": audit.source_file, "sha": audit.sha256,
                     "loaded_at": audit.loaded_at})
    finally:
        for v in names.values():
            con.unregister(v)
