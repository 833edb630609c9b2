"""Assembling a report (regional or municipal) as a `document.Document` from the marts.

One function per section of the methodology's outline; each reads the rows of its scope through
`Context`, turns numbers into cells through `cells` (suppression), adds charts where a reader
would rather look, and asks `rules` for conclusions and recommendations. Schools appear in code
order and beside their cluster — never in a league table.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import pandas as pd

from ingestion.kinds import titles as kind_titles
from reports import cells, charts, gia_tasks, numerals
from reports.context import SECTION_TITLES, Context, Scope
from reports.rules import work_sort_key
from reports.document import Cell, Chart, Document, ItemList, Paragraph, Row, Section, Table
from reports.formatting import fmt_date, fmt_number, fmt_signed, is_missing
from reports.rules import (
    DeficitTask, EntityValue, IndicatorChange, Item, ListedSchool, LowSchool, MarkerEvidence, MarkTwoShare,
    PrioritySkill, RuleConfig, SchoolEvidence, conclude_below_region, conclude_deficits, conclude_dynamics,
    conclude_objectivity, conclude_persistently_low, recommend_individual_routes, recommend_institute,
    cite, recommend_municipal, recommend_schools, summarise_school_recommendations, worse_than_reference,
)
from reports.report_config import cover, region_subtitle
from reports.suppression import MIN_PUBLISHED_N, SMALL_SAMPLE_N, chart_note, point, publishable
from reports.templating import prose

PROCEDURES = ("ЕГЭ", "ГВЭ-11", "ОГЭ", "ГВЭ-9", "ВПР", "НИКО")
KIND_NAMES = kind_titles()   # ledger kind → Russian title, declared once per kind in ingestion.kinds
STATUS_NAMES = {
    "loaded": "загружен", "partial": "загружен частично", "error": "отклонён", "duplicate": "повторная поставка",
    "superseded": "заменён исправленным", "unrecognised": "не распознан",
}
MUNICIPAL_KEY = ("R01", "R02", "R03", "R06", "R07", "R08", "R10", "R11", "R13", "R14")
CLUSTER_KEY = ("R01", "R03", "R06", "R07", "R08", "R11", "R14", "R16")
SCHOOL_VS_CLUSTER_KEY = ("R01", "R02", "R03", "R06", "R07", "R08", "R11", "R14", "R16", "P01")
PROFILE_KEY = ("P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08", "G01")
EGE_FOCUS = (1, 2)
OGE_FOCUS = (1, 2)
NIKO_LEVELS = ("Ниже базового", "Базовый", "Повышенный", "Высокий")
PROFILE_ORDER = ("технологический", "естественно-научный", "социально-экономический", "гуманитарный", "универсальный")
CATEGORY_NAMES = {"all": "Все категории", "ВТГ": "ВТГ", "ВПЛ": "ВПЛ", "СПО": "СПО", "": "Не указана"}
CATEGORY_ORDER = {"all": 0, "ВТГ": 1, "ВПЛ": 2, "СПО": 3}


def rule_config(ctx: Context) -> RuleConfig:
    """The rules' numbers from the seeds: the noise margin (indicator_settings.change_se_multiplier)
    and the SD of ЕГЭ scores (analysis_params.ege_score_sd)."""
    m = ctx.methodology
    return RuleConfig(z=m.se_multiplier, score_sd=m.param("ege_score_sd"), cluster_z=m.param("cluster_gap_se_multiplier"),
                      min_group=m.min_group_pupils, listed_min_markers=int(m.param("marker_listed_min_markers")),
                      marker_names=m.marker_names)


def _notes(*extra: str) -> list[str]:
    """Notes under a table (the «*»/«†» legend is added by the renderers where a table needs it)."""
    return list(extra)


def _int(v) -> int | None:
    return None if is_missing(v) else int(v)


def _float(v) -> float | None:
    return None if is_missing(v) else float(v)


# =============================================================================================
# 1. Введение
# =============================================================================================

def section_intro(ctx: Context, scope: Scope) -> Section:
    s = Section("1", "Введение")
    s.sub("Назначение отчёта").add(*prose("purpose", year=ctx.year, is_region=scope.is_region,
                                             scope_name=scope.name, scope_code=scope.code))
    s.sub("Нормативная основа").add(*prose("legal_basis"))
    cov = s.sub("Оценочные процедуры и охват")
    cov.add(*prose("coverage_intro", year=ctx.year, is_region=scope.is_region), coverage_table(ctx, scope))
    src = s.sub("Источники данных и даты их загрузки")
    src.add(*prose("sources_intro"), sources_summary_table(ctx))
    s.sub("Правила представления данных").add(*prose("reading_rules", min_n=MIN_PUBLISHED_N, small_n=SMALL_SAMPLE_N,
                                                                      se_accs=ctx.methodology.se("accs")))
    return s


def coverage_table(ctx: Context, scope: Scope) -> Table:
    own = ctx.rows("mart_coverage", scope, year=ctx.year).set_index("procedure")
    reg = ctx.rows("mart_coverage", ctx.region, year=ctx.year).set_index("procedure")
    rows = []
    for proc in PROCEDURES:
        if proc not in own.index and proc not in reg.index:
            continue
        r = own.loc[proc] if proc in own.index else None
        line = [cells.text(proc), cells.count(None if r is None else r["participants"]),
                cells.tally(None if r is None else r["schools"])]
        if scope.is_region:
            line.append(cells.tally(None if r is None else r["municipalities"]))
        else:
            line.append(cells.count(reg.loc[proc, "participants"] if proc in reg.index else None))
        rows.append(Row(line))
    cols = (["Процедура", "Участников", "ОО", "Муниципалитетов"] if scope.is_region
            else ["Процедура", "Участников (МО)", "ОО (МО)", "Участников (регион)"])
    return Table("coverage", f"Охват оценочных процедур, {ctx.year} год", cols, rows, notes=_notes(),
                 widths=[3, 2, 2, 2])


def sources_table(ctx: Context) -> Table:
    led = ctx.data["ingestion_ledger"].copy()
    if led.empty:
        return Table("sources", "Источники данных", ["Файл"], [Row([cells.text("Сведения о загрузке отсутствуют")])])
    order = {k: i for i, k in enumerate(KIND_NAMES)}
    led["_o"] = led["kind"].map(order).fillna(99)
    led = led.sort_values(["_o", "file"])
    rows = []
    for r in led.itertuples():
        loaded_at = r.loaded_at
        rows.append(Row([
            cells.text(r.file), cells.text(KIND_NAMES.get(r.kind, r.kind)),
            cells.year(r.year),
            cells.tally(r.rows_loaded), cells.tally(r.rows_quarantined),
            cells.text(STATUS_NAMES.get(r.status, r.status)),
            cells.date(loaded_at),
        ]))
    return Table("source_files", "Загруженные файлы данных", ["Файл", "Вид данных", "Год", "Строк загружено",
                                                          "Строк в карантине", "Статус", "Дата загрузки"], rows,
                 widths=[4, 2.6, 1, 1.5, 1.5, 2, 1.6], compact=True,
                 notes=["Число строк — строки файла с данными (без заголовков); строки в карантине исключены из расчётов."])


def sources_summary_table(ctx: Context) -> Table:
    """Data sources by kind (the municipal reports; the regional report lists every file)."""
    led = ctx.data["ingestion_ledger"]
    rows = []
    for kind, name in KIND_NAMES.items():
        g = led[led["kind"] == kind]
        if g.empty:
            continue
        used = g[g["status"].isin(["loaded", "partial"])]
        dates = pd.to_datetime(g["loaded_at"]).dropna()
        years = sorted({int(y) for y in g["year"].dropna()})
        rows.append(Row([cells.text(name), cells.text(", ".join(map(str, years))), cells.tally(len(used)),
                         cells.tally(used["rows_loaded"].sum()),
                         cells.date(dates.max() if len(dates) else None)]))
    return Table("sources", "Источники данных", ["Вид данных", "Годы", "Файлов загружено", "Строк загружено",
                                                  "Дата последней загрузки"], rows, widths=[3.5, 2, 1.6, 1.8, 2],
                 notes=["Перечень файлов с числом строк, статусом и датой загрузки — в приложении (лист «Файлы данных»); "
                        "контрольные суммы SHA-256 файлов — в manifest.json на странице публикации."])


# =============================================================================================
# 2. Общие сведения о показателях
# =============================================================================================

def section_overview(ctx: Context, scope: Scope, *, png: bool) -> Section:
    s = Section("2", "Общие сведения о показателях")
    ind = s.sub("Показатели качества общего образования")
    ind.add(*prose("indicators_intro", year=ctx.year, is_region=scope.is_region), indicators_table(ctx, scope))
    ind.add(*indicator_trend_charts(ctx, scope, png=png))
    idx = s.sub("Составной индекс")
    idx.add(*index_blocks(ctx, scope))
    if scope.is_region:
        s.sub("Муниципалитеты и кластеры ОО").add(
            Paragraph("Состав сети ОО муниципалитетов по условиям работы (основа кластеров ОО)."),
            municipal_context_table(ctx))
        key = s.sub("Ключевые показатели по муниципалитетам")
        key.add(Paragraph(f"Выделены значения, которые хуже регионального сверх {ctx.methodology.se()}."),
                municipal_key_table(ctx))
    else:
        s.sub("Общеобразовательные организации и их кластеры").add(
            Paragraph("ОО муниципалитета приведены в порядке кодов с указанием кластера, с которым сопоставляются их результаты."),
            schools_context_table(ctx, scope))
    return s


def _dyn_rows(ctx: Context, scope: Scope) -> pd.DataFrame:
    return ctx.rows("mart_indicator_dynamics", scope, year=ctx.year).set_index("indicator_code")


TREND_WORDS = {"устойчивое улучшение": "улучшение", "устойчивое ухудшение": "ухудшение", "без устойчивой тенденции": "нет"}


def _trend_rows(ctx: Context, scope: Scope) -> pd.DataFrame:
    return ctx.rows("mart_indicator_trend", scope, year=ctx.year).set_index("indicator_code")


def _values(ctx: Context, scope: Scope, year: int) -> pd.DataFrame:
    return ctx.rows("fct_indicators", scope, year=year).set_index("indicator_code")


def indicators_table(ctx: Context, scope: Scope) -> Table:
    """Every indicator for Y−2, Y−1 and Y with n, the year-on-year verdict and the three-year trend."""
    y = ctx.year
    dyn, trend = _dyn_rows(ctx, scope), _trend_rows(ctx, scope)
    first = _values(ctx, scope, y - 2)
    reg = _dyn_rows(ctx, ctx.region) if not scope.is_region else None
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
    return Table("indicators", f"Показатели качества общего образования: {scope.name}, {y - 2}–{y} годы", cols, rows,
                 group_title="Направление", widths=widths, compact=True,
                 notes=_notes(f"Изменение — разность значений {y} и {y - 1} годов (для долей — в процентных пунктах); "
                              f"n — число участников (результатов), по которым рассчитано значение {y} года. "
                              "Тенденция устойчива, если оба годовых изменения направлены в одну сторону, а изменение "
                              f"с {y - 2} по {y} год превышает {ctx.methodology.se('accs', 'trend_se_multiplier')}."))


TREND_CHART_MAX_LINES = 12      # beyond this many municipalities the regional panels show the region alone


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
    n = ctx.indicator_n
    sel = n[(n["year"] == year) & (n["level"] == level) & (n["entity_code"].astype(str) == entity)]
    dirs = {"results": ("R",), "self": ("P",), "overall": ("R", "P")}[which]
    vals = sel[sel["direction"].isin(dirs)]["n_units"]
    return None if vals.empty else int(vals.min())


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
    return Table("index", f"Составной индекс муниципалитетов, {y} год",
                 ["Код МО", "Муниципалитет", "Индекс результатов обучения", "Индекс профессионального самоопределения",
                  f"Сводный индекс, {y}", f"Сводный индекс, {y - 1}"], rows, widths=[1, 4, 2, 2.4, 1.6, 1.6],
                 notes=_notes() + ([] if scope.is_region else ["Строка муниципалитета выделена."]))


def municipal_context_table(ctx: Context) -> Table:
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
    return Table("mo_context", "Сеть общеобразовательных организаций муниципалитетов",
                 ["Код МО", "Муниципалитет", "ОО", "Городских", "Сельских", "Удалённых и труднодоступных",
                  "Гимназий, лицеев, СОШ с УИОП", "ШНОР", "Кластеров"], rows, widths=[1, 4, 1, 1.3, 1.3, 2, 2, 1, 1.3],
                 compact=True, notes=["ШНОР — ОО из федерального перечня школ с низкими результатами обучения."])


def _indicator_values(ctx: Context, level: str, year: int, codes, entities=None) -> dict[tuple[str, str], tuple]:
    ind = ctx.data["fct_indicators"]
    sel = ind[(ind["level"] == level) & (ind["year"] == year) & ind["indicator_code"].isin(codes)]
    if entities is not None:
        sel = sel[sel["entity_code"].astype(str).isin(entities)]
    return {(str(r.entity_code), r.indicator_code): (_float(r.value), _int(r.n_units)) for r in sel.itertuples()}


def municipal_key_table(ctx: Context, codes=MUNICIPAL_KEY) -> Table:
    y = ctx.year
    codes = [c for c in codes if c in ctx.catalogue]
    mo_vals = _indicator_values(ctx, "municipality", y, codes)
    reg_vals = _indicator_values(ctx, "region", y, codes)
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
    return Table("mo_key", f"Ключевые показатели по муниципалитетам, {y} год",
                 ["Код МО", "Муниципалитет"] + [f"{c} {ctx.short_label(c)}" for c in codes], rows,
                 widths=[0.8, 3] + [1.25] * len(codes), compact=True,
                 notes=_notes(f"Полужирным красным выделены значения хуже регионального сверх {ctx.methodology.se()}."))


def schools_context_table(ctx: Context, scope: Scope) -> Table:
    sch = ctx.schools[ctx.schools["school_code"].isin(scope.school_codes)].sort_values("school_code")
    rows = [Row([cells.text(r.school_code), cells.text(r.short_name), cells.text(r.school_type), cells.text(r.cluster_name)])
            for r in sch.itertuples()]
    return Table("schools", f"Общеобразовательные организации: {scope.name}",
                 ["Код ОО", "ОО", "Тип ОО", "Кластер (местность · группа типов · транспортная доступность)"], rows,
                 widths=[1.1, 4.5, 1.8, 5.5], compact=True)


# =============================================================================================
# 3. Анализ образовательных результатов
# =============================================================================================

def section_analysis(ctx: Context, scope: Scope, *, png: bool) -> Section:
    s = Section("3", "Анализ образовательных результатов")
    ege = s.sub("Единый государственный экзамен")
    _ege(ctx, scope, ege, png)
    gia_tasks.add_subsection(ctx, scope, ege, "gia11", EGE_FOCUS)
    oge = s.sub("Основной государственный экзамен")
    _oge(ctx, scope, oge, png)
    gia_tasks.add_subsection(ctx, scope, oge, "gia9", OGE_FOCUS)
    _vpr(ctx, scope, s.sub("Всероссийские проверочные работы"), png)
    _niko(ctx, scope, s.sub("Национальные исследования качества образования"))
    _profiles(ctx, scope, s.sub("Профильный выбор и поступление выпускников"))
    _clusters(ctx, scope, s.sub("Результаты ОО в сопоставлении с кластерами"), png)
    _objectivity(ctx, scope, s.sub("Объективность результатов ВПР"))
    return s


def _ege_frame(ctx: Context, scope: Scope, year: int | None = None, category: str | None = "ВТГ") -> pd.DataFrame:
    df = ctx.rows("mart_ege_score_bands", scope, year=year)
    if category is not None:
        df = df[df["category"] == category]
    return df.sort_values("subject_code")


def _ege(ctx: Context, scope: Scope, sec: Section, png: bool) -> None:
    y = ctx.year
    cur = _ege_frame(ctx, scope, y)
    if cur.empty:
        sec.add(Paragraph(f"Данные ЕГЭ за {y} год отсутствуют."))
        return
    reg = _ege_frame(ctx, ctx.region, y).set_index("subject_code") if not scope.is_region else None
    rows = []
    for r in cur.itertuples():
        n = r.participants
        scored = not is_missing(r.mean_score)   # Математика базовая has marks, no test-score bands
        bands = [cells.share(getattr(r, b), n) if scored else cells.number(None, None)
                 for b in ("band_min_60", "band_61_80", "band_81_100")]
        line = [cells.text(r.subject_name), cells.count(n), cells.share(r.below_min, n), *bands,
                cells.number(r.mean_score, n),
                cells.tally(r.min_score if scored else None)]
        if reg is not None:
            rr = reg.loc[r.subject_code] if r.subject_code in reg.index else None
            line.append(cells.number(None if rr is None else rr["mean_score"], None if rr is None else rr["participants"]))
        rows.append(Row(line))
    cols = ["Предмет", "Участников", "Ниже минимального, %", "От минимального до 60, %", "61–80, %", "81–100, %",
            "Средний балл", "Минимальный балл"]
    if reg is not None:
        cols.append("Средний балл по региону")
    sec.add(Paragraph("Распределение результатов выпускников текущего года (ВТГ) по группам тестовых баллов. "
                      "Для математики базового уровня (отметки, а не тестовые баллы) приведена доля отметок «2»."),
            Table("ege_bands", f"Результаты ЕГЭ по группам баллов (ВТГ), {y} год", cols, rows,
                  widths=[3] + [1.2] * (len(cols) - 1), compact=True, notes=_notes()))

    # three-year dynamics of the mean score
    span = _ege_frame(ctx, scope)
    years = sorted(span["year"].unique())
    subjects = span.drop_duplicates("subject_code").sort_values("subject_code")
    rows, series, drawn = [], {}, []
    for sub in subjects.itertuples():
        line = [cells.text(sub.subject_name)]
        for yy in years:
            row = span[(span["year"] == yy) & (span["subject_code"] == sub.subject_code)]
            v, n = (row["mean_score"].iloc[0], row["participants"].iloc[0]) if len(row) else (None, None)
            line.append(cells.number(v, n))
        if all(c.status == "missing" for c in line[1:]):
            continue
        rows.append(Row(line))
        pts = [(int(yy), cells.plotted(c)) for yy, c in zip(years, line[1:])]
        pts = [(yy, p) for yy, p in pts if p.drawn]
        if len(pts) >= 2 and len(series) < 8:
            series[sub.subject_name] = [(yy, p.value, p.label("")) for yy, p in pts]
            drawn += [p for _, p in pts]
    sec.add(Table("ege_dynamics", f"Средний тестовый балл ЕГЭ (ВТГ), {years[0]}–{years[-1]} годы",
                  ["Предмет"] + [str(yy) for yy in years], rows, widths=[4] + [1.5] * len(years), notes=_notes()))
    if series:
        img = charts.dynamics_chart(series, ylabel="Средний тестовый балл", png=png)
        sec.add(Chart(img.svg, f"Динамика среднего тестового балла ЕГЭ (ВТГ): {scope.name}" + chart_note(drawn), img.png))

    # by category
    allcat = ctx.rows("mart_ege_score_bands", scope, year=y)
    allcat = allcat[allcat["subject_code"].isin(EGE_FOCUS)]
    allcat = allcat.assign(_o=allcat["category"].map(CATEGORY_ORDER).fillna(9)).sort_values(["subject_code", "_o"])
    rows = [Row([cells.text(CATEGORY_NAMES.get(r.category, r.category)), cells.count(r.participants), cells.share(r.below_min, r.participants),
                 cells.share(r.band_81_100, r.participants), cells.number(r.mean_score, r.participants)],
                group=r.subject_name) for r in allcat.itertuples()]
    # categories add up to «Все категории»; the ВТГ rows are also Table «ЕГЭ по группам баллов» above
    cells.complement_rows(rows, cells.lines_of(list(allcat["subject_code"]), list(allcat["category"] == "all")), n_col=1,
                          fixed=[i for i, c in enumerate(allcat["category"]) if c == "ВТГ"])
    if rows:
        sec.add(Table("ege_category", f"Результаты ЕГЭ по категориям участников, {y} год",
                      ["Категория участников", "Участников", "Ниже минимального, %", "81–100, %", "Средний балл"], rows,
                      group_title="Предмет", widths=[3, 1.5, 1.8, 1.5, 1.5],
                      notes=_notes("ВТГ — выпускники текущего года; ВПЛ — выпускники прошлых лет; СПО — обучающиеся организаций СПО.")))

    if scope.is_region:
        mos = ctx.level_rows("mart_ege_score_bands", "municipality", year=y)
        mos = mos[(mos["category"] == "ВТГ") & mos["subject_code"].isin(EGE_FOCUS)]
        rows = []
        for code in EGE_FOCUS:
            part = mos[mos["subject_code"] == code].sort_values("entity_code")
            regrow = cur[cur["subject_code"] == code]
            if part.empty:
                continue
            name = part["subject_name"].iloc[0]
            for r in part.itertuples():
                rows.append(Row([cells.text(ctx.mo_names.get(str(r.entity_code), r.entity_code)), cells.count(r.participants),
                                 cells.share(r.below_min, r.participants), cells.share(r.band_81_100, r.participants),
                                 cells.number(r.mean_score, r.participants)], group=name))
            for r in regrow.itertuples():
                rows.append(Row([cells.text("Регион"), cells.count(r.participants), cells.share(r.below_min, r.participants),
                                 cells.share(r.band_81_100, r.participants), cells.number(r.mean_score, r.participants)],
                                group=name, emphasis=True))
        cells.complement_rows(rows, cells.lines_of([r.group for r in rows], [r.emphasis for r in rows]), n_col=1)
        if rows:
            sec.add(Table("ege_mo", f"Результаты ЕГЭ по муниципалитетам (ВТГ), {y} год",
                          ["Муниципалитет", "Участников", "Ниже минимального, %", "81–100, %", "Средний балл"], rows,
                          group_title="Предмет", widths=[4, 1.5, 1.8, 1.5, 1.5], notes=_notes()))


def _oge(ctx: Context, scope: Scope, sec: Section, png: bool) -> None:
    y = ctx.year
    cur = ctx.rows("mart_oge_marks", scope, year=y).sort_values("subject_code")
    if cur.empty:
        sec.add(Paragraph(f"Данные ОГЭ за {y} год отсутствуют."))
        return
    reg = ctx.rows("mart_oge_marks", ctx.region, year=y).set_index("subject_code") if not scope.is_region else None
    rows, labels, shares, drawn = [], [], [], []
    for r in cur.itertuples():
        n = r.participants
        line = [cells.text(r.subject_name), cells.count(n)] + [cells.share(getattr(r, f"mark{m}"), n) for m in (2, 3, 4, 5)]
        if reg is not None:
            rr = reg.loc[r.subject_code] if r.subject_code in reg.index else None
            line.append(cells.share(None if rr is None else rr["mark2"], None if rr is None else rr["participants"]))
            line.append(cells.share(None if rr is None else rr["mark4"] + rr["mark5"], None if rr is None else rr["participants"]))
        rows.append(Row(line))
        pts = [cells.plotted(c) for c in line[2:6]]
        if all(p.drawn for p in pts):
            labels.append(pts[0].label(r.subject_name))
            shares.append([p.value for p in pts])
            drawn += pts
    cols = ["Предмет", "Участников", "«2», %", "«3», %", "«4», %", "«5», %"]
    if reg is not None:
        cols += ["«2» по региону, %", "«4» и «5» по региону, %"]
    sec.add(Table("oge_marks", f"Распределение отметок ОГЭ, {y} год", cols, rows,
                  widths=[3.2] + [1.3] * (len(cols) - 1), compact=True, notes=_notes()))
    if labels:
        img = charts.marks_chart(labels, shares, png=png)
        sec.add(Chart(img.svg, f"Распределение отметок ОГЭ: {scope.name}, {y} год" + chart_note(drawn), img.png))
    if scope.is_region:
        mos = ctx.level_rows("mart_oge_marks", "municipality", year=y)
        rows = []
        for code in OGE_FOCUS:
            part = mos[mos["subject_code"] == code].sort_values("entity_code")
            if part.empty:
                continue
            name = part["subject_name"].iloc[0]
            for r in part.itertuples():
                rows.append(Row([cells.text(ctx.mo_names.get(str(r.entity_code), r.entity_code)), cells.count(r.participants),
                                 cells.share(r.mark2, r.participants), cells.share(r.mark4 + r.mark5, r.participants)], group=name))
            for r in cur[cur["subject_code"] == code].itertuples():
                rows.append(Row([cells.text("Регион"), cells.count(r.participants), cells.share(r.mark2, r.participants),
                                 cells.share(r.mark4 + r.mark5, r.participants)], group=name, emphasis=True))
        cells.complement_rows(rows, cells.lines_of([r.group for r in rows], [r.emphasis for r in rows]), n_col=1)
        if rows:
            sec.add(Table("oge_mo", f"Результаты ОГЭ по русскому языку и математике по муниципалитетам, {y} год",
                          ["Муниципалитет", "Участников", "«2», %", "«4» и «5», %"], rows, group_title="Предмет",
                          widths=[4, 1.5, 1.5, 1.5], notes=_notes()))


# --- ВПР ------------------------------------------------------------------------------------

def _vpr(ctx: Context, scope: Scope, sec: Section, png: bool) -> None:
    y = ctx.year
    works = ctx.vpr_works
    if not works:
        sec.add(Paragraph(f"Данные ВПР за {y} год отсутствуют."))
        return
    sec.add(*prose("vpr_intro", limits=ctx.methodology.limit_text(), min_n=numerals.count(ctx.methodology.min_group_pupils, "участник", "gent")))
    marks = ctx.rows("mart_vpr_marks", scope, year=y).set_index("work")
    reg_marks = ctx.rows("mart_vpr_marks", ctx.region, year=y).set_index("work")

    # 3.3.1 marks
    sub = sec.sub("Статистика по отметкам")
    russia = russia_marks(ctx)
    rows, labels, shares, charted, drawn = [], [], [], [], []
    for w in works:
        if w not in marks.index:
            continue
        r = marks.loc[w]
        n = r["participants"]
        line = [cells.text(scope.name if not scope.is_region else "Регион"), cells.count(n)] + \
            [cells.share(r[f"mark{m}"], n) for m in (2, 3, 4, 5)]
        rows.append(Row(line, group=w))
        if not scope.is_region and w in reg_marks.index:
            rr = reg_marks.loc[w]
            rows.append(Row([cells.text("Регион"), cells.count(rr["participants"])] +
                            [cells.share(rr[f"mark{m}"], rr["participants"]) for m in (2, 3, 4, 5)], group=w))
        if w in russia:
            rus = russia[w]
            rows.append(Row([cells.text("Россия (вся выборка)"), cells.tally(rus["participants"])] +
                            [cells.number(rus[f"mark{m}"], rus["participants"]) for m in (2, 3, 4, 5)], group=w, emphasis=True))
        pts = [cells.plotted(c) for c in line[2:6]]
        if all(p.drawn for p in pts):
            labels.append(pts[0].label(charts.short_work(w)))
            shares.append([p.value for p in pts])
            charted.append(w)
            drawn += pts
    cols = ["Группа", "Участников", "«2», %", "«3», %", "«4», %", "«5», %"]
    sub.add(Table("vpr_marks", f"ВПР: статистика по отметкам, {y} год", cols, rows, group_title="Работа",
                  widths=[3.2] + [1.3] * (len(cols) - 1), compact=True,
                  notes=_notes("Строка «Россия» — строка «Вся выборка» формы ФИС ОКО «Статистика по отметкам», "
                               "как она поставлена (проценты формы)." if russia else
                               "Формы ФИС ОКО «Статистика по отметкам» со строкой «Вся выборка» не поставлены: "
                               "сравнение с Россией не приводится.")))
    sub.add(ItemList(compare_with_russia(marks, russia, works, "в регионе" if scope.is_region else "в муниципалитете",
                                         ctx.methodology.se_multiplier),
                     empty_text="Сравнение с результатами по России невозможно: формы ФИС ОКО со строкой "
                                "«Вся выборка» не поставлены."))
    if labels:
        jr_all = ctx.rows("mart_vpr_journal", scope, year=y).set_index("work")
        journal, journal_marks = [], []
        for w in charted:
            n = jr_all.loc[w, "participants"] if w in jr_all.index else None
            pts = [point(None if n is None else 100.0 * jr_all.loc[w, c] / n if n else None, n)
                   for c in ("lowered", "confirmed", "raised")]
            ok = all(p.drawn for p in pts)
            journal.append([p.value for p in pts] if ok else None)
            journal_marks.append(pts[0].label("") if ok else "")
            drawn += pts if ok else []
        img = charts.marks_and_journal_chart(labels, shares, journal, journal_marks=journal_marks, png=png)
        sub.add(Chart(img.svg, f"ВПР: распределение отметок (слева) и соответствие отметкам по журналу (справа), "
                               f"% участников; {scope.name}" + chart_note(drawn), img.png))

    # 3.3.2 journal
    sub = sec.sub("Сравнение отметок с отметками по журналу")
    jr = ctx.rows("mart_vpr_journal", scope, year=y).set_index("work")
    reg_jr = ctx.rows("mart_vpr_journal", ctx.region, year=y).set_index("work")
    rows = []
    for w in works:
        if w not in jr.index:
            continue
        r = jr.loc[w]
        n = r["participants"]
        line = [cells.text(w), cells.count(n), cells.share(r["lowered"], n), cells.share(r["confirmed"], n), cells.share(r["raised"], n)]
        if not scope.is_region:
            rr = reg_jr.loc[w] if w in reg_jr.index else None
            line += [cells.share(None if rr is None else rr["raised"], None if rr is None else rr["participants"])]
        rows.append(Row(line))
    cols = ["Работа", "Участников с отметкой по журналу", "Понизили, %", "Подтвердили, %", "Повысили, %"]
    if not scope.is_region:
        cols.append("Повысили по региону, %")
    sub.add(Paragraph("«Понизили» — отметка за ВПР ниже отметки по журналу; «повысили» — выше. Высокая доля повысивших "
                      "отметку при невысоких отметках по журналу требует анализа объективности."),
            Table("vpr_journal", f"ВПР: сравнение отметок с отметками по журналу, {y} год", cols, rows,
                  widths=[3.2, 1.8, 1.4, 1.4, 1.4] + ([1.6] if not scope.is_region else []), compact=True, notes=_notes()))
    sub.add(Paragraph("Доли понизивших, подтвердивших и повысивших отметку показаны также на правой части рисунка в п. 3.3.1."))

    # 3.3.3 score distribution
    sub = sec.sub("Распределение первичных баллов")
    sub.add(*prose("histogram_intro", is_region=scope.is_region))
    dist = ctx.rows("mart_vpr_score_distribution", scope, year=y)
    reg_dist = ctx.rows("mart_vpr_score_distribution", ctx.region, year=y) if not scope.is_region else None
    for w in works:
        d = dist[dist["work"] == w]
        n = marks.loc[w, "participants"] if w in marks.index else d["pupils"].sum()
        whole = point(n, n)     # every bar is a share of the work's n
        if d.empty or not whole.drawn or not n:
            continue
        wmax = int(d["work_max"].max())
        scores = list(range(wmax + 1))
        counts = dict(zip(d["primary_score"].astype(int), d["pupils"]))
        shares_ = [100.0 * counts.get(sc, 0) / n for sc in scores]
        ref = None
        if reg_dist is not None:
            rd = reg_dist[reg_dist["work"] == w]
            rn = reg_marks.loc[w, "participants"] if w in reg_marks.index else rd["pupils"].sum()
            rc = dict(zip(rd["primary_score"].astype(int), rd["pupils"]))
            ref = [100.0 * rc.get(sc, 0) / rn for sc in scores] if rn else None
        b = d.iloc[0]
        bounds = tuple(_int(b[c]) for c in ("min_mark3", "min_mark4", "min_mark5"))
        img = charts.score_histogram(scores, shares_, bounds, wmax, reference=ref, png=png)
        sub.add(Chart(img.svg, f"{w}: доля участников (%) по первичным баллам (n = {whole.label(fmt_number(n, 0))})"
                               + chart_note([whole]), img.png, wide=False))

    # 3.3.4 tasks
    sub = sec.sub("Выполнение заданий")
    sub.add(Paragraph("Выполнение заданий приведено в форме ФИС ОКО: по столбцам — задания работы (в скобках — уровень: "
                      "Б — базовый, П — повышенный), по строкам — "
                      + ("проверяемое умение и процент выполнения" if scope.is_region else "процент выполнения")
                      + (" в регионе в целом и в группах участников, получивших отметки «2»–«5»." if scope.is_region
                         else " в муниципалитете и в регионе.")),
            vpr_tasks_wide_table(ctx, scope, works))
    # 3.3.5 planned results (skills)
    sub = sec.sub("Достижение планируемых результатов")
    table = vpr_skills_table(ctx, scope, works, focus=not scope.is_region)
    if scope.is_region:
        sub.add(table)
    else:
        sub.add(Paragraph(f"Приведены проверяемые умения, выполнение которых в муниципалитете ниже {fmt_number(ctx.methodology.deficit_below['Б'])} % "
                          f"или ниже регионального более чем на {fmt_number(ctx.methodology.param('skill_focus_gap_pp'))} п. п. Полный перечень умений "
                          "по всем муниципалитетам — в приложении к региональному отчёту (лист «Умения по МО»)."))
        sub.add(table if table.rows else Paragraph("Таких умений нет."))

    # 3.3.6 deficits
    sub = sec.sub("Дефициты")
    _deficits(ctx, scope, sub, works)


def russia_marks(ctx: Context) -> dict[str, dict]:
    """Per ВПР work of Y: the «Вся выборка» row of the delivered «Статистика по отметкам» forms
    (mart_vpr_benchmark, group_level russia). Several forms of one work carry the same row; the
    first by source file is taken so the choice does not depend on load order."""
    b = ctx.data["mart_vpr_benchmark"]
    b = b[(b["year"] == ctx.year) & (b["group_level"] == "russia")].sort_values(["work", "_source_file"])
    return {w: part.iloc[0].to_dict() for w, part in b.groupby("work", sort=False)}


def compare_with_russia(marks: pd.DataFrame, russia: dict[str, dict], works: list[str], where: str,
                        se_multiplier: float) -> list[Item]:
    """One sentence per work: the shares of «2» and of «4» and «5» of the scope beside Russia's; the
    share of «4» and «5» is called higher or lower only beyond `se_multiplier` standard errors (seed)."""
    out = []
    for w in works:
        if w not in marks.index or w not in russia:
            continue
        r, rus = marks.loc[w], russia[w]
        n = r["participants"]
        two = cite(100.0 * r["mark2"] / n if n else None, n, "%")
        good = cite(100.0 * (r["mark4"] + r["mark5"]) / n if n else None, n, "%")
        if two is None or good is None:
            continue
        rus_two, rus_good = float(rus["mark2"]), float(rus["mark4"]) + float(rus["mark5"])
        p = (r["mark4"] + r["mark5"]) / n
        diff = 100.0 * p - rus_good
        # beyond twice the standard error of the scope's share (Russia's own error is negligible)
        noise = se_multiplier * 100.0 * (p * (1 - p) / n) ** 0.5
        verdict = ("выше, чем по России" if diff > noise else "ниже, чем по России" if diff < -noise
                   else "в пределах статистической погрешности от значения по России")
        out.append(Item("conclusion", "russia", "Сравнение с результатами по России",
                        f"{w}: доля «4» и «5» {where} — {good} ({numerals.count(int(n), 'участник')}), по России — "
                        f"{fmt_number(rus_good)} %, то есть {verdict}; доля «2» — {two} против {fmt_number(rus_two)} %."))
    return out


TASKS_PER_LINE = 14


def vpr_skills_table(ctx: Context, scope: Scope, works: list[str], *, focus: bool = False) -> Table:
    """«Достижение планируемых результатов»: completion per checked skill (and the region's beside it).

    `focus` keeps the skills that need attention in a municipality (below the deficit threshold
    or clearly below the region); the full list of every municipality is the annex's.
    """
    y = ctx.year
    sk = ctx.rows("mart_vpr_skills", scope, year=y)
    reg = {(r.work, r.skill_code): (r.completion_pct, r.participants)
           for r in ctx.rows("mart_vpr_skills", ctx.region, year=y).itertuples()}
    order = {w: i for i, w in enumerate(works)}
    sk = sk[sk["work"].isin(order)]
    sk = sk.assign(_w=sk["work"].map(order), _s=sk["skill_code"].map(_task_order)).sort_values(["_w", "_s"])
    rows = []
    for r in sk.itertuples():
        line = [cells.text(r.skill_code), cells.text(r.skill_name), cells.number(r.completion_pct, r.participants)]
        if not scope.is_region:
            rv, rn = reg.get((r.work, r.skill_code), (None, None))
            if focus:
                own = _float(r.completion_pct)
                below = own is not None and publishable(r.participants) and (
                    own < ctx.methodology.deficit_below['Б'] or (rv is not None and own < float(rv) - ctx.methodology.param('skill_focus_gap_pp')))
                if not below:
                    continue
            line.append(cells.number(rv, rn))
        rows.append(Row(line, group=r.work))
    cols = ["Код умения", "Проверяемое умение", "Выполнение, %"] + ([] if scope.is_region else ["Выполнение по региону, %"])
    title = "ВПР: достижение планируемых результатов" + (", умения, требующие внимания" if focus else "")
    return Table("vpr_skills", f"{title}: {scope.name}, {y} год", cols, rows, group_title="Работа",
                 widths=[1.2, 8, 1.5] + ([] if scope.is_region else [1.6]), compact=True, notes=_notes())


def municipal_skills_table(ctx: Context) -> Table:
    """Every skill of every municipality beside the region (the annex's «Умения по МО»)."""
    y = ctx.year
    sk = ctx.level_rows("mart_vpr_skills", "municipality", year=y)
    reg = {(r.work, r.skill_code): (r.completion_pct, r.participants)
           for r in ctx.rows("mart_vpr_skills", ctx.region, year=y).itertuples()}
    order = {w: i for i, w in enumerate(ctx.vpr_works)}
    sk = sk.assign(_w=sk["work"].map(order).fillna(999), _s=sk["skill_code"].map(_task_order)).sort_values(["entity_code", "_w", "_s"])
    rows = []
    for r in sk.itertuples():
        rv, rn = reg.get((r.work, r.skill_code), (None, None))
        rows.append(Row([cells.text(r.entity_code), cells.text(ctx.mo_names.get(str(r.entity_code), r.entity_code)),
                         cells.text(r.work), cells.text(r.skill_code), cells.text(r.skill_name),
                         cells.number(r.completion_pct, r.participants), cells.number(rv, rn)]))
    return Table("mo_skills", f"ВПР: достижение планируемых результатов по муниципалитетам, {y} год",
                 ["Код МО", "Муниципалитет", "Работа", "Код умения", "Проверяемое умение", "Выполнение в МО, %",
                  "Выполнение по региону, %"], rows)


def _task_lookup(ctx: Context, scope: Scope) -> dict[tuple[str, str], tuple]:
    d = ctx.rows("fct_deficits", scope, year=ctx.year)
    return {(r.work, str(r.task)): (r.completion_pct, r.participants, r.deficit, r.zone, r.level_of_task, r.skill_code)
            for r in d.itertuples()}


def _by_mark_lookup(ctx: Context) -> dict[tuple[str, str, int], tuple]:
    bm = ctx.data["mart_vpr_completion_by_mark"]
    bm = bm[bm["year"] == ctx.year]
    return {(r.work, str(r.task), int(r.mark)): (r.completion_pct, r.participants) for r in bm.itertuples()}


def vpr_tasks_wide_table(ctx: Context, scope: Scope, works: list[str]) -> Table:
    """«Выполнение заданий» as ФИС ОКО shows it: tasks across, groups down, one block per work.

    Wide blocks have a fraction of the cells of one row per task, which keeps a report with ~30
    works readable and quick to typeset; the annex keeps the long form (one row per task).
    """
    own = _task_lookup(ctx, scope)
    reg = own if scope.is_region else _task_lookup(ctx, ctx.region)
    by_mark = _by_mark_lookup(ctx) if scope.is_region else {}
    width = TASKS_PER_LINE
    rows: list[Row] = []
    sums: list[tuple[cells.Coord, list[cells.Coord]]] = []   # a task's region cell = Σ its mark groups
    for w in works:
        tasks = sorted((t for (wk, t) in own if wk == w), key=_task_order)
        lines = max(1, -(-len(tasks) // width))
        step = -(-len(tasks) // lines) if tasks else width      # balanced lines: 16 tasks → 8 + 8
        for start in range(0, len(tasks), step):
            chunk = tasks[start:start + step]
            pad = [Cell("", "", "text", span=width - len(chunk))] if len(chunk) < width else []
            label = "Задание" if start == 0 else "Задание (продолжение)"
            rows.append(Row([cells.text(label)] + [cells.text(f"{t} ({own[(w, t)][4]})") for t in chunk] + pad,
                            group=w, header=True))
            if scope.is_region:  # the municipal reports list skills needing attention in 3.3.5 instead
                rows.append(Row([cells.text("Код умения")] + [cells.text(own[(w, t)][5]) for t in chunk] + pad, group=w))

            def completion(lookup, t, mark_deficit):
                v = lookup.get((w, t))
                if v is None:
                    return cells.number(None, None)
                return cells.number(v[0], v[1], mark="worse" if mark_deficit and v[2] == 1 else "")
            first = "Регион, %" if scope.is_region else "Муниципалитет, %"
            rows.append(Row([cells.text(first)] + [completion(own, t, True) for t in chunk] + pad, group=w, emphasis=True))
            if scope.is_region:
                top = len(rows) - 1
                sums += [((top, k), [(top + m, k) for m in (1, 2, 3, 4)]) for k in range(1, len(chunk) + 1)]
                for m in (2, 3, 4, 5):
                    line = [cells.text(f"Группа «{m}», %")]
                    for t in chunk:
                        v = by_mark.get((w, t, m))
                        line.append(cells.number(None if v is None else v[0], None if v is None else v[1]))
                    rows.append(Row(line + pad, group=w))
            else:
                rows.append(Row([cells.text("Регион, %")] + [completion(reg, t, False) for t in chunk] + pad, group=w))
    cells.complement_cells(rows, sums)
    where = "по региону" if scope.is_region else f"по муниципалитету «{scope.name}»"
    return Table("vpr_tasks", f"ВПР: выполнение заданий {where}, {ctx.year} год",
                 ["Группа участников"] + [""] * width, rows, group_title="Работа",
                 widths=[2.6] + [1.0] * width, compact=True, show_head=False, keep_groups=True,
                 notes=_notes(f"Полужирным красным выделено выполнение заданий с дефицитом: {ctx.methodology.limit_text()}, "
                              f"при не менее чем {numerals.count(ctx.methodology.min_group_pupils, 'участник', 'loct')}.",
                              *(["Группы «2»–«5» — участники, получившие соответствующую отметку за работу."] if scope.is_region else [])))


def vpr_tasks_long_table(ctx: Context, scope: Scope) -> Table:
    """The same data one row per task (the annex: filterable, numbers as numbers)."""
    own = _task_lookup(ctx, scope)
    by_mark = _by_mark_lookup(ctx)
    rows = []
    for w in ctx.vpr_works:
        for t in sorted((t for (wk, t) in own if wk == w), key=_task_order):
            comp, n, deficit, zone, level, skill = own[(w, t)]
            line = [cells.text(t), cells.text(level), cells.text(skill), cells.number(comp, n, mark="worse" if deficit == 1 else "")]
            for m in (2, 3, 4, 5):
                v = by_mark.get((w, t, m))
                line.append(cells.number(None if v is None else v[0], None if v is None else v[1]))
            line.append(cells.worded(zone, n))
            rows.append(Row(line, group=w))
    cells.complement_cells(rows, [((i, 3), [(i, j) for j in (4, 5, 6, 7)]) for i in range(len(rows))])
    return Table("vpr_tasks_long", f"ВПР: выполнение заданий по региону (по заданиям), {ctx.year} год",
                 ["Задание", "Уровень", "Код умения", "Выполнение, %", "Группа «2», %", "Группа «3», %", "Группа «4», %",
                  "Группа «5», %", "Зона"], rows, group_title="Работа")


def _task_order(task: str) -> tuple:
    parts = []
    for chunk in str(task).replace("К", ".").replace("K", ".").split("."):
        parts.append((0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk))
    return tuple(parts)


def school_deficit_counts(ctx: Context, scope: Scope) -> dict[tuple[str, str], tuple[int, int]]:
    """(work, task) -> (schools of the scope with that deficit, schools of the scope evaluated (≥ 10 pupils))."""
    d = ctx.rows("mart_vpr_deficit_schools", scope, year=ctx.year)
    return {(r.work, r.task): (int(r.schools_with_deficit), int(r.schools_evaluated)) for r in d.itertuples()}


def _deficits(ctx: Context, scope: Scope, sub: Section, works: list[str]) -> None:
    y = ctx.year
    defs = ctx.rows("fct_deficits", scope, year=y)
    defs = defs[defs["deficit"] == 1]
    counts = school_deficit_counts(ctx, scope)
    rows = []
    for w in works:
        t = defs[defs["work"] == w]
        t = t.assign(_k=t["task"].map(_task_order)).sort_values("_k")
        for r in t.itertuples():
            k, m = counts.get((w, r.task), (0, 0))
            rows.append(Row([cells.text(r.task), cells.text(r.level_of_task), cells.text(r.skill_code),
                             cells.number(r.completion_pct, r.participants),
                             cells.text(f"{k} из {m}" if m else "не оценивается")], group=w))
    where = "региона" if scope.is_region else "муниципалитета"
    if rows:
        sub.add(Paragraph(f"Задания, выполнение которых ниже порогового на уровне {where} в целом; в последнем столбце — "
                          "число ОО, для которых задание также является дефицитным, из числа ОО с не менее чем "
                          f"{numerals.count(ctx.methodology.min_group_pupils, 'участник', 'ablt')} "
                          "(«не оценивается» — таких ОО нет)."),
                Table("deficits", f"ВПР: задания с дефицитом на уровне {where}, {y} год",
                      ["Задание", "Уровень", "Код умения", "Выполнение, %", "ОО с дефицитом"], rows, group_title="Работа",
                      widths=[1.2, 1, 1.4, 1.5, 1.8], notes=_notes()))
    else:
        sub.add(Paragraph(f"Заданий с дефицитом на уровне {where} в целом не выявлено."))
    school_defs = ctx.level_rows("fct_deficits", "school", year=y, entities=scope.school_codes)
    school_defs = school_defs[school_defs["deficit"] == 1]
    if scope.is_region:
        sat = ctx.level_rows("mart_vpr_marks", "school", year=y)
        sat = sat[sat["participants"] >= 10]
        rows = []
        for mo in ctx.mo_codes:
            mo_schools = set(ctx.schools.index[ctx.schools["mo_code"].astype(str) == mo])
            eval_n = sat[sat["entity_code"].isin(mo_schools)]["entity_code"].nunique()
            with_def = school_defs[school_defs["entity_code"].isin(mo_schools)]
            rows.append(Row([cells.text(mo), cells.text(ctx.mo_names[mo]), cells.tally(eval_n),
                             cells.tally(with_def["entity_code"].nunique()),
                             cells.tally(len(with_def))]))
        sub.add(Table("deficits_mo", f"ВПР: ОО с дефицитами по муниципалитетам, {y} год",
                      ["Код МО", "Муниципалитет", f"ОО с не менее чем {numerals.count(ctx.methodology.min_group_pupils, 'участник', 'ablt')} хотя бы одной работы",
                       "ОО с дефицитами", "Случаев «ОО × задание» с дефицитом"], rows, widths=[1, 4, 2.5, 1.6, 2.2]))
    else:
        sub.add(Paragraph("Задания, дефицитные для отдельных ОО муниципалитета, названы в рекомендациях этим ОО (раздел 5) "
                          "и приведены в приложении к региональному отчёту (лист «Дефициты ОО»)."))


def school_deficits_table(ctx: Context, scope: Scope) -> Table:
    """Per school of the scope (code order): the works and tasks that are deficits for it."""
    d = ctx.level_rows("fct_deficits", "school", year=ctx.year, entities=scope.school_codes)
    d = d[d["deficit"] == 1]
    grouped: dict[tuple[str, str], tuple[list[str], set[str]]] = {}
    for r in d.itertuples():
        tasks, skills = grouped.setdefault((str(r.entity_code), r.work), ([], set()))
        tasks.append(str(r.task))
        if not is_missing(r.skill_code):
            skills.add(str(r.skill_code))
    rows = []
    for (code, w) in sorted(grouped, key=lambda k: (k[0], work_sort_key(k[1]))):
        tasks, skills = grouped[(code, w)]
        rows.append(Row([cells.text(w), cells.text(", ".join(sorted(tasks, key=_task_order))),
                         cells.text(", ".join(sorted(skills, key=_task_order)))],
                        group=f"{ctx.school_name(code)} ({code})"))
    where = "региона" if scope.is_region else "муниципалитета"
    return Table("deficits_schools", f"ВПР: дефицитные задания ОО {where}, {ctx.year} год",
                 ["Работа", "Задания с дефицитом", "Коды умений"], rows, group_title="ОО",
                 widths=[3, 4, 4], notes=[f"Дефицит определяется для ОО с не менее чем "
                                          f"{numerals.count(ctx.methodology.min_group_pupils, 'участник', 'ablt')} работы."])


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
    return Table("mo_indicators", f"Показатели муниципалитетов, {y - 1}–{y} годы",
                 ["Код МО", "Муниципалитет", "Код", "Показатель", str(y - 1), str(y), "Изменение", "Оценка изменения"], rows)


def annex_tables(ctx: Context, region_doc: Document) -> list[Table]:
    """The annex: every table of the regional report, then the full school- and municipality-level tables."""
    tables = [vpr_tasks_long_table(ctx, ctx.region) if t.key == "vpr_tasks" else t for t in region_doc.tables()]
    return tables + [sources_table(ctx), municipal_indicators_table(ctx), municipal_skills_table(ctx),
                     school_vs_cluster_table(ctx, ctx.region), school_deficits_table(ctx, ctx.region),
                     priority_deficits_table(ctx, ctx.region), listed_full_table(ctx)] + gia_tasks.annex_tables(ctx)


# --- НИКО, profiles, clusters, objectivity --------------------------------------------------

def _niko(ctx: Context, scope: Scope, sec: Section) -> None:
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
    sec.add(Table("niko", f"НИКО: уровни подготовки участников, {y} год",
                  ["Регион, муниципалитет, ОО", "Участников"] + [f"{lv}, %" for lv in NIKO_LEVELS], rows,
                  group_title="Исследование", widths=[4.5, 1.4, 1.4, 1.4, 1.4, 1.4], compact=True, notes=_notes()))


def _profiles(ctx: Context, scope: Scope, sec: Section) -> None:
    y = ctx.year
    codes = [c for c in PROFILE_KEY if c in ctx.catalogue]
    if scope.is_region:
        mo_vals = _indicator_values(ctx, "municipality", y, codes)
        reg_vals = _indicator_values(ctx, "region", y, codes)
        rows = []
        for mo in ctx.mo_codes:
            rows.append(Row([cells.text(ctx.mo_names[mo])] + [cells.number(*mo_vals.get((mo, c), (None, None))) for c in codes]))
        rows.append(Row([cells.text("Регион")] + [cells.number(*reg_vals.get((ctx.region_code, c), (None, None))) for c in codes],
                        emphasis=True))
        sec.add(Table("profiles_mo", f"Показатели профессионального самоопределения по муниципалитетам, {y} год",
                      ["Муниципалитет"] + [f"{c} {ctx.short_label(c)}" for c in codes], rows,
                      widths=[3] + [1.2] * len(codes), compact=True, notes=_notes()))
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
            Table("admissions", f"Поступление выпускников по профилям обучения: {scope.name}, {y} год",
                  ["Профиль обучения", "Выпускников", "Поступили", "Доля поступивших, %", "Из них по профилю, %"], rows,
                  widths=[3.5, 1.5, 1.5, 1.8, 1.8], notes=_notes()))


def _clusters(ctx: Context, scope: Scope, sec: Section, png: bool) -> None:
    y = ctx.year
    sec.add(*prose("clusters_intro"))
    if scope.is_region:
        cl = ctx.data["mart_cluster_indicators"]
        cl = cl[cl["year"] == y]
        codes = [c for c in CLUSTER_KEY if c in ctx.catalogue]
        reg_vals = _indicator_values(ctx, "region", y, codes)
        rows = []
        schools_per_cluster = ctx.schools.groupby("cluster_name")["school_code"].count()
        for name in sorted(cl["cluster_name"].dropna().unique()):
            g = cl[cl["cluster_name"] == name].set_index("indicator_code")
            line = [cells.text(name), cells.tally(int(schools_per_cluster.get(name, 0)))]
            line += [cells.number(g.at[c, "value"], g.at[c, "n_units"]) if c in g.index else cells.number(None, None) for c in codes]
            rows.append(Row(line))
        rows.append(Row([cells.text("Регион"), cells.tally(len(ctx.schools))] +
                        [cells.number(*reg_vals.get((ctx.region_code, c), (None, None))) for c in codes], emphasis=True))
        sec.add(Table("clusters", f"Показатели по кластерам ОО, {y} год", ["Кластер", "ОО"] + [f"{c} {ctx.short_label(c)}" for c in codes],
                      rows, widths=[4.2, 0.8] + [1.2] * len(codes), compact=True, notes=_notes()))
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
    reg_vals = _indicator_values(ctx, "region", y, ["R14", "R08"])
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
                sv, sn, cvv = _float(g.at[ic, "school_value"]), _int(g.at[ic, "school_n_units"]), _float(g.at[ic, "cluster_value"])
                worse = (sv is not None and cvv is not None and sn and publishable(sn)
                         and worse_than_reference(ctx.catalogue[ic], sv, sn, cvv, cfg))
                line.append(cells.number(sv, sn, mark="worse" if worse else ""))
            rows.append(Row(line, group=f"Кластер «{cluster}»"))
    return Table("school_cluster_grid", f"Ключевые показатели ОО и их кластеров: {scope.name}, {y} год",
                 ["ОО"] + [f"{c} {ctx.short_label(c)}" for c in codes], rows, group_title="Кластер",
                 widths=[3.4] + [1.15] * len(codes), compact=True,
                 notes=_notes(f"Полужирным красным выделены значения ОО хуже значения её кластера сверх {ctx.methodology.se()}."))


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
        sv, sn, cv, cn = _float(r.school_value), _int(r.school_n_units), _float(r.cluster_value), _int(r.cluster_n_units)
        worse = (sv is not None and cv is not None and sn and publishable(sn)
                 and worse_than_reference(ctx.catalogue[r.indicator_code], sv, sn, cv, cfg))
        code = str(r.school_code)
        rows.append(Row([cells.text(code), cells.text(ctx.school_name(code)), cells.text(r.cluster_name),
                         cells.text(f"{r.indicator_code} {ctx.short_label(r.indicator_code)}"), cells.count(sn),
                         cells.number(sv, sn, mark="worse" if worse else ""), cells.number(cv, cn),
                         cells.change(None if sv is None or cv is None else sv - cv, sn, cn)]))
    return Table("school_vs_cluster", f"Показатели ОО в сопоставлении с их кластером, {y} год",
                 ["Код ОО", "ОО", "Кластер", "Показатель", "Участников ОО", "Значение ОО", "Значение кластера", "Разница"],
                 rows, notes=_notes(f"Полужирным выделены значения хуже значения кластера сверх {ctx.methodology.se()}."))


def _standing(ctx: Context, scope: Scope, year: int | None = None) -> pd.DataFrame:
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
        ("persistently_low", "low_schools", f"ОО с устойчиво низкими результатами, {y - 1}–{y} годы",
         "ОО с устойчиво низкими результатами — организации, индекс результатов обучения которых два года подряд "
         f"среди самых низких в регионе и при этом ниже среднего по своему кластеру сверх {cluster_se}, то есть "
         "отставание не объясняется условиями работы."),
        ("good_practice", "good_practice", f"ОО — источники лучших практик, {y - 1}–{y} годы",
         "Источники лучших практик — ОО, индекс результатов обучения которых два года подряд выше среднего по их "
         f"кластеру сверх {cluster_se}: в тех же условиях они достигают большего, и их опыт можно "
         "распространять через сетевое взаимодействие."),
    )
    for flag, key, title, intro in lists:
        codes = cur.loc[cur[flag] == 1, "school_code"].astype(str).tolist()
        out.append(Paragraph(intro))
        out.append(Table(key, title, cols2, school_rows(codes, two), group_title="Муниципалитет" if scope.is_region else None,
                         widths=w2, notes=[note]) if codes else Paragraph("Таких ОО не выявлено."))
    shnor = sorted({str(c) for c in st.loc[st["shnor"].fillna(False).astype(bool), "school_code"]})
    three = (y - 2, y - 1, y)
    if shnor:
        out.append(Paragraph("ШНОР (школы с низкими образовательными результатами по реестру) — траектория индекса "
                             "результатов обучения за три года рядом со средним по кластеру."))
        out.append(Table("shnor", f"ШНОР: индекс результатов обучения и кластер, {y - 2}–{y} годы",
                         ["Код ОО", "ОО", "Кластер"] + [h for yy in three for h in (f"ОО, {yy}", f"Кластер, {yy}")],
                         school_rows(shnor, three), group_title="Муниципалитет" if scope.is_region else None,
                         widths=[1.1, 3.6, 3.2] + [1.0] * 6, notes=[note]))
    else:
        out.append(Paragraph("ШНОР в реестре ОО нет."))
    return out


def listed_schools(ctx: Context, scope: Scope) -> list[ListedSchool]:
    obj = ctx.data["mart_objectivity_schools"]
    codes = obj[(obj["year"] == ctx.year) & (obj["listed"] == 1) & obj["school_code"].isin(scope.school_codes)]["school_code"]
    mk = ctx.data["fct_objectivity_markers"]
    mk = mk[(mk["year"] == ctx.year) & (mk["flagged"] == 1)]
    out = []
    for code in sorted(codes.astype(str).unique()):
        m = mk[mk["school_code"] == code].sort_values(["marker_code", "work"], key=lambda s: s.map(work_sort_key) if s.name == "work" else s)
        evidence = tuple(MarkerEvidence(r.work, r.marker_code, "" if is_missing(r.explanation_ru) else str(r.explanation_ru))
                         for r in m.itertuples())
        mo = ctx.school_mo(code)
        out.append(ListedSchool(code, ctx.school_name(code), mo, ctx.mo_names.get(mo, mo), evidence))
    return out


def _objectivity(ctx: Context, scope: Scope, sec: Section) -> None:
    y = ctx.year
    m = ctx.methodology
    sec.add(*prose("objectivity_intro", min_pupils=numerals.count(m.min_pupils(), "обучающийся", "gent"),
                   alpha=fmt_number(m.param("marker_alpha"), 3).rstrip("0"),
                   listed_min=numerals.count(m.min_pupils("marker_listed_min_markers"), "разный признак", "gent")))
    mk = ctx.data["fct_objectivity_markers"]
    mk = mk[(mk["year"] == y) & mk["school_code"].isin(scope.school_codes)]
    if mk.empty:
        sec.add(Paragraph(f"Признаки необъективности за {y} год не рассчитаны (нет данных ВПР или ни одна ОО не имеет "
                          f"{numerals.count(ctx.methodology.min_pupils(), 'участник', 'gent')} работы)."))
        return
    rows = []
    for code, name in ctx.methodology.marker_names.items():
        g = mk[mk["marker_code"] == code]
        evaluated = g[g["value"].notna()]
        flagged = g[g["flagged"] == 1]
        rows.append(Row([cells.text(code), cells.text(name), cells.tally(len(evaluated)), cells.tally(len(flagged)),
                         cells.tally(flagged["school_code"].nunique())]))
    sec.add(Table("markers", f"Признаки необъективности результатов ВПР: {scope.name}, {y} год",
                  ["Код", "Признак", "Пар «ОО × работа» оценено", "Отмечено пар", "ОО с признаком"], rows,
                  widths=[0.8, 6, 2, 1.6, 1.6]))
    sec.add(*cohort_blocks(ctx, scope))
    listed = listed_schools(ctx, scope)
    obj = ctx.data["mart_objectivity_schools"]
    obj = obj[(obj["year"] == y) & obj["school_code"].isin(scope.school_codes)]
    single = int(((obj["markers_flagged"] == 1)).sum())
    if not listed:
        sec.add(Paragraph(f"ОО с признаками необъективности (не менее "
                          f"{numerals.count(ctx.methodology.min_pupils('marker_listed_min_markers'), 'разный признак', 'gent')}) не выявлены. "
                          f"ОО с одним признаком: {single}."))
        return
    sec.add(Paragraph(f"ОО с признаками необъективности: {len(listed)} из {len(obj)} ОО, участвовавших в ВПР; "
                      f"ещё у {single} ОО отмечен один признак (в перечень не включаются). Для каждой ОО и каждого "
                      "признака приведены работы, в которых он отмечен, и пояснение с числами для первой из них; "
                      "пояснения по каждой работе — в приложении (лист «Признаки по работам»)."))
    rows = []
    for s in listed:
        by_marker: dict[str, list[MarkerEvidence]] = defaultdict(list)
        for m in s.markers:
            by_marker[m.marker_code].append(m)
        for code in sorted(by_marker):
            ms = sorted(by_marker[code], key=lambda m: work_sort_key(m.work))
            example = next((m for m in ms if m.explanation), ms[0])
            explanation = f"{example.work}: {example.explanation}" if example.explanation else "—"
            rows.append(Row([cells.text(f"{code} {ctx.methodology.marker_names.get(code, '')}"),
                             cells.text(", ".join(m.work.removeprefix("ВПР ") for m in ms)), cells.text(explanation)],
                            group=f"{s.school_name} ({s.school_code}), {s.mo_name}"))
    sec.add(Table("listed", f"ОО с признаками необъективности результатов ВПР, {y} год",
                  ["Признак", "Работы, в которых признак отмечен", "Пояснение (первая из работ)"], rows,
                  group_title="ОО", widths=[3, 4, 8]))


def cohort_blocks(ctx: Context, scope: Scope) -> list:
    """Cohorts (methodology, «Cohorts»): the schools whose ВПР grade-8 share of «4» and «5» in Y−1 and
    ОГЭ share in Y differ beyond the seed's gap — named as context beside M1, not as a marker."""
    y = ctx.year
    c = ctx.data["mart_gia_cohorts"]
    c = c[(c["year"] == y) & c["school_code"].astype(str).isin(scope.school_codes)]
    if c.empty:
        return []
    names = {int(k): str(v) for k, v in zip(ctx.data["mart_oge_marks"]["subject_code"], ctx.data["mart_oge_marks"]["subject_name"])}
    named = c[c["named"] == 1].sort_values(["school_code", "subject_code"])
    gap, min_n = ctx.param("cohort_gap_pp"), ctx.param("cohort_min_n")
    intro = (f"Когорты: доля отметок «4» и «5» на ВПР 8 класса в {y - 1} г. сопоставлена с долей «4» и «5» на ОГЭ "
             f"в {y} г. в той же ОО (те же обучающиеся годом позже) по русскому языку и математике. Расхождение "
             f"более чем на {fmt_number(gap or 0, 0)} п. п. при не менее чем "
             f"{numerals.count(int(min_n or 0), 'участник', 'loct')} обеих процедур приводится как контекст к признаку M1; "
             "само по себе оно признаком не является.")
    if named.empty:
        return [Paragraph(intro + f" Таких расхождений в {y} г. нет (сопоставлено пар «ОО × предмет»: {len(c)}).")]
    items = []
    for r in named.itertuples():
        subject = names.get(int(r.subject_code), str(r.subject_code)).lower()
        items.append(Item("conclusion", "cohort", f"{ctx.school_name(str(r.school_code))} ({r.school_code})",
                          f"{subject[0].upper() + subject[1:]}: ВПР 8 класса в {y - 1} г. — {fmt_number(r.vpr_share_45)} % "
                          f"(n = {r.vpr_participants}), ОГЭ в {y} г. — {fmt_number(r.gia_share_45)} % "
                          f"(n = {r.gia_participants}); расхождение {fmt_signed(r.gap_pp)} п. п.",
                          school_code=str(r.school_code)))
    return [Paragraph(intro), ItemList(items)]


def listed_full_table(ctx: Context) -> Table:
    """Every flagged marker of every listed school with its explanation (the annex's full list)."""
    listed = listed_schools(ctx, ctx.region)
    rows = [Row([cells.text(s.school_code), cells.text(s.school_name), cells.text(s.mo_name), cells.text(m.work),
                 cells.text(m.marker_code), cells.text(m.explanation or "—")])
            for s in listed for m in sorted(s.markers, key=lambda m: (work_sort_key(m.work), m.marker_code))]
    return Table("listed_full", f"Признаки необъективности ОО из перечня по работам ВПР, {ctx.year} год",
                 ["Код ОО", "ОО", "Муниципалитет", "Работа", "Признак", "Пояснение"], rows)


# =============================================================================================
# 4–5. Выводы и рекомендации
# =============================================================================================

def dynamics_inputs(ctx: Context, scope: Scope) -> list[IndicatorChange]:
    dyn, trend = _dyn_rows(ctx, scope), _trend_rows(ctx, scope)
    out = []
    for code, meta in ctx.catalogue.items():
        if code not in dyn.index:
            continue
        r = dyn.loc[code]
        t = trend.loc[code] if code in trend.index else None
        out.append(IndicatorChange(code, meta.name, meta.unit, meta.direction, _float(r["value"]), _int(r["n_units"]),
                                   _float(r["prev_value"]), _int(r["prev_n_units"]), _float(r["change"]),
                                   _float(r["change_se"]), None if is_missing(r["change_verdict"]) else str(r["change_verdict"]),
                                   None if t is None else _float(t["value_y2"]), None if t is None else _int(t["n_units_y2"]),
                                   None if t is None else str(t["trend_verdict"])))
    return out


def below_region_inputs(ctx: Context, scope: Scope) -> tuple[dict[str, EntityValue], list[EntityValue]]:
    codes = list(ctx.catalogue)
    reg = _indicator_values(ctx, "region", ctx.year, codes)
    region = {c: EntityValue(c, ctx.region_code, "Регион", *reg[(ctx.region_code, c)]) for c in codes if (ctx.region_code, c) in reg}
    mos = [scope.code] if not scope.is_region else ctx.mo_codes
    vals = _indicator_values(ctx, "municipality", ctx.year, codes, entities=frozenset(mos))
    entities = [EntityValue(c, mo, ctx.mo_names.get(mo, mo), *vals[(mo, c)]) for (mo, c) in sorted(vals)]
    return region, entities


def deficit_inputs(ctx: Context, level: str, entity: str) -> list[DeficitTask]:
    d = ctx.data["fct_deficits"]
    d = d[(d["year"] == ctx.year) & (d["level"] == level) & (d["entity_code"].astype(str) == entity) & (d["deficit"] == 1)]
    names = _skill_names(ctx)
    limits = ctx.methodology.deficit_below
    return [DeficitTask(r.work, str(r.task), "" if is_missing(r.skill_code) else str(r.skill_code),
                        names.get((r.work, r.skill_code), ""), str(r.level_of_task), float(r.completion_pct), int(r.participants),
                        limits.get(str(r.level_of_task)))
            for r in d.itertuples()]


def _skill_names(ctx: Context) -> dict[tuple[str, str], str]:
    sk = ctx.data["mart_vpr_skills"]
    sk = sk[(sk["year"] == ctx.year) & (sk["level"] == "region")]
    return {(r.work, r.skill_code): str(r.skill_name) for r in sk.itertuples() if not is_missing(r.skill_name)}


def _priority_rows(ctx: Context, scope: Scope, *, named_only: bool = True) -> pd.DataFrame:
    """The priority deficits of the scope's schools (mart_vpr_priority_deficits), code and work order."""
    d = ctx.data["mart_vpr_priority_deficits"]
    d = d[(d["year"] == ctx.year) & d["school_code"].astype(str).isin(scope.school_codes)]
    if named_only:
        d = d[d["named"] == 1]
    d = d.assign(_w=d["work"].map(work_sort_key), _t=d["task"].map(_task_order))
    return d.sort_values(["school_code", "_w", "skill_rank", "_t"])


def school_evidence(ctx: Context, scope: Scope) -> list[SchoolEvidence]:
    """Per school of the scope that sat ВПР: its named priority skills (one per skill: the worst task)
    and its shares of «2»."""
    y = ctx.year
    by_school: dict[str, list[PrioritySkill]] = defaultdict(list)
    seen: set[tuple[str, str, str]] = set()
    pr = _priority_rows(ctx, scope).sort_values(["school_code", "_w", "skill_rank", "completion_pct", "_t"])
    for r in pr.itertuples():
        skill = "" if is_missing(r.skill_code) else str(r.skill_code)
        key = (str(r.school_code), r.work, skill or f"#{r.task}")
        if key in seen:
            continue
        seen.add(key)
        by_school[str(r.school_code)].append(PrioritySkill(
            r.work, skill, "" if is_missing(r.skill_name) else str(r.skill_name), str(r.task), float(r.completion_pct),
            float(r.region_completion_pct), _float(r.cluster_completion_pct), int(r.participants)))
    marks = ctx.level_rows("mart_vpr_marks", "school", year=y, entities=scope.school_codes)
    twos: dict[str, list[MarkTwoShare]] = defaultdict(list)
    for r in marks.itertuples():
        if r.participants:
            twos[str(r.entity_code)].append(MarkTwoShare(r.work, 100.0 * (r.mark2 or 0) / r.participants, int(r.participants)))
    out = []
    for code in sorted(set(by_school) | set(twos)):
        mo = ctx.school_mo(code)
        out.append(SchoolEvidence(code, ctx.school_name(code), mo, ctx.mo_names.get(mo, mo), tuple(by_school.get(code, ())),
                                  tuple(twos.get(code, ())), ctx.school_cluster(code)))
    return out


def priority_deficits_table(ctx: Context, scope: Scope) -> Table:
    """Per school (code order, grouped by municipality in the regional annex): every priority deficit
    with the school's, the region's and the cluster's completion — what the recommendations cite."""
    d = _priority_rows(ctx, scope, named_only=False)
    rows = [Row([cells.text(r.work), cells.text(r.task), cells.text("" if is_missing(r.skill_code) else r.skill_code),
                 cells.text("" if is_missing(r.skill_name) else r.skill_name),
                 cells.number(r.completion_pct, r.participants), cells.reference(r.region_completion_pct),
                 cells.reference(r.cluster_completion_pct),
                 cells.text("да" if r.named == 1 else "нет")],
                group=f"{ctx.school_name(str(r.school_code))} ({r.school_code})") for r in d.itertuples()]
    return Table("priority_deficits", f"ВПР: приоритетные дефициты ОО, {ctx.year} год",
                 ["Работа", "Задание", "Код умения", "Умение", "Выполнение в ОО, %", "Регион, %", "Кластер, %",
                  "Названо в рекомендации"], rows, group_title="ОО", widths=[2.6, 1, 1, 5, 1.4, 1.2, 1.2, 1.4],
                 notes=["Приоритетный дефицит: задание с дефицитом, выполненное ОО не менее чем на 10 п. п. и значимо "
                        "(с поправкой Бонферрони на число заданий работы) хуже, чем в регионе, и хуже, чем в кластере ОО. "
                        "В рекомендации ОО названы не более трёх умений по каждой работе — с наибольшим отставанием."])


def section_conclusions(ctx: Context, scope: Scope) -> Section:
    s = Section("4", "Выводы")
    s.add(*prose("conclusions_intro", se_accs=ctx.methodology.se("accs"),
                 score_sd=numerals.count(int(ctx.methodology.param("ege_score_sd")), "балл", "datv")))
    label = "Регион в целом" if scope.is_region else f"Муниципалитет: {scope.name}"
    s.sub("Динамика показателей").add(ItemList(conclude_dynamics(dynamics_inputs(ctx, scope), ctx.year, label, rule_config(ctx))))
    region, entities = below_region_inputs(ctx, scope)
    s.sub("Показатели ниже региональных значений" if not scope.is_region else "Муниципалитеты с показателями ниже региональных").add(
        ItemList(conclude_below_region(region, entities, ctx.catalogue, rule_config(ctx)),
                 empty_text="Значений хуже региональных сверх статистической погрешности не выявлено."))
    level = "region" if scope.is_region else "municipality"
    s.sub("Дефициты ВПР").add(ItemList(
        conclude_deficits(deficit_inputs(ctx, level, scope.code), label, rule_config(ctx), school_deficit_counts(ctx, scope),
                          mo_code=None if scope.is_region else scope.code),
        empty_text="Заданий с дефицитом на уровне всей группы участников не выявлено."))
    obj = ctx.data["mart_objectivity_schools"]
    evaluated = int(obj[(obj["year"] == ctx.year) & obj["school_code"].isin(scope.school_codes)]["school_code"].nunique())
    items = conclude_objectivity(listed_schools(ctx, scope), evaluated, label, rule_config(ctx)) + \
        conclude_persistently_low(persistently_low(ctx, scope), label, rule_config(ctx))
    s.sub("Объективность результатов и ОО с устойчиво низкими результатами").add(ItemList(items))
    return s


def section_recommendations(ctx: Context, scope: Scope) -> Section:
    s = Section("5", "Рекомендации")
    s.add(*prose("recommendations_intro", is_region=scope.is_region))
    listed = listed_schools(ctx, scope)
    low = persistently_low(ctx, scope)
    s.sub("Органам местного самоуправления, осуществляющим управление в сфере образования").add(
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
    s.sub("Общеобразовательным организациям").add(ItemList(
        school_items + recommend_individual_routes(evidence),
        empty_text="ОО с приоритетными дефицитами и отметками «2» по ВПР не выявлены."))
    if scope.is_region:
        s.sub("Региональному институту развития образования").add(
            ItemList(recommend_institute(deficit_inputs(ctx, "region", ctx.region_code), listed, low)))
    return s


# =============================================================================================

def add_effectiveness_to(analysis: Section, ctx: Context, scope: Scope) -> Section:
    """The analysis section with «Анализ эффективности принятых мер» as its last subsection."""
    from reports.sections.effectiveness import add_effectiveness

    add_effectiveness(ctx, scope, analysis)
    return analysis


def build_document(ctx: Context, scope: Scope, *, generated_at: datetime, png: bool = False) -> Document:
    """The whole report for a scope (region or municipality), numbered and ready to render."""
    title = f"Аналитический отчёт о результатах оценочных процедур в системе общего образования за {ctx.year} год"
    subtitle = (region_subtitle(ctx.config, ctx.region_code) if scope.is_region
                else f"Муниципальное образование «{scope.name}» (код {scope.code})")
    doc = Document(title=title, subtitle=subtitle, scope_name=scope.name, year=ctx.year, generated=fmt_date(generated_at),
                   kind=scope.kind, entity_code=scope.code, cover=cover(ctx.config))
    doc.sections = [
        section_intro(ctx, scope),
        section_overview(ctx, scope, png=png),
        add_effectiveness_to(section_analysis(ctx, scope, png=png), ctx, scope),
        section_conclusions(ctx, scope),
        section_recommendations(ctx, scope),
    ]
    doc.number_figures()
    return doc
