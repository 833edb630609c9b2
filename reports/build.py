"""Assembling a report (regional or municipal) as a `document.Document` from the outline.

What the report contains, in which order, under which numbers and titles is `reports.outline`;
what each part says is its module in `reports.sections` (one per section of the methodology's
outline). Here the two meet: every part the outline has for the scope is opened and handed to its
module's `build(ctx, scope, section, png=…)`; a part without a module of its own (§3) is assembled
from its subparts. The annex takes every table of the regional report plus the outline's annex
tables. Schools appear in code order and beside their cluster — never in a league table.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from reports import gia_tasks, outline
from reports.context import Context, Scope
from reports.document import Document, Section, Table
from reports.formatting import fmt_date
from reports.report_config import cover, region_subtitle
from reports.sections import (
    clusters, conclusions, deficits, effectiveness, ege, introduction, niko, objectivity, oge, overview, profiles,
    recommendations, vpr,
)

Builder = Callable[..., None]
BUILDERS: dict[str, Builder] = {
    "introduction": introduction.build,
    "overview": overview.build,
    "analysis.ege": ege.build,
    "analysis.oge": oge.build,
    "analysis.vpr": vpr.build,
    "analysis.niko": niko.build,
    "analysis.profiles": profiles.build,
    "analysis.clusters": clusters.build,
    "analysis.objectivity": objectivity.build,
    "analysis.effectiveness": effectiveness.build,
    "conclusions": conclusions.build,
    "recommendations": recommendations.build,
}
"""Outline path → the module that writes that part (and opens its subparts itself)."""


def _fill(ctx: Context, scope: Scope, path: str, sec: Section, png: bool) -> None:
    """Hand the part at `path` to its module, or open its subparts in outline order and fill each."""
    builder = BUILDERS.get(path)
    if builder is not None:
        builder(ctx, scope, sec, png=png)
        return
    for child in outline.part(path).visible(scope.kind):
        child_path = f"{path}.{child.key}"
        _fill(ctx, scope, child_path, outline.open_part(sec, child_path, scope.kind), png)


def build_section(ctx: Context, scope: Scope, key: str, *, png: bool = False) -> Section:
    """One top-level section of the outline (e.g. «recommendations»), numbered as in the report."""
    sec = outline.open_section(key, scope.kind)
    _fill(ctx, scope, key, sec, png)
    return sec


def build_document(ctx: Context, scope: Scope, *, generated_at: datetime, png: bool = False) -> Document:
    """The whole report for a scope (region or municipality), numbered and ready to render."""
    title = f"Аналитический отчёт о результатах оценочных процедур в системе общего образования за {ctx.year} год"
    subtitle = (region_subtitle(ctx.config, ctx.region_code) if scope.is_region
                else f"Муниципальное образование «{scope.name}» (код {scope.code})")
    doc = Document(title=title, subtitle=subtitle, scope_name=scope.name, year=ctx.year, generated=fmt_date(generated_at),
                   kind=scope.kind, entity_code=scope.code, cover=cover(ctx.config))
    doc.sections = [build_section(ctx, scope, p.key, png=png) for p in outline.OUTLINE if scope.kind in p.scopes]
    doc.number_figures()
    return doc


ANNEX_BUILDERS: dict[str, Callable[[Context], Table]] = {
    "source_files": introduction.sources_table,
    "mo_indicators": overview.municipal_indicators_table,
    "mo_skills": vpr.municipal_skills_table,
    "school_vs_cluster": lambda ctx: clusters.school_vs_cluster_table(ctx, ctx.region),
    "deficits_schools": lambda ctx: deficits.school_deficits_table(ctx, ctx.region),
    "priority_deficits": lambda ctx: deficits.priority_deficits_table(ctx, ctx.region),
    "listed_full": objectivity.listed_full_table,
}
"""The annex's own tables (outline.ANNEX) by key; the ГИА task tables come from reports.gia_tasks."""
LONG_FORM_BUILDERS: dict[str, Callable[[Context], Table]] = {
    "vpr_tasks": lambda ctx: vpr.vpr_tasks_long_table(ctx, ctx.region),
}


def annex_tables(ctx: Context, region_doc: Document) -> list[Table]:
    """The annex: every table of the regional report (a wide one in its long form), then the outline's
    annex tables in its order."""
    tables = [LONG_FORM_BUILDERS[t.key](ctx) if t.key in LONG_FORM_BUILDERS else t for t in region_doc.tables()]
    own = [ANNEX_BUILDERS[spec.key](ctx) for spec in outline.ANNEX if spec.key in ANNEX_BUILDERS]
    return tables + own + gia_tasks.annex_tables(ctx)
