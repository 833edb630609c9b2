"""The analysis a methodologist signs (issue «Conclusions a methodologist would sign»), checked on the
real demo run against the published data tables and the delivered ФИС ОКО forms — not against what
the report code computes.
"""
from __future__ import annotations

import re
from collections import defaultdict

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from reports import gia_tasks
from reports.build import build_section
from reports.context import Context
from reports.data import load


@pytest.fixture(scope="module")
def ctx(demo_run) -> Context:
    return Context(load(demo_run["warehouse"], demo_run["year"]))


def _sheet(path, title: str) -> list[list]:
    wb = CalamineWorkbook.from_path(str(path))
    name = next(s for s in wb.sheet_names if s[3:] == title)
    return wb.get_sheet_by_name(name).to_python()


def test_every_vpr_marks_table_has_the_russia_row_of_the_delivered_form(demo_run):
    bench = pd.read_csv(demo_run["data"] / "vpr_benchmark.csv")
    russia = bench[bench["group"] == "russia"].drop_duplicates(["work", "mark2", "mark3", "mark4", "mark5"])
    assert not russia.duplicated("work").any(), "the forms of one work disagree on «Вся выборка»"
    rows = _sheet(demo_run["public"] / "annex.xlsx", "ВПР отметки")
    header = rows[0]
    by_work = defaultdict(dict)
    for r in rows[1:]:
        if str(r[0]).startswith("ВПР ") and r[1]:           # below the table: its notes
            by_work[r[0]][r[1]] = dict(zip(header, r))
    assert set(by_work) == set(russia["work"])         # the demo delivers a form for every work
    for r in russia.itertuples():
        got = by_work[r.work]["Россия (вся выборка)"]
        assert got["Участников"] == r.participants
        for m in (2, 3, 4, 5):
            assert abs(float(got[f"«{m}», %"]) - getattr(r, f"mark{m}")) <= 0.05 + 1e-9     # printed to 0.1
    html = (demo_run["public"] / "report.html").read_text(encoding="utf-8")
    assert html.count("Россия (вся выборка)") >= len(russia)
    assert "по России" in html


def _priority(demo_run) -> pd.DataFrame:
    d = pd.read_csv(demo_run["data"] / "deficits.csv", dtype={"entity_code": str, "skill_code": str, "task": str})
    return d[d["level"] == "school"]


def _named_skills(deficits: pd.DataFrame, region: pd.DataFrame, limit: int = 3) -> dict[tuple[str, str], set[str]]:
    """Independent recomputation: per school × work, the ≤ `limit` priority skills with the largest gap
    to the region (ties by skill code), from deficits.csv alone."""
    reg = region.set_index(["work", "task"])["completion_pct"]
    pr = deficits[deficits["priority"] == 1].copy()
    pr["skill"] = pr["skill_code"].fillna("#" + pr["task"].astype(str)).astype(str)
    pr["gap"] = [reg[(w, t)] - c for w, t, c in zip(pr["work"], pr["task"], pr["completion_pct"])]
    out = {}
    for (school, work), part in pr.groupby(["entity_code", "work"]):
        gaps = part.groupby("skill")["gap"].max().reset_index().sort_values(["gap", "skill"], ascending=[False, True])
        out[(school, work)] = set(gaps["skill"].head(limit))
    return out


def test_school_recommendations_name_only_priority_skills(demo_run, ctx):
    d = _priority(demo_run)
    all_rows = pd.read_csv(demo_run["data"] / "deficits.csv", dtype={"entity_code": str, "skill_code": str, "task": str})
    region = all_rows[all_rows["level"] == "region"]
    expected = _named_skills(d, region)
    pairs = d.groupby(["entity_code", "work"])["participants"].max()
    evaluated = pairs[pairs >= 10]
    with_priority = d[d["priority"] == 1].groupby(["entity_code", "work"]).size()
    assert len(with_priority) <= 0.2 * len(evaluated)       # priority singles out (methodology: ~1 in 10)
    assert set(with_priority.index) <= set(evaluated.index)

    recommended: dict[str, str] = {}
    for mo in ctx.mo_codes:
        sec = build_section(ctx, ctx.municipality(mo), "recommendations")
        for block in sec.subsections[1].blocks:
            for it in block.items:
                if it.topic == "school_deficits":
                    recommended[it.school_code] = it.text
                else:
                    assert it.topic == "individual_routes"
    assert set(recommended) == {s for s, _ in expected}     # no priority deficit, no deficit advice
    for (school, work), skills in expected.items():
        text = recommended[school]
        part = text.split(work.removeprefix("ВПР ") + " — ", 1)[1].split("; а также", 1)[0]
        part = re.split(r"\); (?=[А-ЯЁ][а-яё]+(?: [а-яё]+)* \d+ — )", part)[0]
        cited = set(re.findall(r"(\d+(?:\.\d+)*) «", part)) | {"#" + t for t in re.findall(r"(?:^|; )задание (\S+) \(", part)}
        assert cited == skills, (school, work, part)


def test_regional_school_list_is_grouped_by_cluster_in_code_order(demo_run, ctx):
    sec = build_section(ctx, ctx.region, "recommendations")
    items = [it for b in sec.subsections[1].blocks for it in b.items if it.topic == "school_deficits_summary"]
    assert items
    for it in items:
        codes = re.findall(r"\((\d{6})\)", it.text)
        assert codes and "зад." not in it.text
        for group in it.text.split("кластер «")[1:]:
            in_group = re.findall(r"\((\d{6})\)", group)
            assert in_group == sorted(in_group)


def test_each_ege_and_oge_subject_has_its_risk_zones_as_in_gia_tasks_csv(demo_run, ctx):
    g = pd.read_csv(demo_run["data"] / "gia_tasks.csv", dtype={"entity_code": str})
    g = g[(g["level"] == "region") & (g["score_group"] == "all")]
    for exam, form in (("gia11", "ЕГЭ"), ("gia9", "ОГЭ")):
        part = g[(g["exam"] == exam) & (g["gia_form"] == form)]
        items = {it.text.split(":", 1)[0]: it.text for it in gia_tasks.risk_items(ctx, ctx.region, exam)}
        assert set(items) == set(part["subject_name"])
        for subject, rows in part.groupby("subject_name"):
            risky = set(rows.loc[rows["risk_zone"] == 1, "task"])
            assert set(re.findall(r"([КР]\d+) \(", items[subject])) == risky, subject
    html = (demo_run["public"] / "report.html").read_text(encoding="utf-8")
    assert html.count("Выполнение заданий и зоны риска") >= 2


def test_gia_subsections_name_the_risk_rule_of_each_subject(demo_run):
    """The demo's last year has a «План ГИА» for ЕГЭ Русский язык and Математика профильного уровня and
    for ОГЭ Математика (synthetic/_gia_plan.py): §3.1 names the plan rule for those two and the no-plan
    rule for the other ЕГЭ subjects; the task tables carry the level column."""
    html = (demo_run["public"] / "report.html").read_text(encoding="utf-8")
    assert "Зоны риска определены по уровням заданий из «Плана ГИА» (Математика профильного уровня, Русский язык)" in html
    assert "по остальным предметам (" in html and "план ГИА не представлен: " in html
    assert "Зоны риска определены по уровням заданий из «Плана ГИА» (Математика)" in html
    assert "<th>Уровень</th>" in html or ">Уровень<" in html


def test_indicator_table_shows_three_years_with_n_as_in_indicators_csv(demo_run):
    y = demo_run["year"]
    ind = pd.read_csv(demo_run["data"] / "indicators.csv", dtype={"entity_code": str})
    region = ind[ind["level"] == "region"].pivot(index="indicator_code", columns="year", values="value")
    rows = _sheet(demo_run["public"] / "annex.xlsx", "Показатели")
    header = rows[0]
    assert [str(y - 2), str(y - 1), str(y), f"n, {y}"] == header[5:9]
    checked = 0
    for r in rows[1:]:
        code = r[1]
        if code not in region.index:
            continue
        for col, year in zip(header[5:8], (y - 2, y - 1, y)):
            expected = region.loc[code, year]
            if isinstance(r[header.index(col)], float) and not pd.isna(expected):
                assert abs(r[header.index(col)] - expected) < 0.05 + 1e-9, (code, year)
                checked += 1
    assert checked >= 3 * 20


NUMBERED = re.compile(r"(?<![\d,.])(из )?(\d{1,3}(?:\u00a0\d{3})*|\d+) (участник\w*|школ\w*|задани\w*|работ\w*|"
                      r"муниципалитет\w*|показател\w*|организаци\w*|обучающ\w*|результат\w*)")


def _agreement_errors(text: str) -> list[str]:
    """Numbers and nouns that do not agree, judged by pymorphy3 directly (not by reports.numerals):
    «из N» wants the genitive (singular after 1, plural otherwise); elsewhere 1 wants the singular,
    2–4 the genitive singular or an oblique plural, 5+ a plural."""
    import pymorphy3
    morph = _agreement_errors.__dict__.setdefault("morph", pymorphy3.MorphAnalyzer())
    errors = []
    for m in NUMBERED.finditer(text):
        of, n, word = m.group(1), int(m.group(2).replace("\u00a0", "")), m.group(3)
        parses = [p for p in morph.parse(word) if p.tag.POS in ("NOUN", "ADJF", "PRTF")]
        tags = {(p.tag.number, p.tag.case) for p in parses}
        one = n % 10 == 1 and n % 100 != 11
        few = 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14
        if of:
            ok = ("sing", "gent") in tags if one else ("plur", "gent") in tags
        elif one:
            ok = any(num == "sing" for num, _ in tags)
        elif few:
            ok = ("sing", "gent") in tags or any(num == "plur" and case != "nomn" for num, case in tags)
        else:
            ok = any(num == "plur" and case != "nomn" for num, case in tags)
        if not ok:
            errors.append(text[max(0, m.start() - 30): m.end() + 10])
    return errors


def test_agreement_checker_catches_what_the_issue_names():
    assert _agreement_errors("из 31 участников; 21 участников; 5 участник") and len(
        _agreement_errors("из 31 участников; 21 участников; 5 участник")) == 3
    assert _agreement_errors("из 31 участника, из 25 участников, 21 участник, 3 задания, для 3 муниципалитетов") == []


def test_numerals_agree_with_their_nouns_in_every_published_report(demo_run):
    texts = [(p.name, re.sub(r"<[^>]+>", " ", p.read_text(encoding="utf-8")))
             for p in [demo_run["public"] / "report.html", *sorted((demo_run["public"] / "mo").glob("*.html"))]]
    errors = [(name, e) for name, t in texts for e in _agreement_errors(t)]
    assert not errors, errors[:10]


def _standing_from_index_csv(demo_run) -> tuple[set[str], set[str]]:
    """Independent recomputation from index.csv and the register's clusters: (persistently low, good practice)."""
    import duckdb
    con = duckdb.connect(str(demo_run["warehouse"]), read_only=True)
    clusters = dict(con.execute("select school_code, cluster_name from marts.dim_schools").fetchall())
    con.close()
    idx = pd.read_csv(demo_run["data"] / "index.csv", dtype={"entity_code": str})
    idx = idx[(idx["level"] == "school") & idx["results_index"].notna()].copy()
    idx["cluster"] = idx["entity_code"].map(clusters)
    idx["rank"] = idx.groupby("year")["results_index"].rank(method="min")
    idx["n"] = idx.groupby("year")["results_index"].transform("count")
    idx["pr"] = (idx["rank"] - 1) / (idx["n"] - 1)
    g = idx.groupby(["year", "cluster"])["results_index"]
    idx["mean"], idx["se"] = g.transform("mean"), g.transform("std") / g.transform("count") ** 0.5
    idx["pos"] = [0 if pd.isna(se) else (-1 if v - m < -2 * se else 1 if v - m > 2 * se else 0)
                  for v, m, se in zip(idx["results_index"], idx["mean"], idx["se"])]
    y = demo_run["year"]
    cur, prev = (idx[idx["year"] == yy].set_index("entity_code") for yy in (y, y - 1))
    both = cur.index.intersection(prev.index)
    low = {s for s in both if cur.at[s, "pr"] <= 0.10 and prev.at[s, "pr"] <= 0.10
           and cur.at[s, "pos"] == -1 and prev.at[s, "pos"] == -1}
    good = {s for s in both if cur.at[s, "pos"] == 1 and prev.at[s, "pos"] == 1}
    return low, good


def test_low_and_strong_schools_follow_the_cluster_rule(demo_run):
    low, good = _standing_from_index_csv(demo_run)
    annex = demo_run["public"] / "annex.xlsx"
    wb = CalamineWorkbook.from_path(str(annex))

    def codes(title: str) -> set[str]:
        names = [s for s in wb.sheet_names if s[3:] == title]
        if not names:
            return set()
        rows = wb.get_sheet_by_name(names[0]).to_python()
        col = rows[0].index("Код ОО")
        return {str(r[col]) for r in rows[1:] if re.fullmatch(r"\d{6}", str(r[col]))}
    assert codes("Устойчиво низкие") == low
    assert codes("Лучшие практики") == good
    assert good, "the demo region has schools above their cluster two years running"
