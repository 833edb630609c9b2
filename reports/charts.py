"""Charts of the report: matplotlib (Agg) figures returned as inline SVG strings.

Text is drawn as paths (`svg.fonttype = 'path'`), so the SVG needs no font on the reader's side
and WeasyPrint embeds nothing extra; the SVG carries no date and a fixed hash salt, so the same
data give byte-identical charts (the manifest's hashes then only change when data do). Labels
are Russian with a decimal comma. A chart is a public cell too: callers pass only the points that
`suppression.point` / `cells.plotted` let through (the same rule as the table beside, complements
included), with labels already carrying «†» where a value is a small sample. `Figure` is used
directly (no pyplot state), which keeps charts cheap and safe in worker processes.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

RC = {
    "svg.fonttype": "path",
    "svg.hashsalt": "rsoko",
    "font.family": "DejaVu Sans",
    "font.size": 7.5,
    "axes.titlesize": 8.5,
    "axes.labelsize": 7.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "legend.frameon": False,
    "legend.fontsize": 7,
}
matplotlib.rcParams.update(RC)

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


PNG_DPI = 240    # the DOCX's charts (Word takes no SVG): ≥ 200 dpi at the width they are printed (16.5 cm)


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


def _render(fig: Figure, png: bool, *, tight: bool = True) -> ChartImage:
    """SVG (and PNG) of a figure. `tight` measures the labels first (an extra draw); charts with
    a fixed layout (the many small histograms) skip it."""
    _renders[0] += 1
    return _draw(fig, png, tight=tight)


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


def _draw(fig: Figure, png: bool, *, tight: bool) -> ChartImage:
    buf = io.StringIO()
    bbox = {"bbox_inches": "tight", "pad_inches": 0.04} if tight else {}
    fig.savefig(buf, format="svg", metadata={"Date": None}, **bbox)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    png_bytes = None
    if png:
        pbuf = io.BytesIO()
        fig.savefig(pbuf, format="png", dpi=PNG_DPI, **bbox)
        png_bytes = pbuf.getvalue()
    return ChartImage(svg=svg, png=png_bytes)


def _legend_below(ax, ncol: int) -> None:
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08 if ax.get_xlabel() == "" else -0.18), ncol=ncol,
              handlelength=1.2, columnspacing=1.2)


@cached
def marks_chart(labels: Sequence[str], shares: Sequence[Sequence[float]], *, png: bool = False,
                xlabel: str = "Доля участников, %") -> ChartImage:
    """Stacked horizontal bars of the shares of «2»…«5» per work (or subject), top to bottom."""
    fig = Figure(figsize=(FULL_WIDTH_IN, 0.5 + 0.22 * len(labels)))
    ax = fig.subplots()
    ys = list(range(len(labels)))[::-1]
    left = [0.0] * len(labels)
    for i, mark in enumerate("2345"):
        vals = [row[i] for row in shares]
        ax.barh(ys, vals, left=left, color=MARK_COLORS[mark], label=f"«{mark}»", height=0.7, edgecolor="white", linewidth=0.4)
        left = [l + v for l, v in zip(left, vals)]
    ax.set_yticks(ys, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_formatter(FuncFormatter(_comma))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, handlelength=1.2)
    return _render(fig, png)


class _HistogramCanvas:
    """One prepared figure reused for every histogram of a process.

    A report draws one histogram per ВПР work (≈ 30 per report, ≈ 300 per publication); updating
    the data of a ready figure halves the cost of building a new one each time. Not thread-safe:
    each worker process has its own canvas.
    """

    def __init__(self) -> None:
        self.fig = Figure(figsize=(3.25, 1.85))
        self.ax = ax = self.fig.subplots()
        edges = [-0.5, 0.5]
        self.bars = ax.stairs([0.0], edges, fill=True, color=PRIMARY)
        self.ref = ax.stairs([0.0], edges, color=REFERENCE, linewidth=0.9)
        self.lines = [ax.axvline(0, color="#444444", linestyle="--", linewidth=0.7) for _ in range(3)]
        self.labels = [ax.text(0, 0, f"«{m}»", fontsize=6.5, va="bottom") for m in "345"]
        ax.yaxis.set_major_locator(MaxNLocator(nbins=3))
        ax.yaxis.set_major_formatter(FuncFormatter(_comma))
        self.fig.subplots_adjust(left=0.09, right=0.98, bottom=0.13, top=0.86)

    def draw(self, scores, shares, bounds, work_max, reference, png) -> ChartImage:
        edges = [s - 0.5 for s in scores] + [scores[-1] + 0.5]
        self.bars.set_data(list(shares), edges)
        self.ref.set_visible(reference is not None)
        if reference is not None:
            self.ref.set_data(list(reference), edges)
        top = max(list(shares) + list(reference or [0]) + [1])
        for line, label, b in zip(self.lines, self.labels, bounds):
            line.set_visible(b is not None)
            label.set_visible(b is not None)
            if b is not None:
                line.set_xdata([b - 0.5, b - 0.5])
                label.set_position((b - 0.3, top * 1.02))
        self.ax.set_xlim(-0.8, work_max + 0.8)
        self.ax.set_ylim(0, top * 1.15)
        # Ticks where a reader looks: 0, the three mark boundaries and the maximum (few glyphs, too).
        self.ax.set_xticks(sorted({0, work_max, *[b for b in bounds if b is not None]}))
        return _render(self.fig, png, tight=False)


_CANVAS: _HistogramCanvas | None = None


@cached
def score_histogram(scores: Sequence[int], shares: Sequence[float], bounds: tuple[int | None, int | None, int | None],
                    work_max: int, *, reference: Sequence[float] | None = None, png: bool = False) -> ChartImage:
    """Share of pupils at each primary score, with dashed lines at the minimum scores of «3», «4», «5».

    The bars are one filled step path (`stairs`), not one rectangle per score, which keeps the
    SVG small and quick to draw in the PDF. `reference` (the region, same scores) is drawn as a
    step line over the group's bars, so a municipality sees where it departs from the region.
    """
    global _CANVAS
    if _CANVAS is None:
        _CANVAS = _HistogramCanvas()
    return _CANVAS.draw(list(scores), list(shares), tuple(bounds), int(work_max), reference, png)


@cached
def marks_and_journal_chart(labels: Sequence[str], shares: Sequence[Sequence[float]],
                            journal: Sequence[Sequence[float] | None], *, journal_marks: Sequence[str] = (),
                            png: bool = False) -> ChartImage:
    """Two panels sharing the works' labels: marks «2»…«5» (left) and ВПР against journal (right).

    One figure with shared labels instead of two: the labels are the costly text of these charts.
    `journal[i]` is (lowered, confirmed, raised) in % or None when the work has no journal marks
    (or too few to publish); `journal_marks[i]` («†» or '') is printed after a small-sample journal bar.
    """
    fig = Figure(figsize=(FULL_WIDTH_IN, 0.75 + 0.2 * len(labels)))
    ax1, ax2 = fig.subplots(1, 2, sharey=True, gridspec_kw={"wspace": 0.06})
    ys = list(range(len(labels)))[::-1]
    left = [0.0] * len(labels)
    for i, mark in enumerate("2345"):
        vals = [row[i] for row in shares]
        ax1.barh(ys, vals, left=left, color=MARK_COLORS[mark], label=f"«{mark}»", height=0.7, linewidth=0)
        left = [l + v for l, v in zip(left, vals)]
    left = [0.0] * len(labels)
    for i, (color, name) in enumerate(zip(JOURNAL_COLORS, ("ниже журнальной", "как в журнале", "выше журнальной"))):
        vals = [0.0 if row is None else row[i] for row in journal]
        ax2.barh(ys, vals, left=left, color=color, label=name, height=0.7, linewidth=0)
        left = [l + v for l, v in zip(left, vals)]
    for y, mark in zip(ys, journal_marks):
        if mark:
            ax2.text(100.5, y, mark, va="center", fontsize=6.3)
    ax1.set_yticks(ys, labels)
    for ax, title in ((ax1, "Отметки за работу"), (ax2, "Отметка ВПР и отметка по журналу")):
        ax.set_xlim(0, 100)
        ax.set_xticks([0, 50, 100])
        ax.set_title(title, fontsize=7.5, pad=14)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4 if ax is ax1 else 3, handlelength=1.0,
                  columnspacing=0.8, fontsize=6.3, borderaxespad=0.1)
    ax2.tick_params(axis="y", left=False)
    return _render(fig, png)


@cached
def dynamics_chart(series: dict[str, Sequence[tuple[int, float] | tuple[int, float, str]]], *, ylabel: str,
                   png: bool = False, labelled: int = 2) -> ChartImage:
    """Lines over the years (ЕГЭ mean scores, indicators), one per series, values labelled.

    A point may carry a mark («†», small sample) as its third item: printed after the value on the
    labelled series, after the series' name in the legend on the others (their values are not printed).
    """
    fig = Figure(figsize=(FULL_WIDTH_IN, 2.4))
    ax = fig.subplots()
    years = sorted({p[0] for pts in series.values() for p in pts})
    for i, (name, raw) in enumerate(series.items()):
        pts = sorted((p[0], p[1], p[2] if len(p) > 2 else "") for p in raw)
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        marked = next((m for _, _, m in pts if m), "")
        line, = ax.plot(xs, ys, marker="o", markersize=3, linewidth=1.6 if i < labelled else 0.9,
                        label=name if i < labelled else name + marked)
        if i < labelled:  # values only on the leading series; the others are in the table beside
            for x, y, mark in pts:
                ax.annotate(_comma(round(y, 1)) + mark, (x, y), textcoords="offset points", xytext=(0, 4), ha="center",
                            fontsize=6, color=line.get_color())
    ax.set_xticks(years, [str(y) for y in years])
    if len(years) == 1:
        ax.set_xlim(years[0] - 1, years[0] + 1)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(FuncFormatter(_comma))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), ncol=1)
    return _render(fig, png)


@cached
def cluster_chart(labels: Sequence[str], values: Sequence[float], *, reference: float | None, xlabel: str,
                  reference_label: str = "Регион", png: bool = False) -> ChartImage:
    """One indicator across clusters (pooled values), with the region's value as a vertical line."""
    fig = Figure(figsize=(FULL_WIDTH_IN, 0.45 + 0.2 * len(labels)))
    ax = fig.subplots()
    ys = list(range(len(labels)))[::-1]
    ax.barh(ys, values, color=PRIMARY, height=0.65)
    for y, v in zip(ys, values):
        ax.text(v, y, " " + _comma(round(v, 1)), va="center", fontsize=6.2)
    if reference is not None:
        ax.axvline(reference, color=REFERENCE, linewidth=1.0, label=f"{reference_label}: {_comma(round(reference, 1))}")
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0))
    ax.set_yticks(ys, labels)
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, max(list(values) + [reference or 0]) * 1.15 or 1)
    ax.xaxis.set_major_formatter(FuncFormatter(_comma))
    return _render(fig, png)


@dataclass(frozen=True)
class TrendPoint:
    """One year's value of one line; `small` = a small-sample value (drawn hollow, methodology
    «Suppression»: drawn with its mark). Suppressed values never become points."""

    year: int
    value: float
    small: bool = False


@cached
def indicator_trends_chart(panels: Sequence[tuple[str, dict[str, Sequence[TrendPoint]]]], *, lead: str,
                           png: bool = False, columns: int = 3) -> ChartImage:
    """Small multiples: one panel per indicator, one line per entity over the three years.

    The `lead` line (the report's own scope) is drawn thick and dark, the others thin in a fixed
    palette, so a municipality reads its line against the region's (and the region its
    municipalities). One legend for the figure, below it."""
    rows = max(1, -(-len(panels) // columns))
    legend_rows = -(-(len({n for _, s in panels for n in s}) + 1) // 4)
    height = 1.25 * rows + 0.2 * legend_rows + 0.1    # six rows and the caption fit one A4 page
    fig = Figure(figsize=(FULL_WIDTH_IN, height))
    axes = fig.subplots(rows, columns, squeeze=False)
    names: list[str] = []
    for series in (s for _, s in panels):
        names.extend(n for n in series if n not in names)
    palette = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4",
               "#b2df8a", "#fb9a99", "#cab2d6", "#fdbf6f"]
    colors = {name: ("#222222" if name == lead else palette[i % len(palette)])
              for i, name in enumerate(n for n in names if n != lead)}
    colors[lead] = "#222222"
    years = sorted({p.year for _, s in panels for pts in s.values() for p in pts})
    for k, ax in enumerate(axes.flat):
        if k >= len(panels):
            ax.set_visible(False)
            continue
        title, series = panels[k]
        for name in sorted(series, key=lambda n: n == lead):        # the lead line on top
            pts = sorted(series[name], key=lambda p: p.year)
            xs, ys = [p.year for p in pts], [p.value for p in pts]
            is_lead = name == lead
            ax.plot(xs, ys, color=colors[name], linewidth=1.8 if is_lead else 0.9, zorder=3 if is_lead else 2,
                    label=name)
            for small in (False, True):     # one artist per kind of marker, not one per point
                marked = [p for p in pts if p.small == small]
                if marked:
                    ax.plot([p.year for p in marked], [p.value for p in marked], linestyle="", marker="o",
                            markersize=3 if is_lead else 2.2, color=colors[name],
                            markerfacecolor="white" if small else colors[name], zorder=4 if is_lead else 2)
        ax.set_title(title, fontsize=6.5, loc="left")
        ax.set_xticks(years, [str(y) for y in years], fontsize=6)
        ax.set_xlim(years[0] - (1 if len(years) == 1 else 0.2), years[-1] + (1 if len(years) == 1 else 0.2))
        ax.tick_params(axis="y", labelsize=6)
        ax.yaxis.set_major_locator(MaxNLocator(4))
        ax.yaxis.set_major_formatter(FuncFormatter(_comma))
    handles = [Line2D([], [], color=colors[n], linewidth=1.8 if n == lead else 0.9, label=n)
               for n in [lead] + [n for n in names if n != lead]]
    handles.append(Line2D([], [], color="#555555", marker="o", markerfacecolor="white",
                                           linestyle="", markersize=3, label="малая выборка"))
    fig.legend(handles=handles, loc="lower center", ncol=min(4, len(handles)), fontsize=6.5,
               bbox_to_anchor=(0.5, 0.0))
    # a fixed layout (no tight_layout, no tight bbox): each of those is one more full draw of 25 panels
    fig.subplots_adjust(left=0.06, right=0.99, top=1 - 0.22 / height, bottom=(0.2 * legend_rows + 0.32) / height,
                        hspace=0.62, wspace=0.22)
    return _render(fig, png, tight=False)
