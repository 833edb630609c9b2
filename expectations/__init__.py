"""Great Expectations suites, one per export kind (and per grain where a kind has several).

    run_suite(kind, df, context_params) -> SuiteResult

builds the kind's `ExpectationSuite` in code from parameters taken from reference data already
loaded (task maxima from the plan, mark boundaries from the scale, codes from the register),
validates `df` with GX 1.x and returns per-expectation outcomes and one violation per failing
row (column, value, reason in Russian). Suites never touch the warehouse; the loader does.
"""
from __future__ import annotations

from typing import Callable

import pandas as pd

from expectations.core import Check, Outcome, SuiteResult, validate
from expectations.params import SUBJECT_CODES, ContextParams

Builder = Callable[[pd.DataFrame, ContextParams], tuple[pd.DataFrame, list[Check]]]



def suites() -> dict[str, Builder]:
    """Suite name → builder, as each kind declares its suites in `ingestion.kinds` (read lazily:
    the registry imports the builders from this package's modules)."""
    from ingestion.kinds import suites as declared

    return declared()


def __getattr__(name: str):
    if name == "SUITES":
        return suites()
    raise AttributeError(name)


def build_suite(kind: str, df: pd.DataFrame, context_params: ContextParams | None = None):
    """The frame with derived columns and the checks (expectation + reason) of `kind`'s suite."""
    return suites()[kind](df.reset_index(drop=True), context_params or ContextParams())


def run_suite(kind: str, df: pd.DataFrame, context_params: ContextParams | None = None) -> SuiteResult:
    """Validate `df` against the suite of `kind`; see `SuiteResult` for what comes back."""
    frame, checks = build_suite(kind, df, context_params)
    return validate(kind, frame, checks)


__all__ = ["run_suite", "build_suite", "suites", "SuiteResult", "Outcome", "ContextParams", "SUBJECT_CODES"]
