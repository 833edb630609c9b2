"""What every section module shares: the rules' configuration from the seeds, table notes and titles,
missing-safe conversions and the indicator lookups several sections read.

Kept apart from the sections so that no section imports another only for a helper, and small so
that it does not become a second build.py.
"""
from __future__ import annotations

import pandas as pd

from reports import outline
from reports.context import Context, Scope
from reports.document import Section
from reports.formatting import is_missing
from reports.rules import RuleConfig


def rule_config(ctx: Context) -> RuleConfig:
    """The rules' numbers from the seeds: the noise margin (indicator_settings.change_se_multiplier)
    and the SD of ЕГЭ scores (analysis_params.ege_score_sd)."""
    m = ctx.methodology
    return RuleConfig(z=m.se_multiplier, score_sd=m.param("ege_score_sd"), cluster_z=m.param("cluster_gap_se_multiplier"),
                      min_group=m.min_group_pupils, listed_min_markers=int(m.param("marker_listed_min_markers")),
                      marker_names=m.marker_names)


def title(ctx: Context, scope: Scope, key: str, **values: object) -> str:
    """A table's title from the outline for this scope: {year}, {prev}, {first} and {scope} filled in,
    `values` add or override fields (ЕГЭ dynamics spans the years the data hold)."""
    fields: dict[str, object] = dict(year=ctx.year, prev=ctx.year - 1, first=ctx.year - 2, scope=scope.name)
    return outline.title(key, scope.kind, **{**fields, **values})


def sub(sec: Section, path: str, scope: Scope) -> Section:
    """The outline's part at `path` opened under `sec` for the scope (numbered and titled there)."""
    return outline.open_part(sec, path, scope.kind)


def notes(*extra: str) -> list[str]:
    """Notes under a table (the «*»/«†» legend is added by the renderers where a table needs it)."""
    return list(extra)


def to_int(v) -> int | None:
    """A mart value as int, None when missing (pandas gives NaN/NA/None for an absent value)."""
    return None if is_missing(v) else int(v)


def to_float(v) -> float | None:
    """A mart value as float, None when missing."""
    return None if is_missing(v) else float(v)


def dyn_rows(ctx: Context, scope: Scope) -> pd.DataFrame:
    """The scope's year-on-year dynamics of Y by indicator (§2 table and §4 conclusions read them)."""
    return ctx.rows("mart_indicator_dynamics", scope, year=ctx.year).set_index("indicator_code")


def trend_rows(ctx: Context, scope: Scope) -> pd.DataFrame:
    """The scope's three-year trend verdicts of Y by indicator."""
    return ctx.rows("mart_indicator_trend", scope, year=ctx.year).set_index("indicator_code")


def year_values(ctx: Context, scope: Scope, year: int) -> pd.DataFrame:
    """The scope's indicator values of one year by indicator."""
    return ctx.rows("fct_indicators", scope, year=year).set_index("indicator_code")


def indicator_values(ctx: Context, level: str, year: int, codes, entities=None) -> dict[tuple[str, str], tuple]:
    """(entity, indicator) -> (value, n) of one level and year: the wide tables of municipalities,
    clusters and profiles look values up cell by cell."""
    ind = ctx.data["fct_indicators"]
    sel = ind[(ind["level"] == level) & (ind["year"] == year) & ind["indicator_code"].isin(codes)]
    if entities is not None:
        sel = sel[sel["entity_code"].astype(str).isin(entities)]
    return {(str(r.entity_code), r.indicator_code): (to_float(r.value), to_int(r.n_units)) for r in sel.itertuples()}


def task_order(task: str) -> tuple:
    """ФИС ОКО task numbers in reading order («2», «10», «1К1» → 1.1): string order puts «10» before «2»."""
    parts = []
    for chunk in str(task).replace("К", ".").replace("K", ".").split("."):
        parts.append((0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk))
    return tuple(parts)
