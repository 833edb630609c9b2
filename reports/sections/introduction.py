"""§1 «Введение»: purpose, legal basis, coverage of the procedures, data sources, reading rules.

The sources come from the ingestion ledger (meta.ingestion_ledger): the municipal and regional
reports summarise them by kind; the annex lists every file.
"""
from __future__ import annotations

import pandas as pd

from ingestion.kinds import titles as kind_titles
from reports import cells
from reports.context import Context, Scope
from reports.document import Row, Section, Table
from reports.sections.common import notes, sub, title
from reports.templating import prose

PROCEDURES = ("ЕГЭ", "ГВЭ-11", "ОГЭ", "ГВЭ-9", "ВПР", "НИКО")
KIND_NAMES = kind_titles()   # ledger kind → Russian title, declared once per kind in ingestion.kinds
STATUS_NAMES = {
    "loaded": "загружен", "partial": "загружен частично", "error": "отклонён", "duplicate": "повторная поставка",
    "superseded": "заменён исправленным", "unrecognised": "не распознан",
}


def build(ctx: Context, scope: Scope, sec: Section, *, png: bool = False) -> None:
    """§1: what the report is for, its legal basis, the procedures' coverage, the data sources and
    how suppressed and small-sample values are shown."""
    sub(sec, "introduction.purpose", scope).add(*prose("purpose", year=ctx.year, is_region=scope.is_region,
                                                       scope_name=scope.name, scope_code=scope.code))
    sub(sec, "introduction.legal_basis", scope).add(*prose("legal_basis"))
    sub(sec, "introduction.coverage", scope).add(*prose("coverage_intro", year=ctx.year, is_region=scope.is_region),
                                                 coverage_table(ctx, scope))
    sub(sec, "introduction.sources", scope).add(*prose("sources_intro"), sources_summary_table(ctx, scope))
    sub(sec, "introduction.reading_rules", scope).add(*prose("reading_rules", min_n=ctx.methodology.suppression.published,
                                                             small_n=ctx.methodology.suppression.small,
                                                             se_accs=ctx.methodology.se("accs")))


def coverage_table(ctx: Context, scope: Scope) -> Table:
    """Participants, schools and municipalities per procedure (a municipality beside the region)."""
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
    return Table("coverage", title(ctx, scope, "coverage"), cols, rows, notes=notes(),
                 widths=[3, 2, 2, 2])


def sources_table(ctx: Context) -> Table:
    """Every loaded file with its rows, status and load date (the annex's «Файлы данных»)."""
    led = ctx.data["ingestion_ledger"].copy()
    if led.empty:
        return Table("sources", title(ctx, ctx.region, "sources"), ["Файл"], [Row([cells.text("Сведения о загрузке отсутствуют")])])
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
    return Table("source_files", title(ctx, ctx.region, "source_files"), ["Файл", "Вид данных", "Год", "Строк загружено",
                                                          "Строк в карантине", "Статус", "Дата загрузки"], rows,
                 widths=[4, 2.6, 1, 1.5, 1.5, 2, 1.6], compact=True,
                 notes=["Число строк — строки файла с данными (без заголовков); строки в карантине исключены из расчётов."])


def sources_summary_table(ctx: Context, scope: Scope) -> Table:
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
    return Table("sources", title(ctx, scope, "sources"), ["Вид данных", "Годы", "Файлов загружено", "Строк загружено",
                                                  "Дата последней загрузки"], rows, widths=[3.5, 2, 1.6, 1.8, 2],
                 notes=["Перечень файлов с числом строк, статусом и датой загрузки — в приложении (лист «Файлы данных»); "
                        "контрольные суммы SHA-256 файлов — в manifest.json на странице публикации."])
