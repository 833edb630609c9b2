"""§2 «Общие сведения о показателях»: the indicators over three years, the composite index of
municipalities, and the network of schools and their clusters.

Also the annex's full table of every municipality's indicators (the same marts as §2.1).
"""
from __future__ import annotations

from collections import defaultdict

import pandas as pd

from reports import cells, charts, numerals
from reports.context import SECTION_TITLES, Context, Scope
from reports.document import Chart, Paragraph, Row, Section, Table
from reports.rules import worse_than_reference
from reports.sections.common import (
    dyn_rows, indicator_values, notes, rule_config, sub, title, trend_rows, year_values,
)
from reports.suppression import point, publishable
from reports.templating import prose

MUNICIPAL_KEY = ("R01", "R02", "R03", "R06", "R07", "R08", "R10", "R11", "R13", "R14")
TREND_WORDS = {"устойчивое улучшение": "улучшение", "устойчивое ухудшение": "ухудшение", "без устойчивой тенденции": "нет"}
TREND_CHART_MAX_LINES = 12      # beyond this many municipalities the regional panels show the region alone


def build(ctx: Context, scope: Scope, sec: Section, *, png: bool = False) -> None:
    """§2: every indicator over three years (table and lines), the composite index, and the network
    of schools (municipalities in the regional report, the municipality's schools in its own)."""
    ind = sub(sec, "overview.indicators", scope)
    ind.add(*prose("indicators_intro", year=ctx.year, is_region=scope.is_region), indicators_table(ctx, scope))
    ind.add(*indicator_trend_charts(ctx, scope, png=png))
    sub(sec, "overview.index", scope).add(*index_blocks(ctx, scope))
    if scope.is_region:
        sub(sec, "overview.mo_context", scope).add(
            Paragraph("Состав сети ОО муниципалитетов по условиям работы (основа кластеров ОО)."),
            municipal_context_table(ctx))
        sub(sec, "overview.mo_key", scope).add(
            Paragraph(f"Выделены значения, которые хуже регионального сверх {ctx.methodology.se()}."),
            municipal_key_table(ctx))
    else:
        sub(sec, "overview.schools", scope).add(
            Paragraph("ОО муниципалитета приведены в порядке кодов с указанием кластера, с которым сопоставляются их результаты."),
            schools_context_table(ctx, scope))


def indicators_table(ctx: Context, scope: Scope) -> Table:
    """Every indicator for Y−2, Y−1 and Y with n, the year-on-year verdict and the three-year trend."""
    y = ctx.year
    dyn, trend = dyn_rows(ctx, scope), trend_rows(ctx, scope)
    first = year_values(ctx, scope, y - 2)
    reg = dyn_rows(ctx, ctx.region) if not scope.is_region else None
    rows = []
    for code, meta in ctx.catalogue.items():
        r = dyn.loc[code] if code in dyn.index else None
        f = first.loc[code] if code in first.index else None
        arrow = "↑" if meta.direction == "up" else "↓"
        line = [cells.text(code), cells.text(meta.name), cells.text(meta.unit), cells.text(arrow),
                cells.number(None if f is None else f["value"], None if f is None else f["n_units"])]
        if r is None:
            line += [cells.text("—"), cells.text("—"), cells.text("—"), cells.text("—"), cells.text("нет данных")]
        else:
            line += [
                cells.number(r["prev_value"], r["prev_n_units"]),
                cells.number(r["value"], r["n_units"]),
                cells.count(r["n_units"]),
                cells.change(r["change"], r["n_units"], r["prev_n_units"]),
                cells.worded(r["change_verdict"], r["n_units"], r["prev_n_units"], missing=f"нет данных за {y - 1} г."),
            ]
        t = trend.loc[code] if code in trend.index else None
        line.append(cells.text("—") if t is None else
                    cells.worded(TREND_WORDS.get(t["trend_verdict"], t["trend_verdict"]),
                                 r["n_units"] if r is not None else None, t["n_units_y2"]))
        if reg is not None:
            rr = reg.loc[code] if code in reg.index else None
            line.append(cells.number(None if rr is None else rr["value"], None if rr is None else rr["n_units"]))
        rows.append(Row(line, group=SECTION_TITLES.get(ctx.sections.get(code, ""), "")))
    cols = ["Код", "Показатель", "Ед.", "Напр.", f"{y - 2}", f"{y - 1}", f"{y}", f"n, {y}", "Изменение",
            "Оценка изменения за год", "Устойчивая тенденция за три года"]
    widths = [0.9, 5.0, 0.8, 0.7, 1.1, 1.1, 1.1, 1.1, 1.2, 2.6, 1.7]
    if reg is not None:
        cols.append(f"Регион, {y}")
        widths.append(1.2)
    return Table("indicators", title(ctx, scope, "indicators"), cols, rows,
                 group_title="Направление", widths=widths, compact=True,
                 notes=notes(f"Изменение — разность значений {y} и {y - 1} годов (для долей — в процентных пунктах); "
                              f"n — число участников (результатов), по которым рассчитано значение {y} года. "
                              "Тенденция устойчива, если оба годовых изменения направлены в одну сторону, а изменение "
                              f"с {y - 2} по {y} год превышает {ctx.methodology.se('accs', 'trend_se_multiplier')}."))


def _trend_points(frame: pd.DataFrame) -> dict[tuple[str, str], list[charts.TrendPoint]]:
    """(indicator, entity) -> its yearly values as `suppression.point` lets a chart draw them:
    a suppressed value is no point, a small sample is marked."""
    out: dict[tuple[str, str], list[charts.TrendPoint]] = defaultdict(list)
    for r in frame.itertuples():
        p = point(r.value, r.n_units)
        if not p.drawn:
            continue
        out[(r.indicator_code, str(r.entity_code))].append(
            charts.TrendPoint(int(r.year), float(p.value), small=p.status == "small"))
    return out


TrendPanels = list[tuple[str, dict[str, list[charts.TrendPoint]]]]


def trend_panels(ctx: Context, scope: Scope) -> list[tuple[str, TrendPanels]]:
    """Every indicator over Y−2..Y as lines, one small-multiples figure per direction
    («Результаты обучения»; «Профессиональное самоопределение» with G01): the region and each
    municipality in the regional report, the municipality beside the region in its own. Returns
    (caption, panels); a panel is (title, {line name: points})."""
    y = ctx.year
    years = range(y - 2, y + 1)
    region = pd.concat([ctx.rows("fct_indicators", ctx.region, year=yy) for yy in years])
    entities = {ctx.region_code: "Регион"}
    if scope.is_region:
        munis = pd.concat([ctx.level_rows("fct_indicators", "municipality", year=yy) for yy in years])
        if munis["entity_code"].nunique() <= TREND_CHART_MAX_LINES:
            entities.update({code: ctx.mo_names.get(code, code) for code in ctx.mo_codes})
    else:
        munis = pd.concat([ctx.rows("fct_indicators", scope, year=yy) for yy in years])
        entities[scope.code] = scope.name
    points = _trend_points(pd.concat([region, munis]))
    lead = "Регион" if scope.is_region else scope.name
    note = " (муниципалитеты — в их отчётах)" if scope.is_region and len(entities) == 1 else ""
    figures = []
    for wanted, caption in ((("results",), "Показатели направления «Результаты обучения»"),
                            (("selfdetermination", "regional"), "Показатели направления «Профессиональное "
                                                                "самоопределение» и региональный показатель")):
        panels = []
        for code in ctx.catalogue:
            if ctx.sections.get(code) not in wanted:
                continue
            series = {name: points[(code, entity)] for entity, name in entities.items() if points.get((code, entity))}
            if len(series.get(lead, ())) >= 2:
                panels.append((f"{code} {ctx.short_label(code)}", series))
        if panels:
            figures.append((f"{caption}, {y - 2}–{y} годы: {scope.name}{note}", panels))
    return figures


def indicator_trend_charts(ctx: Context, scope: Scope, *, png: bool) -> list[Chart]:
    """The figures of `trend_panels`, rendered; the report's own scope is the lead line."""
    lead = "Регион" if scope.is_region else scope.name
    out = []
    for caption, panels in trend_panels(ctx, scope):
        img = charts.indicator_trends_chart(panels, lead=lead, png=png)
        out.append(Chart(img.svg, caption, img.png))
    return out


def _index_n(ctx: Context, year: int, level: str, entity: str, which: str) -> int | None:
    """The n behind an index: the smallest n of the indicators it combines (R, P or both)."""
    dirs = {"results": ("R",), "self": ("P",), "overall": ("R", "P")}[which]
    found = [ctx.indicator_n_lookup[key] for d in dirs if (key := (year, level, str(entity), d)) in ctx.indicator_n_lookup]
    return None if not found else int(pd.Series(found, dtype=float).min())


def index_blocks(ctx: Context, scope: Scope) -> list:
    """The composite index of municipalities, or why it is not published: with fewer municipalities
    than seed analysis_params.index_min_municipalities, min–max scores over so few entities rank them."""
    idx = ctx.data["mart_index"]
    have = idx[(idx["year"] == ctx.year) & (idx["level"] == "municipality") & idx["overall_index"].notna()]
    n = int(have["entity_code"].nunique())
    limit = ctx.param("index_min_municipalities")
    if limit is not None and n < limit:
        return [Paragraph(f"Составной индекс муниципалитетов не публикуется: индекс рассчитан для "
                          f"{numerals.count(n, 'муниципалитет', 'gent')}, "
                          f"а нормирование по наименьшему и наибольшему значениям среди менее чем "
                          f"{numerals.count(int(limit), 'муниципалитет', 'gent')} превращается в рейтинг. "
                          "Показатели муниципалитетов приведены выше и в приложении.")]
    return [*prose("index_intro"), index_table(ctx, scope)]


def index_table(ctx: Context, scope: Scope) -> Table:
    """Each municipality's indices of Y and the overall index of Y−1 (its own row emphasised in its report)."""
    idx = ctx.data["mart_index"]
    mos = idx[idx["level"] == "municipality"]
    rows = []
    y = ctx.year
    for mo in ctx.mo_codes:
        cur = mos[(mos["year"] == y) & (mos["entity_code"].astype(str) == mo)]
        prev = mos[(mos["year"] == y - 1) & (mos["entity_code"].astype(str) == mo)]
        c = cur.iloc[0] if len(cur) else None
        p = prev.iloc[0] if len(prev) else None

        def val(row, col, which, year):
            if row is None:
                return cells.number(None, None)
            return cells.number(row[col], _index_n(ctx, year, "municipality", mo, which))
        rows.append(Row([cells.text(mo), cells.text(ctx.mo_names[mo]),
                         val(c, "results_index", "results", y), val(c, "selfdetermination_index", "self", y),
                         val(c, "overall_index", "overall", y), val(p, "overall_index", "overall", y - 1)],
                        emphasis=(not scope.is_region and mo == scope.code)))
    return Table("index", title(ctx, scope, "index"),
                 ["Код МО", "Муниципалитет", "Индекс результатов обучения", "Индекс профессионального самоопределения",
                  f"Сводный индекс, {y}", f"Сводный индекс, {y - 1}"], rows, widths=[1, 4, 2, 2.4, 1.6, 1.6],
                 notes=notes() + ([] if scope.is_region else ["Строка муниципалитета выделена."]))


def municipal_context_table(ctx: Context) -> Table:
    """The network of schools per municipality by the conditions the clusters are made of."""
    sch = ctx.schools
    rows = []
    for mo in ctx.mo_codes:
        g = sch[sch["mo_code"].astype(str) == mo]
        rows.append(Row([
            cells.text(mo), cells.text(ctx.mo_names[mo]), cells.tally(len(g)),
            cells.tally(int((g["locality"] == "город").sum())), cells.tally(int((g["locality"] == "село").sum())),
            cells.tally(int(g["transport_access"].isin(["удалённая", "труднодоступная"]).sum())),
            cells.tally(int(g["is_advanced"].fillna(False).astype(bool).sum())),
            cells.tally(int(g["shnor"].fillna(False).astype(bool).sum())),
            cells.tally(g["cluster_name"].nunique()),
        ]))
    rows.append(Row([cells.text(""), cells.text("Регион"), cells.tally(len(sch)),
                     cells.tally(int((sch["locality"] == "город").sum())), cells.tally(int((sch["locality"] == "село").sum())),
                     cells.tally(int(sch["transport_access"].isin(["удалённая", "труднодоступная"]).sum())),
                     cells.tally(int(sch["is_advanced"].fillna(False).astype(bool).sum())),
                     cells.tally(int(sch["shnor"].fillna(False).astype(bool).sum())),
                     cells.tally(sch["cluster_name"].nunique())], emphasis=True))
    return Table("mo_context", title(ctx, ctx.region, "mo_context"),
                 ["Код МО", "Муниципалитет", "ОО", "Городских", "Сельских", "Удалённых и труднодоступных",
                  "Гимназий, лицеев, СОШ с УИОП", "ШНОР", "Кластеров"], rows, widths=[1, 4, 1, 1.3, 1.3, 2, 2, 1, 1.3],
                 compact=True, notes=["ШНОР — ОО из федерального перечня школ с низкими результатами обучения."])


def municipal_key_table(ctx: Context, codes=MUNICIPAL_KEY) -> Table:
    """Key indicators of every municipality beside the region, worse beyond noise highlighted."""
    y = ctx.year
    codes = [c for c in codes if c in ctx.catalogue]
    mo_vals = indicator_values(ctx, "municipality", y, codes)
    reg_vals = indicator_values(ctx, "region", y, codes)
    cfg = rule_config(ctx)
    rows = []
    for mo in ctx.mo_codes:
        line = [cells.text(mo), cells.text(ctx.mo_names[mo])]
        for code in codes:
            v, n = mo_vals.get((mo, code), (None, None))
            rv = reg_vals.get((ctx.region_code, code), (None, None))[0]
            mark = ""
            if v is not None and rv is not None and n and publishable(n) and \
                    worse_than_reference(ctx.catalogue[code], v, n, rv, cfg):
                mark = "worse"
            line.append(cells.number(v, n, mark=mark))
        rows.append(Row(line))
    line = [cells.text(""), cells.text("Регион")]
    for code in codes:
        v, n = reg_vals.get((ctx.region_code, code), (None, None))
        line.append(cells.number(v, n))
    rows.append(Row(line, emphasis=True))
    return Table("mo_key", title(ctx, ctx.region, "mo_key"),
                 ["Код МО", "Муниципалитет"] + [f"{c} {ctx.short_label(c)}" for c in codes], rows,
                 widths=[0.8, 3] + [1.25] * len(codes), compact=True,
                 notes=notes(f"Полужирным красным выделены значения хуже регионального сверх {ctx.methodology.se()}."))


def schools_context_table(ctx: Context, scope: Scope) -> Table:
    """The municipality's schools in code order with the cluster each is compared with."""
    sch = ctx.schools[ctx.schools["school_code"].isin(scope.school_codes)].sort_values("school_code")
    rows = [Row([cells.text(r.school_code), cells.text(r.short_name), cells.text(r.school_type), cells.text(r.cluster_name)])
            for r in sch.itertuples()]
    return Table("schools", title(ctx, scope, "schools"),
                 ["Код ОО", "ОО", "Тип ОО", "Кластер (местность · группа типов · транспортная доступность)"], rows,
                 widths=[1.1, 4.5, 1.8, 5.5], compact=True)


def municipal_indicators_table(ctx: Context) -> Table:
    """Every indicator of every municipality, Y−1 and Y (the annex's full municipal table)."""
    y = ctx.year
    dyn = ctx.level_rows("mart_indicator_dynamics", "municipality", year=y)
    order = {c: i for i, c in enumerate(ctx.catalogue)}
    dyn = dyn.assign(_o=dyn["indicator_code"].map(order)).sort_values(["entity_code", "_o"])
    rows = [Row([cells.text(r.entity_code), cells.text(ctx.mo_names.get(str(r.entity_code), r.entity_code)),
                 cells.text(r.indicator_code), cells.text(ctx.catalogue[r.indicator_code].name if r.indicator_code in ctx.catalogue else ""),
                 cells.number(r.prev_value, r.prev_n_units), cells.number(r.value, r.n_units),
                 cells.change(r.change, r.n_units, r.prev_n_units),
                 cells.worded(r.change_verdict, r.n_units, r.prev_n_units, missing="нет данных")])
            for r in dyn.itertuples()]
    return Table("mo_indicators", title(ctx, ctx.region, "mo_indicators"),
                 ["Код МО", "Муниципалитет", "Код", "Показатель", str(y - 1), str(y), "Изменение", "Оценка изменения"], rows)
