"""The report as a `Document` built from hand-made frames: no DuckDB, no dbt, no PDF (issue #12, item 2).

A region of two municipalities and three schools with three indicators; every other mart is empty,
as `reports.data.load` gives a mart absent from the warehouse. The methodology numbers are the
project's seed files themselves. Expected titles, numbers and cell texts are written out by hand
from the frames below and the methodology («Suppression»: n < 5 → «*», 5–9 → «†»; a mean score is
worse than the region beyond 2 × 15/√n), not read back from the code under test.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from reports.build import annex_tables, build_document
from reports.context import Context
from reports.data import MARTS, ReportData
from reports.document import Document, Paragraph, Table

Y = 2025
SEEDS = Path(__file__).resolve().parents[1] / "dbt" / "seeds"


def _seed(name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.read_csv(SEEDS / name)[list(columns)]


def _frames() -> dict[str, pd.DataFrame]:
    frames = {table.split(".", 1)[1]: pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
              for table, (cols, _) in MARTS.items()}
    cols = {table.split(".", 1)[1]: c for table, (c, _) in MARTS.items()}
    frames["dim_municipalities"] = pd.DataFrame(
        [("01", "Город Северск", "86", 2), ("02", "Берёзовский район", "86", 1)], columns=cols["dim_municipalities"])
    cluster = "город · СОШ · доступная"
    frames["dim_schools"] = pd.DataFrame([
        ("860001", "sch860001", "МБОУ «СОШ № 1»", "МБОУ «СОШ № 1» г. Северска", "01", "Город Северск", "СОШ", "СОШ",
         "город", "доступная", "86", 600, False, False, cluster),
        ("860002", "sch860002", "МАОУ «Лицей № 2»", "МАОУ «Лицей № 2» г. Северска", "01", "Город Северск", "Лицей",
         "Гимназия/Лицей/СОШ с УИОП", "город", "доступная", "86", 700, False, True, "город · Гимназия/Лицей/СОШ с УИОП · доступная"),
        ("860003", "sch860003", "МБОУ «СОШ № 3»", "МБОУ «СОШ № 3» Берёзовского района", "02", "Берёзовский район", "СОШ",
         "СОШ", "село", "удалённая", "86", 200, True, False, "село · СОШ · удалённая"),
    ], columns=cols["dim_schools"])
    frames["indicator_catalogue"] = pd.DataFrame([
        ("R01", "Средний тестовый балл ЕГЭ по русскому языку (ВТГ)", "up", "балл", "results"),
        ("R03", "Доля результатов ЕГЭ ниже минимального балла (ВТГ)", "down", "%", "results"),
        ("P01", "Доля выпускников 11 классов, выбравших ЕГЭ по математике профильного уровня", "up", "%", "selfdetermination"),
    ], columns=cols["indicator_catalogue"])
    frames["analysis_params"] = _seed("analysis_params.csv", cols["analysis_params"])
    frames["indicator_settings"] = _seed("indicators/indicator_settings.csv", cols["indicator_settings"])
    frames["marker_thresholds"] = _seed("marker_thresholds.csv", cols["marker_thresholds"])
    frames["marker_catalogue"] = _seed("marker_catalogue.csv", cols["marker_catalogue"])
    frames["vpr_deficit_zones"] = _seed("vpr_deficit_zones.csv", cols["vpr_deficit_zones"])

    # (year, indicator, level, entity, value, n)
    values = [
        (Y - 2, "R01", "region", "86", 66.0, 140), (Y - 1, "R01", "region", "86", 67.0, 145),
        (Y, "R01", "region", "86", 68.44, 150),
        (Y - 2, "R03", "region", "86", 6.0, 15), (Y - 1, "R03", "region", "86", 5.0, 12),
        (Y, "R03", "region", "86", 4.3, 7),
        (Y - 1, "P01", "region", "86", 50.0, 3), (Y, "P01", "region", "86", 40.0, 3),
        (Y, "R01", "municipality", "01", 70.2, 100), (Y, "R01", "municipality", "02", 61.0, 50),
        (Y - 1, "R01", "municipality", "01", 69.0, 98), (Y - 1, "R01", "municipality", "02", 63.0, 47),
    ]
    frames["fct_indicators"] = pd.DataFrame(
        [(y, c, lvl, e, None, None, v, n) for y, c, lvl, e, v, n in values], columns=cols["fct_indicators"])
    frames["mart_indicator_dynamics"] = pd.DataFrame([
        (Y, "R01", "region", "86", 68.44, 150, 67.0, 145, 1.44, 0.5, "улучшение"),
        (Y, "R03", "region", "86", 4.3, 7, 5.0, 12, -0.7, 1.0, "без существенных изменений"),
        (Y, "P01", "region", "86", 40.0, 3, 50.0, 3, -10.0, 9.0, "без существенных изменений"),
        (Y, "R01", "municipality", "01", 70.2, 100, 69.0, 98, 1.2, 2.1, "без существенных изменений"),
        (Y, "R01", "municipality", "02", 61.0, 50, 63.0, 47, -2.0, 3.0, "без существенных изменений"),
    ], columns=cols["mart_indicator_dynamics"])
    frames["mart_coverage"] = pd.DataFrame([
        (Y, "ЕГЭ", "region", "86", 150, 3, 2), (Y, "ОГЭ", "region", "86", 8, 2, 2), (Y, "НИКО", "region", "86", 4, 1, 1),
        (Y, "ЕГЭ", "municipality", "01", 100, 2, 1), (Y, "ОГЭ", "municipality", "01", 6, 2, 1),
        (Y, "ЕГЭ", "municipality", "02", 50, 1, 1), (Y, "ОГЭ", "municipality", "02", 2, 1, 1),
    ], columns=cols["mart_coverage"])
    frames["ingestion_ledger"] = pd.DataFrame([
        ("reestr.xlsx", "register", "0" * 64, Y, 3, 3, 0, "loaded", "", pd.Timestamp("2025-11-20 10:00")),
        ("min_bally.csv", "ege_min", "1" * 64, Y, 10, 9, 1, "partial", "строка 4: балл", pd.Timestamp("2025-11-21 09:30")),
        ("min_old.csv", "ege_min", "2" * 64, Y, 10, 0, 0, "superseded", "", pd.Timestamp("2025-11-19 08:00")),
    ], columns=cols["ingestion_ledger"])
    return frames


@pytest.fixture(scope="module")
def ctx() -> Context:
    return Context(ReportData(year=Y, frames=_frames()))


@pytest.fixture(scope="module")
def region(ctx) -> Document:
    return build_document(ctx, ctx.region, generated_at=datetime(Y, 12, 1))


@pytest.fixture(scope="module")
def municipality(ctx) -> Document:
    return build_document(ctx, ctx.municipality("02"), generated_at=datetime(Y, 12, 1))


def _sections(doc: Document, depth: int) -> list[str]:
    return [f"{s.number}. {s.title}" for s in doc.walk() if s.depth == depth]


def _table(doc: Document, key: str) -> Table:
    (t,) = [t for t in doc.tables() if t.key == key]
    return t


def _texts(t: Table) -> list[list[str]]:
    return [[c.text for c in r.cells] for r in t.rows]


def test_the_five_sections_and_the_scope_dependent_subsections(region, municipality):
    top = ["1. Введение", "2. Общие сведения о показателях", "3. Анализ образовательных результатов", "4. Выводы",
           "5. Рекомендации"]
    assert _sections(region, 1) == top and _sections(municipality, 1) == top
    assert _sections(region, 2)[5:9] == ["2.1. Показатели качества общего образования", "2.2. Составной индекс",
                                         "2.3. Муниципалитеты и кластеры ОО", "2.4. Ключевые показатели по муниципалитетам"]
    assert _sections(municipality, 2)[5:8] == ["2.1. Показатели качества общего образования", "2.2. Составной индекс",
                                               "2.3. Общеобразовательные организации и их кластеры"]
    analysis = ["3.1. Единый государственный экзамен", "3.2. Основной государственный экзамен",
                "3.3. Всероссийские проверочные работы", "3.4. Национальные исследования качества образования",
                "3.5. Профильный выбор и поступление выпускников", "3.6. Результаты ОО в сопоставлении с кластерами",
                "3.7. Объективность результатов ВПР", "3.8. Анализ эффективности принятых мер"]
    assert [s for s in _sections(region, 2) if s.startswith("3.")] == analysis
    assert "3.1.1. Выполнение заданий и зоны риска" in _sections(region, 3)
    assert "4.2. Муниципалитеты с показателями ниже региональных" in _sections(region, 2)
    assert "4.2. Показатели ниже региональных значений" in _sections(municipality, 2)
    assert _sections(region, 2)[-1] == "5.3. Региональному институту развития образования"
    assert _sections(municipality, 2)[-1] == "5.2. Общеобразовательным организациям"
    # ВПР without works: 3.3 says so and has no subsections
    vpr = next(s for s in region.walk() if s.number == "3.3")
    assert not vpr.subsections and vpr.blocks[0].text == f"Данные ВПР за {Y} год отсутствуют."


def test_tables_are_numbered_in_reading_order(region, municipality):
    assert [(t.number, t.key) for t in region.tables()] == [
        (1, "coverage"), (2, "sources"), (3, "indicators"), (4, "mo_context"), (5, "mo_key"), (6, "profiles_mo"),
        (7, "clusters")]
    assert [(t.number, t.key) for t in municipality.tables()] == [
        (1, "coverage"), (2, "sources"), (3, "indicators"), (4, "schools"), (5, "school_cluster_grid")]
    assert _table(region, "coverage").title == f"Охват оценочных процедур, {Y} год"
    assert _table(municipality, "indicators").title == (f"Показатели качества общего образования: Берёзовский район, "
                                                       f"{Y - 2}–{Y} годы")


def test_coverage_cells_are_suppressed_by_their_own_n(region, municipality):
    # participants are their own n: 150 printed, 8 with «†», 4 hidden; schools are not pupils
    assert _texts(_table(region, "coverage")) == [["ЕГЭ", "150", "3", "2"], ["ОГЭ", "8†", "2", "2"], ["НИКО", "*", "1", "1"]]
    # the municipality beside the region: its 2 ОГЭ participants are hidden, the region's 8 are not
    assert _texts(_table(municipality, "coverage")) == [["ЕГЭ", "50", "1", "150"], ["ОГЭ", "*", "1", "8†"],
                                                        ["НИКО", "—", "—", "*"]]


def test_indicator_rows_by_hand(region):
    rows = {r[0]: r for r in _texts(_table(region, "indicators"))}
    assert rows["R01"][4:10] == ["66,0", "67,0", "68,4", "150", "+1,4", "улучшение"]
    # n = 7 in Y: a small sample; the change rests on the smaller n of the two years (7)
    assert rows["R03"][4:10] == ["6,0", "5,0", "4,3†", "7†", "−0,7†", "без существенных изменений†"]
    # n = 3: nothing of it is published, not even its verdict
    assert rows["P01"][4:10] == ["—", "*", "*", "*", "*", "*"]


def test_municipal_key_marks_a_municipality_worse_than_the_region_beyond_noise(region):
    t = _table(region, "mo_key")
    assert t.columns[:3] == ["Код МО", "Муниципалитет", "R01 ЕГЭ, рус. яз., ср. балл"]
    r01 = {r.cells[0].text or r.cells[1].text: r.cells[2] for r in t.rows}
    # 2 × 15/√50 = 4.24 < 68.44 − 61.0; 70.2 is above the region
    assert (r01["01"].text, r01["01"].mark) == ("70,2", "")
    assert (r01["02"].text, r01["02"].mark) == ("61,0", "worse")
    assert (r01["Регион"].text, t.rows[-1].emphasis) == ("68,4", True)


def test_index_is_withheld_for_fewer_municipalities_than_the_seed_asks(region):
    index = next(s for s in region.walk() if s.number == "2.2")
    assert [type(b) for b in index.blocks] == [Paragraph]
    assert index.blocks[0].text.startswith("Составной индекс муниципалитетов не публикуется: индекс рассчитан для "
                                           "0 муниципалитетов")


def test_sources_by_kind_count_the_files_used(region):
    # the superseded file is no source of the numbers; its load date still counts as the latest delivery
    assert _texts(_table(region, "sources")) == [["Реестр ОО", "2025", "1", "3", "20.11.2025"],
                                                 ["Минимальные баллы ЕГЭ", "2025", "1", "9", "21.11.2025"]]


def test_annex_adds_its_own_tables_after_the_report(ctx, region):
    keys = [t.key for t in annex_tables(ctx, region)]
    assert keys[:7] == [t.key for t in region.tables()]
    assert keys[7:14] == ["source_files", "mo_indicators", "mo_skills", "school_vs_cluster", "deficits_schools",
                          "priority_deficits", "listed_full"]


def test_every_numbered_section_is_declared_in_the_outline(region, municipality):
    """Modules that open their subsections themselves (reports.gia_tasks) must agree with the outline."""
    from reports import outline

    for doc, kind in ((region, "region"), (municipality, "municipality")):
        declared = {(n, t) for n, _, t in outline.numbered(kind)}
        built = {(s.number, s.title) for s in doc.walk()}
        assert built <= declared, built - declared


def test_a_slice_keeps_rows_above_the_school_and_its_own_schools_rows_even_after_a_frame_is_replaced():
    """ReportData.for_schools locates the school rows once per frame (the publication slices for
    every municipality); a frame replaced since must be sliced from its new rows."""
    marts = pd.DataFrame({"level": ["region", "municipality", "school", "school", "school"],
                          "entity_code": ["59", "01", "590001", "590002", "590101"], "v": [1, 2, 3, 4, 5]})
    facts = pd.DataFrame({"school_code": ["590101", "590001", None], "v": [6, 7, 8]})
    register = pd.DataFrame({"school_code": ["590001", "590002", "590101"]})
    data = ReportData(year=2025, frames={"mart_x": marts, "fct_y": facts, "dim_schools": register})
    part = data.for_schools(frozenset({"590001", "590999"}))
    assert part["mart_x"]["v"].tolist() == [1, 2, 3] and part["fct_y"]["v"].tolist() == [7]
    assert part["dim_schools"]["school_code"].tolist() == ["590001", "590002", "590101"]
    assert part["mart_x"].index.tolist() == [0, 1, 2]
    data.frames["fct_y"] = pd.DataFrame({"school_code": ["590001", "590001"], "v": [9, 10]})
    assert data.for_schools(frozenset({"590001"}))["fct_y"]["v"].tolist() == [9, 10]
