"""The report's sentences follow the seeds: edit a methodology number in the warehouse and the words
around it change (issue #12: «a test changes a seed threshold and sees the sentence change»).

A real DuckDB warehouse (the publication fixture, with the project's own seeds), the real report
builder; only the seed rows differ between the two builds.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from reports import suppression
from reports.build import build_document
from reports.context import Context
from reports.data import load
from reports.document import Cell, Document, ItemList, Paragraph, Table
from reports_fixture import build_fixture_warehouse

YEAR = 2025


def _text(doc: Document) -> str:
    """Every sentence a reader sees: paragraphs, table notes and column heads, conclusions."""
    parts: list[str] = []
    for section in doc.walk():
        for block in section.blocks:
            if isinstance(block, Paragraph):
                parts.append(block.text)
            elif isinstance(block, Table):
                parts.extend(block.notes)
                parts.extend(block.columns)
            elif isinstance(block, ItemList):
                parts.extend(item.text for item in block.items)
                parts.append(block.empty_text)
    return "\n".join(parts)


def _region_text(warehouse: Path) -> str:
    ctx = Context(load(warehouse, YEAR))
    return _text(build_document(ctx, ctx.region, generated_at=datetime(YEAR, 12, 1)))


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("seeds")
    as_shipped = root / "shipped.duckdb"
    build_fixture_warehouse(as_shipped, year=YEAR, n_mo=2, schools_per_mo=5)
    edited = root / "edited.duckdb"
    edited.write_bytes(as_shipped.read_bytes())
    con = duckdb.connect(str(edited))
    try:
        con.execute("update reference.indicator_settings set value = 3 where parameter = 'change_se_multiplier'")
        con.execute("update reference.analysis_params set value = 20 where parameter = 'ege_score_sd'")
        con.execute("update reference.analysis_params set value = 2.5 where parameter = 'cluster_gap_se_multiplier'")
        con.execute("update reference.analysis_params set value = 3 where parameter = 'trend_se_multiplier'")
        con.execute("update reference.marker_thresholds set value = 12 where marker_code = 'all' and parameter = 'min_pupils'")
        con.execute("update reference.marker_thresholds set value = 3 where parameter = 'listed_min_markers'")
        con.execute("update reference.marker_thresholds set value = 0.01 where marker_code = 'all' and parameter = 'alpha'")
        con.execute("update reference.marker_catalogue set name_ru = 'Всплески у границ отметок' where marker_code = 'M3'")
        con.execute("update reference.analysis_params set value = 8 where parameter = 'suppress_below_n'")
        con.execute("update reference.analysis_params set value = 12 where parameter = 'small_sample_below_n'")
    finally:
        con.close()
    return as_shipped, edited


def test_the_shipped_seeds_give_the_shipped_words(warehouses):
    text = _region_text(warehouses[0])
    assert "превышает удвоенную стандартную ошибку изменения" in text
    assert "стандартное отклонение принято равным 15 баллам" in text
    assert "если работу выполнили не менее 10 обучающихся ОО" in text
    assert "с уровнем значимости 0,001" in text and "не менее 2 разных признаков" in text
    assert "Пики на границах отметок" in text


def test_edited_seeds_change_the_sentences_around_them(warehouses):
    text = _region_text(warehouses[1])
    assert "удвоенн" not in text
    assert "превышает утроенную стандартную ошибку изменения" in text
    assert "стандартное отклонение принято равным 20 баллам" in text
    assert "если работу выполнили не менее 12 обучающихся ОО" in text
    assert "с уровнем значимости 0,01 " in text and "не менее 3 разных признаков" in text
    assert "Всплески у границ отметок" in text and "Пики на границах отметок" not in text


def _numbers(warehouse: Path) -> tuple[list[Cell], str, str]:
    """Every number cell of the regional and the municipal reports (each cell knows its n), the
    legend under the tables and the report's «Правила представления данных», as built on `warehouse`."""
    ctx = Context(load(warehouse, YEAR))
    cells: list[Cell] = []
    rules = ""
    for scope in (ctx.region, *(ctx.municipality(mo) for mo in ctx.mo_codes)):
        doc = build_document(ctx, scope, generated_at=datetime(YEAR, 12, 1))
        cells += [c for t in doc.tables() for r in t.rows for c in r.cells if c.kind != "text" and c.n is not None]
        rules = "\n".join(b.text for s in doc.walk() if s.title == "Правила представления данных"
                          for b in s.blocks if isinstance(b, Paragraph))
    return cells, suppression.legend(), rules


def test_the_suppression_minima_are_the_seed_rows(warehouses):
    """Seed rows suppress_below_n / small_sample_below_n: 5 and 10 as shipped, 8 and 12 in the edited
    warehouse. Expected statuses follow from the rule as the methodology states it (n < minimum →
    «*»; minimum ≤ n < small-sample minimum → «†»), cell by cell from each cell's own n; complementary
    suppression may hide more cells, never fewer."""
    shipped, shipped_legend, shipped_rules = _numbers(warehouses[0])
    edited, edited_legend, edited_rules = _numbers(warehouses[1])

    # as shipped: n 5–9 printed with «†», n < 5 hidden
    assert any(5 <= c.n <= 7 and c.text.endswith("†") for c in shipped)
    assert all(c.text == "*" for c in shipped if c.n < 5 and c.status != "missing")
    assert all(c.status in ("small", "suppressed") for c in shipped if 5 <= c.n <= 9 and c.status != "missing")
    assert "менее чем по 5 участникам" in shipped_legend and "(от 5 до 9 участников)" in shipped_legend
    assert "менее чем по 5 участникам" in shipped_rules and "по 5–9 участникам" in shipped_rules

    # edited: the same n of 5–7 are now hidden, 8–11 carry «†»
    assert any(5 <= c.n <= 7 for c in edited)
    assert all(c.text == "*" for c in edited if c.n < 8 and c.status != "missing")
    assert all(c.status in ("small", "suppressed") for c in edited if 8 <= c.n <= 11 and c.status != "missing")
    assert any(10 <= c.n <= 11 and c.text.endswith("†") for c in edited)
    assert "менее чем по 8 участникам" in edited_legend and "(от 8 до 11 участников)" in edited_legend
    assert "менее чем по 8 участникам" in edited_rules and "по 8–11 участникам" in edited_rules
