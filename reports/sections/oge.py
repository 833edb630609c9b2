"""§3.2 «Основной государственный экзамен»: the distribution of marks and the municipalities."""
from __future__ import annotations

from reports import cells, charts, gia_tasks
from reports.context import Context, Scope
from reports.document import Chart, Paragraph, Row, Section, Table
from reports.sections.common import notes, title
from reports.suppression import chart_note

OGE_FOCUS = (1, 2)


def build(ctx: Context, scope: Scope, sec: Section, *, png: bool = False) -> None:
    """§3.2: the marks of every subject (a municipality beside the region), Russian and mathematics by
    municipality (regional report), then the tasks and risk zones (reports.gia_tasks)."""
    _results(ctx, scope, sec, png)
    gia_tasks.add_subsection(ctx, scope, sec, "gia9", OGE_FOCUS)


def _results(ctx: Context, scope: Scope, sec: Section, png: bool) -> None:
    """The ОГЭ tables and the marks figure (everything of §3.2 but the tasks)."""
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
    sec.add(Table("oge_marks", title(ctx, scope, "oge_marks"), cols, rows,
                  widths=[3.2] + [1.3] * (len(cols) - 1), compact=True, notes=notes()))
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
            sec.add(Table("oge_mo", title(ctx, scope, "oge_mo"),
                          ["Муниципалитет", "Участников", "«2», %", "«4» и «5», %"], rows, group_title="Предмет",
                          widths=[4, 1.5, 1.5, 1.5], notes=notes()))
