"""Russian numerals agreed with their nouns: «21 участник», «из 31 участника», «из 25 участников».

The endings after a number depend on the number's last digits *and* on the case the whole phrase
stands in («21 участник», but «из 21 участника»; «3 школы», but «из 3 школ»). Hand-written
three-form tuples get the oblique cases wrong, which is what the report used to print
(«из 31 участников»). The agreement is therefore left to pymorphy3, a maintained morphological
analyser with the OpenCorpora dictionary (pymorphy3-dicts-ru): it knows every noun's paradigm
and the numeral rules (`make_agree_with_number`).

Words the dictionary does not know — abbreviations such as «ОО», «МО», «ВПР» — are indeclinable
in Russian, so they are returned as they are («3 ОО», «из 25 ОО»). A phrase of several words
(«общеобразовательная организация») is agreed word by word, so an adjective follows its noun.
"""
from __future__ import annotations

from functools import lru_cache

import pymorphy3

from reports.formatting import fmt_int

CASES = {"nomn", "gent", "datv", "accs", "ablt", "loct"}
"""OpenCorpora case tags: именительный, родительный, дательный, винительный, творительный, предложный."""


@lru_cache(maxsize=1)
def _analyzer() -> pymorphy3.MorphAnalyzer:
    """Loading the dictionary takes a fraction of a second; one analyser serves the process."""
    return pymorphy3.MorphAnalyzer()


def _parse(word: str, case_hint: str | None = None):
    """The most likely dictionary analysis of a word (preferring a noun or adjective), or None."""
    parses = [p for p in _analyzer().parse(word) if "UNKN" not in p.tag and "Abbr" not in p.tag]
    if not parses:
        return None
    for p in parses:
        if p.tag.POS in ("NOUN", "ADJF", "PRTF") and (case_hint is None or p.tag.case == "nomn"):
            return p
    return parses[0]


def _match_case(source: str, target: str) -> str:
    """Keep the capitalisation of the word as the caller wrote it."""
    if source.isupper() and len(source) > 1:
        return target.upper()
    if source[:1].isupper():
        return target[:1].upper() + target[1:]
    return target


def _is_one(n: int) -> bool:
    """21, 31, 101 take the singular («21 участник»); 11 does not."""
    return n % 10 == 1 and n % 100 != 11


def _is_few(n: int) -> bool:
    """2–4, 22–24… («3 школы»); 12–14 are «many»."""
    return 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14


@lru_cache(maxsize=4096)
def agree_word(n: int, word: str, case: str = "nomn") -> str:
    """One noun (given in its nominative singular) in the form that follows the number n.

    `case` is the case of the whole phrase: «nomn» for «21 участник», «gent» after «из»/«у»/«для»
    («из 21 участника»). A word the dictionary does not know (an abbreviation) is returned as is.
    """
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}; expected one of {sorted(CASES)}")
    parsed = _parse(word, case)
    if parsed is None:
        return word
    form = parsed
    if case != "nomn":
        form = parsed.inflect({case}) or parsed
    agreed = form.make_agree_with_number(abs(int(n))) or form
    return _match_case(word, agreed.word)


@lru_cache(maxsize=4096)
def _agree_adjective(n: int, word: str, case: str, gender: str | None) -> str:
    """An adjective beside a counted noun. pymorphy3's number agreement is made for nouns; the
    adjective's rule is the grammar books': singular after …1; in the nominative (and inanimate
    accusative) after 2–4 the nominative plural with a feminine noun, the genitive plural otherwise
    («2 общеобразовательные организации», «2 новых класса»); after 5+ the genitive plural; in the
    other cases the plural of that case («из 25 общеобразовательных организаций»)."""
    parsed = _parse(word, case)
    if parsed is None:
        return word
    n = abs(int(n))
    if _is_one(n):
        grammemes = {case, "sing"} | ({gender} if gender else set())
    elif case in ("nomn", "accs"):
        grammemes = {"nomn" if _is_few(n) and gender == "femn" else "gent", "plur"}
    else:
        grammemes = {case, "plur"}
    form = parsed.inflect(grammemes)
    return word if form is None else _match_case(word, form.word)


def agree(n: int, noun_phrase: str, case: str = "nomn") -> str:
    """A noun phrase («школа», «общеобразовательная организация») agreed with n: its nouns by
    pymorphy3, its adjectives and participles by the gender of the phrase's last noun."""
    words = noun_phrase.split()
    parses = [_parse(w, case) for w in words]
    nouns = [p for p in parses if p is not None and p.tag.POS == "NOUN"]
    gender = nouns[-1].tag.gender if nouns else None
    out = []
    for word, p in zip(words, parses):
        if p is not None and p.tag.POS in ("ADJF", "PRTF"):
            out.append(_agree_adjective(n, word, case, gender))
        else:
            out.append(agree_word(n, word, case))
    return " ".join(out)


def count(n: int, noun_phrase: str, case: str = "nomn") -> str:
    """«21 участник», «3 школы», «3 ОО»; with case='gent': «31 участника» (for «из 31 участника»)."""
    return f"{fmt_int(n)} {agree(n, noun_phrase, case)}"


def out_of(k: int, n: int, noun_phrase: str) -> str:
    """«5 из 31 участника», «0 из 25 участников»: the noun agrees with the total, in the genitive."""
    return f"{fmt_int(k)} из {count(n, noun_phrase, 'gent')}"


_WORDS = ("один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять", "десять")


def spelled(n: int, case: str = "nomn") -> str:
    """A small number in words in `case` («не более трёх умений»): prose spells out numbers up to ten
    that come from a seed; larger ones stay in digits."""
    if not 1 <= n <= len(_WORDS):
        return fmt_int(n)
    word = _WORDS[n - 1]
    form = _analyzer().parse(word)[0].inflect({case}) if case != "nomn" else None
    return form.word if form is not None else word
