"""What `index.html` shows besides the list of files: who publishes, the region's key results, and a
municipality selector leading to each municipality's report and to the annex.

The page is where a municipal department lands, usually from a phone, so the downloads come
first, the hashes last (folded), and every number on it went through the same suppression as the
report's cells (`reports.cells`): the page cannot publish what the tables hide.
"""
from __future__ import annotations

from dataclasses import dataclass

from reports import cells
from reports.context import Context

# The region's results a reader looks for first: mean ЕГЭ scores, the share below the minimum,
# «2» at ОГЭ and ВПР-4 in mathematics, under the catalogue's full names.
KEY_INDICATORS = ("R01", "R02", "R03", "R07", "R11")


@dataclass(frozen=True)
class KeyResult:
    """One number of the «Ключевые результаты» block, as printed."""

    label: str
    value: str
    unit: str
    previous: str           # «в 2024 году: 67,1», or '' when the previous year is absent or hidden


@dataclass(frozen=True)
class MunicipalityLinks:
    code: str
    name: str
    pdf: str | None         # relative paths of the published files (None when not published)
    html: str | None


def _indicator(ctx: Context, code: str, year: int) -> tuple[float | None, int | None]:
    ind = ctx.data["fct_indicators"]
    sel = ind[(ind["level"] == "region") & (ind["year"] == year) & (ind["indicator_code"] == code)]
    if sel.empty:
        return None, None
    r = sel.iloc[0]
    return float(r["value"]), int(r["n_units"])


def key_results(ctx: Context) -> list[KeyResult]:
    """The region's values of KEY_INDICATORS for the year (and the previous year), suppressed
    like any cell; then the counts of schools, municipalities and listed schools."""
    out = []
    for code in KEY_INDICATORS:
        meta = ctx.catalogue.get(code)
        if meta is None:
            continue
        value, n = _indicator(ctx, code, ctx.year)
        cell = cells.number(value, n)
        if value is None or cell.status in ("suppressed", "missing"):
            continue
        prev_value, prev_n = _indicator(ctx, code, ctx.year - 1)
        prev = cells.number(prev_value, prev_n)
        previous = f"в {ctx.year - 1} году: {prev.text}" if prev_value is not None and prev.status in ("ok", "small") else ""
        unit = "%" if meta.unit == "%" else ""      # a mean score: the label says «ср. балл»
        out.append(KeyResult(meta.name, cell.text, unit, previous))
    obj = ctx.data["mart_objectivity_schools"]
    listed = obj[(obj["year"] == ctx.year) & (obj["listed"] == 1)]["school_code"].nunique() if not obj.empty else 0
    out.append(KeyResult("Общеобразовательных организаций", cells.tally(len(ctx.schools)).text, "", ""))
    out.append(KeyResult("Муниципалитетов", cells.tally(len(ctx.mo_codes)).text, "", ""))
    out.append(KeyResult("ОО с признаками необъективности результатов ВПР", cells.tally(listed).text, "", ""))
    return out


def municipality_links(ctx: Context, published: set[str]) -> list[MunicipalityLinks]:
    """Every municipality with the paths of its published report files, in name order."""
    rows = []
    for code in ctx.mo_codes:
        pdf, html = f"mo/{code}.pdf", f"mo/{code}.html"
        rows.append(MunicipalityLinks(code, ctx.mo_names[code], pdf if pdf in published else None,
                                      html if html in published else None))
    return sorted(rows, key=lambda m: (m.name.casefold(), m.code))   # «г. …» among the others, not after them


def publisher_lines(ctx: Context) -> list[str]:
    """«Публикует: …» and the compilers, from report.toml; empty without it."""
    c = ctx.config
    if c is None:
        return []
    lines = []
    who = ", ".join(x for x in (c.institute, c.city) if x)
    if who:
        lines.append(f"Публикует: {who}")
    if c.compilers:
        lines.append("Составители: " + "; ".join(c.compilers))
    return lines
