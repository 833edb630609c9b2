"""How numbers, dates and sizes are written for a Russian reader.

Everything a municipal department reads uses a decimal comma («68,4»), a non-breaking space as
the thousands separator («12 345») and the true minus sign («−1,7»), in the text, the tables, the
DOCX and the publication page alike, so these few functions are the only place that decides it.
"""
from __future__ import annotations

from datetime import date, datetime

NBSP = "\u00a0"
MINUS = "\u2212"

_MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)


def is_missing(value: object) -> bool:
    """True for None, NaN, pd.NA and NaT (pandas hands any of them over for an empty cell)."""
    if value is None:
        return True
    if isinstance(value, float):        # numpy.float64 included
        return bool(value != value)
    if isinstance(value, (int, str, bytes)):
        return False
    try:
        import pandas as pd

        result = pd.isna(value)
    except (TypeError, ValueError):
        return False
    return bool(result) if isinstance(result, (bool, int)) or hasattr(result, "__bool__") and not hasattr(result, "__len__") else False


def _group_thousands(digits: str) -> str:
    """Insert non-breaking spaces every three digits, as Russian typography does for 10 000+."""
    if len(digits) <= 4:  # «1234» is written without a separator, «12 345» with one
        return digits
    groups = []
    while digits:
        groups.append(digits[-3:])
        digits = digits[:-3]
    return NBSP.join(reversed(groups))


def fmt_number(value: float | int | None, digits: int = 1) -> str:
    """«68,4»; «−3,0»; an em dash for a missing value."""
    if is_missing(value):
        return "—"
    text = f"{abs(float(value)):.{digits}f}"
    if float(text.replace(",", ".")) == 0:
        sign = ""
    else:
        sign = MINUS if float(value) < 0 else ""
    whole, _, frac = text.partition(".")
    return sign + _group_thousands(whole) + ("," + frac if frac else "")


def fmt_int(value: float | int | None) -> str:
    """A count: «12 345»."""
    if is_missing(value):
        return "—"
    return fmt_number(round(float(value)), 0)


def fmt_signed(value: float | int | None, digits: int = 1) -> str:
    """A change between years: «+1,7», «−1,7», «0,0» (the sign says which way, always)."""
    if is_missing(value):
        return "—"
    text = fmt_number(value, digits)
    if text.startswith(MINUS) or float(value) == 0 or set(text) <= set("0,"):
        return text
    return "+" + text


def fmt_date(value: date | datetime | None) -> str:
    """«15.12.2025»."""
    if value is None or is_missing(value):
        return "—"
    return value.strftime("%d.%m.%Y")


def fmt_date_long(value: date | datetime) -> str:
    """«15 декабря 2025 г.» for prose and the title page."""
    return f"{value.day} {_MONTHS_GENITIVE[value.month - 1]} {value.year} г."


def fmt_bytes(size: int) -> str:
    """A file size for the publication page: «812 КБ», «1,4 МБ»."""
    if size < 1024:
        return f"{size} Б"
    if size < 1024 * 1024:
        return f"{fmt_number(size / 1024, 0)} КБ"
    return f"{fmt_number(size / (1024 * 1024), 1)} МБ"


def plural(n: int, forms: tuple[str, str, str]) -> str:
    """Russian plural: forms for 1, 2–4 and 5+ («школа», «школы», «школ»)."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


def count_phrase(n: int, forms: tuple[str, str, str]) -> str:
    """«3 школы», «21 организация»."""
    return f"{fmt_int(n)} {plural(n, forms)}"


def join_ru(items: list[str]) -> str:
    """«a, b и c» — an enumeration as a sentence says it."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " и " + items[-1]
