"""§3.1 «Единый государственный экзамен»: results of the current year's graduates (ВТГ) by score
band, the mean score's dynamics, the categories of participants and the municipalities.

Categories add up to «Все категории» and municipalities to the region, so both tables go through
complementary suppression (methodology, «Suppression»).
"""
from __future__ import annotations

import pandas as pd

from reports import cells, charts, gia_tasks
from reports.context import Context, Scope
from reports.document import Chart, Paragraph, Row, Section, Table
from reports.formatting import is_missing
from reports.sections.common import notes, title
from reports.suppression import chart_note

EGE_FOCUS = (1, 2)
CATEGORY_NAMES = {"all": "Все категории", "ВТГ": "ВТГ", "ВПЛ": "ВПЛ", "СПО": "СПО", "": "Не указана"}
CATEGORY_ORDER = {"all": 0, "ВТГ": 1, "ВПЛ": 2, "СПО": 3}


def _ege_frame(ctx: Context, scope: Scope, year: int | None = None, category: str | None = "ВТГ") -> pd.DataFrame:
    """The scope's ЕГЭ score bands of one category (ВТГ: the graduates the indicators are about)."""
    df = ctx.rows("mart_ege_score_bands", scope, year=year)
    if category is not None:
        df = df[df["category"] == category]
    return df.sort_values("subject_code")


def build(ctx: Context, scope: Scope, sec: Section, *, png: bool = False) -> None:
    """§3.1: score bands, the mean score over three years, categories of participants, municipalities
    (regional report), then the tasks and risk zones (reports.gia_tasks)."""
    _results(ctx, scope, sec, png)
    gia_tasks.add_subsection(ctx, scope, sec, "gia11", EGE_FOCUS)


def _results(ctx: Context, scope: Scope, sec: Section, png: bool) -> None:
    """The ЕГЭ tables and the mean-score figure (everything of §3.1 but the tasks)."""
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
            Table("ege_bands", title(ctx, scope, "ege_bands"), cols, rows,
                  widths=[3] + [1.2] * (len(cols) - 1), compact=True, notes=notes()))

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
    sec.add(Table("ege_dynamics", title(ctx, scope, "ege_dynamics", first=years[0], last=years[-1]),
                  ["Предмет"] + [str(yy) for yy in years], rows, widths=[4] + [1.5] * len(years), notes=notes()))
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
        sec.add(Table("ege_category", title(ctx, scope, "ege_category"),
                      ["Категория участников", "Участников", "Ниже минимального, %", "81–100, %", "Средний балл"], rows,
                      group_title="Предмет", widths=[3, 1.5, 1.8, 1.5, 1.5],
                      notes=notes("ВТГ — выпускники текущего года; ВПЛ — выпускники прошлых лет; СПО — обучающиеся организаций СПО.")))

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
            sec.add(Table("ege_mo", title(ctx, scope, "ege_mo"),
                          ["Муниципалитет", "Участников", "Ниже минимального, %", "81–100, %", "Средний балл"], rows,
                          group_title="Предмет", widths=[4, 1.5, 1.8, 1.5, 1.5], notes=notes()))
