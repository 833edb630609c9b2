"""Charts of the report, returned as inline SVG strings (and PNG for the DOCX).

Every chart is written as SVG directly (`reports.svg`): a publication draws several hundred, and
matplotlib spent 20–900 ms on each, nearly all of it per-Axes work, where the same figure written
directly costs well under a millisecond to a few (docs/performance.md). The geometry is the one
matplotlib gave these charts (sizes, margins, 5 % padding of the data, its tick choice). Text is
text in DejaVu Sans; the PNG for the DOCX is rasterised by resvg from matplotlib's DejaVu files.
Nothing in the SVG depends on the clock or the machine, so the same data give byte-identical
charts and the manifest's hashes only change when data do. Labels are Russian with a decimal
comma. A chart is a public cell too: callers pass only the points that `suppression.point` /
`cells.plotted` let through (the same rule as the table beside, complements included), with labels
already carrying «†» where a value is a small sample.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from reports import svg

MARK_COLORS = {"2": "#d7301f", "3": "#fdae61", "4": "#a6d96a", "5": "#1a9641"}
JOURNAL_COLORS = ("#6baed6", "#bdbdbd", "#e6550d")
PRIMARY = "#2c7fb8"
SECONDARY = "#bdbdbd"
REFERENCE = "#d7301f"
FULL_WIDTH_IN = 6.6


@dataclass(frozen=True)
class ChartImage:
    """A rendered chart: SVG for HTML/PDF, optionally PNG for the DOCX."""

    svg: str
    png: bytes | None = None


SUBJECT_ABBREVIATIONS = {
    "Русский язык": "Рус. яз.", "Математика": "Мат.", "Окружающий мир": "Окр. мир", "История": "Ист.",
    "Обществознание": "Общ.", "География": "Геогр.", "Биология": "Биол.", "Физика": "Физ.", "Химия": "Хим.",
    "Английский язык": "Англ. яз.", "Немецкий язык": "Нем. яз.", "Французский язык": "Франц. яз.",
    "Информатика": "Информ.", "Литература": "Лит.",
}


def short_work(work: str) -> str:
    """«ВПР Русский язык 4» → «Рус. яз. 4» for chart labels (the tables beside keep full names)."""
    head, _, grade = work.removeprefix("ВПР ").removeprefix("НИКО ").rpartition(" ")
    if not head:
        return work
    return f"{SUBJECT_ABBREVIATIONS.get(head, head)} {grade}"




def _comma(x: float, _pos: int | None = None) -> str:
    text = f"{x:.10g}"
    return text.replace(".", ",").replace("-", "\u2212")


_drawing_seconds = [0.0]     # this process's CPU seconds in the chart functions (rsoko bench)
_renders = [0]               # charts actually drawn by this process (cache misses)
_hits = [0]                  # charts taken from the cache


def drawing_seconds() -> float:
    """CPU seconds this process has spent in the chart functions so far: building the figures
    and drawing them (SVG and PNG); a cache hit costs next to nothing and adds next to nothing."""
    return _drawing_seconds[0]


def renders() -> int:
    """How many charts this process has drawn (not taken from the cache) so far."""
    return _renders[0]


def cache_hits() -> int:
    """How many charts this process has taken from the cache so far."""
    return _hits[0]


# --- the cache of identical charts -----------------------------------------------------------
# A publication draws the same chart more than once: a worker renders several municipal reports
# and some of their figures depend only on region-wide data (the clusters' values, the region's
# lines), a report may repeat a figure. The key is a hash of the chart's kind and of everything
# it is drawn from (labels, values, marks, options), so a hit returns exactly the bytes a render
# would give (the drawing is deterministic: fixed hash salt, no date) and the output cannot
# depend on the order in which reports were built or on timing. Bounded: a region's PNGs are
# large, and a worker process lives for the whole publication.
CACHE_SIZE = 64
_cache: "OrderedDict[str, ChartImage]" = OrderedDict()


class _Unhashable(TypeError):
    """An argument the key cannot describe exactly: the chart is drawn without the cache."""


def _freeze(obj: Any) -> Any:
    """A plain, exact, repr-stable image of a chart argument (numpy arrays in full, never the
    abbreviated repr), or _Unhashable."""
    if obj is None or isinstance(obj, (str, bool, int, float)):
        return obj
    if hasattr(obj, "item") and getattr(obj, "ndim", None) == 0:          # a numpy scalar
        return _freeze(obj.item())
    if hasattr(obj, "tolist"):                                             # numpy array, pandas Series
        return ("seq", tuple(_freeze(x) for x in obj.tolist()))
    if isinstance(obj, dict):                       # insertion order matters (series order, colours)
        return ("dict", tuple((_freeze(k), _freeze(v)) for k, v in obj.items()))
    if isinstance(obj, (list, tuple)):
        return ("seq", tuple(_freeze(x) for x in obj))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return (type(obj).__name__, tuple(_freeze(getattr(obj, f.name)) for f in dataclasses.fields(obj)))
    raise _Unhashable(type(obj).__name__)


def chart_key(kind: str, args: tuple, kwargs: dict) -> str:
    """The cache key of one chart: SHA-256 of its kind and its frozen arguments."""
    frozen = (kind, _freeze(args), tuple(sorted((k, _freeze(v)) for k, v in kwargs.items())))
    return hashlib.sha256(repr(frozen).encode("utf-8")).hexdigest()


def clear_cache() -> None:
    _cache.clear()


def cached(fn: Callable[..., ChartImage]) -> Callable[..., ChartImage]:
    """A chart function whose result is taken from the cache when the same chart was drawn
    before in this process; its CPU seconds are added to drawing_seconds()."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> ChartImage:
        started = time.process_time()
        try:
            try:
                key = chart_key(fn.__name__, args, kwargs)
            except _Unhashable:
                return fn(*args, **kwargs)
            hit = _cache.get(key)
            if hit is not None:
                _cache.move_to_end(key)
                _hits[0] += 1
                return hit
            image = fn(*args, **kwargs)
            _cache[key] = image
            if len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
            return image
        finally:
            _drawing_seconds[0] += time.process_time() - started

    return wrapper


# --- horizontal bars and lines, drawn as SVG (reports.svg) -------------------------------------
TICK, TICK_PAD, INK, SPINE = 3.5, 3.5, "#333333", "#555555"
LABEL_SIZE = 7.5
CYCLE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
         "#17becf")     # matplotlib's default colours, which these charts had


def _value(v: float) -> str:
    """A value printed on a chart: one decimal, decimal comma, true minus («60,0», not «60»)."""
    from reports.formatting import fmt_number

    return fmt_number(v, 1)


def _x_axis(c: "svg.Canvas", x0: float, x1: float, y: float, lo: float, hi: float, ticks: Sequence[float],
            *, size: float = LABEL_SIZE, label: str | None = None) -> float:
    """Bottom spine, ticks and labels of a value axis from `lo` to `hi`; returns the lowest baseline."""
    c.line(x0, y, x1, y, color=SPINE)
    base = y + TICK + TICK_PAD + svg.ASCENT * size
    for t in ticks:
        x = x0 + (t - lo) / (hi - lo) * (x1 - x0)
        c.line(x, y, x, y + TICK, color=INK)
        c.text(x, base, _comma(t), size=size, anchor="middle", color=INK)
    if label:
        base += 1.3 * size
        c.text((x0 + x1) / 2, base, label, size=size, anchor="middle")
    return base


def _category_axis(c: "svg.Canvas", x0: float, y_top: float, labels: Sequence[str], pitch: float,
                   *, size: float = LABEL_SIZE, ticks: bool = True) -> None:
    """Left spine and the categories' names, one per row, right-aligned against it."""
    c.line(x0, y_top, x0, y_top + pitch * len(labels), color=SPINE)
    for i, label in enumerate(labels):
        y = y_top + (i + 0.5) * pitch
        if ticks:
            c.line(x0 - TICK, y, x0, y, color=INK)
            c.text(x0 - TICK - TICK_PAD, y + 0.5 * svg.ASCENT * size, label, size=size, anchor="end", color=INK)


def _patch_legend(c: "svg.Canvas", entries: Sequence[tuple[str, str]], center: float, baseline: float,
                  *, size: float, patch: float = 1.2) -> None:
    """One row of coloured squares with their names, centred on `center` (matplotlib's `ncol=len`)."""
    handle, gap, spacing = patch * size, 0.8 * size, 1.2 * size
    widths = [handle + gap + svg.text_width(name, size) for name, _ in entries]
    total = sum(widths) + spacing * (len(widths) - 1)
    x = min(center - total / 2, c.width - 2 - total)        # centred, but inside the figure
    for (name, color), w in zip(entries, widths):
        c.rect(x, baseline - 0.7 * size, handle, 0.7 * size, fill=color)
        c.text(x + handle + gap, baseline, name, size=size)
        x += w + spacing


def _stacked_rows(c: "svg.Canvas", x0: float, x1: float, y_top: float, pitch: float,
                  rows: Sequence[Sequence[float] | None], colors: Sequence[str], *, gap: str | None = None) -> None:
    """Stacked bars of shares (0–100) per row, 0.7 of the row high; `gap` draws a thin white seam."""
    scale = (x1 - x0) / 100.0
    for i, row in enumerate(rows):
        if row is None:
            continue
        y = y_top + (i + 0.15) * pitch
        left = 0.0
        for v, color in zip(row, colors):
            if v > 0:
                c.rect(x0 + left * scale, y, v * scale, 0.7 * pitch, fill=color)
                if gap:
                    c.line(x0 + (left + v) * scale, y, x0 + (left + v) * scale, y + 0.7 * pitch, color=gap, width=0.4)
            left += v


def _label_column(labels: Sequence[str], size: float = LABEL_SIZE) -> float:
    """Width of the category labels with their ticks and a small margin on the left."""
    return 3 + max((svg.text_width(label, size) for label in labels), default=0) + TICK + TICK_PAD


@cached
def marks_chart(labels: Sequence[str], shares: Sequence[Sequence[float]], *, png: bool = False,
                xlabel: str = "Доля участников, %") -> ChartImage:
    """Stacked horizontal bars of the shares of «2»…«5» per work (or subject), top to bottom."""
    _renders[0] += 1
    width, pitch = FULL_WIDTH_IN * 72, 13.0
    x0, x1 = _label_column(labels), FULL_WIDTH_IN * 72 - 6
    y_top = 22.0
    height = y_top + pitch * len(labels) + 36
    c = svg.Canvas(width, height)
    _patch_legend(c, [(f"«{m}»", MARK_COLORS[m]) for m in "2345"], (x0 + x1) / 2, 12, size=7)
    _stacked_rows(c, x0, x1, y_top, pitch, [list(r) for r in shares], [MARK_COLORS[m] for m in "2345"], gap="#ffffff")
    _category_axis(c, x0, y_top, labels, pitch)
    _x_axis(c, x0, x1, y_top + pitch * len(labels), 0, 100, [0, 20, 40, 60, 80, 100], label=xlabel)
    return _image(c, png)


@cached
def marks_and_journal_chart(labels: Sequence[str], shares: Sequence[Sequence[float]],
                            journal: Sequence[Sequence[float] | None], *, journal_marks: Sequence[str] = (),
                            png: bool = False) -> ChartImage:
    """Two panels sharing the works' labels: marks «2»…«5» (left) and ВПР against journal (right).

    `journal[i]` is (lowered, confirmed, raised) in % or None when the work has no journal marks
    (or too few to publish); `journal_marks[i]` («†» or '') is printed after a small-sample journal bar.
    """
    _renders[0] += 1
    width, pitch = FULL_WIDTH_IN * 72, 11.5
    x0 = _label_column(labels)
    between = 16.0           # room for the «100» of the left axis and the «0» of the right one
    panel = (width - x0 - 10 - between) / 2
    y_top = 34.0
    height = y_top + pitch * len(labels) + 22
    c = svg.Canvas(width, height)
    panels = ((x0, "Отметки за работу", [(f"«{m}»", MARK_COLORS[m]) for m in "2345"], list(shares)),
              (x0 + panel + between, "Отметка ВПР и отметка по журналу",
               list(zip(("ниже журнальной", "как в журнале", "выше журнальной"), JOURNAL_COLORS)),
               [None if r is None else list(r) for r in journal]))
    for k, (left, title, legend, rows) in enumerate(panels):
        right = left + panel
        c.text((left + right) / 2, 9, title, size=7.5, anchor="middle")
        _patch_legend(c, legend, (left + right) / 2, 22, size=6.3, patch=1.0)
        _stacked_rows(c, left, right, y_top, pitch, rows, [color for _, color in legend])
        _category_axis(c, left, y_top, labels if k == 0 else [""] * len(labels), pitch, ticks=k == 0)
        _x_axis(c, left, right, y_top + pitch * len(labels), 0, 100, [0, 50, 100])
    for i, mark in enumerate(journal_marks):
        if mark:
            c.text(x0 + 2 * panel + between + 1.5, y_top + (i + 0.5) * pitch + 0.5 * svg.ASCENT * 6.3, mark, size=6.3)
    return _image(c, png)


@cached
def dynamics_chart(series: dict[str, Sequence[tuple[int, float] | tuple[int, float, str]]], *, ylabel: str,
                   png: bool = False, labelled: int = 2) -> ChartImage:
    """Lines over the years (ЕГЭ mean scores, indicators), one per series, values labelled.

    A point may carry a mark («†», small sample) as its third item: printed after the value on the
    labelled series, after the series' name in the legend on the others (their values are not printed).
    """
    _renders[0] += 1
    width, height = FULL_WIDTH_IN * 72, 2.4 * 72
    lines = []
    for i, (name, raw) in enumerate(series.items()):
        pts = sorted((p[0], p[1], p[2] if len(p) > 2 else "") for p in raw)
        marked = next((m for _, _, m in pts if m), "")
        lines.append((name if i < labelled else name + marked, pts, CYCLE[i % len(CYCLE)], i < labelled))
    years = sorted({p[0] for _, pts, _, _ in lines for p in pts})
    legend_w = 8 + 2.0 * 7 + 0.8 * 7 + max(svg.text_width(name, 7) for name, *_ in lines)
    values = [p[1] for _, pts, _, _ in lines for p in pts]
    lo, hi = svg.padded(values)
    ticks = svg.nice_ticks(lo, hi, 7)
    x0 = 4 + 1.3 * LABEL_SIZE + max(svg.text_width(_comma(t), LABEL_SIZE) for t in ticks) + TICK + TICK_PAD
    x1 = width - legend_w - 4
    y0, y1 = 10.0, height - 22
    x_lo, x_hi = (years[0] - 1, years[-1] + 1) if len(years) == 1 else svg.padded([float(y) for y in years])
    c = svg.Canvas(width, height)

    def px(x: float) -> float:
        return x0 + (x - x_lo) / (x_hi - x_lo) * (x1 - x0)

    def py(v: float) -> float:
        return y1 - (v - lo) / (hi - lo) * (y1 - y0)

    c.line(x0, y0, x0, y1, color=SPINE)
    for t in ticks:
        c.line(x0 - TICK, py(t), x0, py(t), color=INK)
        c.text(x0 - TICK - TICK_PAD, py(t) + 0.5 * svg.ASCENT * LABEL_SIZE, _comma(t), size=LABEL_SIZE,
               anchor="end", color=INK)
    ylabel_x = 4 + svg.ASCENT * LABEL_SIZE
    c.parts.append(f'<text x="{svg.fmt(ylabel_x)}" y="{svg.fmt((y0 + y1) / 2)}" font-size="{svg.fmt(LABEL_SIZE)}" '
                   f'text-anchor="middle" transform="rotate(-90 {svg.fmt(ylabel_x)} {svg.fmt((y0 + y1) / 2)})">'
                   f'{svg.escape_text(ylabel)}</text>')
    c.line(x0, y1, x1, y1, color=SPINE)
    for yr in years:
        c.line(px(yr), y1, px(yr), y1 + TICK, color=INK)
        c.text(px(yr), y1 + TICK + TICK_PAD + svg.ASCENT * LABEL_SIZE, str(yr), size=LABEL_SIZE, anchor="middle",
               color=INK)
    for name, pts, color, lead in reversed(lines):       # the labelled (leading) series on top
        c.polyline([(px(x), py(v)) for x, v, _ in pts], color=color, width=1.6 if lead else 0.9)
        for x, v, _ in pts:
            c.circle(px(x), py(v), 1.5, color=color, fill=color)
        if lead:   # values only on the leading series; the others are in the table beside
            for x, v, mark in pts:
                c.text(px(x), py(v) - 4, _value(v) + mark, size=6, anchor="middle", color=color)
    lx, pitch = x1 + 8, 7 * 1.6
    for i, (name, _pts, color, lead) in enumerate(lines):
        base = y0 + 7 + i * pitch
        c.line(lx, base - 2.4, lx + 14, base - 2.4, color=color, width=1.6 if lead else 0.9)
        c.circle(lx + 7, base - 2.4, 1.5, color=color, fill=color)
        c.text(lx + 14 + 5.6, base, name, size=7)
    return _image(c, png)


@cached
def cluster_chart(labels: Sequence[str], values: Sequence[float], *, reference: float | None, xlabel: str,
                  reference_label: str = "Регион", png: bool = False) -> ChartImage:
    """One indicator across clusters (pooled values), with the region's value as a vertical line."""
    _renders[0] += 1
    width, pitch = FULL_WIDTH_IN * 72, 13.0
    x0 = _label_column(labels)
    x1 = width - 6 - svg.text_width(" 100,0", 6.2)
    y_top = 18.0 if reference is not None else 6.0
    height = y_top + pitch * len(labels) + 36
    hi = max(list(values) + [reference or 0]) * 1.15 or 1.0
    ticks = [t for t in svg.nice_ticks(0, hi, 6)]
    c = svg.Canvas(width, height)
    scale = (x1 - x0) / hi
    for i, v in enumerate(values):
        y = y_top + (i + 0.175) * pitch
        c.rect(x0, y, v * scale, 0.65 * pitch, fill=PRIMARY)
        c.text(x0 + v * scale + 1.5, y + 0.325 * pitch + 0.5 * svg.ASCENT * 6.2, _value(v), size=6.2)
    _category_axis(c, x0, y_top, labels, pitch)
    _x_axis(c, x0, x1, y_top + pitch * len(labels), 0, hi, ticks, label=xlabel)
    if reference is not None:
        xr = x0 + reference * scale
        c.line(xr, y_top, xr, y_top + pitch * len(labels), color=REFERENCE, width=1.0)
        text = f"{reference_label}: {_value(reference)}"
        tx = width - 4 - svg.text_width(text, 7)
        c.line(tx - 19, 9.5, tx - 5, 9.5, color=REFERENCE, width=1.0)
        c.text(tx, 12, text, size=7)
    return _image(c, png)


def _image(c: "svg.Canvas", png: bool) -> ChartImage:
    image = c.svg()
    return ChartImage(svg=image, png=svg.to_png(image) if png else None)


HISTOGRAM_SIZE_IN = (3.25, 1.85)


def _step_path(edges: Sequence[float], values: Sequence[float], px, py, *, close: bool) -> str:
    """A step outline from the baseline up and across each bin and back down (matplotlib's `stairs`)."""
    d = [f"M{svg.fmt(px(edges[0]))},{svg.fmt(py(0))}"]
    for i, v in enumerate(values):
        d.append(f"V{svg.fmt(py(v))}H{svg.fmt(px(edges[i + 1]))}")
    d.append(f"V{svg.fmt(py(0))}" + ("Z" if close else ""))
    return "".join(d)


@cached
def score_histogram(scores: Sequence[int], shares: Sequence[float], bounds: tuple[int | None, int | None, int | None],
                    work_max: int, *, reference: Sequence[float] | None = None, png: bool = False) -> ChartImage:
    """Share of pupils at each primary score, with dashed lines at the minimum scores of «3», «4», «5».

    The bars are one filled step path, not one rectangle per score, which keeps the SVG small and
    quick to draw in the PDF. `reference` (the region, same scores) is drawn as a step line over
    the group's bars, so a municipality sees where it departs from the region. A report draws one
    per ВПР work (≈ 300 per publication), so it is written as SVG directly (reports.svg) in the
    geometry matplotlib gave it (23 ms each there, mostly per-Axes work).
    """
    _renders[0] += 1
    scores, shares, bounds = list(scores), list(shares), tuple(bounds)
    width, height = HISTOGRAM_SIZE_IN[0] * 72, HISTOGRAM_SIZE_IN[1] * 72
    x0, x1 = 0.09 * width, 0.98 * width
    y0, y1 = (1 - 0.86) * height, (1 - 0.13) * height          # the axes' top and bottom edges
    x_lo, x_hi = -0.8, work_max + 0.8
    top = max(shares + list(reference or [0]) + [1])
    y_hi = top * 1.15

    def px(x: float) -> float:
        return x0 + (x - x_lo) / (x_hi - x_lo) * (x1 - x0)

    def py(y: float) -> float:
        return y1 - y / y_hi * (y1 - y0)

    c = svg.Canvas(width, height)
    edges = [sc - 0.5 for sc in scores] + [scores[-1] + 0.5]
    c.parts.append(f'<path d="{_step_path(edges, shares, px, py, close=True)}" fill="{PRIMARY}"/>')
    if reference is not None:
        c.parts.append(f'<path d="{_step_path(edges, list(reference), px, py, close=False)}" fill="none" '
                       f'stroke="{REFERENCE}" stroke-width="0.9" stroke-linejoin="round"/>')
    for mark, b in zip("345", bounds):
        if b is not None:
            c.line(px(b - 0.5), y0, px(b - 0.5), y1, color="#444444", width=0.7, dash="2.59,1.12")
            c.text(px(b - 0.3), py(top * 1.02) - 0.24 * 6.5, f"«{mark}»", size=6.5)
    tick, pad, ink, size = 3.5, 3.5, "#333333", 7.5
    for v in svg.nice_ticks(0, y_hi, 3):
        c.line(x0 - tick, py(v), x0, py(v), color=ink)
        c.text(x0 - tick - pad, py(v) + 0.5 * svg.ASCENT * size, _comma(v), size=size, anchor="end", color=ink)
    # ticks where a reader looks: 0, the three mark boundaries and the maximum
    for x in sorted({0, work_max, *[b for b in bounds if b is not None]}):
        c.line(px(x), y1, px(x), y1 + tick, color=ink)
        c.text(px(x), y1 + tick + pad + svg.ASCENT * size, str(x), size=size, anchor="middle", color=ink)
    c.line(x0, y0, x0, y1, color="#555555")
    c.line(x0, y1, x1, y1, color="#555555")
    image = c.svg()
    return ChartImage(svg=image, png=svg.to_png(image) if png else None)


@dataclass(frozen=True)
class TrendPoint:
    """One year's value of one line; `small` = a small-sample value (drawn hollow, methodology
    «Suppression»: drawn with its mark). Suppressed values never become points."""

    year: int
    value: float
    small: bool = False


TREND_PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4",
                 "#b2df8a", "#fb9a99", "#cab2d6", "#fdbf6f")


@cached
def indicator_trends_chart(panels: Sequence[tuple[str, dict[str, Sequence[TrendPoint]]]], *, lead: str,
                           png: bool = False, columns: int = 3) -> ChartImage:
    """Small multiples: one panel per indicator, one line per entity over the three years.

    The `lead` line (the report's own scope) is drawn thick and dark, the others thin in a fixed
    palette, so a municipality reads its line against the region's (and the region its
    municipalities). One legend for the figure, below it. Drawn as SVG directly (reports.svg):
    matplotlib spent 0.4–0.9 CPU s per figure on its 9–18 Axes; the geometry is matplotlib's
    (margins, 5 % padding of the data, MaxNLocator(4) ticks, tick and title sizes)."""
    _renders[0] += 1
    rows = max(1, -(-len(panels) // columns))
    names: list[str] = []
    for series in (s for _, s in panels):
        names.extend(n for n in series if n not in names)
    legend_rows = -(-(len(names) + 1) // 4)
    height_in = 1.25 * rows + 0.2 * legend_rows + 0.1    # six rows and the caption fit one A4 page
    width, height = FULL_WIDTH_IN * 72, height_in * 72
    colors = {name: TREND_PALETTE[i % len(TREND_PALETTE)] for i, name in enumerate(n for n in names if n != lead)}
    colors[lead] = "#222222"
    years = sorted({p.year for _, s in panels for pts in s.values() for p in pts})
    x_lo, x_hi = (years[0] - 1, years[-1] + 1) if len(years) == 1 else (years[0] - 0.2, years[-1] + 0.2)
    left, right = 0.06 * width, 0.99 * width
    top, bottom = 0.22 * 72, height - (0.2 * legend_rows + 0.32) * 72
    ax_w = (right - left) / (columns + 0.22 * (columns - 1))
    ax_h = (bottom - top) / (rows + 0.62 * (rows - 1))
    c = svg.Canvas(width, height)
    tick, pad, spine, ink = 3.5, 3.5, "#555555", "#333333"
    for k, (title, series) in enumerate(panels):
        x0 = left + (k % columns) * ax_w * 1.22
        y0 = top + (k // columns) * ax_h * 1.62           # the panel's top edge
        y1 = y0 + ax_h
        lo, hi = svg.padded([p.value for pts in series.values() for p in pts])

        def px(year: float) -> float:
            return x0 + (year - x_lo) / (x_hi - x_lo) * ax_w

        def py(value: float) -> float:
            return y1 - (value - lo) / (hi - lo) * ax_h

        c.text(x0, y0 - 6.0, title, size=6.5)
        for v in svg.nice_ticks(lo, hi):
            c.line(x0 - tick, py(v), x0, py(v), color=ink)
            c.text(x0 - tick - pad, py(v) + 0.5 * svg.ASCENT * 6, _comma(v), size=6, anchor="end", color=ink)
        for year in years:
            c.line(px(year), y1, px(year), y1 + tick, color=ink)
            c.text(px(year), y1 + tick + pad + svg.ASCENT * 6, str(year), size=6, anchor="middle", color=ink)
        c.line(x0, y0, x0, y1, color=spine)
        c.line(x0, y1, x0 + ax_w, y1, color=spine)
        for name in sorted(series, key=lambda n: n == lead):        # the lead line on top
            pts = sorted(series[name], key=lambda p: p.year)
            is_lead = name == lead
            c.polyline([(px(p.year), py(p.value)) for p in pts], color=colors[name], width=1.8 if is_lead else 0.9)
            r = (3 if is_lead else 2.2) / 2
            for p in pts:
                c.circle(px(p.year), py(p.value), r, color=colors[name],
                         fill="#ffffff" if p.small else colors[name])
    _trend_legend(c, [(n, colors[n], 1.8 if n == lead else 0.9) for n in [lead] + [n for n in names if n != lead]])
    image = c.svg()
    return ChartImage(svg=image, png=svg.to_png(image) if png else None)


def _trend_legend(c: "svg.Canvas", lines: list[tuple[str, str, float]]) -> None:
    """The figure's legend centred under the panels, filled column by column as matplotlib's
    `fig.legend(ncol=4)`: each line's sample, then the hollow marker of a small sample."""
    size = 6.5
    entries = [(name, color, w) for name, color, w in lines] + [("малая выборка", "#555555", 0.0)]
    ncol = min(4, len(entries))
    nrows = -(-len(entries) // ncol)
    cols = [entries[i * nrows:(i + 1) * nrows] for i in range(ncol)]
    handle, text_pad, col_gap = 2.0 * size, 0.8 * size, 2.0 * size
    widths = [handle + text_pad + max(svg.text_width(n, size) for n, _, _ in col) for col in cols if col]
    x = (c.width - (sum(widths) + col_gap * (len(widths) - 1))) / 2
    pitch = 1.66 * size
    last_baseline = c.height - 0.9 * size - 0.24 * size
    for col, w in zip(cols, widths):
        for i, (name, color, line_width) in enumerate(col):
            baseline = last_baseline - (nrows - 1 - i) * pitch
            mid = baseline - 0.33 * size
            if line_width:
                c.line(x, mid, x + handle, mid, color=color, width=line_width)
            else:
                c.circle(x + handle / 2, mid, 1.5, color=color, fill="#ffffff")
            c.text(x + handle + text_pad, baseline, name, size=size)
        x += w + col_gap
