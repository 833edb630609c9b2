"""Running a Great Expectations 1.x suite on a pandas frame and turning failures into quarantine rows.

Each expectation is wrapped in a `Check` that knows how to say, in Russian, why a row failed
(and which file column and value to name). GX is called directly (ephemeral context, pandas
data source, one batch per frame) with `result_format=COMPLETE` so every unexpected row index
comes back.

Why frames of many files at once: GX costs ≈6 ms per expectation per validation whatever the
frame size, so a region of ~90 files would spend most of its time in GX bookkeeping. The loader
therefore validates all files of one kind together (per-file parameters such as a work's
maximum travel as columns) and splits the results per file afterwards.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from ingestion.convert import fmt

RESULT_FORMAT = {"result_format": "COMPLETE", "return_unexpected_index_query": False,
                 "partial_unexpected_count": 0}
_lock = threading.Lock()
_batch_definition = None


def _gx_batch_definition():
    """One ephemeral GX context with a pandas data source, created on first use (import is slow)."""
    global _batch_definition
    with _lock:
        if _batch_definition is None:
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            from great_expectations.execution_engine import pandas_execution_engine

            logging.getLogger("great_expectations").setLevel(logging.WARNING)
            # GX fingerprints every pandas batch by hashing all its cells (batch markers only);
            # on millions of task cells that costs more than the validation itself.
            pandas_execution_engine.HASH_THRESHOLD = 0
            ctx = gx.get_context(mode="ephemeral")
            ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
            asset = ctx.data_sources.add_pandas("rsoko_ingestion").add_dataframe_asset("frame")
            _batch_definition = asset.add_batch_definition_whole_dataframe("whole_frame")
        return _batch_definition


def gx_expectations():
    """The `great_expectations.expectations` module (imported lazily; the context must exist first)."""
    import great_expectations as gx

    _gx_batch_definition()
    return gx.expectations


def when(flag: str):
    """Row condition «flag is true» for a boolean column the suite derived (GX Condition object).

    Derived flags keep conditions simple (GX conditions cannot nest OR inside AND) and readable.
    """
    from great_expectations.expectations.row_conditions import Column

    return Column(flag) == True  # noqa: E712 - a GX condition, not a Python comparison


Reason = Callable[[pd.DataFrame], list[str]]


@dataclass
class Check:
    """An expectation plus how to report a row that fails it."""

    expectation: object
    column: str | Callable[[pd.DataFrame], list[str]]   # file column named in quarantine
    reason: Reason                                       # Russian reason per unexpected row
    value: str | Callable[[pd.DataFrame], list[str]] | None = None   # frame column (default: the checked one)

    @property
    def name(self) -> str:
        e = self.expectation
        cols = [getattr(e, a, None) for a in ("column", "column_A", "column_B")]
        cols = [c for c in cols if c] or list(getattr(e, "column_list", []) or [])
        label = f"{e.expectation_type}({', '.join(cols)})"
        cond = getattr(e, "row_condition", None)
        cond = getattr(cond, "pass_through_filter", None) or (getattr(getattr(cond, "column", None), "name", None))
        return f"{label} if {cond}" if cond else label

    @property
    def checked_column(self) -> str | None:
        e = self.expectation
        return getattr(e, "column", None) or getattr(e, "column_B", None)


@dataclass
class Outcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int
    index: np.ndarray                    # unexpected row labels of the validated frame


@dataclass
class SuiteResult:
    kind: str
    success: bool
    outcomes: list[Outcome]
    violations: pd.DataFrame             # index (frame row label), column, value, reason, check
    frame: pd.DataFrame = field(repr=False, default=None)

    @property
    def evaluated(self) -> int:
        return len(self.outcomes)

    @property
    def unsuccessful(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success]


def _values(sub: pd.DataFrame, spec, default: str | None) -> list[str]:
    if callable(spec):
        return spec(sub)
    col = spec or default
    if col is None or col not in sub:
        return [""] * len(sub)
    return [fmt(v) for v in sub[col].tolist()]


def validate(kind: str, df: pd.DataFrame, checks: list[Check]) -> SuiteResult:
    """Validate `df` (RangeIndex) against the checks; collect unexpected rows with reasons."""
    empty = pd.DataFrame({"index": pd.Series(dtype="int64"), "column": pd.Series(dtype=object),
                          "value": pd.Series(dtype=object), "reason": pd.Series(dtype=object),
                          "check": pd.Series(dtype="int64")})
    if not checks:
        return SuiteResult(kind, True, [], empty, df)
    import great_expectations as gx

    for i, check in enumerate(checks):
        check.expectation.meta = {"check": i}
    if len(df) == 0:
        outcomes = [Outcome(c.name, c.checked_column, True, 0, np.array([], dtype=np.int64)) for c in checks]
        return SuiteResult(kind, True, outcomes, empty, df)
    # GX copies its frame for every filtered metric: hand it only the columns the expectations
    # read (messages below still come from the whole frame; row labels are the same)
    columns = checked_columns(checks, df)
    batch = _gx_batch_definition().get_batch(batch_parameters={"dataframe": df if columns is None else df[columns]})
    # Phase 1, BOOLEAN_ONLY: GX's cost is metric bookkeeping per expectation, and a clean file
    # passes everything. Phase 2 re-validates only the failed expectations with COMPLETE to get
    # every unexpected index. A passed expectation has, by definition, no unexpected rows.
    # (the expectations given to the constructor: `add_expectation` compares each with every one
    # added before, which for a suite of a hundred checks cost more than some validations)
    suite = gx.ExpectationSuite(name=f"rsoko_{kind}", expectations=[c.expectation for c in checks])
    first = batch.validate(suite, result_format={"result_format": "BOOLEAN_ONLY"})
    failed = []
    for res in first.results:
        i = res.expectation_config.meta["check"]
        if res.exception_info and res.exception_info.get("raised_exception"):
            raise RuntimeError(f"проверка {checks[i].name} не выполнилась: {res.exception_info.get('exception_message')}")
        if not res.success:
            failed.append(i)
    outcomes: list[Outcome] = [Outcome(c.name, c.checked_column, True, 0, np.array([], dtype=np.int64)) for c in checks]
    parts = [empty]
    if failed:
        suite = gx.ExpectationSuite(name=f"rsoko_{kind}_failed", expectations=[checks[i].expectation for i in failed])
        result = batch.validate(suite, result_format=RESULT_FORMAT)
        for res in result.results:
            i = res.expectation_config.meta["check"]
            check = checks[i]
            idx = np.asarray(res.result.get("unexpected_index_list") or [], dtype=np.int64)
            outcomes[i] = Outcome(check.name, check.checked_column, bool(res.success), int(len(idx)), idx)
            if len(idx):
                sub = df.loc[idx]
                column = check.column(sub) if callable(check.column) else [check.column] * len(sub)
                parts.append(pd.DataFrame({"index": idx, "column": column,
                                           "value": _values(sub, check.value, check.checked_column),
                                           "reason": check.reason(sub), "check": i}))
    violations = pd.concat(parts, ignore_index=True)
    return SuiteResult(kind, all(o.success for o in outcomes), outcomes, violations, df)


def checked_columns(checks: list[Check], df: pd.DataFrame) -> list[str] | None:
    """The frame columns the checks' expectations read, conditions included (None when a
    condition is not a plain column test: then GX gets the whole frame)."""
    names: list[str] = []
    for check in checks:
        e = check.expectation
        names += [getattr(e, a, None) for a in ("column", "column_A", "column_B")]
        names += list(getattr(e, "column_list", None) or [])
        cond = getattr(e, "row_condition", None)
        if cond is not None:
            column = getattr(getattr(cond, "column", None), "name", None)
            if column is None:
                return None
            names.append(column)
    wanted = list(dict.fromkeys(n for n in names if n))
    return wanted if all(n in df.columns for n in wanted) else None


# ------------------------------------------------------------------ small helpers for suites
def repeat_of(df: pd.DataFrame, key: list[str], group: str = "_file") -> np.ndarray:
    """Spreadsheet row of the first occurrence for each repeated key (NaN for first occurrences).

    Rows with a blank key part are not repeats (a blank is reported by its own check).
    """
    cols = [group, *key] if group in df else list(key)
    complete = df[key].notna().all(axis=1).to_numpy()
    out = np.full(len(df), np.nan)
    if not complete.any():
        return out
    sub = df.loc[complete, cols]
    first_row = df.loc[complete, "_row"].groupby([sub[c] for c in cols], sort=False, dropna=False).transform("first")
    dup = sub.duplicated(keep="first").to_numpy()
    vals = np.where(dup, first_row.to_numpy(dtype=float), np.nan)
    out[complete] = vals
    return out


def texts(sub: pd.DataFrame, col: str) -> list[str]:
    return [fmt(v) for v in sub[col].tolist()]
