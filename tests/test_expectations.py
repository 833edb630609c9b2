"""The Great Expectations suites on their own: built in code from reference parameters, run with
GX 1.x, COMPLETE results turned into per-row violations with Russian reasons."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from expectations import SUITES, ContextParams, build_suite, run_suite


def _plan_scale() -> ContextParams:
    plan = pd.DataFrame({"year": [2025] * 3, "subject": ["Математика"] * 3, "grade": [4] * 3,
                         "task": ["1", "2", "3"], "task_max": [1, 2, 2], "task_level": ["Б", "Б", "П"]})
    scale = pd.DataFrame({"year": [2025], "subject": ["Математика"], "grade": [4],
                          "min_mark3": [2], "min_mark4": [3], "min_mark5": [4]})
    return ContextParams(school_codes=frozenset({"860001"}), school_logins=frozenset({"sch860001"}), plan=plan, scale=scale)


def _pupils(**changes) -> pd.DataFrame:
    df = pd.DataFrame({
        "_file": 0, "_row": [9, 10, 11, 12], "year": 2025, "subject": "Математика", "grade": 4,
        "school_login": pd.Series(["sch860001"] * 4, dtype=object),
        "participant_code": pd.Series(["00001", "00002", "00003", "00004"], dtype=object),
        "class_name": pd.Series(["4А"] * 4, dtype=object),
        "variant": [1.0] * 4, "variant__bad": None, "primary_score": [5.0, 3.0, 1.0, 0.0], "primary_score__bad": None,
        "mark": [5.0, 4.0, 2.0, 2.0], "mark__bad": None, "journal_mark": [5.0, 4.0, np.nan, 3.0], "journal_mark__bad": None,
        "_work_max": 5.0, "_task_sum": [5.0, 3.0, 1.0, 0.0]})
    for col, (i, v) in changes.items():
        df.loc[i, col] = v
    return df.astype({c: object for c in df.columns if c.endswith("__bad")})


def test_every_kind_has_a_suite():
    assert {"register", "gia11", "gia9", "vpr", "vpr_tasks", "vpr_header", "vpr_plan", "vpr_scale", "niko",
            "niko_tasks", "niko_questionnaire", "ege_min", "admissions"} <= set(SUITES)


def test_clean_pupils_pass_and_every_expectation_is_evaluated():
    result = run_suite("vpr", _pupils(), _plan_scale())
    assert result.success and result.violations.empty
    assert result.evaluated == len(build_suite("vpr", _pupils(), _plan_scale())[1]) >= 15
    assert all(o.success and o.unexpected_count == 0 for o in result.outcomes)


def test_parameters_come_from_the_scale_and_the_register():
    df = _pupils(mark=(1, 5.0), school_login=(2, "sch000000"))
    result = run_suite("vpr", df, _plan_scale())
    assert not result.success
    v = result.violations.sort_values("index")
    assert v[["index", "column", "value"]].values.tolist() == [[1, "Отметка", "5"], [2, "Логин ОО", "sch000000"]]
    assert v["reason"].tolist() == [
        "отметка 5 не соответствует шкале ВПР: первичному баллу 3 соответствует отметка 4",
        "неизвестный Логин ОО «sch000000»: нет в реестре ОО"]
    failed = {o.expectation: o.unexpected_count for o in result.unsuccessful}
    assert failed == {"expect_column_values_to_be_in_set(school_login)": 1,
                      "expect_column_pair_values_to_be_equal(mark, _expected_mark)": 1}


def test_without_a_register_codes_are_not_checked():
    result = run_suite("vpr", _pupils(school_login=(0, "sch000000")), ContextParams())
    assert result.success


def test_task_cells_against_their_maximum_with_complete_indices():
    cells = pd.DataFrame({"pupil": [0, 0, 1, 1, 2], "tidx": [0, 1, 0, 1, 1],
                          "score": [1.0, 3.0, -1.0, np.nan, np.nan],
                          "score__bad": pd.Series([None, None, None, None, "н/д"], dtype=object),
                          "task_max": [1.0, 2.0, 1.0, 2.0, 2.0],
                          "task": pd.Categorical(["1", "2", "1", "2", "2"]),
                          "header": pd.Categorical(["1 (1б)", "2 (2б)", "1 (1б)", "2 (2б)", "2 (2б)"])})
    result = run_suite("vpr_tasks", cells, ContextParams())
    got = sorted(result.violations[["index", "column", "value", "reason"]].values.tolist())
    assert got == [[1, "2 (2б)", "3", "балл 3 за задание 2 выше максимального 2"],
                   [2, "1 (1б)", "-1", "отрицательный балл -1 за задание 1"],
                   [4, "2 (2б)", "н/д", "нечисловое значение «н/д» за задание 2: ожидается балл или X"]]


def test_header_against_the_plan_is_file_level():
    header = pd.DataFrame({"_file": [0, 0, 0, 0], "task": ["1", "2", "3", "4"],
                           "header": ["1 (1б)", "2 (3б)", None, "4 (1б)"],
                           "header_max": [1.0, 3.0, np.nan, 1.0], "plan_max": [1.0, 2.0, 2.0, np.nan],
                           "has_plan": [True] * 4})
    reasons = sorted(run_suite("vpr_header", header, ContextParams()).violations["reason"])
    assert reasons == sorted(["в файле нет столбца задания 3 из плана ВПР", "задания «4 (1б)» нет в плане ВПР",
                              "заголовок «2 (3б)»: максимальный балл 3, а в плане ВПР 2"])


def _gia(**changes) -> pd.DataFrame:
    df = pd.DataFrame({
        "_file": 0, "_row": [2, 3], "_file_year": 2025.0,
        "participant_id": pd.Series(["0123456789abcdef", "0123456789abcdee"], dtype=object),
        "school_code": pd.Series(["860001", "860001"], dtype=object), "mo_code": pd.Series(["01", "01"], dtype=object),
        "category": pd.Series(["ВТГ", "ВТГ"], dtype=object), "class_name": pd.Series(["11А", "11А"], dtype=object),
        "gia_form": pd.Series(["ЕГЭ", "ЕГЭ"], dtype=object), "subject_code": [1.0, 1.0], "subject_code__bad": None,
        "stage": pd.Series(["Основной"] * 2, dtype=object), "exam_date": pd.to_datetime(["2025-06-01", "2025-06-01"]),
        "exam_date__bad": None, "status": pd.Series(["Явка", "Неявка"], dtype=object),
        "primary_score": [6.0, np.nan], "primary_score__bad": None, "test_score": [50.0, np.nan], "test_score__bad": None,
        "mark": [np.nan, np.nan], "mark__bad": None, "ovz": [0.0, 0.0], "ovz__bad": None, "variant": [1.0, np.nan],
        "variant__bad": None, "short_answers": pd.Series(["+-+1", None], dtype=object),
        "long_answers": pd.Series(["2(3)1(2)", None], dtype=object), "_short_sum": [3.0, np.nan],
        "_short_problem": None, "_long_sum": [3.0, np.nan], "_long_problem": None})
    for col, (i, v) in changes.items():
        df.loc[i, col] = v
    return df.astype({c: object for c in df.columns if c.endswith(("__bad", "_problem"))})


def test_absent_participant_with_blanks_passes_present_without_scores_fails():
    params = _plan_scale()
    assert run_suite("gia11", _gia(), params).success
    result = run_suite("gia11", _gia(status=(1, "Явка")), params)
    cols = sorted(result.violations.query("index == 1")["column"])
    assert cols == ["Первичный балл", "Тестовый балл"]


@pytest.mark.parametrize("kind", ["gia11", "gia9"])
def test_form_must_belong_to_the_exam(kind):
    wrong = "ОГЭ" if kind == "gia11" else "ЕГЭ"
    df = _gia(gia_form=(0, wrong))
    if kind == "gia9":
        df["gia_form"] = pd.Series(["ЕГЭ", "ОГЭ"], dtype=object)
        df["mark"] = [4.0, np.nan]
    v = run_suite(kind, df, _plan_scale()).violations
    assert "Форма ГИА" in set(v.query("index == 0")["column"])
