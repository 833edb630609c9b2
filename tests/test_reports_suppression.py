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
