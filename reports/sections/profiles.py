"""§3.5 «Профильный выбор и поступление выпускников»."""
from __future__ import annotations

from reports import cells
from reports.context import Context, Scope
from reports.document import Paragraph, Row, Section, Table
from reports.sections.common import indicator_values, notes, title

PROFILE_KEY = ("P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08", "G01")
PROFILE_ORDER = ("технологический", "естественно-научный", "социально-экономический", "гуманитарный", "универсальный")


def build(ctx: Context, scope: Scope, sec: Section, *, png: bool = False) -> None:
    """§3.5: the self-determination indicators by municipality (regional report) and the admissions of
    graduates by profile with the share admitted to a matching speciality (G01)."""
    y = ctx.year
    codes = [c for c in PROFILE_KEY if c in ctx.catalogue]
    if scope.is_region:
        mo_vals = indicator_values(ctx, "municipality", y, codes)
        reg_vals = indicator_values(ctx, "region", y, codes)
        rows = []
        for mo in ctx.mo_codes:
            rows.append(Row([cells.text(ctx.mo_names[mo])] + [cells.number(*mo_vals.get((mo, c), (None, None))) for c in codes]))
        rows.append(Row([cells.text("Регион")] + [cells.number(*reg_vals.get((ctx.region_code, c), (None, None))) for c in codes],
                        emphasis=True))
        sec.add(Table("profiles_mo", title(ctx, scope, "profiles_mo"),
                      ["Муниципалитет"] + [f"{c} {ctx.short_label(c)}" for c in codes], rows,
                      widths=[3] + [1.2] * len(codes), compact=True, notes=notes()))
    adm = ctx.rows("mart_profile_admissions", scope, year=y)
    if adm.empty:
        sec.add(Paragraph(f"Сведения о поступлении выпускников {y} года отсутствуют."))
        return
    adm = adm.assign(_o=adm["profile"].map({p: i for i, p in enumerate(PROFILE_ORDER)}).fillna(9)).sort_values("_o")
    rows = [Row([cells.text(r.profile), cells.count(r.graduates), cells.count(r.admitted), cells.share(r.admitted, r.graduates),
                 cells.share(r.matched, r.admitted)]) for r in adm.itertuples()]
    tot = adm[["graduates", "admitted", "matched"]].sum()
    rows.append(Row([cells.text("Всего"), cells.count(tot["graduates"]), cells.count(tot["admitted"]),
                     cells.share(tot["admitted"], tot["graduates"]), cells.share(tot["matched"], tot["admitted"])], emphasis=True))
    # profiles add up to «Всего»: by graduates (the whole row rests on them), then by the admitted
    # (their count, their share of the graduates and the share matched rest on them)
    line = [(len(rows) - 1, list(range(len(rows) - 1)))]
    cells.complement_rows(rows, line, n_col=1)
    cells.complement_rows(rows, line, n_col=2, cols=(2, 3, 4))
    sec.add(Paragraph("Поступление выпускников 11 классов в организации высшего и среднего профессионального образования "
                      "и соответствие специальности профилю обучения (показатель G01; профиль «универсальный» соответствует любой специальности)."),
            Table("admissions", title(ctx, scope, "admissions"),
                  ["Профиль обучения", "Выпускников", "Поступили", "Доля поступивших, %", "Из них по профилю, %"], rows,
                  widths=[3.5, 1.5, 1.5, 1.8, 1.8], notes=notes()))
