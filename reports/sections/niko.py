"""§3.4 «Национальные исследования качества образования» (НИКО, a sample of schools)."""
from __future__ import annotations

from reports import cells
from reports.context import Context, Scope
from reports.document import Paragraph, Row, Section, Table
from reports.rules import work_sort_key
from reports.sections.common import notes, title

NIKO_LEVELS = ("Ниже базового", "Базовый", "Повышенный", "Высокий")


def build(ctx: Context, scope: Scope, sec: Section, *, png: bool = False) -> None:
    """§3.4: the shares of participants by level per study, for the region and municipalities (regional
    report) or the region, the municipality and its sampled schools (municipal report)."""
    y = ctx.year
    niko = ctx.data["mart_niko_levels"]
    niko = niko[niko["year"] == y]
    if niko.empty:
        sec.add(Paragraph(f"В {y} году данные НИКО в хранилище отсутствуют."))
        return
    sec.add(Paragraph("НИКО проводятся на выборке ОО. Приведены доли участников по уровням подготовки"
                      + (" в регионе и муниципалитетах." if scope.is_region else " в регионе, муниципалитете и его ОО, вошедших в выборку.")))
    rows, groups, totals = [], [], []
    for w in sorted(niko["work"].unique(), key=work_sort_key):
        g = niko[niko["work"] == w]
        entities = [("region", ctx.region_code, "Регион")]
        if scope.is_region:
            entities += [("municipality", mo, ctx.mo_names[mo]) for mo in ctx.mo_codes]
        else:
            entities.append(("municipality", scope.code, scope.name))
            sc = g[(g["level"] == "school") & g["entity_code"].isin(scope.school_codes)]["entity_code"].unique()
            entities += [("school", c, f"{ctx.school_name(c)} ({c})") for c in sorted(sc)]
        for level, code, label in entities:
            e = g[(g["level"] == level) & (g["entity_code"].astype(str) == code)]
            if e.empty:
                continue
            n = e["participants"].max()
            by = dict(zip(e["level_name"], e["pupils"]))
            rows.append(Row([cells.text(label), cells.count(n)] + [cells.share(by.get(lv, 0), n) for lv in NIKO_LEVELS],
                            group=w, emphasis=(level == "region")))
            # the region is the sum of its municipalities; a municipality (its own report) of its schools
            top = "region" if scope.is_region else "municipality"
            groups.append(w if level != "region" or scope.is_region else None)
            totals.append(level == top)
    cells.complement_rows(rows, cells.lines_of(groups, totals), n_col=1)
    sec.add(Table("niko", title(ctx, scope, "niko"),
                  ["Регион, муниципалитет, ОО", "Участников"] + [f"{lv}, %" for lv in NIKO_LEVELS], rows,
                  group_title="Исследование", widths=[4.5, 1.4, 1.4, 1.4, 1.4, 1.4], compact=True, notes=notes()))
