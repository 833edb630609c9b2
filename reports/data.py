"""Reading the marts the report needs, once, read-only.

The renderer opens the warehouse with `read_only=True` (DuckDB has one writer: dbt and ingestion
may be running for another year), copies the rows of the report year (and the two before it, for
dynamics) into pandas frames and closes the connection *before* any rendering or process pool
starts. Columns are named explicitly, as docs/architecture.md lists them, so a mart that gains
columns does not disturb the report and one that loses a column fails loudly here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

# table -> (columns, year filter: 'span' = Y−2..Y, 'year' = Y only, None = no year column)
MARTS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "marts.dim_schools": (("school_code", "school_login", "short_name", "full_name", "mo_code", "mo_name",
                           "school_type", "type_group", "locality", "transport_access", "region_code",
                           "pupils", "shnor", "is_advanced", "cluster_name"), None),
    "marts.dim_municipalities": (("mo_code", "mo_name", "region_code", "schools"), None),
    "reference.indicator_catalogue": (("code", "name_ru", "direction", "unit", "section"), None),
    "reference.analysis_params": (("parameter", "value"), None),
    "reference.indicator_settings": (("parameter", "value"), None),
    "reference.marker_thresholds": (("marker_code", "parameter", "value"), None),
    "reference.marker_catalogue": (("marker_code", "name_ru"), None),
    "reference.vpr_deficit_zones": (("level_of_task", "deficit_below", "sufficient_from", "min_group_pupils"), None),
    "marts.fct_indicators": (("year", "indicator_code", "level", "entity_code", "numerator", "denominator",
                              "value", "n_units"), "span"),
    "marts.mart_indicator_dynamics": (("year", "indicator_code", "level", "entity_code", "value", "n_units",
                                       "prev_value", "prev_n_units", "change", "change_se", "change_verdict"), "span"),
    "marts.mart_indicator_trend": (("year", "indicator_code", "level", "entity_code", "value_y2", "n_units_y2",
                                    "change_2y", "change_2y_se", "trend_verdict"), "year"),
    "marts.mart_index": (("year", "level", "entity_code", "results_index", "selfdetermination_index",
                          "overall_index"), "span"),
    "marts.mart_cluster_indicators": (("year", "indicator_code", "cluster_name", "numerator", "denominator",
                                       "value", "n_units", "schools"), "year"),
    "marts.mart_school_vs_cluster": (("year", "indicator_code", "school_code", "cluster_name", "school_value",
                                      "school_n_units", "cluster_value", "cluster_n_units"), "year"),
    "marts.mart_persistently_low_schools": (("year", "school_code", "percent_rank_y", "percent_rank_prev"), "year"),
    "marts.mart_school_standing": (("year", "school_code", "cluster_name", "shnor", "results_index", "cluster_index",
                                    "cluster_schools", "cluster_index_se", "gap", "position", "persistently_low",
                                    "good_practice"), "span"),
    "marts.mart_coverage": (("year", "procedure", "level", "entity_code", "participants", "schools",
                             "municipalities"), "span"),
    "marts.mart_ege_score_bands": (("year", "level", "entity_code", "subject_code", "subject_name", "category",
                                    "participants", "below_min", "band_min_60", "band_61_80", "band_81_100",
                                    "mean_score", "min_score"), "span"),
    "marts.mart_oge_marks": (("year", "level", "entity_code", "subject_code", "subject_name", "participants",
                              "mark2", "mark3", "mark4", "mark5"), "span"),
    "marts.mart_gia_task_completion": (("exam", "year", "gia_form", "subject_code", "subject_name", "level", "entity_code",
                                        "score_group", "part", "task_no", "task_key", "participants",
                                        "completion_pct", "reference_participants", "reference_completion_pct",
                                        "risk_zone", "task_level", "risk_rule"), "year"),
    "marts.mart_profile_admissions": (("year", "level", "entity_code", "profile", "admitted", "matched",
                                       "graduates"), "year"),
    "marts.fct_objectivity_markers": (("year", "school_code", "work", "marker_code", "value", "threshold",
                                       "flagged", "explanation_ru"), "year"),
    "marts.mart_gia_cohorts": (("year", "mo_code", "school_code", "gia_form", "subject_code", "vpr_participants",
                                "vpr_share_45", "gia_participants", "gia_share_45", "gap_pp", "named"), "year"),
    "marts.mart_objectivity_schools": (("year", "school_code", "markers_flagged", "listed"), "year"),
    "marts.fct_deficits": (("year", "work", "level", "entity_code", "task", "skill_code", "participants",
                            "completion_pct", "level_of_task", "deficit", "zone", "group_pupils"), "year"),
    "marts.mart_vpr_priority_deficits": (("year", "work", "mo_code", "cluster_name", "school_code", "task", "skill_code",
                                          "skill_name", "level_of_task", "participants", "completion_pct",
                                          "region_completion_pct", "cluster_completion_pct", "gap_pp", "skill_rank",
                                          "named"), "year"),
    "marts.mart_vpr_deficit_schools": (("year", "work", "task", "level", "entity_code", "schools_evaluated",
                                        "schools_with_deficit"), "year"),
    "marts.mart_vpr_skills": (("year", "work", "level", "entity_code", "skill_code", "skill_name",
                               "participants", "completion_pct"), "year"),
    "marts.mart_vpr_completion_by_mark": (("year", "work", "task", "mark", "participants", "completion_pct"), "year"),
    "marts.mart_vpr_marks": (("year", "work", "level", "entity_code", "participants", "mark2", "mark3",
                              "mark4", "mark5"), "year"),
    "marts.mart_vpr_benchmark": (("year", "work", "group_level", "group_name", "participants", "mark2", "mark3",
                                  "mark4", "mark5", "_source_file"), "year"),
    "marts.mart_vpr_journal": (("year", "work", "level", "entity_code", "participants", "lowered",
                                "confirmed", "raised"), "year"),
    "marts.mart_vpr_score_distribution": (("year", "work", "level", "entity_code", "primary_score", "pupils",
                                           "min_mark3", "min_mark4", "min_mark5", "work_max"), "year"),
    "marts.mart_niko_levels": (("year", "work", "level", "entity_code", "level_name", "pupils",
                                "participants"), "year"),
    # the effectiveness of the measures (reports/sections/effectiveness.py): rows of year Y only
    "marts.mart_effectiveness_measures": (("year", "measure", "role", "addressee_level", "measures",
                                           "schools"), "year"),
    "marts.mart_effectiveness_listed": (("year", "school_code", "mo_code", "markers_previous", "markers",
                                         "sat_vpr", "listed", "cleared", "had_measures", "measures"), "year"),
    "marts.mart_effectiveness_listed_summary": (("year", "measures_group", "schools", "sat_vpr", "cleared",
                                                 "cleared_pct"), "year"),
    "marts.mart_effectiveness_support": (("year", "school_code", "mo_code", "cluster_name", "shnor", "helped",
                                          "target", "gap_y2", "gap_y1", "gap_y", "n_y2", "n_y1", "n_y",
                                          "cluster_n_y", "gap_y_se2", "change", "change_se2", "verdict"), "year"),
    "marts.mart_effectiveness_courses": (("year", "work", "skill_code", "skill_name", "course_schools",
                                          "course_pupils_prev", "course_pupils", "course_completion_prev",
                                          "course_completion", "course_change", "other_schools", "other_pupils_prev",
                                          "other_pupils", "other_completion_prev", "other_completion",
                                          "other_change", "difference", "difference_se2", "verdict"), "year"),
    "meta.ingestion_ledger": (("file", "kind", "sha256", "year", "rows_read", "rows_loaded",
                               "rows_quarantined", "status", "message", "loaded_at"), None),
}
# Rows the report never reads, left in the warehouse: a school's task rows are read only where the
# task is a deficit for it (its own tables and the annex; the counts of schools evaluated come
# from mart_vpr_deficit_schools), and school-level skills and score distributions not at all
# (the report shows them for the region and municipalities). At
# the scale of a large region these filters keep ~1.6 M of the ~2.3 M rows out of memory, in
# the publishing process and in each renderer.
ROW_FILTERS: dict[str, str] = {
    "marts.fct_deficits": "level <> 'school' or deficit = 1",
    "marts.mart_vpr_skills": "level <> 'school'",
    "marts.mart_vpr_score_distribution": "level <> 'school'",
    "marts.mart_vpr_benchmark": "group_level = 'russia'",
    "marts.mart_gia_task_completion": "level <> 'school'",
    "marts.mart_indicator_trend": "level <> 'school'",
}
REQUIRED = ("marts.dim_schools", "marts.dim_municipalities", "reference.indicator_catalogue",
            "reference.indicator_settings", "reference.vpr_deficit_zones",
            "marts.fct_indicators", "marts.mart_indicator_dynamics")
# Levels below the school (classes) are never published; they are not even read.
PUBLISHED_LEVELS = ("region", "municipality", "school")


class WarehouseNotReady(RuntimeError):
    """A mart the report cannot do without is missing from the warehouse."""


@dataclass
class ReportData:
    """The rows of every mart the report reads, for one report year."""

    year: int
    frames: dict[str, pd.DataFrame]
    missing: list[str] = field(default_factory=list)
    _slicing: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __getitem__(self, short_name: str) -> pd.DataFrame:
        """`data["fct_indicators"]` — by the table's name without its schema."""
        return self.frames[short_name]

    def for_schools(self, school_codes: frozenset[str]) -> "ReportData":
        """The rows a report limited to these schools can read: every row above the school level,
        the school-level rows of these schools only, and the register whole.

        A municipal renderer receives only its own slice, so its memory does not grow with the
        number of schools in the region. `tests/test_reports_publication.py` checks that a
        municipal report rendered from its slice equals the one rendered from all rows.
        """
        frames = {}
        for name, df in self.frames.items():
            rows = self._school_rows(name)
            if rows is not None:
                always, codes, known = rows
                wanted = known.get_indexer(list(school_codes))
                df = df[always | np.isin(codes, wanted[wanted >= 0])]
            frames[name] = df.reset_index(drop=True)
        return ReportData(year=self.year, frames=frames, missing=list(self.missing))

    def _school_rows(self, name: str) -> tuple[np.ndarray, np.ndarray, pd.Index] | None:
        """(rows every slice keeps, each row's school as a number, the schools numbered) of a frame
        with school-level rows; None for a frame every slice holds whole. Computed once per frame:
        the publication slices the region's rows for each of up to ~60 municipalities, and
        comparing the text columns anew each time took 7 s of the large region's critical path."""
        df = self.frames[name]
        if self._slicing.get(name, (None,))[0] is not df:   # (a frame replaced since: computed anew)
            got = None
            if "level" in df.columns and "entity_code" in df.columns:
                always = (df["level"] != "school").to_numpy(dtype=bool, na_value=True)
                codes, known = pd.factorize(df["entity_code"].astype(str))
                got = (always, codes, pd.Index(known))
            elif "school_code" in df.columns and name != "dim_schools":
                codes, known = pd.factorize(df["school_code"].astype(str))
                got = (np.zeros(len(df), dtype=bool), codes, pd.Index(known))
            self._slicing[name] = (df, got)
        return self._slicing[name][1]

    @property
    def region_code(self) -> str:
        codes = self.frames["dim_municipalities"]["region_code"].dropna().unique()
        if len(codes):
            return str(codes[0])
        return str(self.frames["dim_schools"]["school_code"].iloc[0])[:2]


def _existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_schema || '.' || table_name from information_schema.tables").fetchall()
    return {r[0] for r in rows}


def _query(table: str, columns: tuple[str, ...], year_filter: str | None) -> str:
    cols = ", ".join(f'"{c}"' for c in columns)
    where = []
    if year_filter == "span":
        where.append("year between $y - 2 and $y")
    elif year_filter == "year":
        where.append("year = $y")
    if "level" in columns:
        where.append("level in ('region', 'municipality', 'school')")
    if table in ROW_FILTERS:
        where.append(f"({ROW_FILTERS[table]})")
    clause = (" where " + " and ".join(where)) if where else ""
    return f"select {cols} from {table}{clause}"


def load(warehouse: Path, year: int) -> ReportData:
    """Read every mart of the report for `year` from `warehouse`, read-only, and close the file."""
    frames: dict[str, pd.DataFrame] = {}
    missing: list[str] = []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        existing = _existing_tables(con)
        for table, (columns, year_filter) in MARTS.items():
            short = table.split(".", 1)[1]
            if table not in existing:
                if table in REQUIRED:
                    raise WarehouseNotReady(f"в хранилище нет таблицы {table}: отчёт не может быть сформирован")
                missing.append(table)
                frames[short] = pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
                continue
            params = {"y": int(year)} if year_filter else {}
            frames[short] = con.execute(_query(table, columns, year_filter), params).df()
    finally:
        con.close()
    for short in ("dim_schools", "dim_municipalities"):
        frames[short] = frames[short].sort_values(frames[short].columns[0]).reset_index(drop=True)
    return ReportData(year=int(year), frames=frames, missing=missing)
