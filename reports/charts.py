"""Charts of the report: matplotlib (Agg) figures returned as inline SVG strings.

Text is drawn as paths (`svg.fonttype = 'path'`), so the SVG needs no font on the reader's side
and WeasyPrint embeds nothing extra; the SVG carries no date and a fixed hash salt, so the same
data give byte-identical charts (the manifest's hashes then only change when data do). Labels
are Russian with a decimal comma. Callers pass only publishable groups (n ≥ 5): a chart is a
public cell too. `Figure` is used directly (no pyplot state), which keeps charts cheap and safe
in worker processes.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402
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


def _comma(x: float, _pos: int | None = None) -> str:
    text = f"{x:.10g}"
    return text.replace(".", ",").replace("-", "\u2212")


def _render(fig: Figure, png: bool, *, tight: bool = True) -> ChartImage:
    """SVG (and PNG) of a figure. `tight` measures the labels first (an extra draw); charts with
    a fixed layout (the many small histograms) skip it."""
    buf = io.StringIO()
    bbox = {"bbox_inches": "tight", "pad_inches": 0.04} if tight else {}
    fig.savefig(buf, format="svg", metadata={"Date": None}, **bbox)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    png_bytes = None
    if png:
        pbuf = io.BytesIO()
        fig.savefig(pbuf, format="png", dpi=150, **bbox)
        png_bytes = pbuf.getvalue()
    return ChartImage(svg=svg, png=png_bytes)


def _legend_below(ax, ncol: int) -> None:
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08 if ax.get_xlabel() == "" else -0.18), ncol=ncol,
              handlelength=1.2, columnspacing=1.2)


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


def score_histogram(scores: Sequence[int], shares: Sequence[float], bounds: tuple[int, int, int], work_max: int,
                    *, reference: Sequence[float] | None = None, title: str = "", png: bool = False,
                    label: str = "", reference_label: str = "Регион") -> ChartImage:
    """Share of pupils at each primary score, with dashed lines at the minimum scores of «3», «4», «5».

    The bars are one filled step path (`stairs`), not one rectangle per score: a report has a
    histogram per ВПР work, and a single path keeps the SVG small and quick to draw in the PDF.
    `reference` (the region, same scores) is drawn as a step line over the group's bars, so a
    municipality sees where its distribution departs from the region's.
    """
    fig = Figure(figsize=(3.25, 1.85))
    ax = fig.subplots()
    edges = [s - 0.5 for s in scores] + [scores[-1] + 0.5]
    ax.stairs(shares, edges, fill=True, color=PRIMARY, label=label or None)
    if reference is not None:
        ax.stairs(reference, edges, color=REFERENCE, linewidth=0.9, label=reference_label)
    top = max(list(shares) + list(reference or [0]) + [1])
    for b, mark in zip(bounds, "345"):
        if b is None:
            continue
        ax.axvline(b - 0.5, color="#444444", linestyle="--", linewidth=0.7)
        ax.text(b - 0.3, top * 1.02, f"«{mark}»", fontsize=6.5, va="bottom")
    ax.set_xlim(-0.8, work_max + 0.8)
    ax.set_ylim(0, top * 1.15)
    # Ticks where a reader looks: 0, the three mark boundaries and the maximum (few glyphs, too).
    ax.set_xticks(sorted({0, work_max, *[b for b in bounds if b is not None]}))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=3))
    ax.yaxis.set_major_formatter(FuncFormatter(_comma))
    if title:
        ax.set_title(title, loc="left", fontsize=7.5)
    if label or reference is not None:
        ax.legend(loc="upper left", fontsize=6, handlelength=1.0)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.13, top=0.86)
    return _render(fig, png, tight=False)


def dynamics_chart(series: dict[str, Sequence[tuple[int, float]]], *, ylabel: str, png: bool = False) -> ChartImage:
    """Lines over the years (ЕГЭ mean scores, indicators), one per series, values labelled."""
    fig = Figure(figsize=(FULL_WIDTH_IN, 2.4))
    ax = fig.subplots()
    years = sorted({y for pts in series.values() for y, _ in pts})
    for name, pts in series.items():
        pts = sorted(pts)
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        line, = ax.plot(xs, ys, marker="o", markersize=3, linewidth=1.2, label=name)
        for x, y in pts:
            ax.annotate(_comma(round(y, 1)), (x, y), textcoords="offset points", xytext=(0, 4), ha="center",
                        fontsize=6, color=line.get_color())
    ax.set_xticks(years, [str(y) for y in years])
    if len(years) == 1:
        ax.set_xlim(years[0] - 1, years[0] + 1)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(FuncFormatter(_comma))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), ncol=1)
    return _render(fig, png)


def journal_chart(labels: Sequence[str], lowered: Sequence[float], confirmed: Sequence[float], raised: Sequence[float],
                  *, png: bool = False) -> ChartImage:
    """ВПР marks against journal marks: shares lowered / confirmed / raised, per work."""
    fig = Figure(figsize=(FULL_WIDTH_IN, 0.5 + 0.22 * len(labels)))
    ax = fig.subplots()
    ys = list(range(len(labels)))[::-1]
    left = [0.0] * len(labels)
    for vals, color, name in zip((lowered, confirmed, raised), JOURNAL_COLORS,
                                 ("Понизили (ВПР < журнал)", "Подтвердили", "Повысили (ВПР > журнал)")):
        ax.barh(ys, vals, left=left, color=color, label=name, height=0.7, edgecolor="white", linewidth=0.4)
        left = [l + v for l, v in zip(left, vals)]
    ax.set_yticks(ys, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Доля участников, %")
    ax.xaxis.set_major_formatter(FuncFormatter(_comma))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, handlelength=1.2)
    return _render(fig, png)


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


def school_vs_cluster_chart(labels: Sequence[str], school_values: Sequence[float], cluster_values: Sequence[float],
                            *, xlabel: str, png: bool = False) -> ChartImage:
    """Each school's value (bar) beside its own cluster's (tick): a comparison, not a ranking."""
    fig = Figure(figsize=(FULL_WIDTH_IN, 0.55 + 0.2 * len(labels)))
    ax = fig.subplots()
    ys = list(range(len(labels)))[::-1]
    ax.barh(ys, school_values, color=PRIMARY, height=0.6, label="ОО")
    ax.scatter(cluster_values, ys, marker="|", s=160, color=REFERENCE, linewidths=1.6, label="Кластер ОО", zorder=3)
    ax.set_yticks(ys, labels)
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, max(list(school_values) + list(cluster_values) + [1]) * 1.1)
    ax.xaxis.set_major_formatter(FuncFormatter(_comma))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    return _render(fig, png)
