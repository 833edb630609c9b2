"""§3.3 «Всероссийские проверочные работы», subsections 3.3.1–3.3.5 in the order of the ФИС ОКО
forms; 3.3.6 «Дефициты» is reports.sections.deficits.

Also the annex's long forms: every task one row (with the groups by mark) and every skill of every
municipality.
"""
from __future__ import annotations

import pandas as pd

from reports import cells, charts, numerals, outline
from reports.context import Context, Scope
from reports.document import Cell, Chart, ItemList, Paragraph, Row, Section, Table
from reports.formatting import fmt_number
from reports.rules import Item, cite
from reports.sections import deficits
from reports.sections.common import notes, sub, task_order, title, to_float, to_int
from reports.suppression import chart_note, point, publishable
from reports.templating import prose


def build(ctx: Context, scope: Scope, sec: Section, *, png: bool = False) -> None:
    """§3.3 in the order of the ФИС ОКО forms: marks (with Russia), marks against the journal, primary
    scores, tasks, planned results (skills) and deficits."""
    works = ctx.vpr_works
    if not works:
        sec.add(Paragraph(f"Данные ВПР за {ctx.year} год отсутствуют."))
        return
    sec.add(*prose("vpr_intro", limits=ctx.methodology.limit_text(), min_n=numerals.count(ctx.methodology.min_group_pupils, "участник", "gent")))
    marks = ctx.rows("mart_vpr_marks", scope, year=ctx.year).set_index("work")
    marks_part(ctx, scope, sub(sec, "analysis.vpr.vpr_marks", scope), works, marks, png)
    journal_part(ctx, scope, sub(sec, "analysis.vpr.vpr_journal", scope), works)
    scores_part(ctx, scope, sub(sec, "analysis.vpr.vpr_scores", scope), works, marks, png)
    tasks_part(ctx, scope, sub(sec, "analysis.vpr.vpr_tasks", scope), works)
    skills_part(ctx, scope, sub(sec, "analysis.vpr.vpr_skills", scope), works)
    deficits.build(ctx, scope, sub(sec, "analysis.vpr.deficits", scope), works)


def marks_part(ctx: Context, scope: Scope, part: Section, works: list[str], marks: pd.DataFrame, png: bool) -> None:
    """«Статистика по отметкам»: the scope (and the region beside a municipality) and Russia per work,
    the comparison with Russia in words, and the marks beside the journal comparison as a figure."""
    y = ctx.year
    reg_marks = ctx.rows("mart_vpr_marks", ctx.region, year=y).set_index("work")
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
    part.add(Table("vpr_marks", title(ctx, scope, "vpr_marks"), cols, rows, group_title="Работа",
                  widths=[3.2] + [1.3] * (len(cols) - 1), compact=True,
                  notes=notes("Строка «Россия» — строка «Вся выборка» формы ФИС ОКО «Статистика по отметкам», "
                               "как она поставлена (проценты формы)." if russia else
                               "Формы ФИС ОКО «Статистика по отметкам» со строкой «Вся выборка» не поставлены: "
                               "сравнение с Россией не приводится.")))
    part.add(ItemList(compare_with_russia(marks, russia, works, "в регионе" if scope.is_region else "в муниципалитете",
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
        part.add(Chart(img.svg, f"ВПР: распределение отметок (слева) и соответствие отметкам по журналу (справа), "
                               f"% участников; {scope.name}" + chart_note(drawn), img.png))


def journal_part(ctx: Context, scope: Scope, part: Section, works: list[str]) -> None:
    """«Сравнение отметок с отметками по журналу»: lowered, confirmed, raised per work."""
    y = ctx.year
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
    part.add(Paragraph("«Понизили» — отметка за ВПР ниже отметки по журналу; «повысили» — выше. Высокая доля повысивших "
                      "отметку при невысоких отметках по журналу требует анализа объективности."),
            Table("vpr_journal", title(ctx, scope, "vpr_journal"), cols, rows,
                  widths=[3.2, 1.8, 1.4, 1.4, 1.4] + ([1.6] if not scope.is_region else []), compact=True, notes=notes()))
    part.add(Paragraph("Доли понизивших, подтвердивших и повысивших отметку показаны также на правой части рисунка в п. "
                       f"{outline.number('analysis.vpr.vpr_marks', scope.kind)}."))


def scores_part(ctx: Context, scope: Scope, part: Section, works: list[str], marks: pd.DataFrame, png: bool) -> None:
    """«Распределение первичных баллов»: one histogram per work (a municipality over the region's)."""
    y = ctx.year
    reg_marks = ctx.rows("mart_vpr_marks", ctx.region, year=y).set_index("work")
    part.add(*prose("histogram_intro", is_region=scope.is_region))
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
        bounds = tuple(to_int(b[c]) for c in ("min_mark3", "min_mark4", "min_mark5"))
        img = charts.score_histogram(scores, shares_, bounds, wmax, reference=ref, png=png)
        part.add(Chart(img.svg, f"{w}: доля участников (%) по первичным баллам (n = {whole.label(fmt_number(n, 0))})"
                               + chart_note([whole]), img.png, wide=False))


def tasks_part(ctx: Context, scope: Scope, part: Section, works: list[str]) -> None:
    """«Выполнение заданий» in the wide form of ФИС ОКО."""
    part.add(Paragraph("Выполнение заданий приведено в форме ФИС ОКО: по столбцам — задания работы (в скобках — уровень: "
                      "Б — базовый, П — повышенный), по строкам — "
                      + ("проверяемое умение и процент выполнения" if scope.is_region else "процент выполнения")
                      + (" в регионе в целом и в группах участников, получивших отметки «2»–«5»." if scope.is_region
                         else " в муниципалитете и в регионе.")),
            vpr_tasks_wide_table(ctx, scope, works))


def skills_part(ctx: Context, scope: Scope, part: Section, works: list[str]) -> None:
    """«Достижение планируемых результатов»: every skill (region), the skills needing attention (municipality)."""
    table = vpr_skills_table(ctx, scope, works, focus=not scope.is_region)
    if scope.is_region:
        part.add(table)
    else:
        part.add(Paragraph(f"Приведены проверяемые умения, выполнение которых в муниципалитете ниже {fmt_number(ctx.methodology.deficit_below['Б'])} % "
                          f"или ниже регионального более чем на {fmt_number(ctx.methodology.param('skill_focus_gap_pp'))} п. п. Полный перечень умений "
                          "по всем муниципалитетам — в приложении к региональному отчёту (лист «Умения по МО»)."))
        part.add(table if table.rows else Paragraph("Таких умений нет."))


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
    sk = sk.assign(_w=sk["work"].map(order), _s=sk["skill_code"].map(task_order)).sort_values(["_w", "_s"])
    rows = []
    for r in sk.itertuples():
        line = [cells.text(r.skill_code), cells.text(r.skill_name), cells.number(r.completion_pct, r.participants)]
        if not scope.is_region:
            rv, rn = reg.get((r.work, r.skill_code), (None, None))
            if focus:
                own = to_float(r.completion_pct)
                below = own is not None and publishable(r.participants) and (
                    own < ctx.methodology.deficit_below['Б'] or (rv is not None and own < float(rv) - ctx.methodology.param('skill_focus_gap_pp')))
                if not below:
                    continue
            line.append(cells.number(rv, rn))
        rows.append(Row(line, group=r.work))
    cols = ["Код умения", "Проверяемое умение", "Выполнение, %"] + ([] if scope.is_region else ["Выполнение по региону, %"])
    return Table("vpr_skills", title(ctx, scope, "vpr_skills"), cols, rows, group_title="Работа",
                 widths=[1.2, 8, 1.5] + ([] if scope.is_region else [1.6]), compact=True, notes=notes())


def municipal_skills_table(ctx: Context) -> Table:
    """Every skill of every municipality beside the region (the annex's «Умения по МО»)."""
    y = ctx.year
    sk = ctx.level_rows("mart_vpr_skills", "municipality", year=y)
    reg = {(r.work, r.skill_code): (r.completion_pct, r.participants)
           for r in ctx.rows("mart_vpr_skills", ctx.region, year=y).itertuples()}
    order = {w: i for i, w in enumerate(ctx.vpr_works)}
    sk = sk.assign(_w=sk["work"].map(order).fillna(999), _s=sk["skill_code"].map(task_order)).sort_values(["entity_code", "_w", "_s"])
    rows = []
    for r in sk.itertuples():
        rv, rn = reg.get((r.work, r.skill_code), (None, None))
        rows.append(Row([cells.text(r.entity_code), cells.text(ctx.mo_names.get(str(r.entity_code), r.entity_code)),
                         cells.text(r.work), cells.text(r.skill_code), cells.text(r.skill_name),
                         cells.number(r.completion_pct, r.participants), cells.number(rv, rn)]))
    return Table("mo_skills", title(ctx, ctx.region, "mo_skills"),
                 ["Код МО", "Муниципалитет", "Работа", "Код умения", "Проверяемое умение", "Выполнение в МО, %",
                  "Выполнение по региону, %"], rows)


def _task_lookup(ctx: Context, scope: Scope) -> dict[tuple[str, str], tuple]:
    """(work, task) -> completion, n, deficit flag, zone, level and skill of the scope's tasks."""
    d = ctx.rows("fct_deficits", scope, year=ctx.year)
    return {(r.work, str(r.task)): (r.completion_pct, r.participants, r.deficit, r.zone, r.level_of_task, r.skill_code)
            for r in d.itertuples()}


def _by_mark_lookup(ctx: Context) -> dict[tuple[str, str, int], tuple]:
    """(work, task, mark) -> completion and n of the region's pupils with that mark."""
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
        tasks = sorted((t for (wk, t) in own if wk == w), key=task_order)
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
    return Table("vpr_tasks", title(ctx, scope, "vpr_tasks"),
                 ["Группа участников"] + [""] * width, rows, group_title="Работа",
                 widths=[2.6] + [1.0] * width, compact=True, show_head=False, keep_groups=True,
                 notes=notes(f"Полужирным красным выделено выполнение заданий с дефицитом: {ctx.methodology.limit_text()}, "
                              f"при не менее чем {numerals.count(ctx.methodology.min_group_pupils, 'участник', 'loct')}.",
                              *(["Группы «2»–«5» — участники, получившие соответствующую отметку за работу."] if scope.is_region else [])))


def vpr_tasks_long_table(ctx: Context, scope: Scope) -> Table:
    """The same data one row per task (the annex: filterable, numbers as numbers)."""
    own = _task_lookup(ctx, scope)
    by_mark = _by_mark_lookup(ctx)
    rows = []
    for w in ctx.vpr_works:
        for t in sorted((t for (wk, t) in own if wk == w), key=task_order):
            comp, n, deficit, zone, level, skill = own[(w, t)]
            line = [cells.text(t), cells.text(level), cells.text(skill), cells.number(comp, n, mark="worse" if deficit == 1 else "")]
            for m in (2, 3, 4, 5):
                v = by_mark.get((w, t, m))
                line.append(cells.number(None if v is None else v[0], None if v is None else v[1]))
            line.append(cells.worded(zone, n))
            rows.append(Row(line, group=w))
    cells.complement_cells(rows, [((i, 3), [(i, j) for j in (4, 5, 6, 7)]) for i in range(len(rows))])
    return Table("vpr_tasks_long", title(ctx, scope, "vpr_tasks_long"),
                 ["Задание", "Уровень", "Код умения", "Выполнение, %", "Группа «2», %", "Группа «3», %", "Группа «4», %",
                  "Группа «5», %", "Зона"], rows, group_title="Работа")
