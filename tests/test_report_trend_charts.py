"""Three years as lines (issue #13, item 3): every indicator for the region and each municipality,
the municipality beside the region in its own report; suppressed values never become points."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from reports.build import build_document
from reports.sections.overview import _trend_points, trend_panels
from reports.context import Context
from reports.data import load
from reports_fixture import build_fixture_warehouse

YEAR = 2025


@pytest.fixture(scope="module")
def ctx(tmp_path_factory) -> Context:
    path = tmp_path_factory.mktemp("trend") / "w.duckdb"
    build_fixture_warehouse(path, year=YEAR, n_mo=2, schools_per_mo=5)
    return Context(load(path, YEAR))


def test_regional_report_draws_every_municipality_and_the_region(ctx):
    figures = trend_panels(ctx, ctx.region)
    assert [caption.split(",")[0] for caption, _ in figures] == [
        "Показатели направления «Результаты обучения»",
        "Показатели направления «Профессиональное самоопределение» и региональный показатель"]
    lines = {"Регион", *(ctx.mo_names[m] for m in ctx.mo_codes)}
    results = dict(figures[0][1])
    assert {title.split()[0] for title in results} >= {"R01", "R06", "R14"}
    assert all(set(series) <= lines and "Регион" in series for series in results.values())
    assert any(set(series) == lines for series in results.values())
    # the figures are in the document, after the indicator table
    doc = build_document(ctx, ctx.region, generated_at=datetime(YEAR, 12, 1))
    assert [c.caption for c in doc.charts()][:2] == [caption for caption, _ in figures]


def test_municipal_report_sets_its_line_beside_the_region(ctx):
    mo = ctx.municipality(ctx.mo_codes[0])
    figures = trend_panels(ctx, mo)
    assert len(figures) == 2 and all(caption.endswith(f": {mo.name}") for caption, _ in figures)
    assert all(set(series) <= {mo.name, "Регион"} for _, panels in figures for _, series in panels)


def test_suppressed_values_are_no_points_and_small_ones_are_marked():
    frame = pd.DataFrame({"indicator_code": ["R01"] * 3, "entity_code": ["01"] * 3, "year": [2023, 2024, 2025],
                          "value": [60.0, 61.0, 62.0], "n_units": [3, 7, 40]})
    points = _trend_points(frame)[("R01", "01")]
    assert [(p.year, p.small) for p in points] == [(2024, True), (2025, False)]
