"""The cache of identical charts (issue #12, item 3): the same chart is drawn once per process,
different data give different pictures, and what the cache returns is what a fresh drawing
gives, whatever was drawn before (published files must not depend on the order of reports)."""
from __future__ import annotations

import numpy as np
import pytest

from reports import charts


@pytest.fixture(autouse=True)
def empty_cache():
    charts.clear_cache()
    yield
    charts.clear_cache()


def _histogram(shares, **kw):
    return charts.score_histogram(list(range(len(shares))), shares, (3, 5, 7), len(shares) - 1, **kw)


def test_two_identical_specs_are_drawn_once():
    before, hits = charts.renders(), charts.cache_hits()
    first = charts.marks_chart(["Рус. яз. 4", "Мат. 4"], [[10.0, 30.0, 40.0, 20.0], [5.0, 35.0, 40.0, 20.0]])
    second = charts.marks_chart(["Рус. яз. 4", "Мат. 4"], [[10.0, 30.0, 40.0, 20.0], [5.0, 35.0, 40.0, 20.0]])
    assert charts.renders() - before == 1 and charts.cache_hits() - hits == 1
    assert second.svg == first.svg


def test_different_data_give_different_bytes():
    before = charts.renders()
    a = charts.cluster_chart(["Кластер 1", "Кластер 2"], [40.0, 50.0], reference=45.0, xlabel="R14")
    b = charts.cluster_chart(["Кластер 1", "Кластер 2"], [40.0, 51.0], reference=45.0, xlabel="R14")
    c = charts.cluster_chart(["Кластер 1", "Кластер 2"], [40.0, 50.0], reference=46.0, xlabel="R14")
    assert charts.renders() - before == 3
    assert len({a.svg, b.svg, c.svg}) == 3


def test_the_png_option_is_part_of_the_key():
    svg_only = _histogram([1.0, 4.0, 9.0, 12.0, 9.0, 4.0, 1.0, 0.5, 0.2])
    with_png = _histogram([1.0, 4.0, 9.0, 12.0, 9.0, 4.0, 1.0, 0.5, 0.2], png=True)
    assert svg_only.png is None and with_png.png is not None and with_png.png.startswith(b"\x89PNG")
    assert with_png.svg == svg_only.svg


def test_a_cached_chart_equals_a_fresh_drawing_in_any_order():
    """The histograms share one reused figure per process: a picture must not carry anything of
    the histogram drawn before it, or a cache hit and a fresh drawing would differ by order."""
    narrow = [2.0, 10.0, 30.0, 10.0, 2.0]
    wide = [1.0, 2.0, 4.0, 8.0, 12.0, 16.0, 12.0, 8.0, 4.0, 2.0, 1.0, 0.5]
    a_first = _histogram(narrow, reference=[3.0, 9.0, 28.0, 12.0, 3.0])
    b_second = _histogram(wide)
    charts.clear_cache()
    b_first = _histogram(wide)
    a_second = _histogram(narrow, reference=[3.0, 9.0, 28.0, 12.0, 3.0])
    assert a_first.svg == a_second.svg
    assert b_first.svg == b_second.svg
    assert a_first.svg != b_first.svg


def test_trend_points_and_series_order_are_in_the_key():
    tp = charts.TrendPoint
    panels = [("R01 Средний балл", {"Регион": [tp(2024, 60.0), tp(2025, 61.0)], "МО 1": [tp(2024, 58.0), tp(2025, 59.0)]})]
    marked = [("R01 Средний балл", {"Регион": [tp(2024, 60.0), tp(2025, 61.0)],
                                    "МО 1": [tp(2024, 58.0, small=True), tp(2025, 59.0)]})]
    before = charts.renders()
    plain, small = (charts.indicator_trends_chart(p, lead="Регион") for p in (panels, marked))
    again = charts.indicator_trends_chart(panels, lead="Регион")
    assert charts.renders() - before == 2
    assert plain.svg != small.svg and again.svg == plain.svg


def test_long_arrays_are_keyed_in_full():
    """numpy abbreviates the repr of a long array; two arrays differing only in the middle must
    still have different keys."""
    a = np.zeros(5000)
    b = a.copy()
    b[2500] = 1.0
    assert charts.chart_key("score_histogram", (a,), {}) != charts.chart_key("score_histogram", (b,), {})
    assert charts.chart_key("score_histogram", (a,), {}) == charts.chart_key("score_histogram", (a.copy(),), {})
    assert charts.chart_key("score_histogram", (a,), {}) != charts.chart_key("marks_chart", (a,), {})
