"""Suppression of small groups — the one place where a public number meets its n.

Methodology, «Suppression of small groups»: a value computed from fewer than 5 pupils/results is
published as `*`; one from 5–9 is published with the note «малая выборка» (the two minima are the
seed analysis_params rows `suppress_below_n` and `small_sample_below_n`). n is the number of
pupils or results behind the value (mart columns `n_units`, `participants`, `pupils`; for R16/R17
the pupils, not Σ max); a change between years or an index uses the *smaller* n of what it
combines. Every public cell of the HTML, PDF, DOCX and XLSX is produced by `suppress`, so the rule
is applied once, at the publishing edge, and tested once. `data/` is exported elsewhere, unsuppressed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Hashable, Iterable, Literal, Mapping, Sequence, TypeVar

from reports.formatting import fmt_number, is_missing

SUPPRESSED_TEXT = "*"
SMALL_SAMPLE_MARK = "†"
SMALL_SAMPLE_NOTE = "малая выборка"

Status = Literal["ok", "small", "suppressed", "missing"]
K = TypeVar("K", bound=Hashable)


class SuppressionNotConfigured(RuntimeError):
    """A public number was asked for before the seeds' minima were read (no report Context built)."""


@dataclass(frozen=True)
class Minima:
    """The two group sizes of the rule, from seed analysis_params (reports.methodology reads them)."""

    published: int      # below this n a value is not published at all («*»)
    small: int          # below this n (and at least `published`) a value carries «†» — малая выборка

    def __post_init__(self) -> None:
        if not 0 < self.published <= self.small:
            raise ValueError(f"пороги подавления несовместимы: {self.published} и {self.small}")


_minima: Minima | None = None


def configure(minima: Minima) -> None:
    """Set the minima for this process. `reports.context.Context` calls it with the warehouse's seed
    values, so every caller (cells, charts, rules, gia_tasks, the legend of every writer), in the
    main process and in each worker that builds its own Context, applies the same numbers; there is
    no default in code, so a number typed here could not silently disagree with the seed."""
    global _minima
    _minima = minima


def minima() -> Minima:
    """The minima in force (a clear error before a Context has read them)."""
    if _minima is None:
        raise SuppressionNotConfigured("пороги подавления малых групп не прочитаны из reference.analysis_params: "
                                       "отчёт строится без контекста хранилища")
    return _minima


@dataclass(frozen=True)
class Published:
    """A value as it may be published: the number (None when hidden), its text and why."""

    value: float | int | None
    text: str
    n: int | None
    status: Status

    @property
    def shown(self) -> bool:
        """The number itself is printed (ordinary or small sample)."""
        return self.status in ("ok", "small")


def combined_n(*ns: float | int | None) -> int | None:
    """The n of a value combining several (a change, an index): the smallest of them.

    An unknown n among them makes the result unknown, and `suppress` hides a value of unknown n:
    a public cell must never rest on a group whose size nobody checked.
    """
    if not ns or any(is_missing(n) for n in ns):
        return None
    return int(min(int(n) for n in ns))  # type: ignore[arg-type]


def sample_status(n: float | int | None) -> Status:
    """How a value resting on n pupils/results may be published."""
    m = minima()
    if is_missing(n) or int(n) < m.published:  # type: ignore[arg-type]
        return "suppressed"
    if int(n) < m.small:  # type: ignore[arg-type]
        return "small"
    return "ok"


def suppress(value: float | int | None, n: float | int | None, *,
             fmt: Callable[[float | int], str] = fmt_number) -> Published:
    """Publish `value` computed from `n` pupils/results, or hide it.

    - no value → «—» (nothing to hide; e.g. no previous year);
    - n below the published minimum (5) or n unknown → «*», the number is dropped;
    - n below the small-sample minimum (5 ≤ n ≤ 9) → the number followed by «†» (the tables' note
      explains «† — малая выборка»);
    - otherwise the number as `fmt` writes it.
    """
    if is_missing(value):
        return Published(None, "—", None if is_missing(n) else int(n), "missing")  # type: ignore[arg-type]
    status = sample_status(n)
    n_int = None if is_missing(n) else int(n)  # type: ignore[arg-type]
    if status == "suppressed":
        return Published(None, SUPPRESSED_TEXT, n_int, "suppressed")
    text = fmt(value)  # type: ignore[arg-type]
    if status == "small":
        text += SMALL_SAMPLE_MARK
    return Published(value, text, n_int, status)


def publishable(n: float | int | None) -> bool:
    """A group large enough to appear at all (rules name only such groups; charts use `point`)."""
    return sample_status(n) != "suppressed"


@dataclass(frozen=True)
class Line:
    """Groups that add up to a total shown beside them: a row or a column of a table.

    `total` and `parts` are keys of whatever the caller hides (a table row, a cell, a group); the
    methodology's «row or column of counts (or of shares with their n)». A total that is not printed
    anywhere is not a line: subtraction needs it.
    """

    total: Hashable
    parts: tuple[Hashable, ...]


def complementary(lines: Iterable[Line], n: Mapping[K, float | int | None], *,
                  fixed: Iterable[K] = ()) -> frozenset[K]:
    """The keys to hide: the small groups themselves and, for each line left with exactly one hidden
    member, the smallest other part (methodology, «Complementary suppression»).

    Why: with a total and all parts but one printed, the hidden part is the total minus the others
    (Table 9 of the demo: 183 − 174 − 5 = 4). Hiding a second part of that line leaves only their sum.
    One line's complement may leave another line (the crossing row or column) with one hidden
    member, so the rule is applied again until no line changes: the fewest cells the rule asks for,
    never a guess. The smallest part is taken (it costs the reader least); ties go to the first
    part in the line's order, so reruns hide the same cells. A line whose total is hidden and whose
    parts are all printed is recoverable by addition: its smallest part is hidden as well. Every key
    of `lines` must be in `n` (its n; None = unknown, which hides it like a small group); a group the
    reader knows to be empty («—») is no part of a line. `fixed` parts are printed elsewhere in the
    same document (the ВТГ row of «ЕГЭ по категориям» is the whole of «ЕГЭ по группам баллов»):
    hiding them here would hide nothing, so they are never the complement; a line with no other
    part left to hide hides its total instead.
    """
    lines = list(lines)
    fixed = set(fixed)
    hidden = {k for k, v in n.items() if sample_status(v) == "suppressed"}
    changed = True
    while changed:
        changed = False
        for line in lines:
            members = (line.total, *line.parts)
            if sum(k in hidden for k in members) != 1:
                continue
            # no part left to hide (a line of one part, or the others printed elsewhere): the total goes
            shown = [k for k in line.parts if k not in hidden and k not in fixed] or [line.total]
            smallest = min(range(len(shown)), key=lambda i: (float(n[shown[i]]), i))  # type: ignore[arg-type]
            hidden.add(shown[smallest])
            changed = True
    return frozenset(hidden)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Point:
    """A value as a chart may draw it: not at all when its table cell is «*», with «†» when small."""

    value: float | None
    status: Status

    @property
    def drawn(self) -> bool:
        return self.value is not None

    def label(self, text: str) -> str:
        """A bar's or a line's label, marked as its table cell is."""
        return text + SMALL_SAMPLE_MARK if self.status == "small" else text


def point(value: float | int | None, n: float | int | None, *, withheld: bool = False) -> Point:
    """Charts take their points through the same rule as cells: `suppress` decides, and `withheld`
    is a cell that the table beside hid as a complement (a chart must not print what it hides)."""
    p = suppress(value, n)
    if withheld or not p.shown:
        return Point(None, "suppressed" if p.status != "missing" else "missing")
    return Point(float(value), p.status)  # type: ignore[arg-type]


def chart_note(points: Iterable[Point]) -> str:
    """What a caption adds when a drawn point is a small sample: the tables' own legend words."""
    return f" ({SMALL_SAMPLE_MARK} — {SMALL_SAMPLE_NOTE})" if any(p.drawn and p.status == "small" for p in points) else ""


def legend() -> str:
    """The «*»/«†» legend under tables, on the index page and in the annex, with the minima in force."""
    m = minima()
    return (
        f"{SUPPRESSED_TEXT} — значение не публикуется: рассчитано менее чем по {m.published} участникам (результатам) "
        "или скрыто, чтобы его нельзя было вычислить по итогу строки (столбца); "
        f"{SMALL_SAMPLE_MARK} — {SMALL_SAMPLE_NOTE} (от {m.published} до {m.small - 1} участников); "
        "— — нет данных."
    )
