"""Suppression of small groups and the Russian number format (methodology, «Suppression of small groups»)."""
from __future__ import annotations

import math

import pytest

from reports import cells
from reports.formatting import fmt_bytes, fmt_date_long, fmt_int, fmt_number, fmt_signed, plural
from reports.suppression import (
    SMALL_SAMPLE_MARK, SUPPRESSED_TEXT, combined_n, publishable, sample_status, suppress,
)


@pytest.mark.parametrize("n, status, text", [
    (0, "suppressed", "*"),
    (4, "suppressed", "*"),
    (5, "small", "68,4†"),
    (9, "small", "68,4†"),
    (10, "ok", "68,4"),
    (1000, "ok", "68,4"),
])
def test_thresholds_4_5_9_10(n, status, text):
    p = suppress(68.44, n)
    assert p.status == status
    assert p.text == text
    assert (p.value is None) == (status == "suppressed")


def test_unknown_n_is_hidden_and_missing_value_is_a_dash():
    assert suppress(12.0, None).text == SUPPRESSED_TEXT
    assert suppress(12.0, float("nan")).status == "suppressed"
    assert suppress(None, 100).text == "—"
    assert suppress(math.nan, 100).status == "missing"


def test_change_uses_the_smaller_n():
    assert combined_n(120, 4) == 4
    assert combined_n(7, 300) == 7
    assert combined_n(12, None) is None
    assert cells.change(1.5, 120, 4).text == SUPPRESSED_TEXT
    assert cells.change(1.5, 120, 7).text == "+1,5" + SMALL_SAMPLE_MARK
    assert cells.change(-1.5, 120, 10).text == "\u22121,5"
    # a verdict is a word derived from the change: hidden with it
    assert cells.worded("улучшение", 120, 3).text == SUPPRESSED_TEXT
    assert cells.worded("улучшение", 120, 30).text == "улучшение"


def test_share_uses_the_group_size_and_count_is_its_own_n():
    assert cells.share(1, 4).text == SUPPRESSED_TEXT           # 25 % of 4 pupils
    assert cells.share(1, 8).text == "12,5" + SMALL_SAMPLE_MARK
    assert cells.share(2, 100).text == "2,0"                     # 2 pupils of 100: n is 100
    assert cells.count(3).text == SUPPRESSED_TEXT
    assert cells.count(12345).text == "12\u00a0345"
    assert cells.count(7).status == "small"


def test_published_cells_keep_numbers_for_the_annex():
    c = cells.number(68.44, 50)
    assert c.value == 68.4 and c.kind == "dec1"
    assert cells.number(68.44, 3).value is None


def test_sample_status_and_publishable():
    assert sample_status(4) == "suppressed" and not publishable(4)
    assert sample_status(5) == "small" and publishable(5)
    assert sample_status(10) == "ok"


def test_russian_number_format():
    assert fmt_number(68.44) == "68,4"
    assert fmt_number(-0.04) == "0,0"
    assert fmt_number(-3.0) == "\u22123,0"
    assert fmt_number(12345.67) == "12\u00a0345,7"
    assert fmt_int(1234) == "1234"
    assert fmt_signed(1.66) == "+1,7"
    assert fmt_signed(0.0) == "0,0"
    assert fmt_number(None) == "—"
    assert plural(1, ("школа", "школы", "школ")) == "школа"
    assert plural(3, ("школа", "школы", "школ")) == "школы"
    assert plural(11, ("школа", "школы", "школ")) == "школ"
    assert fmt_bytes(2048) == "2 КБ"
    from datetime import date
    assert fmt_date_long(date(2025, 12, 15)) == "15 декабря 2025 г."


# --- complementary suppression (methodology, «Complementary suppression») ------------------------

from recoverable import recoverable  # noqa: E402

from reports.suppression import Line, complementary  # noqa: E402


def _lines(spec):
    return [Line(total, tuple(parts)) for total, parts in spec]


def test_recoverable_checker_sees_the_demo_leak():
    # the checker itself: with only ВПЛ hidden, 183 − 174 − 5 gives it away
    assert recoverable([("all", ["ВТГ", "ВПЛ", "СПО"])], {"ВПЛ"}) == {"ВПЛ"}
    assert recoverable([("all", ["ВТГ", "ВПЛ", "СПО"])], {"ВПЛ", "СПО"}) == set()


def test_table_9_of_the_demo_hides_the_smallest_other_part():
    """All 183, ВТГ 174, ВПЛ 4 (*), СПО 5 (†): ВПЛ = 183 − 174 − 5 unless СПО is hidden too."""
    n = {"all": 183, "ВТГ": 174, "ВПЛ": 4, "СПО": 5}
    spec = [("all", ["ВТГ", "ВПЛ", "СПО"])]
    hidden = complementary(_lines(spec), n)
    assert hidden == {"ВПЛ", "СПО"}
    assert recoverable(spec, set(hidden)) == set()


def test_a_line_with_two_small_parts_needs_nothing_more():
    n = {"T": 117, "a": 3, "b": 4, "c": 50, "d": 60}
    assert complementary(_lines([("T", ["a", "b", "c", "d"])]), n) == {"a", "b"}


def test_nothing_small_nothing_hidden_and_ties_go_to_the_first_part():
    assert complementary(_lines([("T", ["a", "b"])]), {"T": 30, "a": 10, "b": 20}) == frozenset()
    n = {"T": 40, "a": 2, "b": 19, "c": 19}
    assert complementary(_lines([("T", ["a", "b", "c"])]), n) == {"a", "b"}


def test_a_small_total_hides_its_parts_and_a_small_shown_total_keeps_them_hidden():
    # a total of 4: every part is below 5 as well
    assert complementary(_lines([("T", ["a", "b"])]), {"T": 4, "a": 1, "b": 3}) == {"T", "a", "b"}
    # a total of 7 (printed with †) whose parts are 3 and 4: two hidden, nothing to add
    assert complementary(_lines([("T", ["a", "b"])]), {"T": 7, "a": 3, "b": 4}) == {"a", "b"}
    # a total hidden (n unknown) with every part printed is their sum: the smallest part goes
    n = {"T": None, "a": 10, "b": 20, "c": 30}
    hidden = complementary(_lines([("T", ["a", "b", "c"])]), n)
    assert hidden == {"T", "a"}
    assert recoverable([("T", ["a", "b", "c"])], set(hidden)) == set()


def test_a_part_printed_elsewhere_is_never_the_complement():
    """A municipality: all 168, ВТГ 166 (also printed in the ВТГ table), ВПЛ/СПО 2. Hiding ВТГ here
    would hide nothing (166 stands in the other table), so the total goes: 168 − 166 is no longer there."""
    n = {"all": 168, "ВТГ": 166, "ВПЛ/СПО": 2}
    spec = [("all", ["ВТГ", "ВПЛ/СПО"])]
    assert complementary(_lines(spec), n) == {"ВТГ", "ВПЛ/СПО"}
    hidden = complementary(_lines(spec), n, fixed={"ВТГ"})
    assert hidden == {"all", "ВПЛ/СПО"}
    assert recoverable(spec, set(hidden)) == set()
    # with another part free to hide, that part goes and the total stays
    n = {"all": 183, "ВТГ": 174, "ВПЛ": 4, "ВПЛ/СПО": 5}
    assert complementary(_lines([("all", ["ВТГ", "ВПЛ", "ВПЛ/СПО"])]), n, fixed={"ВТГ"}) == {"ВПЛ", "ВПЛ/СПО"}


def test_a_line_of_one_part_is_its_total():
    assert complementary(_lines([("T", ["a"])]), {"T": 3, "a": 3}) == {"T", "a"}


def _two_way(grid: list[list[int]]):
    """n of every cell, row total, column total and the grand total; the lines between them."""
    rows, cols = range(len(grid)), range(len(grid[0]))
    n = {(i, j): grid[i][j] for i in rows for j in cols}
    n.update({("row", i): sum(grid[i]) for i in rows})
    n.update({("col", j): sum(grid[i][j] for i in rows) for j in cols})
    n["grand"] = sum(map(sum, grid))
    spec = [(("row", i), [(i, j) for j in cols]) for i in rows]
    spec += [(("col", j), [(i, j) for i in rows]) for j in cols]
    spec += [("grand", [("row", i) for i in rows]), ("grand", [("col", j) for j in cols])]
    return n, spec


def test_two_way_table_with_margins():
    """3 × 3 counts with row totals, column totals and the grand total; one cell of 3.

    By hand: row 1 loses its smallest other cell (20), column 2 its smallest other (12); then
    column 1 has one hidden (20) and loses 15, after which every row and column has two: the
    hidden cells are the rectangle rows 1–2 × columns 1–2.
    """
    n, spec = _two_way([[20, 3, 30], [15, 12, 40], [25, 18, 8]])
    hidden = complementary(_lines(spec), n)
    assert hidden == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert recoverable(spec, set(hidden)) == set()


def test_two_way_table_where_a_margin_is_small():
    """Column 1 holds two cells of 3 (its total 6 is printed with †): that column already has two
    hidden, but each row has one, so by hand row 1 loses 40 and row 2 loses 30 — column 2 then has
    two hidden as well, and the margins all stay printed."""
    n, spec = _two_way([[3, 40, 50], [3, 30, 60]])
    hidden = complementary(_lines(spec), n)
    assert hidden == {(0, 0), (1, 0), (0, 1), (1, 1)}
    assert recoverable(spec, set(hidden)) == set()


# --- charts take their points through the same rule ------------------------------------------------

from reports.document import Row  # noqa: E402
from reports.suppression import chart_note, point  # noqa: E402


def test_chart_points_follow_the_cells():
    assert not point(40.0, 4).drawn                       # «*» in the table: not drawn
    small = point(40.0, 7)
    assert small.drawn and small.label("Мат. 4") == "Мат. 4" + SMALL_SAMPLE_MARK
    assert point(40.0, 70).label("Мат. 4") == "Мат. 4"
    assert not point(40.0, 70, withheld=True).drawn       # hidden as a complement in the table beside
    assert not point(None, 70).drawn and point(None, 70).status == "missing"
    assert chart_note([point(1, 70), small]) == " († — малая выборка)"
    assert chart_note([point(1, 70), point(1, 3)]) == ""
    # a table cell and its point: the same status, the printed (rounded) value
    assert cells.plotted(cells.number(40.04, 70)).value == 40.0
    assert not cells.plotted(cells.withheld(cells.number(40.0, 70))).drawn
    assert not cells.plotted(cells.text("ВТГ")).drawn


def test_complement_rows_hides_the_whole_row_of_the_smallest_other_group():
    """The demo's Table 9 as cells: a category row of 4 and one of 5 under «Все категории» 183."""
    data = [("Все категории", 183, 20, 30), ("ВТГ", 174, 18, 29), ("ВПЛ", 4, 1, 0), ("СПО", 5, 1, 1)]
    rows = [Row([cells.text(name), cells.count(n), cells.share(low, n), cells.share(top, n)]) for name, n, low, top in data]
    assert [r.cells[1].text for r in rows] == ["183", "174", "*", "5" + SMALL_SAMPLE_MARK]
    hidden = cells.complement_rows(rows, cells.lines_of(["Рус"] * 4, [True, False, False, False]), n_col=1)
    assert hidden == {2, 3}
    assert [c.text for c in rows[3].cells] == ["СПО", "*", "*", "*"]
    assert all(c.status == "suppressed" and c.value is None for c in rows[3].cells[1:])
    assert [c.text for c in rows[1].cells[1:]] == ["174", "10,3", "16,7"]


def test_complement_cells_across_a_table_and_a_second_pass_sees_the_first():
    # one task: region 40 pupils, mark groups 3 / 12 / 15 / 10 — the «2» group hides the «5» group (10)
    rows = [Row([cells.text("Регион"), cells.number(55.0, 40)])] + \
        [Row([cells.text(f"«{m}»"), cells.number(v, n)]) for m, v, n in ((2, 20.0, 3), (3, 40.0, 12), (4, 60.0, 15), (5, 80.0, 10))]
    hidden = cells.complement_cells(rows, [((0, 1), [(i, 1) for i in range(1, 5)])])
    assert hidden == {(1, 1), (4, 1)}
    assert [r.cells[1].text for r in rows] == ["55,0", "*", "40,0", "60,0", "*"]
    # again over the same line: two hidden already (the complement counts as hidden), nothing more
    assert cells.complement_cells(rows, [((0, 1), [(i, 1) for i in range(1, 5)])]) == {(1, 1), (4, 1)}
