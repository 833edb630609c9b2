"""Russian numerals agree with their nouns (reports.numerals, on the real pymorphy3 dictionary).

Expected phrases are written out by hand from Russian grammar, not produced by the module.
"""
from __future__ import annotations

import pytest

from reports.numerals import agree, count, out_of

NBSP = "\u00a0"


@pytest.mark.parametrize(("phrase", "expected"), [
    # the issue's own examples
    (lambda: out_of(5, 31, "участник"), "5 из 31 участника"),
    (lambda: "из " + count(31, "участник", "gent"), "из 31 участника"),
    (lambda: "из " + count(25, "участник", "gent"), "из 25 участников"),
    (lambda: count(21, "участник"), "21 участник"),
    (lambda: count(3, "ОО"), "3 ОО"),
    (lambda: count(3, "школа"), "3 школы"),
    # the nominative after 1, 2–4, 5–20, 11–14 and large numbers
    (lambda: count(1, "школа"), "1 школа"),
    (lambda: count(5, "школа"), "5 школ"),
    (lambda: count(11, "участник"), "11 участников"),
    (lambda: count(12, "школа"), "12 школ"),
    (lambda: count(22, "задание"), "22 задания"),
    (lambda: count(101, "работа"), "101 работа"),
    (lambda: count(111, "работа"), "111 работ"),
    (lambda: count(12345, "участник"), f"12{NBSP}345 участников"),
    # the genitive after «из», «у», «для»
    (lambda: out_of(0, 1, "ОО"), "0 из 1 ОО"),
    (lambda: "из " + count(2, "школа", "gent"), "из 2 школ"),
    (lambda: "из " + count(21, "школа", "gent"), "из 21 школы"),
    (lambda: "у " + count(4, "муниципалитет", "gent"), "у 4 муниципалитетов"),
    # the dative
    (lambda: "по " + count(21, "участник", "datv"), "по 21 участнику"),
    (lambda: "по " + count(25, "участник", "datv"), "по 25 участникам"),
    # adjective + noun
    (lambda: count(1, "общеобразовательная организация"), "1 общеобразовательная организация"),
    (lambda: count(2, "общеобразовательная организация"), "2 общеобразовательные организации"),
    (lambda: count(5, "общеобразовательная организация"), "5 общеобразовательных организаций"),
    (lambda: "из " + count(21, "общеобразовательная организация", "gent"), "из 21 общеобразовательной организации"),
    (lambda: count(3, "дефицитное задание"), "3 дефицитных задания"),
    # abbreviations are indeclinable
    (lambda: "из " + count(25, "ОО", "gent"), "из 25 ОО"),
    (lambda: count(2, "МО"), "2 МО"),
])
def test_numerals_agree_with_nouns(phrase, expected):
    assert phrase() == expected


def test_capitalisation_is_kept():
    assert agree(5, "Участник") == "Участников"
    assert agree(2, "Школа") == "Школы"


def test_unknown_case_is_refused():
    with pytest.raises(ValueError):
        count(3, "школа", "genitive")
