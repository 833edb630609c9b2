"""Writing rows into `raw.*`: the rows of a batch of files staged per table, one insert per table.

A file's rows are staged (`Batch.insert`, `Batch.insert_select`) and the batch is written by
`Batch.flush` with one statement per table. Why: a DuckDB insert from a registered DataFrame has
a fixed cost of several milliseconds (registering, scanning the frame's types, planning), which
for the real layouts — hundreds of small РЦОИ protocols and ФИС ОКО downloads — cost more than
the rows themselves; one statement per table and batch pays it once.

Columns are matched by name against the table (`insert … by name`), so a frame may carry its
values as floats (NaN → NULL) or datetime64 and DuckDB casts to the declared types. The audit
columns are categoricals (a code per row, the texts once per file), so repeating them per row
costs numbers, not strings.
"""
from __future__ import annotations

import datetime as dt
import itertools
import json

import duckdb
import numpy as np
import pandas as pd

from ingestion.convert import object_frame

_counter = itertools.count()
AUDIT = ("_load_id", "_source_file", "_source_sha256", "_loaded_at")


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


class Batch:
    """The raw rows of a batch of files, staged per table and written by `flush`.

    Files are numbered in the order they are first staged; rows keep that order (one file's
    rows after the previous file's), as if each file had been inserted in turn.
    """

    def __init__(self) -> None:
        self._audits: list[Audit] = []
        self._index: dict[int, int] = {}                     # id(audit) -> file number
        self._rows: dict[str, list[tuple[int, dict[str, np.ndarray]]]] = {}
        self._selects: dict[tuple[str, str], dict] = {}       # (table, sql) -> frames and file parameters

    def _file(self, audit: Audit) -> int:
        if id(audit) not in self._index:
            self._index[id(audit)] = len(self._audits)
            self._audits.append(audit)
        return self._index[id(audit)]

    def insert(self, table: str, data: dict[str, object], rows: np.ndarray, audit: Audit) -> int:
        """Stage `data` (column → array) with `_source_row` = rows for raw.<table>; returns the row count."""
        n = len(rows)
        if n == 0:
            return 0
        cols = {k: np.asarray(v) if not isinstance(v, pd.Categorical) else v for k, v in data.items()}
        cols["_source_row"] = np.asarray(rows, dtype=np.int64)
        self._rows.setdefault(table, []).append((self._file(audit), cols))
        return n

    def insert_select(self, table: str, select_sql: str, frames: dict[str, dict[str, np.ndarray] | pd.DataFrame],
                      params: dict, audit: Audit) -> None:
        """Stage the rows of `select_sql` over `frames` (named `{name}` in it) for raw.<table>.

        Used where a join in DuckDB beats materialising strings in pandas (task cells: the
        pupil's codes and the task's label are joined in SQL, not repeated per cell in Python).
        Each frame gets the file's number `_f`; `{files}` is a table with `_f`, the file's
        `params` and its audit columns, so the SQL joins the frames on `_f` and selects the
        audit columns from `{files}`. A frame may be given as its columns (name → array): they
        are kept as arrays and made into one DataFrame per batch at `flush` (a DataFrame per
        file and frame cost more than the small files' rows).
        """
        f = self._file(audit)
        staged = self._selects.setdefault((table, select_sql), {"frames": {k: [] for k in frames}, "files": []})
        for k, cols in frames.items():
            if isinstance(cols, pd.DataFrame):
                cols = {c: cols[c].to_numpy() for c in cols.columns}
            n = len(next(iter(cols.values()))) if cols else 0
            staged["frames"][k].append({**cols, "_f": np.full(n, f, dtype=np.int32)})
        staged["files"].append({"_f": f, **params})

    def flush(self, con: duckdb.DuckDBPyConnection) -> None:
        """Write everything staged: one insert per table (and per staged query)."""
        for table, parts in self._rows.items():
            _register_and_run(con, {"rows": self._frame(parts, table_columns(con, table))},
                              f"insert into raw.{table} by name select * from {{rows}}")
        for (table, sql), staged in self._selects.items():
            frames = {k: object_frame({c: _concat([part[c] for part in parts]) for c in parts[0]})
                      for k, parts in staged["frames"].items()}
            files = pd.DataFrame(staged["files"])
            audits = [self._audits[i] for i in files["_f"]]
            files["_load_id"] = [a.load_id for a in audits]
            files["_source_file"] = [a.source_file for a in audits]
            files["_source_sha256"] = [a.sha256 for a in audits]
            files["_loaded_at"] = pd.to_datetime([a.loaded_at for a in audits])
            _register_and_run(con, {**frames, "files": files}, f"insert into raw.{table} by name {sql}")
        self._rows.clear()
        self._selects.clear()

    def _frame(self, parts: list[tuple[int, dict[str, np.ndarray]]], columns: list[str]) -> pd.DataFrame:
        """One frame of the staged parts of a table: columns the table has, audit as categoricals."""
        names = [c for c in dict.fromkeys(k for _f, cols in parts for k in cols) if c in columns]
        lengths = [len(cols["_source_row"]) for _f, cols in parts]
        out: dict[str, object] = {}
        for name in names:
            arrays = [cols[name] if name in cols else np.full(n, None, dtype=object)
                      for (_f, cols), n in zip(parts, lengths)]
            out[name] = arrays[0] if len(arrays) == 1 else _concat(arrays)
        codes = np.repeat(np.arange(len(parts), dtype=np.int32), lengths)
        audits = [self._audits[f] for f, _cols in parts]
        for name, values in (("_load_id", [a.load_id for a in audits]), ("_source_file", [a.source_file for a in audits]),
                             ("_source_sha256", [a.sha256 for a in audits])):
            uniq, inv = np.unique(np.array(values, dtype=object), return_inverse=True)
            out[name] = pd.Categorical.from_codes(inv[codes], categories=pd.Index(uniq, dtype=object))
        out["_loaded_at"] = np.array([np.datetime64(a.loaded_at, "us") for a in audits])[codes]
        return pd.DataFrame(out)


def _concat(arrays: list) -> np.ndarray:
    """Concatenate one column's arrays of several files (categoricals as their values)."""
    if len(arrays) == 1 and not isinstance(arrays[0], pd.Categorical):
        return arrays[0]
    return np.concatenate([np.asarray(a, dtype=object) if isinstance(a, pd.Categorical) else a for a in arrays])


def _register_and_run(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], sql: str) -> None:
    names = {k: f"_ingest_{next(_counter)}_{k}" for k in frames}
    for k, df in frames.items():
        con.register(names[k], df)
    try:
        con.execute(sql.format(**names))
    finally:
        for v in names.values():
            con.unregister(v)
