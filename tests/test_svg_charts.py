"""The charts drawn as SVG directly (reports.svg): each point sits where its value is on the
panel's own tick labels, the histogram's bars are as tall as the shares, text stays text in
DejaVu Sans, and the DOCX's PNG is a real raster at 240 dpi of the page width."""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from reports import charts

NS = "{http://www.w3.org/2000/svg}"


def _num(label: str) -> float:
    return float(label.replace(",", ".").replace("\u2212", "-"))


def _y_axis(texts: list[ET.Element], x_axis: float) -> list[tuple[float, float]]:
    """(value, baseline y) of the right-aligned tick labels just left of the axis at `x_axis`."""
    out = []
    for t in texts:
        if t.get("text-anchor") == "end" and x_axis - 12 < float(t.get("x")) < x_axis:
            out.append((_num(t.text), float(t.get("y"))))
    return out


def _value_at(y: float, ticks: list[tuple[float, float]], size: float) -> float:
    """The value at height y, from two tick labels (their baselines sit 0.5·ascent below the tick)."""
    (v1, b1), (v2, b2) = ticks[0], ticks[-1]
    shift = 0.5 * 0.73 * size
    y1, y2 = b1 - shift, b2 - shift
    return v1 + (y - y1) * (v2 - v1) / (y2 - y1)


def test_every_trend_point_is_drawn_at_its_value_on_the_panels_axis():
    tp = charts.TrendPoint
    values = {"Регион": [61.2, 63.8, 62.5], "г. Первый": [55.0, 70.4, 58.1]}
    panels = [("R01 Первый", {n: [tp(2023 + i, v, small=(n != "Регион" and i == 0)) for i, v in enumerate(vs)]
                              for n, vs in values.items()}),
              ("R02 Второй", {"Регион": [tp(2024, 3.0), tp(2025, 4.5)]})]
    charts.clear_cache()
    root = ET.fromstring(charts.indicator_trends_chart(panels, lead="Регион").svg)
    texts = list(root.iter(f"{NS}text"))
    assert {t.text for t in texts} >= {"R01 Первый", "R02 Второй", "2023", "2024", "2025", "Регион", "г. Первый",
                                       "малая выборка"}
    assert root.get("font-family").startswith("DejaVu Sans")
    circles = [(float(c.get("cx")), float(c.get("cy")), c.get("fill")) for c in root.iter(f"{NS}circle")]
    titles = {t.text: float(t.get("x")) for t in texts if t.text.startswith("R0")}
    checked = 0
    for title, series in panels:
        x_axis = titles[title]
        ticks = sorted(_y_axis(texts, x_axis))
        assert len(ticks) >= 2
        panel_circles = [c for c in circles if x_axis <= c[0] < x_axis + 140]
        year_x = {int(t.text): float(t.get("x")) for t in texts
                  if t.get("text-anchor") == "middle" and x_axis <= float(t.get("x")) < x_axis + 140}
        for name, pts in series.items():
            for p in pts:
                near = [c for c in panel_circles if abs(_value_at(c[1], ticks, 6) - p.value) < 0.05
                        and abs(c[0] - year_x[p.year]) < 0.01]
                assert near, (title, name, p)
                assert any((c[2] == "#ffffff") == p.small for c in near)
                checked += 1
    assert checked == 8


def test_histogram_bars_are_as_tall_as_the_shares():
    shares = [0.0, 10.0, 20.0, 40.0, 20.0, 10.0]
    charts.clear_cache()
    root = ET.fromstring(charts.score_histogram(list(range(6)), shares, (2, 3, 4), 5).svg)
    texts = list(root.iter(f"{NS}text"))
    assert [t.text for t in texts if t.text.startswith("«")] == ["«3»", "«4»", "«5»"]
    bars = next(p for p in root.iter(f"{NS}path") if p.get("fill") == charts.PRIMARY)
    heights = [float(v) for v in re.findall(r"V([\d.]+)", bars.get("d"))][:-1]     # the last V returns to 0
    x_axis = min(float(t.get("x")) for t in texts if t.get("text-anchor") == "end") + 7
    ticks = sorted(_y_axis(texts, x_axis))
    assert [round(_value_at(h, ticks, 7.5), 1) for h in heights] == shares
    # x ticks: 0, the three mark boundaries and the maximum
    assert [t.text for t in texts if t.get("text-anchor") == "middle"] == ["0", "2", "3", "4", "5"]


@pytest.mark.parametrize("chart", ["trends", "histogram"])
def test_the_docx_png_is_a_raster_of_the_svg_at_240_dpi(chart):
    charts.clear_cache()
    if chart == "trends":
        img = charts.indicator_trends_chart([("R01 Т", {"Регион": [charts.TrendPoint(2024, 1.0),
                                                                 charts.TrendPoint(2025, 2.0)]})],
                                            lead="Регион", png=True)
        width_in = charts.FULL_WIDTH_IN
    else:
        img = charts.score_histogram([0, 1, 2], [20.0, 50.0, 30.0], (1, 2, None), 2, png=True)
        width_in = charts.HISTOGRAM_SIZE_IN[0]
    png = Image.open(io.BytesIO(img.png))
    assert png.format == "PNG" and png.size[0] == round(width_in * 240)
    colours = {c for _, c in png.convert("RGB").getcolors(maxcolors=1 << 20)}
    assert (255, 255, 255) in colours and len(colours) > 50       # drawn, antialiased text and lines
