"""One module per section of the yearly report (methodology, «The yearly analytical report»).

Each module's `build(ctx, scope, section, png=…)` fills the section `reports.outline` numbered and
titled for it and opens its subsections through the outline (`common.sub`); `reports.build`
assembles them. `common` holds what several sections share; `effectiveness` also makes the
справка of its own. Order of the report: introduction (§1), overview (§2), ege, oge, vpr and
deficits, niko, profiles, clusters, objectivity, effectiveness (§3.1–3.8), conclusions (§4),
recommendations (§5).
"""
