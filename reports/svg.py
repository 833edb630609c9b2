"""A small SVG canvas for the report's charts: lines, circles, rectangles, text.

Why not matplotlib: a publication draws several hundred charts, and matplotlib spent 20 ms on a
histogram and 0.4–0.9 CPU s on a figure of small panels (the indicator trends: 17 panels × up to
19 lines), nearly all of it per-Axes work. Written directly, the same figure is a few thousand
characters of SVG built in well under a millisecond to a few. matplotlib stays for what it does
cheaply: DejaVu's files and metrics, and its choice of tick values. Text stays text (DejaVu Sans,
the font of the reports): Typst draws it with the fonts it embeds in the PDF, a browser with the
page's own font stack, and the DOCX's PNG is rasterised by resvg from the DejaVu files matplotlib
ships (no system font is looked at, so the PNG is the same on every machine). Text widths come
from DejaVu's own advance widths, so a layout that fits here fits in every output.

Units are points (1/72 in) throughout; a full-width figure is as wide as the page's text block.
"""
from __future__ import annotations

import math
from functools import lru_cache
from html import escape
from pathlib import Path

FONT_FAMILY = "DejaVu Sans, Segoe UI, Arial, sans-serif"     # the reports' own stack (report.css)
ASCENT = 0.73       # digits' and capitals' height in em (DejaVu Sans): baselines of centred labels
PNG_DPI = 240


def fmt(x: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros (small, stable SVG)."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@lru_cache(maxsize=1)
def _font_file() -> str:
    """matplotlib's own DejaVu Sans (the files Typst embeds too), never a system copy: the same
    metrics, so the same SVG bytes, on every machine."""
    import matplotlib

    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")


@lru_cache(maxsize=None)
def _advance(ch: str) -> float:
    """Advance width of one character in em (DejaVu Sans, unhinted)."""
    from matplotlib.ft2font import LoadFlags

    font = _font()
    return font.load_char(ord(ch), flags=LoadFlags.NO_HINTING).linearHoriAdvance / 65536 / 100


@lru_cache(maxsize=1)
def _font():
    from matplotlib.ft2font import FT2Font

    font = FT2Font(_font_file())
    font.set_size(100, 72)
    return font


def text_width(text: str, size: float) -> float:
    """Width in points of `text` set in DejaVu Sans at `size` points."""
    return size * sum(_advance(ch) for ch in text)


class Canvas:
    """Elements appended in drawing order; `svg()` closes the document."""

    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.parts: list[str] = [f'<rect width="{fmt(width)}" height="{fmt(height)}" fill="#ffffff"/>']

    def line(self, x1: float, y1: float, x2: float, y2: float, *, color: str, width: float = 0.8,
             dash: str | None = None) -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<line x1="{fmt(x1)}" y1="{fmt(y1)}" x2="{fmt(x2)}" y2="{fmt(y2)}" stroke="{color}" '
                          f'stroke-width="{fmt(width)}"{extra}/>')

    def polyline(self, points: list[tuple[float, float]], *, color: str, width: float) -> None:
        if len(points) < 2:
            return
        pts = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in points)
        self.parts.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="{fmt(width)}" '
                          'stroke-linejoin="round" stroke-linecap="square"/>')

    def circle(self, x: float, y: float, r: float, *, color: str, fill: str, width: float = 1.0) -> None:
        self.parts.append(f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="{fmt(r)}" fill="{fill}" stroke="{color}" '
                          f'stroke-width="{fmt(width)}"/>')

    def rect(self, x: float, y: float, w: float, h: float, *, fill: str) -> None:
        self.parts.append(f'<rect x="{fmt(x)}" y="{fmt(y)}" width="{fmt(w)}" height="{fmt(h)}" fill="{fill}"/>')

    def text(self, x: float, y: float, text: str, *, size: float, anchor: str = "start", color: str = "#000000",
             bold: bool = False) -> None:
        """`y` is the baseline."""
        weight = ' font-weight="bold"' if bold else ""
        anchor_attr = "" if anchor == "start" else f' text-anchor="{anchor}"'
        self.parts.append(f'<text x="{fmt(x)}" y="{fmt(y)}" font-size="{fmt(size)}" fill="{color}"{anchor_attr}'
                          f'{weight}>{escape_text(text)}</text>')

    def svg(self) -> str:
        w, h = fmt(self.width), fmt(self.height)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}pt" height="{h}pt" viewBox="0 0 {w} {h}" '
                f'font-family="{FONT_FAMILY}" font-weight="normal" font-style="normal">' + "".join(self.parts) + "</svg>")


def escape_text(text: str) -> str:
    return escape(text, quote=False)


def to_png(svg: str, dpi: int = PNG_DPI) -> bytes:
    """The SVG rasterised (for the DOCX, which takes no SVG), with DejaVu from matplotlib's files only."""
    import resvg_py

    folder = Path(_font_file()).parent
    fonts = [str(folder / name) for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")]
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, dpi=float(dpi), background="#ffffff",
                                       skip_system_fonts=True, font_files=fonts, font_family="DejaVu Sans",
                                       sans_serif_family="DejaVu Sans"))


def nice_ticks(low: float, high: float, n: int = 4) -> list[float]:
    """Tick values within [low, high] as matplotlib's MaxNLocator(n) chooses them (1, 2, 2.5, 5, 10 steps)."""
    from matplotlib.ticker import MaxNLocator

    return [float(t) for t in MaxNLocator(n).tick_values(low, high) if low - 1e-9 <= t <= high + 1e-9]


def padded(values: list[float], margin: float = 0.05) -> tuple[float, float]:
    """Axis limits around the data with matplotlib's default 5 % margin (a flat line gets ±1 %, or ±0.05)."""
    lo, hi = min(values), max(values)
    if math.isclose(lo, hi):
        d = abs(lo) * 0.01 or 0.05
        return lo - d, hi + d
    d = (hi - lo) * margin
    return lo - d, hi + d
