"""§3.7 «Объективность результатов ВПР»: the markers of non-objective results (methodology,
«Objectivity markers»; thresholds and names from the seeds), the cohort context and the list.
"""
from __future__ import annotations

from collections import defaultdict

from reports import cells, numerals
from reports.context import Context, Scope
from reports.document import ItemList, Paragraph, Row, Section, Table
from reports.formatting import fmt_number, fmt_signed, is_missing
from reports.rules import Item, ListedSchool, MarkerEvidence, work_sort_key
from reports.sections.common import title
from reports.templating import prose

def listed_schools(ctx: Context, scope: Scope) -> list[ListedSchool]:
    """The scope's listed schools (mart_objectivity_schools) with their flagged markers, code order:
    §3.7 shows them, §4 concludes and §5 recommends on the same list."""
    obj = ctx.data["mart_objectivity_schools"]
    codes = obj[(obj["year"] == ctx.year) & (obj["listed"] == 1) & obj["school_code"].isin(scope.school_codes)]["school_code"]
    mk = ctx.data["fct_objectivity_markers"]
    mk = mk[(mk["year"] == ctx.year) & (mk["flagged"] == 1)]
    by_school = dict(tuple(mk.groupby(mk["school_code"].astype(str), sort=False)))   # once, not per school
    out = []
    for code in sorted(codes.astype(str).unique()):
        m = by_school.get(code, mk.iloc[:0]).sort_values(["marker_code", "work"], key=lambda s: s.map(work_sort_key) if s.name == "work" else s)
        evidence = tuple(MarkerEvidence(r.work, r.marker_code, "" if is_missing(r.explanation_ru) else str(r.explanation_ru))
                         for r in m.itertuples())
        mo = ctx.school_mo(code)
        out.append(ListedSchool(code, ctx.school_name(code), mo, ctx.mo_names.get(mo, mo), evidence))
    return out


def build(ctx: Context, scope: Scope, sec: Section, *, png: bool = False) -> None:
    """§3.7: how many «school × work» pairs each marker flagged, the cohorts beside M1, and the listed
    schools (at least the seed's number of different markers) with an explanation per marker."""
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
    sec.add(Table("markers", title(ctx, scope, "markers"),
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
    sec.add(Table("listed", title(ctx, scope, "listed"),
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
    return Table("listed_full", title(ctx, ctx.region, "listed_full"),
                 ["Код ОО", "ОО", "Муниципалитет", "Работа", "Признак", "Пояснение"], rows)
