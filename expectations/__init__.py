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
from expectations.forms import forms_suite
from expectations.gia import gia_suite
from expectations.params import SUBJECT_CODES, ContextParams
from expectations.reference import admissions_suite, ege_min_suite, plan_suite, register_suite, scale_suite
from expectations.works import header_suite, niko_suite, questionnaire_suite, tasks_suite, vpr_suite

Builder = Callable[[pd.DataFrame, ContextParams], tuple[pd.DataFrame, list[Check]]]

SUITES: dict[str, Builder] = {
    "register": register_suite,
    "gia11": gia_suite("gia11"),
    "gia9": gia_suite("gia9"),
    "vpr_header": header_suite,
    "vpr": vpr_suite,
    "vpr_tasks": tasks_suite,
    "vpr_plan": plan_suite,
    "vpr_scale": scale_suite,
    "niko": niko_suite,
    "niko_tasks": tasks_suite,
    "niko_questionnaire": questionnaire_suite,
    "ege_min": ege_min_suite,
    "admissions": admissions_suite,
    "vpr_forms": forms_suite,
}


def build_suite(kind: str, df: pd.DataFrame, context_params: ContextParams | None = None):
    """The frame with derived columns and the checks (expectation + reason) of `kind`'s suite."""
    return SUITES[kind](df.reset_index(drop=True), context_params or ContextParams())


def run_suite(kind: str, df: pd.DataFrame, context_params: ContextParams | None = None) -> SuiteResult:
    """Validate `df` against the suite of `kind`; see `SuiteResult` for what comes back."""
    frame, checks = build_suite(kind, df, context_params)
    return validate(kind, frame, checks)


__all__ = ["run_suite", "build_suite", "SuiteResult", "Outcome", "ContextParams", "SUITES", "SUBJECT_CODES"]
