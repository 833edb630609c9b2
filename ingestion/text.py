"""Normalisation of names and cell texts, shared by every reader.

The same rules must apply in every file kind, otherwise the ВПР results, the plan and the scale
would not join (a subject spelt `математика ` in one file and `Математика` in another).
"""
from __future__ import annotations

import re
from functools import lru_cache

_SPACES = re.compile(r"\s+")


def blank(value: object) -> bool:
    """None, NaN (pandas' blank in inferred string columns) or an empty string."""
    return value is None or (isinstance(value, float) and value != value) or value == ""


def norm_header(name: object) -> str:
    """Header name for comparison: trimmed, lower case, `ё`→`е`, inner spaces collapsed.

    The contract compares column names case-insensitively after trimming and replacing `ё`.
    Non-breaking spaces (common in exports pasted through Excel) count as spaces.
    """
    if isinstance(name, str):
        return _norm_text(name)
    if blank(name):
        return ""
    return _norm_text(str(name))


@lru_cache(maxsize=1 << 16)
def _norm_text(text: str) -> str:
    """`norm_header` of a text, remembered: recognition asks for the same header cells of every
    file once per reader (tens of thousands of calls for a region's inbox)."""
    text = text.replace("\xa0", " ").replace("\ufeff", "").strip().lower().replace("ё", "е")
    return _SPACES.sub(" ", text)


def norm_subject(name: object) -> str | None:
    """Subject name as stored: trimmed, spaces collapsed, first letter upper, the rest lower.

    Applied identically to ВПР/НИКО titles, the plan and the scale so that they join.
    """
    if blank(name):
        return None
    text = _SPACES.sub(" ", str(name).replace("\xa0", " ").strip())
    if not text:
        return None
    return text[:1].upper() + text[1:].lower()


def norm_value(value: object) -> str:
    """A categorical cell value for comparison with a value set (`удалённая` ≡ `Удаленная`)."""
    return norm_header(value)


def canonical_value(value: object, allowed: dict[str, str]) -> object:
    """A categorical cell in its canonical spelling when it differs only in case, ё/е or spaces.

    `allowed` maps `norm_value(v)` → v for the value set; anything else is returned as written
    (the suite reports it).
    """
    if blank(value):
        return value
    return allowed.get(norm_value(value), value)


def value_keys(values) -> dict[str, str]:
    """The `allowed` map of `canonical_value` for a value set."""
    return {norm_value(v): v for v in values}


def pad_code(text: str | None, width: int) -> str | None:
    """Restore leading zeros of an all-digit code that a spreadsheet stored as a number."""
    if blank(text):
        return None
    if text.isdigit() and len(text) < width:
        return text.zfill(width)
    return text


def column_letter(index: int) -> str:
    """Spreadsheet column letter for a 0-based column index (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
