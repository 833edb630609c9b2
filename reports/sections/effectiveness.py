"""«Анализ эффективности принятых мер»: the справка of its own and the same analysis in the report.

Methodology, «The management cycle: measures and their effect». One set of block builders serves
both documents, so the справка and the report's section cannot say different things:
- the schools listed in Y−1 and their state in Y, with and without objectivity measures;
- ШНОР schools and schools with «адресная помощь»: their gap to the cluster over three years;
- skills targeted by courses: the change in the course schools against the other schools.
The numbers come from the `mart_effectiveness_*` marts (seeds hold the margins). Every sentence
states an association, never that a measure caused a change. Without a measures file the справка
still follows the listed and ШНОР schools and says that no measures were recorded.
"""
from __future__ import annotations

from datetime import datetime

import pandas as pd

from reports import cells, numerals, outline
from reports.context import Context, Scope
from reports.document import Block, Document, Paragraph, Row, Section, Table
from reports.formatting import fmt_date, fmt_number, fmt_signed, is_missing
from reports.report_config import cover, region_subtitle
from reports.sections.common import sub, title

TITLE = "Справка об эффективности принятых мер"
SECTION_TITLE = outline.part("analysis.effectiveness").title
CAUTION = ("Сопоставления ниже показывают связь принятых мер с изменением результатов, а не доказывают, что "
           "изменение вызвано мерой: на результаты ОО влияют и другие обстоятельства (состав обучающихся, "
           "кадры, случайные колебания малых групп).")
VERDICTS = {"up": "изменение в пользу ОО", "down": "изменение не в пользу ОО", "none": "без существенных изменений"}
COURSE_VERDICTS = {"up": "рост больше, чем в остальных ОО", "down": "рост меньше, чем в остальных ОО",
                   "none": "без существенных различий"}


# ------------------------------------------------------------------------------------ the data
def _frame(ctx: Context, table: str, scope: Scope | None = None) -> pd.DataFrame:
    """The mart's rows of year Y (of the scope's schools when the mart is per school)."""
    df = ctx.data[table]
    df = df[df["year"] == ctx.year] if "year" in df.columns and len(df) else df
    if scope is not None and not scope.is_region and "school_code" in df.columns:
        df = df[df["school_code"].astype(str).isin(scope.school_codes)]
    return df


def measures_recorded(ctx: Context) -> bool:
    """Whether any measure of year Y reached a school of the register."""
    return not _frame(ctx, "mart_effectiveness_measures").empty


def _school(ctx: Context, code: str) -> str:
    mo = ctx.school_mo(code)
    return f"{ctx.school_name(code)} ({code}), {ctx.mo_names.get(mo, mo)}"


def _int(value) -> int:
    return 0 if is_missing(value) else int(value)


# ------------------------------------------------------------------------------------ blocks
def measures_blocks(ctx: Context) -> list[Block]:
    """What was recorded in «Меры» for Y, by type and level (or that nothing was)."""
    m = _frame(ctx, "mart_effectiveness_measures")
    y = ctx.year
    if m.empty:
        return [Paragraph(f"Меры за {y} год не зарегистрированы: файл «Меры» не поступил или не содержит строк за "
                          f"{y} год. Ниже прослежены ОО, включённые в перечень ОО с признаками необъективности "
                          f"в {y - 1} году, и ШНОР без сопоставления с мерами.")]
    level_names = {"ОО": "для ОО", "МО": "для муниципалитета"}
    rows = [Row([cells.text(r.measure), cells.text(level_names.get(r.addressee_level, r.addressee_level)), cells.tally(r.measures),
                 cells.tally(r.schools)])
            for r in m.sort_values(["measure", "addressee_level"]).itertuples()]
    return [Paragraph(f"Зарегистрировано мер за {y} год: {_int(m['measures'].sum())} (строк реестра «Меры»); "
                      "мера муниципального уровня относится ко всем ОО муниципалитета."),
            Table("effectiveness_measures", title(ctx, ctx.region, "effectiveness_measures"),
                  ["Мера", "Уровень", "Мер", "ОО, которых касается"], rows, widths=[5, 2.5, 1.2, 2])]


def listed_blocks(ctx: Context, scope: Scope) -> list[Block]:
    """Y−1's listed schools in Y: listed again or cleared, with and without objectivity measures."""
    y = ctx.year
    rows_df = _frame(ctx, "mart_effectiveness_listed", scope)
    if rows_df.empty:
        return [Paragraph(f"В {y - 1} году ОО с признаками необъективности {scope.label_in} не выявлены "
                          "(или результаты ВПР за тот год не поступили): прослеживать нечего.")]
    sat = rows_df[rows_df["sat_vpr"] == 1]
    cleared = int((sat["cleared"] == 1).sum())
    out: list[Block] = [Paragraph(
        f"В {y - 1} году {scope.label_in} в перечень ОО с признаками необъективности включены {len(rows_df)} ОО; "
        f"в {y} году из них участвовали в ВПР {len(sat)}, не включены в перечень повторно {cleared}"
        + (f" ({fmt_number(100.0 * cleared / len(sat))} %)." if len(sat) else "."))]
    if measures_recorded(ctx):
        parts = []
        for flag, label in ((1, "с мерами по объективности (независимые наблюдатели, перепроверка работ)"),
                            (0, "без таких мер")):
            g = sat[sat["had_measures"] == flag]
            c = int((g["cleared"] == 1).sum())
            share = f" ({fmt_number(100.0 * c / len(g))} %)" if len(g) else ""
            parts.append(f"{label}: {len(g)} ОО, не включены повторно {c}{share}")
        out.append(Paragraph("Среди участвовавших в ВПР " + "; ".join(parts) + ". " + CAUTION))
    state = {1: "включена повторно", 0: "не включена"}
    rows = []
    for r in rows_df.sort_values(["mo_code", "school_code"]).itertuples():
        now = "не участвовала в ВПР" if _int(r.sat_vpr) == 0 else state[_int(r.listed)]
        rows.append(Row([cells.text(_school(ctx, str(r.school_code))), cells.text(r.markers_previous),
                         cells.text(r.markers if not is_missing(r.markers) else "—"), cells.text(now),
                         cells.text(r.measures if not is_missing(r.measures) else "мер не зарегистрировано")]))
    out.append(Table("effectiveness_listed", title(ctx, scope, "effectiveness_listed"),
                     ["ОО, муниципалитет", f"Признаки в {y - 1}", f"Признаки в {y}", f"Перечень {y}", f"Меры {y}"],
                     rows, widths=[5, 2, 2, 2.2, 4]))
    return out


def _gap_cell(value, n, target: str) -> object:
    """A gap in points: pupils behind a work's gap are its n; the index rests on indicators, not pupils."""
    if target == "results_index":
        return cells.reference(value, signed=True)
    return cells.change(value, n)


def support_blocks(ctx: Context, scope: Scope) -> list[Block]:
    """ШНОР and helped schools: the gap to the cluster in Y−2, Y−1, Y and its change."""
    y = ctx.year
    df = _frame(ctx, "mart_effectiveness_support", scope)
    if df.empty:
        return [Paragraph(f"ШНОР и ОО с адресной помощью в {y} году {scope.label_in} нет.")]
    schools = df.drop_duplicates("school_code")
    helped = int((schools["helped"] == 1).sum())
    shnor = int((schools["shnor"] == 1).sum())
    moved = df[df["verdict"].isin(["up", "down"])]
    out: list[Block] = [Paragraph(
        f"ШНОР (по реестру ОО): {shnor}; ОО с мерой «адресная помощь» в {y} году: {helped}. Для каждой ОО — разрыв с её "
        f"кластером (значение ОО минус значение кластера) в {y - 2}, {y - 1} и {y} годах: по индексу результатов "
        "и по каждой работе ВПР, названной в мере (средний процент выполнения работы обучающимися ОО и кластера). "
        f"Изменение разрыва от {y - 1} к {y} году называется существенным, если превышает две стандартные ошибки; "
        f"таких сопоставлений {len(moved)} из {int(df['change'].notna().sum())}. " + CAUTION)]
    rows = []
    for code, g in df.sort_values(["mo_code", "school_code"]).groupby("school_code", sort=False):
        g = g.assign(_o=(g["target"] != "results_index").astype(int)).sort_values(["_o", "target"])
        for r in g.itertuples():
            label = "Индекс результатов" if r.target == "results_index" else str(r.target)
            margin = "" if is_missing(r.change_se2) else f" ± {fmt_number(r.change_se2)}"
            verdict = VERDICTS.get(r.verdict) if not is_missing(r.verdict) else None
            moved = None if is_missing(r.change) else fmt_signed(r.change) + margin
            if r.target == "results_index":
                change, word = cells.text(moved or "—"), cells.text(verdict or "—")
            else:  # a work's values rest on the school's pupils of both years
                change, word = cells.worded(moved, r.n_y1, r.n_y), cells.worded(verdict, r.n_y1, r.n_y)
            rows.append(Row([cells.text(label), _gap_cell(r.gap_y2, r.n_y2, r.target),
                             _gap_cell(r.gap_y1, r.n_y1, r.target), _gap_cell(r.gap_y, r.n_y, r.target),
                             change, word],
                            group=_school(ctx, str(code)) + (" — ШНОР" if _int(g["shnor"].iloc[0]) else "")
                            + (", адресная помощь" if _int(g["helped"].iloc[0]) else "")))
    out.append(Table("effectiveness_support", title(ctx, scope, "effectiveness_support"),
                     ["Показатель", f"Разрыв {y - 2}", f"Разрыв {y - 1}", f"Разрыв {y}", f"Изменение {y - 1}→{y} ± {fmt_number(ctx.methodology.param('effectiveness_se_multiplier'), 0)} ст. ош.",
                      "Оценка"], rows, widths=[3.2, 1.6, 1.6, 1.6, 2.6, 3],
                     notes=["Разрыв по индексу результатов — в баллах индекса (0–100), по работе — в процентных пунктах "
                            "среднего выполнения; «—» — нет данных (в работе меньше "
                            f"{numerals.count(ctx.methodology.min_pupils('effectiveness_min_pupils'), 'обучающийся', 'gent')} ОО "
                            "или ОО не писала её)."]))
    return out


def courses_blocks(ctx: Context) -> list[Block]:
    """Skills targeted by courses: change in the course schools against the other schools."""
    y = ctx.year
    df = _frame(ctx, "mart_effectiveness_courses")
    if df.empty:
        return [Paragraph(f"Курсы повышения квалификации с указанием работы ВПР в {y} году не зарегистрированы.")]
    up = int((df["verdict"] == "up").sum())
    out: list[Block] = [Paragraph(
        f"Для каждого умения, на которое были направлены курсы, — выполнение в {y - 1} и {y} годах в ОО, педагоги "
        "которых прошли курсы, и в остальных ОО, писавших работу, и разность изменений (± две стандартные ошибки). "
        f"Рост больше, чем в остальных ОО, за пределами погрешности: {up} умений из {len(df)}. " + CAUTION)]
    rows = []
    for r in df.sort_values(["work", "skill_code"]).itertuples():
        margin = "" if is_missing(r.difference_se2) else f" ± {fmt_number(r.difference_se2)}"
        n_all = (r.course_pupils_prev, r.course_pupils, r.other_pupils_prev, r.other_pupils)
        rows.append(Row([cells.text(f"{r.skill_code} {'' if is_missing(r.skill_name) else r.skill_name}".strip()),
                         cells.tally(r.course_schools),
                         cells.number(r.course_completion_prev, r.course_pupils_prev),
                         cells.number(r.course_completion, r.course_pupils),
                         cells.tally(r.other_schools),
                         cells.number(r.other_completion_prev, r.other_pupils_prev),
                         cells.number(r.other_completion, r.other_pupils),
                         cells.worded(None if is_missing(r.difference) else fmt_signed(r.difference) + margin, *n_all),
                         cells.worded(COURSE_VERDICTS.get(r.verdict) if not is_missing(r.verdict) else None, *n_all)],
                        group=str(r.work)))
    out.append(Table("effectiveness_courses", title(ctx, ctx.region, "effectiveness_courses"),
                     ["Умение", "ОО с курсами", f"{y - 1}", f"{y}", "Остальные ОО", f"{y - 1}", f"{y}",
                      "Разность изменений, п. п.", "Оценка"], rows,
                     widths=[4, 1.2, 1.1, 1.1, 1.2, 1.1, 1.1, 2.2, 2.4], compact=True))
    return out


# ------------------------------------------------------------------------------------ documents
def build(ctx: Context, scope: Scope, sec: Section, *, png: bool = False) -> None:
    """The analysis as the report's subsection «Анализ эффективности принятых мер» (outline
    «analysis.effectiveness»), the same blocks as the справка."""
    sec.add(Paragraph(f"Анализ эффективности мер, принятых по итогам {ctx.year - 1} года; полностью — в отдельной "
                      f"«{TITLE}» за {ctx.year} год."), *measures_blocks(ctx))
    sub(sec, "analysis.effectiveness.effectiveness_listed", scope).add(*listed_blocks(ctx, scope))
    sub(sec, "analysis.effectiveness.effectiveness_support", scope).add(*support_blocks(ctx, scope))
    sub(sec, "analysis.effectiveness.effectiveness_courses", scope).add(*courses_blocks(ctx))


def build_effectiveness_document(ctx: Context, *, generated_at: datetime) -> Document:
    """«Справка об эффективности принятых мер» for the region and year Y (due 15 December)."""
    scope = ctx.region
    y = ctx.year
    doc = Document(title=f"{TITLE} за {y} год",
                   subtitle=region_subtitle(ctx.config, ctx.region_code),
                   scope_name=scope.name, year=y, generated=fmt_date(generated_at), kind="region", entity_code=scope.code,
                   cover=cover(ctx.config))
    intro = Section("1", "Назначение справки и данные")
    intro.add(Paragraph(
        f"Справка подготовлена в рамках управленческого цикла: анализ результатов {y - 1} года → решения → меры → "
        f"анализ результатов {y} года. В ней прослежены ОО, включённые в {y - 1} году в перечень ОО с признаками "
        "необъективности результатов ВПР, ШНОР и ОО, получавшие адресную помощь, и умения, на которые были "
        "направлены курсы повышения квалификации. Срок — не позднее 15 декабря."), Paragraph(CAUTION),
        *measures_blocks(ctx))
    doc.sections = [
        intro,
        Section("2", f"ОО с признаками необъективности в {y - 1} году").add(*listed_blocks(ctx, scope)),
        Section("3", "ШНОР и адресная помощь").add(*support_blocks(ctx, scope)),
        Section("4", "Курсы повышения квалификации").add(*courses_blocks(ctx)),
    ]
    doc.number_figures()
    return doc


def running_title(doc: Document) -> str:
    return f"{TITLE} за {doc.year} год"
