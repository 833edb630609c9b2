"""§3.6 «Результаты ОО в сопоставлении с кластерами»: schools are set beside the schools that work
in the same conditions (locality · type group · transport access), never ranked in a league table.

Also the persistently low schools, the sources of good practice and ШНОР (mart_school_standing),
which §4 and §5 name, and the annex's long table of each school beside its cluster.
"""
from __future__ import annotations

import pandas as pd

from reports import cells, charts
from reports.context import Context, Scope
from reports.document import Chart, Paragraph, Row, Section, Table
from reports.rules import LowSchool, worse_than_reference
from reports.sections.common import indicator_values, notes, rule_config, title, to_float, to_int
from reports.suppression import chart_note, point, publishable
from reports.templating import prose

CLUSTER_KEY = ("R01", "R03", "R06", "R07", "R08", "R11", "R14", "R16")
SCHOOL_VS_CLUSTER_KEY = ("R01", "R02", "R03", "R06", "R07", "R08", "R11", "R14", "R16", "P01")


def build(ctx: Context, scope: Scope, sec: Section, *, png: bool = False) -> None:
    """§3.6: clusters' key indicators (regional report) or each school beside its cluster (municipal
    report), a figure by cluster, then the persistently low schools, the sources of good practice and
    ШНОР beside their clusters."""
    y = ctx.year
    sec.add(*prose("clusters_intro"))
    if scope.is_region:
        cl = ctx.data["mart_cluster_indicators"]
        cl = cl[cl["year"] == y]
        codes = [c for c in CLUSTER_KEY if c in ctx.catalogue]
        reg_vals = indicator_values(ctx, "region", y, codes)
        rows = []
        schools_per_cluster = ctx.schools.groupby("cluster_name")["school_code"].count()
        for name in sorted(cl["cluster_name"].dropna().unique()):
            g = cl[cl["cluster_name"] == name].set_index("indicator_code")
            line = [cells.text(name), cells.tally(int(schools_per_cluster.get(name, 0)))]
            line += [cells.number(g.at[c, "value"], g.at[c, "n_units"]) if c in g.index else cells.number(None, None) for c in codes]
            rows.append(Row(line))
        rows.append(Row([cells.text("Регион"), cells.tally(len(ctx.schools))] +
                        [cells.number(*reg_vals.get((ctx.region_code, c), (None, None))) for c in codes], emphasis=True))
        sec.add(Table("clusters", title(ctx, scope, "clusters"), ["Кластер", "ОО"] + [f"{c} {ctx.short_label(c)}" for c in codes],
                      rows, widths=[4.2, 0.8] + [1.2] * len(codes), compact=True, notes=notes()))
        for code in ("R14", "R08"):
            labels, pts = _cluster_points(cl[cl["indicator_code"] == code])
            if len(pts) >= 2 and code in ctx.catalogue:
                img = charts.cluster_chart(labels, [p.value for p in pts],
                                           reference=reg_vals.get((ctx.region_code, code), (None, None))[0],
                                           xlabel=ctx.short_label(code), png=png)
                sec.add(Chart(img.svg, f"{code} «{ctx.catalogue[code].name}» по кластерам ОО, {y} год" + chart_note(pts),
                              img.png))
        sec.add(*standing_blocks(ctx, scope))
        sec.add(Paragraph("Сопоставление каждой ОО со значениями её кластера приведено в отчётах муниципалитетов и в приложении "
                          "(лист «ОО и кластеры»)."))
        return
    sec.add(Paragraph("Для каждой ОО муниципалитета приведены значения ключевых показателей; в первой строке группы — "
                      "значение её кластера по всем ОО региона, входящим в кластер. Полный перечень показателей ОО и "
                      "кластеров — в приложении к региональному отчёту (лист «ОО и кластеры»)."),
            school_cluster_grid(ctx, scope))
    # The municipality's clusters beside the region (few labels: the schools are in the table above).
    own_clusters = set(ctx.schools.loc[ctx.schools["school_code"].isin(scope.school_codes), "cluster_name"])
    cl = ctx.data["mart_cluster_indicators"]
    reg_vals = indicator_values(ctx, "region", y, ["R14", "R08"])
    for code in ("R14", "R08"):
        labels, pts = _cluster_points(cl[(cl["year"] == y) & (cl["indicator_code"] == code)
                                         & cl["cluster_name"].isin(own_clusters)])
        if len(pts) >= 2 and code in ctx.catalogue:
            img = charts.cluster_chart(labels, [p.value for p in pts],
                                       reference=reg_vals.get((ctx.region_code, code), (None, None))[0],
                                       xlabel=ctx.short_label(code), png=png)
            sec.add(Chart(img.svg, f"{code} «{ctx.catalogue[code].name}» в кластерах ОО муниципалитета "
                                   f"(по всем ОО кластера в регионе), {y} год" + chart_note(pts), img.png))
            break
    sec.add(*standing_blocks(ctx, scope))


def _cluster_points(rows: pd.DataFrame) -> tuple[list[str], list]:
    """Clusters of one indicator as a chart draws them (cluster name order): the clusters whose
    pooled value the table prints, labelled with «†» where it is a small sample."""
    labels, pts = [], []
    for r in rows.sort_values("cluster_name").itertuples():
        p = point(r.value, r.n_units)
        if p.drawn:
            labels.append(p.label(str(r.cluster_name)))
            pts.append(p)
    return labels, pts


def school_cluster_grid(ctx: Context, scope: Scope, codes=SCHOOL_VS_CLUSTER_KEY) -> Table:
    """Schools grouped by cluster: the cluster's values, then each school's, one row per school.

    A compact form of «each school's value beside its cluster's» for the municipal report:
    ordered by cluster and school code, never by value.
    """
    y = ctx.year
    codes = [c for c in codes if c in ctx.catalogue]
    vs = ctx.data["mart_school_vs_cluster"]
    vs = vs[(vs["year"] == y) & vs["indicator_code"].isin(codes) & vs["school_code"].isin(scope.school_codes)]
    cl = ctx.data["mart_cluster_indicators"]
    cl = cl[(cl["year"] == y) & cl["indicator_code"].isin(codes)]
    cfg = rule_config(ctx)
    schools = ctx.schools[ctx.schools["school_code"].isin(scope.school_codes)].sort_values(["cluster_name", "school_code"])
    rows = []
    for cluster, members in schools.groupby("cluster_name", sort=True):
        cv = cl[cl["cluster_name"] == cluster].set_index("indicator_code")
        rows.append(Row([cells.text("Кластер в целом")] +
                        [cells.number(cv.at[c, "value"], cv.at[c, "n_units"]) if c in cv.index else cells.number(None, None)
                         for c in codes], group=f"Кластер «{cluster}»", emphasis=True))
        for code in members["school_code"]:
            g = vs[vs["school_code"] == code].set_index("indicator_code")
            line = [cells.text(f"{ctx.school_name(code)} ({code})")]
            for ic in codes:
                if ic not in g.index:
                    line.append(cells.number(None, None))
                    continue
                sv, sn, cvv = to_float(g.at[ic, "school_value"]), to_int(g.at[ic, "school_n_units"]), to_float(g.at[ic, "cluster_value"])
                worse = (sv is not None and cvv is not None and sn and publishable(sn)
                         and worse_than_reference(ctx.catalogue[ic], sv, sn, cvv, cfg))
                line.append(cells.number(sv, sn, mark="worse" if worse else ""))
            rows.append(Row(line, group=f"Кластер «{cluster}»"))
    return Table("school_cluster_grid", title(ctx, scope, "school_cluster_grid"),
                 ["ОО"] + [f"{c} {ctx.short_label(c)}" for c in codes], rows, group_title="Кластер",
                 widths=[3.4] + [1.15] * len(codes), compact=True,
                 notes=notes(f"Полужирным красным выделены значения ОО хуже значения её кластера сверх {ctx.methodology.se()}."))


def school_vs_cluster_table(ctx: Context, scope: Scope, codes=SCHOOL_VS_CLUSTER_KEY) -> Table:
    """Each school's value beside its cluster's, per key indicator (long form, for the annex)."""
    y = ctx.year
    codes = [c for c in codes if c in ctx.catalogue]
    vs = ctx.data["mart_school_vs_cluster"]
    vs = vs[(vs["year"] == y) & vs["indicator_code"].isin(codes) & vs["school_code"].isin(scope.school_codes)]
    order = {c: i for i, c in enumerate(codes)}
    vs = vs.assign(_o=vs["indicator_code"].map(order)).sort_values(["school_code", "_o"])
    cfg = rule_config(ctx)
    rows = []
    for r in vs.itertuples():
        sv, sn, cv, cn = to_float(r.school_value), to_int(r.school_n_units), to_float(r.cluster_value), to_int(r.cluster_n_units)
        worse = (sv is not None and cv is not None and sn and publishable(sn)
                 and worse_than_reference(ctx.catalogue[r.indicator_code], sv, sn, cv, cfg))
        code = str(r.school_code)
        rows.append(Row([cells.text(code), cells.text(ctx.school_name(code)), cells.text(r.cluster_name),
                         cells.text(f"{r.indicator_code} {ctx.short_label(r.indicator_code)}"), cells.count(sn),
                         cells.number(sv, sn, mark="worse" if worse else ""), cells.number(cv, cn),
                         cells.change(None if sv is None or cv is None else sv - cv, sn, cn)]))
    return Table("school_vs_cluster", title(ctx, scope, "school_vs_cluster"),
                 ["Код ОО", "ОО", "Кластер", "Показатель", "Участников ОО", "Значение ОО", "Значение кластера", "Разница"],
                 rows, notes=notes(f"Полужирным выделены значения хуже значения кластера сверх {ctx.methodology.se()}."))


def _standing(ctx: Context, scope: Scope, year: int | None = None) -> pd.DataFrame:
    """The standing rows (index beside the cluster) of the scope's schools, of one year or all."""
    st = ctx.data["mart_school_standing"]
    st = st[st["school_code"].astype(str).isin(scope.school_codes)]
    return st if year is None else st[st["year"] == year]


def persistently_low(ctx: Context, scope: Scope) -> list[LowSchool]:
    """Schools «с устойчиво низкими результатами» (mart_school_standing: the rank rule and below the
    cluster beyond its error in both years), code order."""
    st = _standing(ctx, scope, ctx.year)
    return [LowSchool(code, ctx.school_name(code), ctx.school_mo(code), ctx.mo_names.get(ctx.school_mo(code), ""))
            for code in sorted(st.loc[st["persistently_low"] == 1, "school_code"].astype(str))]


def standing_blocks(ctx: Context, scope: Scope) -> list:
    """Low and strong schools beside their cluster: persistently low, sources of good practice (above
    the cluster in both years) and every ШНОР school with its three-year trajectory."""
    y = ctx.year
    st = _standing(ctx, scope)
    if st.empty:
        return [Paragraph("Индекс результатов обучения ОО за последние годы не рассчитан: сопоставить ОО с кластерами нельзя.")]
    cur = st[st["year"] == y]
    by = {(str(r.school_code), int(r.year)): r for r in st.itertuples()}

    def index_cells(code: str, year: int) -> list[cells.Cell]:
        r = by.get((code, year))
        if r is None:
            return [cells.text("—"), cells.text("—")]
        return [cells.reference(r.results_index), cells.reference(r.cluster_index)]

    def school_rows(codes: list[str], years: tuple[int, ...]) -> list[Row]:
        return [Row([cells.text(code), cells.text(ctx.school_name(code)), cells.text(ctx.school_cluster(code))]
                    + [c for yy in years for c in index_cells(code, yy)],
                    group=ctx.mo_names.get(ctx.school_mo(code), "") if scope.is_region else "")
                for code in sorted(codes, key=lambda c: (ctx.school_mo(c), c))]

    out = []
    two = (y - 1, y)
    cols2 = ["Код ОО", "ОО", "Кластер"] + [h for yy in two for h in (f"Индекс ОО, {yy}", f"Кластер, {yy}")]
    w2 = [1.1, 4, 3.6] + [1.2] * 4
    note = ("Индекс результатов обучения ОО (0–100) и среднее по ОО её кластера; индекс описывает положение среди ОО "
            "региона в каждом году и между годами как абсолютная величина не сопоставим.")
    cluster_se = ctx.methodology.se("gent", "cluster_gap_se_multiplier")
    lists = (
        ("persistently_low", "low_schools", title(ctx, scope, "low_schools"),
         "ОО с устойчиво низкими результатами — организации, индекс результатов обучения которых два года подряд "
         f"среди самых низких в регионе и при этом ниже среднего по своему кластеру сверх {cluster_se}, то есть "
         "отставание не объясняется условиями работы."),
        ("good_practice", "good_practice", title(ctx, scope, "good_practice"),
         "Источники лучших практик — ОО, индекс результатов обучения которых два года подряд выше среднего по их "
         f"кластеру сверх {cluster_se}: в тех же условиях они достигают большего, и их опыт можно "
         "распространять через сетевое взаимодействие."),
    )
    for flag, key, caption, intro in lists:
        codes = cur.loc[cur[flag] == 1, "school_code"].astype(str).tolist()
        out.append(Paragraph(intro))
        out.append(Table(key, caption, cols2, school_rows(codes, two), group_title="Муниципалитет" if scope.is_region else None,
                         widths=w2, notes=[note]) if codes else Paragraph("Таких ОО не выявлено."))
    shnor = sorted({str(c) for c in st.loc[st["shnor"].fillna(False).astype(bool), "school_code"]})
    three = (y - 2, y - 1, y)
    if shnor:
        out.append(Paragraph("ШНОР (школы с низкими образовательными результатами по реестру) — траектория индекса "
                             "результатов обучения за три года рядом со средним по кластеру."))
        out.append(Table("shnor", title(ctx, scope, "shnor"),
                         ["Код ОО", "ОО", "Кластер"] + [h for yy in three for h in (f"ОО, {yy}", f"Кластер, {yy}")],
                         school_rows(shnor, three), group_title="Муниципалитет" if scope.is_region else None,
                         widths=[1.1, 3.6, 3.2] + [1.0] * 6, notes=[note]))
    else:
        out.append(Paragraph("ШНОР в реестре ОО нет."))
    return out
