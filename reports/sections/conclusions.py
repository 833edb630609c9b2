"""§4 «Выводы»: the conclusions the rules (reports.rules) draw from the marts of the scope."""
from __future__ import annotations

from reports import numerals
from reports.context import Context, Scope
from reports.document import ItemList, Section
from reports.formatting import is_missing
from reports.rules import (
    EntityValue, IndicatorChange, conclude_below_region, conclude_deficits, conclude_dynamics, conclude_objectivity,
    conclude_persistently_low,
)
from reports.sections.clusters import persistently_low
from reports.sections.common import dyn_rows, indicator_values, rule_config, sub, to_float, to_int, trend_rows
from reports.sections.deficits import deficit_inputs, school_deficit_counts
from reports.sections.objectivity import listed_schools
from reports.templating import prose

def build(ctx: Context, scope: Scope, s: Section, *, png: bool = False) -> None:
    """§4: what changed beyond noise, where the scope is below the region, the deficits, and the
    listed and persistently low schools — each theme ordered by importance (reports.rules)."""
    s.add(*prose("conclusions_intro", se_accs=ctx.methodology.se("accs"),
                 score_sd=numerals.count(int(ctx.methodology.param("ege_score_sd")), "балл", "datv")))
    label = "Регион в целом" if scope.is_region else f"Муниципалитет: {scope.name}"
    sub(s, "conclusions.dynamics", scope).add(ItemList(conclude_dynamics(dynamics_inputs(ctx, scope), ctx.year, label, rule_config(ctx))))
    region, entities = below_region_inputs(ctx, scope)
    sub(s, "conclusions.below_region", scope).add(
        ItemList(conclude_below_region(region, entities, ctx.catalogue, rule_config(ctx)),
                 empty_text="Значений хуже региональных сверх статистической погрешности не выявлено."))
    level = "region" if scope.is_region else "municipality"
    sub(s, "conclusions.vpr_deficits", scope).add(ItemList(
        conclude_deficits(deficit_inputs(ctx, level, scope.code), label, rule_config(ctx), school_deficit_counts(ctx, scope),
                          mo_code=None if scope.is_region else scope.code),
        empty_text="Заданий с дефицитом на уровне всей группы участников не выявлено."))
    obj = ctx.data["mart_objectivity_schools"]
    evaluated = int(obj[(obj["year"] == ctx.year) & obj["school_code"].isin(scope.school_codes)]["school_code"].nunique())
    items = conclude_objectivity(listed_schools(ctx, scope), evaluated, label, rule_config(ctx)) + \
        conclude_persistently_low(persistently_low(ctx, scope), label, rule_config(ctx))
    sub(s, "conclusions.objectivity_low", scope).add(ItemList(items))


def dynamics_inputs(ctx: Context, scope: Scope) -> list[IndicatorChange]:
    """Each indicator's change and trend as the rules take them."""
    dyn, trend = dyn_rows(ctx, scope), trend_rows(ctx, scope)
    out = []
    for code, meta in ctx.catalogue.items():
        if code not in dyn.index:
            continue
        r = dyn.loc[code]
        t = trend.loc[code] if code in trend.index else None
        out.append(IndicatorChange(code, meta.name, meta.unit, meta.direction, to_float(r["value"]), to_int(r["n_units"]),
                                   to_float(r["prev_value"]), to_int(r["prev_n_units"]), to_float(r["change"]),
                                   to_float(r["change_se"]), None if is_missing(r["change_verdict"]) else str(r["change_verdict"]),
                                   None if t is None else to_float(t["value_y2"]), None if t is None else to_int(t["n_units_y2"]),
                                   None if t is None else str(t["trend_verdict"])))
    return out


def below_region_inputs(ctx: Context, scope: Scope) -> tuple[dict[str, EntityValue], list[EntityValue]]:
    """The region's value of every indicator and the municipalities' (the scope's own in its report)."""
    codes = list(ctx.catalogue)
    reg = indicator_values(ctx, "region", ctx.year, codes)
    region = {c: EntityValue(c, ctx.region_code, "Регион", *reg[(ctx.region_code, c)]) for c in codes if (ctx.region_code, c) in reg}
    mos = [scope.code] if not scope.is_region else ctx.mo_codes
    vals = indicator_values(ctx, "municipality", ctx.year, codes, entities=frozenset(mos))
    entities = [EntityValue(c, mo, ctx.mo_names.get(mo, mo), *vals[(mo, c)]) for (mo, c) in sorted(vals)]
    return region, entities
