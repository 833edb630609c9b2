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

from reports.build import build_document
from reports.context import Context
from reports.data import load
from reports.document import Document, ItemList, Paragraph, Table
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
