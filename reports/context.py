"""Lookups over the loaded marts that every section needs: names, the catalogue, scopes, works.

A *scope* is what one report is about: the region, or one municipality with its schools. Every
table builder takes a scope and reads the rows of its level and entity, so the regional and the
municipal reports share one code path ("the same outline limited to the municipality").
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np  # noqa: F401  (the positions' type)
import pandas as pd

from reports import methodology, suppression
from reports.data import ReportData
from reports.methodology import Methodology
from reports.report_config import ReportConfig
from reports.rules import IndicatorMeta, work_sort_key  # noqa: F401  (re-exported)

SECTION_ORDER = {"results": 0, "selfdetermination": 1, "regional": 2}
SECTION_TITLES = {
    "results": "Результаты обучения",
    "selfdetermination": "Профессиональное самоопределение",
    "regional": "Региональный показатель",
}
# Short labels for wide tables (the full names are in table 2.1 and the catalogue).
SHORT_LABELS = {
    "R01": "ЕГЭ, рус. яз., ср. балл", "R02": "ЕГЭ, мат. проф., ср. балл", "R03": "ЕГЭ ниже мин., %",
    "R04": "ЕГЭ 81–100, %", "R05": "ГИА-11 без удовл. рез., %", "R06": "ОГЭ рус. яз. «2», %",
    "R07": "ОГЭ мат. «2», %", "R08": "ОГЭ рус.+мат. «4»–«5», %", "R09": "ОГЭ по выбору «4»–«5», %",
    "R10": "ВПР-4 рус. яз. «2», %", "R11": "ВПР-4 мат. «2», %", "R12": "ВПР-4 окр. мир «2», %",
    "R13": "ВПР-4 рус. яз. «4»–«5», %", "R14": "ВПР-4 мат. «4»–«5», %", "R15": "ВПР-4 окр. мир «4»–«5», %",
    "R16": "ВПР практ. задания, мат., %", "R17": "ВПР практ. задания, ест.-науч., %",
    "P01": "Выбор ЕГЭ мат. проф., %", "P02": "Выбор ЕГЭ физики, %", "P03": "Выбор ЕГЭ химии, %",
    "P04": "Выбор ЕГЭ биологии, %", "P05": "Выбор ОГЭ физики, %", "P06": "Выбор ОГЭ химии, %",
    "P07": "Выбор ОГЭ биологии, %", "P08": "Тот же предмет ОГЭ и ЕГЭ, %", "G01": "Поступили по профилю, %",
}


@dataclass(frozen=True)
class Scope:
    """The region or one municipality: the level and entity code of its rows in the marts."""

    kind: str                   # 'region' | 'municipality'
    code: str
    name: str
    school_codes: frozenset[str]

    @property
    def level(self) -> str:
        return self.kind

    @property
    def is_region(self) -> bool:
        return self.kind == "region"

    @property
    def label_in(self) -> str:
        """«в регионе» / «в муниципалитете»."""
        return "в регионе" if self.is_region else "в муниципалитете"


class Context:
    """The loaded marts with the lookups the builders need (constructed once per process)."""

    def __init__(self, data: ReportData, config: ReportConfig | None = None):
        self.data = data
        self.config = config        # who publishes (report.toml); None: the region is named by its code
        self.year = data.year
        self.region_code = data.region_code
        schools = data["dim_schools"]
        self.schools = schools.set_index("school_code", drop=False).rename_axis(None)
        munis = data["dim_municipalities"]
        self.mo_names: dict[str, str] = dict(zip(munis["mo_code"].astype(str), munis["mo_name"].astype(str)))
        cat = data["indicator_catalogue"].copy()
        cat["_order"] = cat["section"].map(SECTION_ORDER).fillna(9)
        cat = cat.sort_values(["_order", "code"])
        self.catalogue: dict[str, IndicatorMeta] = {
            r.code: IndicatorMeta(r.code, r.name_ru, r.unit, r.direction) for r in cat.itertuples()
        }
        self.sections: dict[str, str] = dict(zip(cat["code"], cat["section"]))
        suppression.configure(methodology.suppression_minima(data["analysis_params"]))   # every public number

    # --- scopes ----------------------------------------------------------------------------
    @cached_property
    def region(self) -> Scope:
        name = self.config.region if self.config is not None and self.config.region else \
            f"регион (код субъекта {self.region_code})"
        return Scope("region", self.region_code, name,
                     frozenset(self.schools.index.astype(str)))

    def municipality(self, mo_code: str) -> Scope:
        codes = self.schools.index[self.schools["mo_code"].astype(str) == mo_code]
        return Scope("municipality", mo_code, self.mo_names.get(mo_code, mo_code), frozenset(codes.astype(str)))

    @property
    def mo_codes(self) -> list[str]:
        return sorted(self.mo_names)

    # --- lookups ---------------------------------------------------------------------------
    def school_name(self, code: str) -> str:
        try:
            return str(self.schools.at[code, "short_name"])
        except KeyError:
            return code

    def school_mo(self, code: str) -> str:
        try:
            return str(self.schools.at[code, "mo_code"])
        except KeyError:
            return ""

    @cached_property
    def methodology(self) -> Methodology:
        """The seeds' numbers the report states (reports.methodology)."""
        return methodology.from_frames(self.data["vpr_deficit_zones"], self.data["indicator_settings"],
                                       self.data["analysis_params"], self.data["marker_thresholds"],
                                       self.data["marker_catalogue"])

    def param(self, name: str) -> float | None:
        """A methodology parameter of seed analysis_params or indicator_settings (None when absent)."""
        return self.methodology.params.get(name)

    def school_cluster(self, code: str) -> str:
        try:
            value = self.schools.at[code, "cluster_name"]
        except KeyError:
            return ""
        return "" if value is None or value != value else str(value)

    def short_label(self, code: str) -> str:
        return SHORT_LABELS.get(code, code)

    def _positions(self, table: str) -> dict[tuple[str, str], "np.ndarray"]:
        """Row positions of `table` per (level, entity_code), computed once per table: a report
        reads ~20 marts many times, each for one or two scopes. Positions, not frames: splitting
        a mart into one frame per entity built ~1,000 frames per municipal report, nearly all
        for entities the report never reads."""
        cache = self.__dict__.setdefault("_entity_cache", {})
        if table not in cache:
            df = self.data[table]
            cache[table] = df.groupby([df["level"], df["entity_code"].astype(str)], sort=False).indices
        return cache[table]

    def rows(self, table: str, scope: Scope, *, year: int | None = None) -> pd.DataFrame:
        """The rows of `table` at the scope's level and entity (and year, if given), in the
        mart's order; the same frame on every call (callers do not modify it)."""
        frames = self.__dict__.setdefault("_rows_cache", {})
        key = (table, scope.level, scope.code, year)
        df = frames.get(key)
        if df is None:
            positions = self._positions(table).get((scope.level, scope.code))
            df = self.data[table].iloc[0:0] if positions is None else self.data[table].iloc[positions]
            if year is not None:
                df = df[df["year"] == year]
            frames[key] = df
        return df

    def level_rows(self, table: str, level: str, *, year: int | None = None,
                   entities: frozenset[str] | None = None) -> pd.DataFrame:
        """All rows of one level (e.g. every municipality, or the schools of a scope)."""
        df = self.data[table]
        mask = df["level"] == level
        if year is not None:
            mask &= df["year"] == year
        if entities is not None:
            mask &= df["entity_code"].astype(str).isin(entities)
        return df[mask]

    @cached_property
    def vpr_works(self) -> list[str]:
        marks = self.data["mart_vpr_marks"]
        works = marks.loc[marks["year"] == self.year, "work"].dropna().unique().tolist()
        return sorted(works, key=work_sort_key)

    @cached_property
    def indicator_n(self) -> pd.DataFrame:
        """Per year, level and entity: the smallest n of its R and P indicators (for the index's n)."""
        ind = self.data["fct_indicators"]
        ind = ind.assign(direction=ind["indicator_code"].str[0])
        return ind.groupby(["year", "level", "entity_code", "direction"], as_index=False)["n_units"].min()

    @cached_property
    def indicator_n_lookup(self) -> dict[tuple, float]:
        """`indicator_n` as {(year, level, entity code as text, direction): n}: the overview asks it
        for every municipality, year and index, and filtering the frame each time cost seconds."""
        n = self.indicator_n
        keys = zip(n["year"].tolist(), n["level"].tolist(), n["entity_code"].astype(str).tolist(),
                   n["direction"].tolist())
        return dict(zip(keys, n["n_units"].tolist()))
