"""ГИА tasks and risk zones (methodology, «ГИА tasks and risk zones»), end to end.

The demo region runs through the real CLI; `data/gia_tasks.csv` is then recomputed here from the
raw ГИА rows as loaded (answer strings, scores, marks, status) and the published minimum ЕГЭ
scores, following the methodology's text rather than the SQL:

- short answers: `+` = 1 of 1, `-` = 0 of 1, a digit = that score (its max: the highest score any
  participant got for the task that year); long answers: `score(max)` per criterion;
- each participant counts once per exam, form and subject, with the best valid (`Явка`) sitting,
  after the appeals and re-checks (the latest replacing decision of `raw.gia_appeals`, §11);
- completion = Σ scores / Σ max; score groups: ЕГЭ bands by test score (ниже минимального,
  минимальный–60, 61–80, 81–100), marks for ОГЭ, ГВЭ and Математика базовая;
- risk zone of a group: for a task the generator's «План ГИА» gives a level (its ground truth,
  `truth.json` → `gia_plan`), the group's own completion is below 50 % (Б) or 15 % (П, В); for any
  other task, the completion of its «минимальный–60» results (ЕГЭ) or of its mark-3 results
  (otherwise) is below 50 %.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

RISK_BELOW_PCT = 50.0
RISK_PLAN_PCT = {"Б": 50.0, "П": 15.0, "В": 15.0}
SEEDS = Path(__file__).resolve().parents[1] / "dbt" / "seeds"


def _task_rows(short, long):
    short, long = (v if isinstance(v, str) else "" for v in (short, long))
    for i, ch in enumerate(short, start=1):
        if ch == "+":
            yield f"К{i}", 1, 1
        elif ch == "-":
            yield f"К{i}", 0, 1
        elif ch.isdigit():
            yield f"К{i}", int(ch), None
    for i, (score, top) in enumerate(re.findall(r"(\d+)\((\d+)\)", long), start=1):
        yield f"Р{i}", int(score), int(top)


def _score_group(r, min_score: dict) -> str | None:
    if r.gia_form == "ЕГЭ" and r.subject_code != 22:
        if r.test_score < min_score[r.subject_code]:
            return "below_min"
        return "min_60" if r.test_score <= 60 else "61_80" if r.test_score <= 80 else "81_100"
    return None if pd.isna(r.mark) else f"mark{int(r.mark)}"


def after_appeals(con, results: pd.DataFrame) -> pd.DataFrame:
    """Contract §11, as the text says: a satisfied appeal or a re-check (raw `replaces`) replaces the
    result of that participant, subject and date — the latest decision (date of the change, else of
    the submission) wins; the test score for ЕГЭ (not базовая), the mark otherwise."""
    appeals = con.execute("""select participant_id, subject_code, exam_date, primary_score as a_primary,
                                    score as a_score, coalesce(changed_at, sent_at) as decided, sent_at
                             from raw.gia_appeals where replaces""").df()
    if appeals.empty:
        return results
    latest = (appeals.sort_values(["decided", "sent_at"]).drop_duplicates(["participant_id", "subject_code", "exam_date"],
                                                                          keep="last"))
    out = results.merge(latest.drop(columns=["decided", "sent_at"]), on=["participant_id", "subject_code", "exam_date"],
                        how="left")
    hit = out.a_score.notna() & (out.status == "Явка")
    by_test = (out.get("exam", "gia11") == "gia11") & (out.gia_form == "ЕГЭ") & (out.subject_code != 22)
    out.loc[hit & by_test, "test_score"] = out.a_score
    out.loc[hit & ~by_test, "mark"] = out.a_score
    out.loc[hit, "primary_score"] = out.a_primary
    return out.drop(columns=["a_primary", "a_score"])


def expected_tasks(warehouse: Path, year: int) -> pd.DataFrame:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        frames = [con.execute(f"select '{exam}' as exam, * from raw.{exam} where year = ?", [year]).df()
                  for exam in ("gia11", "gia9")]
        delivered = con.execute("select subject_code, min_score from raw.ege_min where year = ?", [year]).fetchall()
        results = after_appeals(con, pd.concat(frames, ignore_index=True))
    finally:
        con.close()
    results = results[results.status == "Явка"]
    results = results.sort_values(["test_score", "mark", "primary_score", "exam_date"],
                                  ascending=False, na_position="last")
    best = results.drop_duplicates(["exam", "participant_id", "gia_form", "subject_code"])
    mins = pd.read_csv(SEEDS / "indicators" / "ege_min_scores_default.csv")
    # the delivered «Минимальные баллы ЕГЭ» of the year, else the published defaults
    min_score = {int(r.subject_code): r.min_score for r in mins.itertuples()}
    min_score.update({int(code): score for code, score in delivered if code is not None and score is not None})
    rows = []
    for r in best.itertuples():
        group = _score_group(r, min_score)
        for task, score, top in _task_rows(r.short_answers, r.long_answers):
            rows.append((r.exam, r.gia_form, r.subject_code, r.mo_code, r.school_code, group, task, score, top))
    tasks = pd.DataFrame(rows, columns=["exam", "gia_form", "subject_code", "mo_code", "school_code",
                                        "score_group", "task", "score", "max_score"])
    seen_max = tasks.groupby(["exam", "gia_form", "subject_code", "task"]).score.transform("max")
    tasks["max_score"] = tasks.max_score.fillna(seen_max)
    return tasks[tasks.max_score > 0]


def completion(tasks: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    g = tasks.groupby(by, dropna=False).agg(participants=("score", "size"), s=("score", "sum"),
                                             m=("max_score", "sum")).reset_index()
    g["completion_pct"] = 100.0 * g.s / g.m
    return g.drop(columns=["s", "m"])


@pytest.fixture(scope="module")
def gia(demo_run) -> dict:
    published = pd.read_csv(demo_run["data"] / "gia_tasks.csv", dtype={"entity_code": str})
    truth = json.loads((Path(demo_run["truth"]) / "truth.json").read_text(encoding="utf-8"))
    levels = {(t["exam"], t["gia_form"], t["subject_code"], t["task"]): t["level"]
              for t in truth["gia_plan"] if t["year"] == demo_run["year"]}
    return {"published": published, "expected": expected_tasks(demo_run["warehouse"], demo_run["year"]),
            "year": demo_run["year"], "levels": levels}


KEY = ["exam", "gia_form", "subject_code", "task"]


def test_region_completion_per_task_and_score_group(gia):
    pub = gia["published"]
    region = pub[pub.level == "region"]
    exp_all = completion(gia["expected"], KEY).assign(score_group="all")
    exp_groups = completion(gia["expected"].dropna(subset=["score_group"]), KEY + ["score_group"])
    expected = pd.concat([exp_all, exp_groups], ignore_index=True)
    merged = expected.merge(region, on=KEY + ["score_group"], how="outer", suffixes=("_exp", "_pub"),
                            indicator=True)
    assert (merged._merge == "both").all(), merged[merged._merge != "both"].head(10).to_string()
    assert (merged.participants_exp == merged.participants_pub).all()
    assert (merged.completion_pct_exp - merged.completion_pct_pub).abs().max() < 1e-9
    # the demo has ЕГЭ bands, marks and both parts of the answer sheet
    assert {"below_min", "min_60", "61_80", "81_100", "mark3", "mark5"} <= set(region.score_group)
    assert region.task.str.startswith("Р").any() and region.task.str.startswith("К").any()


def test_school_completion_and_risk_zones(gia):
    pub = gia["published"]
    schools = pub[(pub.level == "school") & (pub.score_group == "all")]
    expected = completion(gia["expected"], KEY + ["school_code"]).rename(columns={"school_code": "entity_code"})
    merged = expected.merge(schools, on=KEY + ["entity_code"], how="outer", suffixes=("_exp", "_pub"),
                            indicator=True)
    assert (merged._merge == "both").all()
    assert (merged.completion_pct_exp - merged.completion_pct_pub).abs().max() < 1e-9

    tasks = gia["expected"]
    reference = tasks[((tasks.gia_form == "ЕГЭ") & (tasks.subject_code != 22) & (tasks.score_group == "min_60"))
                      | (((tasks.gia_form != "ЕГЭ") | (tasks.subject_code == 22)) & (tasks.score_group == "mark3"))]
    ref = completion(reference, KEY + ["school_code"]).rename(columns={"school_code": "entity_code"})
    ref["risk_exp"] = (ref.completion_pct < RISK_BELOW_PCT).astype(int)
    merged = schools.merge(ref[KEY + ["entity_code", "risk_exp"]], on=KEY + ["entity_code"], how="left")
    # a task of the «План ГИА»: the school's own completion against the threshold of its level
    level = [gia["levels"].get((e, f, int(c), t)) for e, f, c, t in
             zip(merged.exam, merged.gia_form, merged.subject_code, merged.task)]
    merged["level_exp"] = level
    planned = merged.level_exp.notna()
    assert planned.sum() > 100 and (~planned).sum() > 100
    limit = merged.level_exp.map(RISK_PLAN_PCT)
    merged.loc[planned, "risk_exp"] = (merged.completion_pct[planned] < limit[planned]).astype(int)
    assert (merged.task_level[planned] == merged.level_exp[planned]).all()
    assert (merged.risk_rule == planned.map({True: "plan", False: "no_plan"})).all()
    assert merged.task_level[~planned].isna().all()
    # a school with no reference-group result has no verdict
    assert merged[merged.risk_exp.isna()].risk_zone.isna().all()
    for judged in (merged[planned], merged[~planned].dropna(subset=["risk_exp"])):
        assert len(judged) > 100
        assert (judged.risk_zone.astype(int) == judged.risk_exp.astype(int)).all()
        assert 0 < judged.risk_zone.mean() < 1


def test_municipality_rows_add_up_to_the_region(gia):
    pub = gia["published"]
    allg = pub[pub.score_group == "all"]
    mo = allg[allg.level == "municipality"].groupby(KEY).participants.sum()
    region = allg[allg.level == "region"].set_index(KEY).participants
    assert mo.sort_index().equals(region.sort_index())


COHORT_GAP_PP = 30.0
COHORT_MIN_N = 10


def test_cohorts_vpr8_last_year_beside_oge(gia, demo_run):
    """Methodology, «Cohorts»: share of 4–5 on ВПР grade 8 in Y−1 beside ОГЭ in Y, per school."""
    year = gia["year"]
    con = duckdb.connect(str(demo_run["warehouse"]), read_only=True)
    try:
        vpr = con.execute("""
            select r.school_code, v.subject, v.mark from raw.vpr_results v
            join raw.register r on v.school_login = r.school_login
            where v.year = ? and v.grade = 8 and v.subject in ('Русский язык', 'Математика')
              and v.mark is not null""", [year - 1]).df()
        oge = after_appeals(con, con.execute("""
            select 'gia9' as exam, participant_id, school_code, gia_form, status, subject_code, mark, test_score,
                   primary_score, exam_date
            from raw.gia9 where year = ? and gia_form = 'ОГЭ' and subject_code in (1, 2)
              and status = 'Явка'""", [year]).df())
    finally:
        con.close()
    oge = (oge.sort_values(["mark", "primary_score", "exam_date"], ascending=False)
           .drop_duplicates(["participant_id", "subject_code"]))
    vpr["subject_code"] = vpr.subject.map({"Русский язык": 1, "Математика": 2})
    def shares(df):
        return df.groupby(["school_code", "subject_code"]).mark.agg(
            n="size", share=lambda m: 100.0 * (m >= 4).mean())
    expected = shares(vpr).merge(shares(oge), left_index=True, right_index=True, suffixes=("_vpr", "_oge")).reset_index()
    expected["named_exp"] = (((expected.share_vpr - expected.share_oge).abs() > COHORT_GAP_PP)
                             & (expected.n_vpr >= COHORT_MIN_N) & (expected.n_oge >= COHORT_MIN_N)).astype(int)

    published = pd.read_csv(demo_run["data"] / "gia_cohorts.csv", dtype={"school_code": str})
    merged = expected.merge(published, on=["school_code", "subject_code"], how="outer", indicator=True)
    assert len(merged) > 20 and (merged._merge == "both").all()
    assert (merged.n_vpr == merged.vpr_participants).all() and (merged.n_oge == merged.gia_participants).all()
    assert (merged.share_vpr - merged.share_oge - merged.gap_pp).abs().max() < 1e-9
    assert (merged.named_exp == merged.named).all()
