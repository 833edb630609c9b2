"""Tests of the synthetic region generator (demo scale, real files in tmp folders)."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from synthetic import generate_region, inject_defects
from synthetic import _spec as S
from synthetic import oracle

YEARS = (2023, 2024, 2025)
TASK_HEADER = re.compile(r"^(\d+(?:\.\d+|К\d+)?) \((\d+)б\)$")
GIA_COLUMNS = ["ID участника", "Код ОО", "Код МО", "Категория", "Класс", "Пол", "ОВЗ", "Форма ГИА",
               "Код предмета", "Предмет", "Этап", "Дата экзамена", "Вариант",
               "Задания с кратким ответом", "Задания с развернутым ответом", "Первичный балл",
               "Тестовый балл", "Отметка", "Статус"]
REGISTER_COLUMNS = ["Код ОО", "Логин ОО", "Краткое наименование", "Полное наименование", "Код МО",
                    "Муниципальное образование", "Тип ОО", "Местность", "Транспортная доступность",
                    "Численность обучающихся", "ШНОР"]


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    base = tmp_path_factory.mktemp("demo")
    # the second («normalised») ВПР layout and the normalised ГИА, whose files these tests read
    # cell by cell; the defaults (ФИС ОКО downloads, РЦОИ protocols) are checked in
    # tests/test_synthetic_fisoko.py and tests/test_synthetic_rcoi.py
    summary = generate_region(base / "inbox", base / "truth", seed=2025, scale="demo", years=YEARS,
                              vpr_layout="normalised", gia_layout="normalised")
    manifest = json.loads((base / "truth" / "files.json").read_text(encoding="utf-8"))
    return {"base": base, "inbox": base / "inbox", "truth": base / "truth", "summary": summary,
            "files": manifest["files"]}


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")


def _files(demo, kind, year=None):
    return [f for f in demo["files"] if f["kind"] == kind and (year is None or f["year"] == year)]


def _sheet(path: Path, index=0) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(index).to_python()


@pytest.fixture(scope="session")
def vpr_sheets(demo):
    return {f["file"]: _sheet(demo["inbox"] / f["file"]) for f in _files(demo, "vpr")}


@pytest.fixture(scope="session")
def gia(demo):
    return {(f["kind"], f["year"]): _csv(demo["inbox"] / f["file"]) for f in demo["files"]
            if f["kind"] in ("gia9", "gia11")}


# ------------------------------------------------------------------------------------------------


def test_summary_and_layout(demo):
    s = demo["summary"]
    assert s["years"] == list(YEARS)
    assert 30 <= s["schools"] <= 40
    for y in YEARS:
        assert 3000 <= s["vpr_works"][y] <= 15000
        assert s["vpr_task_cells"][y] > 10 * s["vpr_works"][y]
        assert s["gia11_rows"][y] > 500 and s["gia9_rows"][y] > 1000
    for rel in s["files"]:
        assert (demo["inbox"] / rel).is_file()
    kinds = {f["kind"] for f in demo["files"]}
    assert kinds == {"register", "gia9", "gia11", "vpr", "vpr_plan", "vpr_scale", "ege_min", "admissions", "niko",
                     "measures", "gia_plan"}
    # the truth lives outside the inbox and never inside it
    assert not any(p.name in ("truth.json", "files.json") for p in demo["inbox"].rglob("*"))
    truth = json.loads((demo["truth"] / "truth.json").read_text(encoding="utf-8"))
    assert truth["region_code"] == "86" and truth["years"] == list(YEARS)
    assert len(truth["nonobjective"]) >= 3 and len(truth["decoys"]) >= 2
    for e in truth["nonobjective"]:
        assert e["year"] == max(YEARS) and len(set(e["markers"])) >= 2 and e["works"]


def test_truth_dir_inside_inbox_is_refused(tmp_path):
    with pytest.raises(ValueError):
        generate_region(tmp_path / "inbox", tmp_path / "inbox" / "truth")


def test_determinism(demo, tmp_path):
    other = generate_region(tmp_path / "inbox", tmp_path / "truth", seed=2025, scale="demo", years=YEARS,
                            vpr_layout="normalised", gia_layout="normalised")
    assert other["files"] == demo["summary"]["files"]
    read_back = 0
    for rel in other["files"]:
        a, b = demo["inbox"] / rel, tmp_path / "inbox" / rel
        if rel.endswith(".csv"):
            assert a.read_bytes() == b.read_bytes(), rel
        elif a.read_bytes() != b.read_bytes() or read_back < 3:
            # workbooks carry a fixed creation date, so they are byte-identical too; compare the
            # content read back for a few of them (and for any that differ in bytes)
            read_back += 1
            wa, wb = CalamineWorkbook.from_path(str(a)), CalamineWorkbook.from_path(str(b))
            assert wa.sheet_names == wb.sheet_names
            for i in range(len(wa.sheet_names)):
                assert wa.get_sheet_by_index(i).to_python() == wb.get_sheet_by_index(i).to_python(), rel
    assert (demo["inbox"] / rel).stat().st_mtime == (tmp_path / "inbox" / rel).stat().st_mtime
    t1 = json.loads((demo["truth"] / "truth.json").read_text(encoding="utf-8"))
    t2 = json.loads((tmp_path / "truth" / "truth.json").read_text(encoding="utf-8"))
    assert t1 == t2


def test_other_seed_differs(demo, tmp_path):
    generate_region(tmp_path / "inbox", tmp_path / "truth", seed=99, scale="demo", years=(2025,), plant=False)
    a = (demo["inbox"] / "gia/gia9_2025.csv").read_bytes()
    b = (tmp_path / "inbox" / "gia/gia9_2025.csv").read_bytes()
    assert a != b
    truth = json.loads((tmp_path / "truth" / "truth.json").read_text(encoding="utf-8"))
    assert truth["nonobjective"] == [] and truth["decoys"] == []


def test_register(demo):
    reg = _csv(demo["inbox"] / _files(demo, "register")[0]["file"])
    assert list(reg.columns) == REGISTER_COLUMNS
    assert reg["Код ОО"].str.fullmatch(r"86\d{4}").all()
    assert (reg["Логин ОО"] == "sch" + reg["Код ОО"]).all()
    assert reg["Код МО"].str.fullmatch(r"\d{2}").all() and reg["Код МО"].nunique() == 3
    assert set(reg["Тип ОО"]) <= set(S.SCHOOL_TYPES) and {"СОШ", "ООШ", "Гимназия"} <= set(reg["Тип ОО"])
    assert set(reg["Местность"]) == {"город", "село"}
    assert set(reg["Транспортная доступность"]) <= {"доступная", "удалённая", "труднодоступная"}
    assert set(reg["ШНОР"]) == {"да", "нет"}
    assert reg["Численность обучающихся"].str.fullmatch(r"\d+").all()
    assert reg["Краткое наименование"].str.contains("Синтетическ").all()


def test_vpr_layout_and_consistency(demo, vpr_sheets):
    plans = pd.concat([_csv(demo["inbox"] / f["file"]) for f in _files(demo, "vpr_plan")])
    scales = pd.concat([_csv(demo["inbox"] / f["file"]) for f in _files(demo, "vpr_scale")])
    logins = set(_csv(demo["inbox"] / _files(demo, "register")[0]["file"])["Логин ОО"])
    seen_x = False
    for rel, rows in vpr_sheets.items():
        m = re.fullmatch(r"ВПР (\d{4})\. (.+)\. (\d) класс", str(rows[0][0]))
        assert m, rows[0][0]
        year, subject, grade = int(m[1]), m[2], int(m[3])
        assert rows[1][:2] == ["Предмет:", subject]
        assert rows[2][0] == "Класс:" and int(rows[2][1]) == grade
        assert rows[3][0] == "Максимальный первичный балл:"
        assert rows[4][0] == "Дата:" and re.fullmatch(rf"\d\d\.\d\d\.{year}", rows[4][1])
        assert all(v in ("", None) for v in rows[5])
        header = [str(h) for h in rows[7]]
        assert header[:6] == ["Логин ОО", "Муниципалитет", "Название ОО", "Код участника", "Класс", "Вариант"]
        assert header[-3:] == ["Первичный балл", "Отметка", "Отметка по журналу"]
        tasks = header[6:-3]
        parsed = [TASK_HEADER.fullmatch(h) for h in tasks]
        assert all(parsed), tasks
        tmax = np.array([int(p[2]) for p in parsed])
        assert int(rows[3][1]) == tmax.sum()
        levels = rows[6]
        assert all(levels[i] in ("", None) for i in range(6))
        assert [levels[6 + j] for j in range(len(tasks))] == [lv for lv in levels[6:6 + len(tasks)]]
        assert set(levels[6:6 + len(tasks)]) <= {"Б", "П"}
        plan = plans[(plans["Год"] == str(year)) & (plans["Предмет"] == subject) & (plans["Класс"] == str(grade))]
        assert list(plan["Задание"]) == [p[1] for p in parsed]
        assert list(plan["Макс. балл"].astype(int)) == list(tmax)
        assert list(plan["Уровень"]) == list(levels[6:6 + len(tasks)])
        sc = scales[(scales["Год"] == str(year)) & (scales["Предмет"] == subject) & (scales["Класс"] == str(grade))]
        thr = [int(sc.iloc[0][c]) for c in ("Отметка 3 от", "Отметка 4 от", "Отметка 5 от")]
        assert 1 <= thr[0] < thr[1] < thr[2] <= tmax.sum() - 1
        data = rows[8:]
        assert data
        body = [r for r in data]
        cells = [[None if str(v) in ("X", "Х") else int(v) for v in r[6:6 + len(tasks)]] for r in body]
        seen_x |= any(v is None for c in cells for v in c)
        for r, c in zip(body, cells):
            assert r[0] in logins
            assert re.fullmatch(r"\d{5}", r[3]) and isinstance(r[3], str)
            assert r[4].startswith(str(grade))
            assert all(v is None or 0 <= v <= k for v, k in zip(c, tmax))
            prim = sum(v for v in c if v is not None)
            assert int(r[-3]) == prim
            assert int(r[-2]) == 2 + sum(prim >= t for t in thr)
            assert r[-1] in ("", None) or int(r[-1]) in (2, 3, 4, 5)
        keys = [(r[0], r[3]) for r in body]
        assert len(keys) == len(set(keys)), "Код участника must be unique within school and work"
    assert seen_x


def test_vpr_mark_shares_and_journal(vpr_sheets):
    for rel, rows in vpr_sheets.items():
        if "matematika_4" in rel:
            marks = np.array([int(r[-2]) for r in rows[8:]])
            journal = np.array([int(r[-1]) if r[-1] not in ("", None) else 0 for r in rows[8:]])
            share = np.bincount(marks, minlength=6)[2:] / len(marks)
            assert share[0] < 0.12 and 0.2 < share[1] < 0.4 and 0.33 < share[2] < 0.57 and 0.1 < share[3] < 0.32
            j = journal > 0
            agree = (journal[j] == marks[j]).mean()
            assert 0.45 < agree < 0.8
            assert (marks[j] > journal[j]).any() and (marks[j] < journal[j]).any()


def test_classes_continue_into_next_grade(demo, vpr_sheets):
    by = {}
    for rel, rows in vpr_sheets.items():
        m = re.fullmatch(r"ВПР (\d{4})\. (.+)\. (\d) класс", str(rows[0][0]))
        if m[2] == "Математика":
            by[(int(m[1]), int(m[3]))] = {(r[0], r[4][1:]) for r in rows[8:]}
    a, b = by[(2024, 4)], by[(2025, 5)]
    assert len(a & b) / len(a) > 0.6  # the same school × class letter one grade up


def test_plan_scale_minimums(demo):
    plan = _csv(demo["inbox"] / _files(demo, "vpr_plan", 2025)[0]["file"])
    assert list(plan.columns) == ["Год", "Предмет", "Класс", "Задание", "Макс. балл", "Уровень", "Код умения",
                                  "Проверяемое умение", "Практико-ориентированное"]
    assert set(plan["Уровень"]) == {"Б", "П"} and set(plan["Практико-ориентированное"]) == {"да", "нет"}
    po = plan[plan["Практико-ориентированное"] == "да"]
    assert {"Математика", "Окружающий мир", "Биология", "География", "Физика", "Химия"} <= set(po["Предмет"])
    scale = _csv(demo["inbox"] / _files(demo, "vpr_scale", 2025)[0]["file"])
    assert list(scale.columns) == ["Год", "Предмет", "Класс", "Отметка 3 от", "Отметка 4 от", "Отметка 5 от"]
    mins = _csv(demo["inbox"] / _files(demo, "ege_min", 2025)[0]["file"])
    assert list(mins.columns) == ["Год", "Код предмета", "Минимальный балл"]
    d = dict(zip(mins["Код предмета"], mins["Минимальный балл"].astype(int)))
    assert d["1"] == 24 and d["2"] == 27 and d["12"] == 42 and d["9"] == 22 and "22" not in d


def test_gia_plan_of_the_last_two_years(demo):
    """«План ГИА»: the last year for ЕГЭ Русский язык, Математика профильного уровня and ОГЭ Математика, the
    year before for ЕГЭ Русский язык only; one row per short task and long criterion, as many as the
    answer strings have, the essay of Русский язык (its criteria 27К1…) of high level."""
    files = {f["year"]: f for f in demo["files"] if f["kind"] == "gia_plan"}
    assert set(files) == set(YEARS[-2:])
    last = _csv(demo["inbox"] / files[YEARS[-1]]["file"])
    assert list(last.columns) == ["Год", "Предмет", "Класс", "Задание", "Макс. балл", "Уровень", "Код умения",
                                  "Проверяемое умение", "Практико-ориентированное"]
    by = {k: g for k, g in last.groupby(["Предмет", "Класс"])}
    assert set(by) == {("Русский язык", "11"), ("Математика профильного уровня", "11"), ("Математика", "9")}
    rus = by[("Русский язык", "11")]
    # ЕГЭ Русский язык: 26 short tasks and 10 essay criteria (27К1…27К10), the essay of level В
    assert rus["Задание"].tolist()[:26] == [str(i) for i in range(1, 27)]
    assert rus["Задание"].tolist()[26:] == [f"27К{m}" for m in range(1, 11)]
    assert set(rus["Уровень"].iloc[26:]) == {"В"} and set(rus["Уровень"].iloc[:26]) == {"Б", "П"}
    assert set(last["Уровень"]) == {"Б", "П", "В"}
    before = _csv(demo["inbox"] / files[YEARS[-2]]["file"])
    assert set(before["Предмет"]) == {"Русский язык"}
    truth = json.loads((demo["truth"] / "truth.json").read_text(encoding="utf-8"))["gia_plan"]
    assert len(truth) == len(last) + len(before)
    assert {t["task"] for t in truth if t["subject_code"] == 1 and t["year"] == YEARS[-1]} == (
        {f"К{i}" for i in range(1, 27)} | {f"Р{i}" for i in range(1, 11)})


def _short_sum(s: str) -> int:
    return sum(1 if ch == "+" else 0 if ch == "-" else int(ch) for ch in s)


def _long_sum(s: str) -> int:
    assert re.fullmatch(r"(\d\(\d\))*", s), s
    return sum(int(x) for x in re.findall(r"(\d)\(\d\)", s))


def test_gia_files(demo, gia):
    codes = set(_csv(demo["inbox"] / _files(demo, "register")[0]["file"])["Код ОО"])
    for (kind, year), df in gia.items():
        assert list(df.columns) == GIA_COLUMNS
        assert df["ID участника"].str.fullmatch(r"[0-9A-F]{16}").all()
        assert set(df["Код ОО"]) <= codes and df["Код МО"].str.fullmatch(r"\d{2}").all()
        assert set(df["Код предмета"].astype(int)) <= set(S.SUBJECTS)
        assert df["Дата экзамена"].str.fullmatch(rf"\d\d\.\d\d\.{year}").all()
        assert set(df["Этап"]) == {"Досрочный", "Основной", "Дополнительный"}
        assert set(df["Статус"]) <= {"Явка", "Неявка", "Удалён", "Не закончил", "Аннулирован"}
        ok = df[df["Статус"] == "Явка"]
        prim = ok["Первичный балл"].astype(int)
        sums = ok["Задания с кратким ответом"].map(_short_sum) + ok["Задания с развернутым ответом"].map(_long_sum)
        assert (prim == sums).all()
        absent = df[df["Статус"] != "Явка"]
        assert (absent[["Первичный балл", "Тестовый балл", "Отметка"]] == "").all().all()
        if kind == "gia9":
            assert set(df["Форма ГИА"]) == {"ОГЭ", "ГВЭ"} and set(df["Категория"]) == {"ВТГ"}
            assert df["Класс"].str.fullmatch(r"9[А-Я]").all()
            assert (ok["Тестовый балл"] == "").all() and ok["Отметка"].isin(["2", "3", "4", "5"]).all()
        else:
            assert set(df["Форма ГИА"]) == {"ЕГЭ", "ГВЭ"}
            assert set(df["Категория"]) == {"ВТГ", "ВПЛ", "СПО"}
            marks = (ok["Код предмета"] == "22") | (ok["Форма ГИА"] == "ГВЭ")
            assert (ok.loc[marks, "Тестовый балл"] == "").all() and ok.loc[marks, "Отметка"].isin(list("2345")).all()
            assert (ok.loc[~marks, "Отметка"] == "").all()
            t = ok.loc[~marks, "Тестовый балл"].astype(int)
            assert t.between(0, 100).all()
            # the conversion is monotone per subject
            e = ok.loc[~marks].assign(p=lambda d: d["Первичный балл"].astype(int), t=t)
            for _, g in e.groupby("Код предмета"):
                g = g.drop_duplicates("p").sort_values("p")
                assert g["t"].is_monotonic_increasing
        # retakes: the same participant and subject again at the Дополнительный stage
        extra = df[df["Этап"] == "Дополнительный"]
        assert extra["ID участника"].isin(df.loc[df["Этап"] != "Дополнительный", "ID участника"]).all()


def test_gia_realism(gia):
    df = gia[("gia11", 2025)]
    ok = df[(df["Статус"] == "Явка") & (df["Категория"] == "ВТГ") & (df["Форма ГИА"] == "ЕГЭ")]
    rus = ok.loc[ok["Код предмета"] == "1", "Тестовый балл"].astype(int)
    mat = ok.loc[ok["Код предмета"] == "2", "Тестовый балл"].astype(int)
    assert 64 <= rus.mean() <= 76 and 50 <= mat.mean() <= 66
    assert (rus < 24).mean() < 0.08 and (rus >= 81).any()
    vtg = df.loc[df["Категория"] == "ВТГ", "ID участника"].nunique()
    assert 0.3 < df.loc[(df["Категория"] == "ВТГ") & (df["Код предмета"] == "2"), "ID участника"].nunique() / vtg < 0.75


def test_id_persistence_oge_to_ege(gia):
    g9 = gia[("gia9", 2023)]
    g11 = gia[("gia11", 2025)]
    vtg = g11[g11["Категория"] == "ВТГ"]
    ids11, ids9 = set(vtg["ID участника"]), set(g9["ID участника"])
    assert len(ids11 & ids9) / len(ids11) > 0.9
    assert 0.4 < len(ids11 & ids9) / len(ids9) < 0.85  # some left for colleges
    spo = set(g11.loc[g11["Категория"] == "СПО", "ID участника"])
    assert spo <= ids9
    # elective choices are correlated: «the same subject on ОГЭ and ЕГЭ» is frequent
    el9 = g9[~g9["Код предмета"].isin(["1", "2"])].groupby("ID участника")["Код предмета"].agg(set)
    el11 = vtg[~vtg["Код предмета"].isin(["1", "2", "22"])].groupby("ID участника")["Код предмета"].agg(set)
    both = el11.index.intersection(el9.index)
    share = np.mean([bool(el11[i] & el9[i]) for i in both])
    assert share > 0.4


def test_admissions(demo):
    adm = _csv(demo["inbox"] / _files(demo, "admissions", 2025)[0]["file"])
    assert list(adm.columns) == ["ID участника", "Код ОО", "Год выпуска", "Уровень образования", "Код специальности",
                                 "Субъект обучения", "Профиль обучения"]
    assert set(adm["Уровень образования"]) == {"ВО", "СПО", ""}
    assert set(adm["Профиль обучения"]) <= set(S.PROFILES)
    adm_in = adm[adm["Уровень образования"] != ""]
    assert adm_in["Код специальности"].str.fullmatch(r"\d\d\.0[235]\.\d\d").all()
    assert set(adm_in["Субъект обучения"]) == {"в регионе", "за пределами"}
    grp = adm_in["Код специальности"].str[:2].astype(int)
    match = [p == "универсальный" or g in S.PROFILE_GROUPS[p] for p, g in zip(adm_in["Профиль обучения"], grp)]
    assert np.mean(match) > 0.6


def test_niko(demo):
    for f in _files(demo, "niko"):
        wb = CalamineWorkbook.from_path(str(demo["inbox"] / f["file"]))
        assert wb.sheet_names == ["Результаты", "Анкета"]
        res = wb.get_sheet_by_name("Результаты").to_python()
        assert re.fullmatch(rf"НИКО {f['year']}\. .+\. \d класс", res[0][0])
        assert res[1][:3] == ["Логин ОО", "Код участника", "Класс"] and res[1][-2:] == ["Первичный балл", "Уровень подготовки"]
        assert all(TASK_HEADER.fullmatch(h) for h in res[1][3:-2])
        assert {r[-1] for r in res[2:]} <= set(S.NIKO_LEVELS)
        q = wb.get_sheet_by_name("Анкета").to_python()
        assert q[0][0] == "Код участника" and q[0][1] == "В1"
        assert {r[0] for r in q[1:]} == {r[1] for r in res[2:]}


def test_planted_schools_are_detectable(demo):
    ev = oracle.evaluate(demo["inbox"], demo["truth"])
    assert ev["precision"] == 1.0 and ev["recall"] == 1.0
    assert ev["decoys_listed"] == []


def test_inject_defects(demo, tmp_path):
    inbox, truth = tmp_path / "inbox", tmp_path / "truth"
    shutil.copytree(demo["inbox"], inbox)
    shutil.copytree(demo["truth"], truth)
    res = inject_defects(inbox, truth, seed=7)
    assert json.loads((truth / "defects.json").read_text(encoding="utf-8")) == res
    kinds = {d["kind"] for d in res["defects"]}
    assert {"encoding_cp1251", "encoding_utf8_bom", "delimiter_comma", "delimiter_tab", "vpr_as_csv",
            "extra_sheet_numbers_as_text", "same_file_twice", "stray_text_file", "stray_workbook", "empty_file",
            "truncated_xlsx", "missing_required_column", "duplicated_row", "repeated_pupil",
            "task_score_above_maximum", "negative_score", "non_numeric_score", "primary_not_sum_of_tasks",
            "mark_inconsistent_with_scale", "unknown_school_code", "unknown_login", "unknown_subject_code",
            "date_outside_year", "superseded_delivery"} <= kinds
    assert {d["expect"] for d in res["defects"]} <= {"quarantine", "file_error", "duplicate", "unrecognised",
                                                     "superseded", "loaded"}
    on_disk = {str(p.relative_to(inbox)) for p in inbox.rglob("*") if p.is_file()}
    assert on_disk == {f["file"] for f in res["files"]}
    assert not (on_disk & set(demo["summary"]["files"]))  # every export renamed
    by_kind = {d["kind"]: d for d in res["defects"]}
    # row-level defects point at the planted value
    for d in res["defects"]:
        if d["expect"] != "quarantine" or d["column"] is None or "value" not in d:
            continue
        path = inbox / d["file"]
        if path.suffix == ".xlsx":
            rows = _sheet(path)
            header = [str(h) for h in rows[7]]
        else:
            rows = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, header=None).values.tolist()
            header = rows[0]
        cell = rows[d["row"] - 1][header.index(d["column"])]
        assert str(cell) in (str(d["value"]), f"{d['value']}.0"), d
    dup = by_kind["duplicated_row"]
    rows = (inbox / dup["file"]).read_text(encoding="utf-8").splitlines()
    assert rows[dup["row"] - 1] == rows[dup["row"] - 2]
    # file-level defects
    raw = (inbox / by_kind["encoding_cp1251"]["file"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("cp1251").startswith("ID участника;")
    assert (inbox / by_kind["encoding_utf8_bom"]["file"]).read_bytes().startswith(b"\xef\xbb\xbf")
    assert (inbox / by_kind["delimiter_tab"]["file"]).read_text(encoding="utf-8").split("\n")[0].count("\t") == 18
    assert (inbox / by_kind["empty_file"]["file"]).stat().st_size == 0
    with pytest.raises(Exception):
        _sheet(inbox / by_kind["truncated_xlsx"]["file"])
    same = by_kind["same_file_twice"]
    orig = same["note"].split("что ")[1].split(" (")[0]
    h = lambda p: hashlib.sha256((inbox / p).read_bytes()).hexdigest()
    assert h(same["file"]) == h(orig)
    wb = CalamineWorkbook.from_path(str(inbox / by_kind["extra_sheet_numbers_as_text"]["file"]))
    assert wb.sheet_names[0] == "Инструкция"
    data = wb.get_sheet_by_index(1).to_python()
    assert data[0][0].startswith("ВПР ") and isinstance(data[8][6], str)
    csv_vpr = (inbox / by_kind["vpr_as_csv"]["file"]).read_text(encoding="utf-8").splitlines()
    assert csv_vpr[0].startswith("ВПР 2024. Окружающий мир. 4 класс") and csv_vpr[7].startswith("Логин ОО;")
    sup = by_kind["superseded_delivery"]
    newer = [f for f in res["files"] if f["file"].endswith("ВПР_исправленная.xlsx")][0]
    assert (inbox / newer["file"]).stat().st_mtime > (inbox / sup["file"]).stat().st_mtime
    assert h(newer["file"]) != h(sup["file"])
    statuses = {f["file"]: f["expect_status"] for f in res["files"]}
    assert statuses[sup["file"]] == "superseded" and statuses[same["file"]] == "duplicate"
    assert statuses["readme.txt"] == "unrecognised"


def test_scale_resolution():
    assert S.resolve_scale("region").n_schools == 250
    assert S.resolve_scale(2.0).n_schools == 500
    with pytest.raises(ValueError):
        S.resolve_scale("huge")
