"""§5 «Рекомендации»: addressed to those who can act, each resting on a finding of §3–§4."""
from __future__ import annotations

from collections import defaultdict

from reports.context import Context, Scope
from reports.document import ItemList, Section
from reports.rules import (
    recommend_individual_routes, recommend_institute, recommend_municipal, recommend_schools,
    summarise_school_recommendations, work_sort_key,
)
from reports.sections.clusters import persistently_low
from reports.sections.common import sub
from reports.sections.deficits import deficit_inputs, school_evidence
from reports.sections.objectivity import listed_schools
from reports.templating import prose

def build(ctx: Context, scope: Scope, s: Section, *, png: bool = False) -> None:
    """§5: to the municipal authorities (listed and persistently low schools), to schools (their
    priority deficits only; summarised by municipality in the regional report) and, in the regional
    report, to the institute."""
    s.add(*prose("recommendations_intro", is_region=scope.is_region))
    listed = listed_schools(ctx, scope)
    low = persistently_low(ctx, scope)
    sub(s, "recommendations.municipal", scope).add(
        ItemList(recommend_municipal(listed, low, ctx.year, ctx.methodology.marker_names),
                 empty_text="ОО с признаками необъективности и с устойчиво низкими результатами не выявлены; "
                            "специальных мер не требуется."))
    evidence = school_evidence(ctx, scope)
    school_items = recommend_schools(evidence)
    if scope.is_region:
        works: dict[str, list[str]] = defaultdict(list)
        for e in evidence:
            works[e.school_code] = sorted({p.work for p in e.priority}, key=work_sort_key)
        school_items = summarise_school_recommendations(school_items, ctx.mo_names,
                                                        {e.school_code: e.cluster_name for e in evidence}, works)
    sub(s, "recommendations.schools", scope).add(ItemList(
        school_items + recommend_individual_routes(evidence),
        empty_text="ОО с приоритетными дефицитами и отметками «2» по ВПР не выявлены."))
    if scope.is_region:
        sub(s, "recommendations.institute", scope).add(
            ItemList(recommend_institute(deficit_inputs(ctx, "region", ctx.region_code), listed, low)))
