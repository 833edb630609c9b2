"""ГИА task analysis and risk zones (methodology, «ГИА tasks and risk zones») for §3.1 and §3.2.

Reads `mart_gia_task_completion` (region and municipality rows; the school rows are in
`data/gia_tasks.csv`). The risk zone itself is decided in dbt from the seed parameters; here it is
only shown, and only where the group it rests on is large enough to publish. The report prints the
full task table for the focus subjects (Russian, mathematics) and, for every subject, the tasks in
the risk zone; the annex carries the full table of every subject. Which rule decided (the task
levels of the optional «План ГИА», or without it the reference score group) is the mart's
`risk_rule`, and the text says which with the seed's thresholds (`rule_sentence`).
"""
from __future__ import annotations

import pandas as pd

from reports import cells, numerals
from reports.context import Context, Scope
from reports.document import ItemList, Paragraph, Row, Section, Table
from reports.formatting import fmt_number, is_missing
from reports.rules import Item
from reports.suppression import SUPPRESSED_TEXT, Line, complementary, minima, publishable, sample_status

RISK_PARAMS = ("gia_risk_basic_pct", "gia_risk_high_pct", "gia_risk_below_pct")
PLAN_RULE = "по уровням заданий из «Плана ГИА»"
NO_PLAN = "план ГИА не представлен"

BAND_GROUPS = (("below_min", "ниже минимального"), ("min_60", "от минимального до 60"), ("61_80", "61–80"),
               ("81_100", "81–100"))
MARK_GROUPS = (("mark2", "«2»"), ("mark3", "«3»"), ("mark4", "«4»"), ("mark5", "«5»"))
EXAM_FORMS = {"gia11": ("ЕГЭ", "ЕГЭ"), "gia9": ("ОГЭ", "ОГЭ")}


def _task_order(part: str, task_no) -> tuple:
    return (0 if part == "short" else 1, int(task_no) if not is_missing(task_no) else 0)


def _frame(ctx: Context, scope: Scope, exam: str) -> pd.DataFrame:
    form = EXAM_FORMS[exam][1]
    df = ctx.rows("mart_gia_task_completion", scope, year=ctx.year)
    df = df[(df["exam"] == exam) & (df["gia_form"] == form)]
    return df.assign(_o=[_task_order(p, t) for p, t in zip(df["part"], df["task_no"])])


def _groups(subject_rows: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    """Test-score bands for a subject scored in test points, marks otherwise (базовая математика, ОГЭ)."""
    present = set(subject_rows["score_group"])
    return BAND_GROUPS if present & {g for g, _ in BAND_GROUPS} else MARK_GROUPS


def _risk_cell(row) -> cells.Cell:
    if is_missing(row.risk_zone) or not publishable(row.reference_participants):
        return cells.text("—")
    return cells.text("да" if int(row.risk_zone) == 1 else "нет")


def _uses_plan(rows: pd.DataFrame) -> pd.Series:
    """Per row: its risk zone was decided by the task's level from the «План ГИА»."""
    if "risk_rule" not in rows:
        return pd.Series(False, index=rows.index)
    return rows["risk_rule"] == "plan"


def rule_sentence(rows: pd.DataFrame, thresholds: dict[str, float]) -> str:
    """Which rule decided the risk zones of these task rows, with the thresholds of the seed.

    The methodology has two rules (levels from the optional «План ГИА», or without it the reference
    score group); a reader must be told which one stands behind a «да», and for which subjects
    when a plan covers only some of them.
    """
    def pct(name: str) -> str:  # «50 %», «12,5 %»: a seed's number as written
        value = float(thresholds[name])
        return f"{fmt_number(value, 0 if value.is_integer() else 1)} %"

    plan_text = (f"{PLAN_RULE}: задание базового уровня (Б) в зоне риска группы участников, если его выполнение "
                 f"в этой группе ниже {pct('gia_risk_basic_pct')}, задание повышенного (П) или высокого (В) "
                 f"уровня — ниже {pct('gia_risk_high_pct')}")
    no_plan_text = (f"{NO_PLAN}: задание в зоне риска, если его выполнение в опорной группе участников (баллы от "
                    f"минимального до 60 по ЕГЭ, отметка «3» по ОГЭ, ГВЭ и базовой математике) ниже "
                    f"{pct('gia_risk_below_pct')}")
    uses = _uses_plan(rows)
    if not uses.any():
        return no_plan_text
    if uses.all():
        return plan_text
    names = "subject_name" if "subject_name" in rows else "subject_code"
    with_plan = sorted({str(v) for v in rows.loc[uses, names]})
    without = sorted({str(v) for v in rows.loc[~uses, names]} - set(with_plan))
    text = f"{PLAN_RULE} ({', '.join(with_plan)}){plan_text[len(PLAN_RULE):]}"
    if without:
        text += f"; по остальным предметам ({', '.join(without)}) {no_plan_text}"
    return text


def rule_lead(rule: str) -> str:
    """`rule_sentence` as a sentence of its own: «Зоны риска определены по уровням …» / «План ГИА не представлен: …»."""
    return f"Зоны риска определены {rule}" if rule.startswith(PLAN_RULE) else rule[:1].upper() + rule[1:]


def thresholds_of(ctx: Context) -> dict[str, float]:
    """The seed's risk thresholds (analysis_params) that `rule_sentence` states."""
    return {name: ctx.methodology.param(name) for name in RISK_PARAMS}


def task_table(ctx: Context, scope: Scope, exam: str, subjects: tuple[int, ...] | None, key: str) -> Table | None:
    """Completion of every task per score group, with the risk zone (and the region's for a municipality)."""
    df = _frame(ctx, scope, exam)
    if subjects is not None:
        df = df[df["subject_code"].isin(subjects)]
    if df.empty:
        return None
    reg = None
    if not scope.is_region:
        r = _frame(ctx, ctx.region, exam)
        r = r[r["score_group"] == "all"]
        reg = {(s, k): (v, n) for s, k, v, n in zip(r["subject_code"], r["task_key"], r["completion_pct"], r["participants"])}
    scheme = _groups(df)
    levels = "task_level" in df and df["task_level"].notna().any()
    first = 2 if levels else 1                 # column of «Все участники»
    rows = []
    for code, part in df.groupby("subject_code", sort=True):
        groups = _groups(part)
        if groups != scheme:        # базовая математика among ЕГЭ subjects: its own table in the annex
            continue
        by = {(k, g): (v, n) for k, g, v, n in zip(part["task_key"], part["score_group"], part["completion_pct"],
                                                  part["participants"])}
        alls = part[part["score_group"] == "all"].sort_values("_o")
        name = str(alls["subject_name"].iloc[0]) if len(alls) else str(code)
        for t in alls.itertuples():
            line = [cells.text(t.task_key)]
            if levels:
                line.append(cells.text(t.task_level if not is_missing(t.task_level) else "—"))
            line.append(cells.number(t.completion_pct, t.participants))
            line += [cells.number(*by.get((t.task_key, g), (None, None))) for g, _ in groups]
            if reg is not None:
                line.append(cells.number(*reg.get((code, t.task_key), (None, None))))
            line.append(_risk_cell(t))
            rows.append(Row(line, group=name))
    if not rows:
        return None
    # «Все участники» is the sum of the score groups: a group hidden alone would be their difference
    cells.complement_cells(rows, [((i, first), [(i, first + 1 + g) for g in range(len(scheme))])
                                  for i in range(len(rows))])
    form = EXAM_FORMS[exam][0]
    cols = ["Задание"] + (["Уровень"] if levels else []) + ["Все участники, %"] + [f"{label}, %" for _, label in scheme]
    if reg is not None:
        cols.append("Регион, %")
    cols.append("Зона риска")
    return Table(key, f"{form}: выполнение заданий по группам участников, {ctx.year} год ({scope.name})", cols, rows,
                 group_title="Предмет", widths=[1.3] + ([1.0] if levels else []) + [1.4] + [1.4] * len(scheme) + ([1.2] if reg is not None else []) + [1.1],
                 compact=True,
                 notes=["Выполнение задания — сумма полученных баллов к сумме максимальных баллов, %. Задания: К — с "
                        "кратким ответом, Р — с развёрнутым (по критериям)"
                        + ("; уровень задания (Б — базовый, П — повышенный, В — высокий) — из «Плана ГИА»" if levels else "")
                        + f". {rule_lead(rule_sentence(df[df['score_group'] == 'all'], thresholds_of(ctx)))}. «—» в "
                        f"графе «Зона риска» — в группе, по которой она определяется, меньше {minima().published} "
                        "участников или она пуста."])


def hidden_groups(subject_rows: pd.DataFrame) -> frozenset[tuple[str, str]]:
    """(task, score group) cells of one subject that the task table prints as «*»: small groups and
    their complements (the groups add up to «Все участники»), so a sentence never prints a value
    its table hides."""
    groups = [g for g, _ in _groups(subject_rows)]
    n = {(k, g): v for k, g, v in zip(subject_rows["task_key"], subject_rows["score_group"],
                                      subject_rows["participants"])}
    lines = [Line((k, "all"), tuple((k, g) for g in groups if (k, g) in n))
             for k in subject_rows.loc[subject_rows["score_group"] == "all", "task_key"]]
    return complementary(lines, {k: n[k] for line in lines for k in (line.total, *line.parts)})


def _reference_group(subject_rows: pd.DataFrame) -> str:
    """The score group the risk zone rests on: «минимальный–60» (ЕГЭ), «3» (ОГЭ, базовая математика)."""
    return "min_60" if _groups(subject_rows) == BAND_GROUPS else "mark3"


def risk_items(ctx: Context, scope: Scope, exam: str) -> list[Item]:
    """Per subject: how many tasks are in the risk zone and which, with the reference group's completion."""
    frame = _frame(ctx, scope, exam)
    df = frame[(frame["score_group"] == "all") & frame["risk_zone"].notna()]
    out = []
    for code, part in df.groupby("subject_code", sort=True):
        part = part[[publishable(n) for n in part["reference_participants"]]].sort_values("_o")
        if part.empty:
            continue
        risky = part[part["risk_zone"] == 1]
        name = str(part["subject_name"].iloc[0])
        subject_rows = frame[frame["subject_code"] == code]
        hidden = hidden_groups(subject_rows)
        by_plan = bool(_uses_plan(part).all())
        ref = "all" if by_plan else _reference_group(subject_rows)
        if risky.empty:
            text = f"{name}: заданий в зоне риска нет (из {numerals.count(len(part), 'задание', 'gent')})."
        else:
            listed = ", ".join(f"{r.task_key} ("
                               + (f"{r.task_level}, " if by_plan else "")
                               + (SUPPRESSED_TEXT if (r.task_key, ref) in hidden else f"{fmt_number(r.reference_completion_pct)} %")
                               + ")" for r in risky.itertuples())
            n = int(risky["reference_participants"].min())
            small = "; малая выборка" if sample_status(n) == "small" else ""
            where = ("уровень задания по «Плану ГИА» и выполнение всеми участниками" if by_plan
                     else "выполнение в опорной группе")
            text = (f"{name}: в зоне риска {numerals.out_of(len(risky), len(part), 'задание')} — {listed}; "
                    f"в скобках — {where} ({numerals.count(n, 'участник')}{small}).")
        out.append(Item("conclusion", "gia_risk", "Зоны риска", text))
    return out


def add_subsection(ctx: Context, scope: Scope, sec: Section, exam: str, focus: tuple[int, ...]) -> None:
    """«Выполнение заданий и зоны риска» under the ЕГЭ or ОГЭ section."""
    sub = sec.sub("Выполнение заданий и зоны риска")
    items = risk_items(ctx, scope, exam)
    if not items:
        sub.add(Paragraph(f"Поэлементные результаты {EXAM_FORMS[exam][0]} за {ctx.year} год не поставлены или групп, "
                          "достаточных для публикации, нет."))
        return
    frame = _frame(ctx, scope, exam)
    rule = rule_sentence(frame[frame["score_group"] == "all"], thresholds_of(ctx))
    sub.add(Paragraph(f"{rule_lead(rule)}. "
                      "Задания в зоне риска не освоены значительной частью участников и требуют внимания в "
                      "преподавании."),
            ItemList(items))
    table = task_table(ctx, scope, exam, focus, f"gia_tasks_{exam}")
    if table is not None:
        sub.add(Paragraph("Выполнение заданий по русскому языку и математике по группам участников; по остальным "
                          "предметам — в приложении (лист «ГИА задания») и в таблице данных gia_tasks.csv."), table)


def annex_tables(ctx: Context) -> list[Table]:
    """The full task tables of every ЕГЭ and ОГЭ subject for the region (the annex's «ГИА задания»)."""
    out = []
    for exam in EXAM_FORMS:
        for scheme, scheme_subjects in _schemes(ctx, exam):
            t = task_table(ctx, ctx.region, exam, scheme_subjects, f"gia_tasks_{exam}_{scheme}")
            if t is not None:
                out.append(t)
    return out


def _schemes(ctx: Context, exam: str) -> list[tuple[str, tuple[int, ...]]]:
    """Subjects split by their score groups (bands or marks), so each table has one set of columns."""
    df = _frame(ctx, ctx.region, exam)
    split: dict[str, list[int]] = {"bands": [], "marks": []}
    for code, part in df.groupby("subject_code", sort=True):
        split["bands" if _groups(part) == BAND_GROUPS else "marks"].append(int(code))
    return [(name, tuple(codes)) for name, codes in split.items() if codes]
