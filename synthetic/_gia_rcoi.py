"""ГИА as the РЦОИ delivers it: result protocols (input contract §10) and appeal protocols (§11).

The generator draws ГИА as normalised rows (`synthetic._gia`); this module turns most of them
into the print forms a РЦОИ sends — one protocol per exam sitting (form × subject × date), for the
region or one municipality — in the variants the contract lists: dense or sparse (an empty column
after every field), the title in a later column, `Документ` or `Серия` + `Номер`, the result
column `Балл` / `Тестовый балл` / `Оценка`, базовая математика (code 22, a mark), КЕГЭ (code 25),
foreign languages with written and oral parts on two dates, ГВЭ told by the title, footer rows
(`Средние`, `Минимальная граница`, `Всего участников`), CSV in windows-1251 or UTF-8 and XLSX.

A protocol names its participants. The names and documents here are SYNTHETIC: surnames, first
names and patronymics are built from invented syllables (`Бравелинов`, `Зорисла`, …) that belong
to no real person, and the document is a number derived from the pupil's index. Each pupil keeps
the same name and document in every year, so the pseudonymous id rsoko derives at the door links
ОГЭ to ЕГЭ and a retake to its first sitting exactly as the generator's own id does.

Only results are printed (a protocol has no `Неявка` rows). The schools of one municipality
(the last) keep the regional system's normalised CSV, as a minority of a real inbox does; a
pupil's rows of one year are therefore all in one family of files.

Appeals: a few ЕГЭ and ОГЭ results of every year are appealed or re-checked (satisfied, rejected,
a re-check, and a re-check followed by a satisfied appeal: the latest decision wins); the changed
results are recorded in the ground truth (`truth.json` → `appeals`), never in the inbox.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import _spec as S
from . import _write as W
from ._gia import test_table
from ._model import Region

# invented syllables: every name below is synthetic (no real person has it)
_STEM_A = ("Бра", "Вере", "Гло", "Дуно", "Жеви", "Заро", "Кеди", "Луфе", "Миро", "Ноте", "Пари", "Роче",
           "Саби", "Тури", "Феле", "Хари", "Цуве", "Шали", "Юрге", "Ялто")
_STEM_B = ("велин", "макар", "вердын", "солтах", "димор", "карвен", "нестул", "финоч", "горыч", "тивал")
_FIRST_M = ("Зорислав", "Велимир", "Тудомир", "Радогаст", "Любозар", "Ярогнев", "Светодар", "Миротвор",
            "Огнеслав", "Будивой", "Ведагор", "Доброгаст")
_FIRST_F = ("Зорислава", "Велимира", "Ладимира", "Радослава", "Любозара", "Яромила", "Светозара", "Миролада",
            "Огнеслава", "Будимира", "Веданира", "Добромила")


def rcoi_code(category: str, mo: str) -> str:
    """The code under which the РЦОИ registers a participant who is no current pupil of a school
    (contract §10: ВПЛ/СПО), per municipality: `869<МО>0` earlier graduates, `869<МО>1` colleges."""
    return f"{S.REGION_CODE}9{mo}{0 if category == 'ВПЛ' else 1}"
FOREIGN = (9, 10, 11, 13)
ORAL_CODES = {9: 29, 10: 30, 11: 31, 13: 33}
TITLE_NAMES = {1: "Русский язык", 2: "Математика", 22: "Математика базовая", 3: "Физика", 4: "Химия",
               5: "Информатика", 6: "Биология", 7: "История", 8: "География", 9: "Английский язык",
               10: "Немецкий язык", 11: "Французский язык", 13: "Испанский язык", 12: "Обществознание",
               18: "Литература"}
_FORM_TAG = {"ЕГЭ": "ege", "ГВЭ": "gve", "ОГЭ": "oge"}
_CRIT = re.compile(r"\d\(\d\)")


# ------------------------------------------------------------------ synthetic persons
def persons(R: Region) -> dict[str, np.ndarray]:
    """Surname, first name, patronymic, document series and number of every pupil (stable)."""
    if "_persons" in R.pupils:
        return R.pupils["_persons"]
    n = len(R.pupils["uid"])
    rng = S.rng_for(R.seed, "persons")
    male = R.pupils["male"]
    stems = np.array([a + b for a in _STEM_A for b in _STEM_B], dtype=object)
    stem = stems[rng.integers(0, len(stems), n)]
    surname = np.where(male, stem + "ов", stem + "ова").astype(object)
    first = np.where(male, np.array(_FIRST_M, dtype=object)[rng.integers(0, len(_FIRST_M), n)],
                     np.array(_FIRST_F, dtype=object)[rng.integers(0, len(_FIRST_F), n)]).astype(object)
    father = np.array(_FIRST_M, dtype=object)[rng.integers(0, len(_FIRST_M), n)]
    patronymic = np.where(male, father + "ович", father + "овна").astype(object)
    # a bijection of the pupil index onto 10 digits (the multiplier is prime to 10): unique documents
    doc = (np.arange(n, dtype=np.uint64) * np.uint64(2654435761) + np.uint64(4_100_000_000)) % np.uint64(10 ** 10)
    text = np.array([f"{int(d):010d}" for d in doc], dtype=object)
    R.pupils["_persons"] = {"surname": surname, "first": first, "patronymic": patronymic,
                            "series": np.array([t[:4] for t in text], dtype=object),
                            "number": np.array([t[4:] for t in text], dtype=object)}
    return R.pupils["_persons"]


# ------------------------------------------------------------------ which rows go where
def normalised_mask(R: Region, df: pd.DataFrame) -> np.ndarray:
    """Rows the regional system delivers as its normalised CSV: the schools of the last municipality."""
    return (df["Код МО"] == R.mo_codes[-1]).to_numpy()


# ------------------------------------------------------------------ appeals
def plan_appeals(R: Region, year: int, exam: str, df: pd.DataFrame) -> list[dict]:
    """A few appeals and re-checks of protocol results (`df`: the protocol rows, Явка only)."""
    rng = S.rng_for(R.seed, "appeals", exam, year)
    if exam == "gia11":
        pool = df[(df["Форма ГИА"] == "ЕГЭ") & df["Код предмета"].isin(["1", "2", "12", "22"])
                  & (df["Категория"] == "ВТГ")]
    else:
        pool = df[(df["Форма ГИА"] == "ОГЭ") & df["Код предмета"].isin(["1", "2"])]
    n = int(min(len(pool), max(4, min(60, round(0.004 * len(pool))))))
    if n == 0:
        return []
    chosen = pool.iloc[np.sort(rng.choice(len(pool), size=n, replace=False))]
    P = persons(R)
    out = []
    for k, (_, r) in enumerate(chosen.iterrows()):
        code = int(r["Код предмета"])
        by_test = exam == "gia11" and code != 22
        exam_spec = (S.EGE if exam == "gia11" else S.OGE)[code]
        prim0 = int(r["_prim"])
        before = int(r["_test"] if by_test else r["_mark"])
        outcome = ("satisfied", "rejected", "recheck", "recheck_then_satisfied")[k % 4]
        if prim0 + 3 > exam_spec.max:
            outcome = "rejected"
        date = dt.datetime.strptime(r["Дата экзамена"], "%d.%m.%Y")
        steps = []  # (type, state, primary after, sent, changed)
        prim = prim0
        if outcome.startswith("recheck"):
            prim = prim0 + int(rng.integers(0, 2))
            sent = date + dt.timedelta(days=3, hours=10)
            steps.append(("Перепроверка", "Перепроверка завершена", prim, sent, sent + dt.timedelta(days=4, hours=5)))
        if outcome in ("satisfied", "recheck_then_satisfied"):
            new = prim + int(rng.integers(1, 3))
            sent = date + dt.timedelta(days=9, hours=11, minutes=15)
            steps.append(("Апелляция на результат", "Апелляция удовлетворена", new, sent,
                          sent + dt.timedelta(days=3, hours=4, minutes=25, seconds=12)))
            prim = new
        if outcome == "rejected":
            sent = date + dt.timedelta(days=8, hours=9)
            steps.append(("Апелляция на результат", "Апелляция отклонена", prim0, sent,
                          sent + dt.timedelta(days=2, hours=6)))

        def result(p: int) -> int:
            if by_test:
                return int(test_table(code)[p])
            return int(2 + sum(p >= m for m in exam_spec.marks))

        rows, cur_p, cur_s = [], prim0, before
        for typ, state, p, sent, changed in steps:
            p = cur_p if state == "Апелляция отклонена" else p
            score = cur_s if p == cur_p else result(p)
            rows.append({"type": typ, "state": state, "before": cur_s, "primary": p, "score": score,
                         "sent": sent, "changed": changed})
            cur_p, cur_s = p, score
        i = int(r["_pidx"])
        out.append({
            "year": year, "exam": exam, "form": r["Форма ГИА"], "subject_code": code, "exam_date": r["Дата экзамена"],
            "participant": r["ID участника"], "surname": P["surname"][i], "first_name": P["first"][i],
            "patronymic": P["patronymic"][i], "document": P["series"][i] + P["number"][i],
            "school_code": r["Код ОО"], "class_name": r["Класс"], "field": "test_score" if by_test else "mark",
            "original": before, "final": cur_s, "original_primary": prim0, "final_primary": cur_p,
            "outcome": outcome, "rows": rows,
        })
    return out


def apply_appeals(df: pd.DataFrame, appeals: list[dict]) -> pd.DataFrame:
    """The ground truth's results after the appeals (what rsoko must compute with)."""
    out = df.copy()
    for a in appeals:
        m = ((out["ID участника"] == a["participant"]) & (out["Код предмета"] == str(a["subject_code"]))
             & (out["Дата экзамена"] == a["exam_date"]) & (out["Статус"] == "Явка"))
        col = "Тестовый балл" if a["field"] == "test_score" else "Отметка"
        out.loc[m, col] = str(a["final"])
        out.loc[m, "Первичный балл"] = str(a["final_primary"])
    return out


def _stamp(t: dt.datetime) -> str:
    return t.strftime("%d.%m.%Y %H:%M:%S")


def _exam_label(a: dict) -> str:
    name = {2: "Математика профильная" if a["exam"] == "gia11" else "Математика"}.get(a["subject_code"],
                                                                                    TITLE_NAMES[a["subject_code"]])
    d = dt.datetime.strptime(a["exam_date"], "%d.%m.%Y")
    return f"{name}({d:%Y.%m.%d})"


def appeal_files(inbox: Path, year: int, appeals: list[dict]) -> list[dict]:
    """Write the year's appeal protocols: ЕГЭ Russian of its main date under a title row (XLSX),
    everything else in one CSV with the compact `Экзамен` column. Returns manifest entries."""
    if not appeals:
        return []
    header = ["№", "Код ОО", "Класс", "Код ППЭ", "Аудитория", "Фамилия", "Имя", "Отчество", "Документ",
              "Тип апелляции / перепроверки", "Состояние", "Дата отправки на обработку", "Дата изменений",
              "Балл до изменения", "Текущие", None, "Разница"]
    sub = [None] * 14 + ["Первичный балл", "Балл", None]
    rus = [a for a in appeals if a["exam"] == "gia11" and a["subject_code"] == 1]
    main_date = max({a["exam_date"] for a in rus}, key=lambda d: sum(x["exam_date"] == d for x in rus)) if rus else None
    titled = [a for a in rus if a["exam_date"] == main_date]
    rest = [a for a in appeals if a not in titled]

    def body(items: list[dict], with_exam: bool) -> list[list]:
        rows = []
        for a in items:
            for r in a["rows"]:
                row = [str(len(rows) + 1), a["school_code"], a["class_name"] or None, "1101", "0003", a["surname"],
                       a["first_name"], a["patronymic"], f"{a['document'][:4]} {a['document'][4:]}"]
                if with_exam:
                    row.append(_exam_label(a))
                row += [r["type"], r["state"], _stamp(r["sent"]), _stamp(r["changed"]), str(r["before"]),
                        str(r["primary"]), str(r["score"]), str(r["score"] - r["before"])]
                rows.append(row)
        return rows

    entries = []
    if titled:
        d = dt.datetime.strptime(main_date, "%d.%m.%Y")
        rel = f"gia/rcoi/{year}/apellyacii_ege_rus_{year}.xlsx"
        _write_xlsx(inbox / rel, year, [[f"01 - Русский язык {d:%Y.%m.%d}"], header, sub, *body(titled, False)])
        entries.append({"file": rel, "kind": "gia_appeals", "year": year, "layout": "rcoi",
                        "rows": sum(len(a["rows"]) for a in titled)})
    if rest:
        rel = f"gia/rcoi/{year}/apellyacii_{year}.csv"
        h = header[:9] + ["Экзамен"] + header[9:]
        s = sub[:9] + [None] + sub[9:]
        _write_csv(inbox / rel, [h, s, *body(rest, True)], "cp1251")
        entries.append({"file": rel, "kind": "gia_appeals", "year": year, "layout": "rcoi",
                        "rows": sum(len(a["rows"]) for a in rest)})
    return entries


# ------------------------------------------------------------------ result protocols
def _write_csv(path: Path, rows: list[list], encoding: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows([["" if c is None else c for c in r] for r in rows])
    path.write_bytes(buf.getvalue().encode(encoding))


def _write_xlsx(path: Path, year: int, rows: list[list]) -> None:
    wb = W._workbook(path, year)
    ws = wb.add_worksheet("Протокол")
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if v is None or v == "":
                continue
            if isinstance(v, (int, np.integer)):
                ws.write_number(i, j, int(v))
            else:
                ws.write_string(i, j, str(v))
    wb.close()


def _sparse(rows: list[list]) -> list[list]:
    """The sparse print form: merged cells leave an empty column after every field."""
    return [[x for c in r for x in (c, None)] for r in rows]


def _variant(rng, code: int, form: str, mark_based: bool) -> dict:
    u = rng.random(7)
    return {
        "format": "xlsx" if u[0] < 0.35 else ("csv-utf8" if u[0] < 0.5 else "csv-cp1251"),
        "sparse": bool(u[1] < 0.25), "title_col": int(2 + 3 * u[2]) if u[2] < 0.3 else 0,
        "document": bool(u[3] < 0.4), "mo_column": bool(u[4] >= 0.15),
        "result": ("Оценка" if u[5] < 0.6 else "Балл") if mark_based else ("Балл" if u[5] < 0.5 else "Тестовый балл"),
        "footer": ("Средние", "Минимальная граница", "Всего участников") if u[6] < 0.6 else ("Всего участников",),
    }


def _title(exam: str, form: str, code: int, date: dt.date, oral: dt.date | None, rng) -> str:
    if code == 5 and form == "ЕГЭ":
        return f"25 - Информатика (КЕГЭ) {date:%Y.%m.%d}"
    if code == 22:
        name = "Математика (базовый уровень)" if rng.random() < 0.5 else "Математика базовая"
        return f"22 - {name} {date:%Y.%m.%d}"
    name = TITLE_NAMES[code]
    if form == "ГВЭ":
        name += " (ГВЭ)"
    elif exam == "gia9" and rng.random() < 0.5:
        name += " (ОГЭ)"
    if oral is not None:
        return f"{code:02d} - {name} п:{date:%Y.%m.%d}; у:{oral:%Y.%m.%d}"
    return f"{code:02d} - {name} {date:%Y.%m.%d}"


def _crit(s: str) -> list[str]:
    return _CRIT.findall(s or "")


def _crit_sum(parts: list[str]) -> int:
    return sum(int(p[0]) for p in parts)


def protocol_rows(R: Region, exam: str, g: pd.DataFrame, title: str, v: dict, foreign: bool) -> list[list]:
    """Title, header, one row per result, footer rows."""
    P = persons(R)
    code = int(g["Код предмета"].iloc[0])
    form = g["Форма ГИА"].iloc[0]
    mark_based = not (exam == "gia11" and form == "ЕГЭ" and code != 22)
    has_short = (g["Задания с кратким ответом"] != "").any()
    has_long = (g["Задания с развернутым ответом"] != "").any()
    # a file without Код МСУ takes the municipality from the register: only where every row is a school's
    v["mo_column"] = v["mo_column"] or bool((g["Категория"] != "ВТГ").any())
    header = ["№"] + (["Код МСУ"] if v["mo_column"] else []) + ["Код ОО", "Класс", "Код ППЭ", "Аудитория",
                                                                "Фамилия", "Имя", "Отчество"]
    header += ["Документ"] if v["document"] else ["Серия", "Номер"]
    if foreign:
        header += ["Часть с кратким ответом", "Часть с развёрнутым ответом", "Устная часть",
                   "Первичный балл устной части", "Первичный балл письм. части", "Первичный балл", "Тестовый балл"]
    else:
        header += (["Задания с кратким ответом"] if has_short else []) + \
                  (["Задания с развёрнутым ответом"] if has_long else []) + ["Первичный балл", v["result"]]
    rows = [[None] * v["title_col"] + [title], header]
    g = g.sort_values(["Код МО", "Код ОО", "_pidx"], kind="stable")
    pidx = g["_pidx"].to_numpy()
    cats = g["Категория"].to_numpy()
    numbers = []
    for k, (i, r) in enumerate(zip(pidx, g.itertuples(index=False))):
        cat = cats[k]
        school = r[1] if cat == "ВТГ" else rcoi_code(cat, r[2])
        klass = r[4] if cat == "ВТГ" else None
        ppe = f"{1000 + 10 * int(r[2]) + (k % 7)}"
        room = f"{k % 15 + 1:04d}"
        if foreign:
            ppe, room = f"п:{ppe} у:{int(ppe) + 40}", f"п:{room} у:{k % 4 + 11:04d}"
        row = [str(k + 1)] + ([r[2]] if v["mo_column"] else []) + [school, klass, ppe, room,
                                                                   P["surname"][i], P["first"][i], P["patronymic"][i]]
        row += [f"{P['series'][i]} {P['number'][i]}"] if v["document"] else [P["series"][i], P["number"][i]]
        short, long = r[13], r[14]
        result = r[16] if not mark_based else r[17]
        if foreign:
            crit = _crit(long)
            written, oral = crit[:2], crit[2:]
            short_sum = sum(1 if c == "+" else int(c) if c.isdigit() else 0 for c in short)
            row += [short, "".join(written), "".join(oral), str(_crit_sum(oral)),
                    str(short_sum + _crit_sum(written)), r[15], result]
        else:
            row += ([short] if has_short else []) + ([long] if has_long else []) + [r[15], result]
        numbers.append((int(r[15]), int(result)))
        rows.append(row)
    width = len(header)
    for label in v["footer"]:
        if label == "Средние":
            vals = [f"{np.mean([a for a, _ in numbers]):.1f}".replace(".", ","),
                    f"{np.mean([b for _, b in numbers]):.1f}".replace(".", ",")]
        elif label == "Минимальная граница":
            if mark_based:
                continue
            vals = ["", str(S.EGE_MIN[code])]
        else:
            vals = ["", str(len(numbers))]
        rows.append([label] + [None] * (width - 3) + vals)
    return rows


def write_protocols(inbox: Path, R: Region, year: int, exam: str, df: pd.DataFrame) -> list[dict]:
    """Every exam sitting of `df` (protocol rows of one year and ГИА kind) as РЦОИ protocols.

    One regional protocol per sitting; the main-stage Russian protocols come per municipality
    (municipal downloads). Returns manifest entries (kind gia11/gia9, layout rcoi)."""
    rng = S.rng_for(R.seed, "rcoi", exam, year)
    ok = df[df["Статус"] == "Явка"]
    entries = []
    keys = ok[["Форма ГИА", "Код предмета", "Дата экзамена"]].drop_duplicates().to_numpy().tolist()
    keys.sort(key=lambda k: (k[0], int(k[1]), dt.datetime.strptime(k[2], "%d.%m.%Y")))
    for form, code_s, date_s in keys:
        code = int(code_s)
        g = ok[(ok["Форма ГИА"] == form) & (ok["Код предмета"] == code_s) & (ok["Дата экзамена"] == date_s)]
        date = dt.datetime.strptime(date_s, "%d.%m.%Y").date()
        foreign = exam == "gia11" and form == "ЕГЭ" and code in FOREIGN
        oral = date + dt.timedelta(days=6) if foreign else None
        mark_based = not (exam == "gia11" and form == "ЕГЭ" and code != 22)
        stage = g["Этап"].iloc[0]
        parts = [("", g)]
        if code == 1 and stage == "Основной" and form != "ГВЭ":
            parts = [(f"_mo{mo}", g[g["Код МО"] == mo]) for mo in sorted(set(g["Код МО"]))]
        for suffix, part in parts:
            v = _variant(rng, code, form, mark_based)
            title = _title(exam, form, code, date, oral, rng)
            rows = protocol_rows(R, exam, part, title, v, foreign)
            if v["sparse"]:
                rows = _sparse(rows)
            stem = f"gia/rcoi/{year}/protokol_{'ege' if exam == 'gia11' else 'oge'}_{_FORM_TAG[form]}_{code:02d}_{date:%Y%m%d}{suffix}"
            if v["format"] == "xlsx":
                rel = stem + ".xlsx"
                _write_xlsx(inbox / rel, year, rows)
            else:
                rel = stem + ".csv"
                _write_csv(inbox / rel, rows, "utf-8" if v["format"] == "csv-utf8" else "cp1251")
            entries.append({"file": rel, "kind": exam, "year": year, "layout": "rcoi", "form": form,
                            "subject_code": code, "exam_date": date_s, "rows": len(part), "variant": v})
    return entries


# ------------------------------------------------------------------ one year of ГИА
def deliver_year(inbox: Path, truth_dir: Path, R: Region, year: int, g9: pd.DataFrame,
                 g11: pd.DataFrame) -> tuple[list[dict], list[dict], dict[str, int]]:
    """Write a year's ГИА as a real inbox has it: РЦОИ protocols for most schools, the regional
    system's normalised CSV for the last municipality, the year's appeal protocols; the ground
    truth of the results after the appeals to `truth_dir/gia9_<year>.csv` / `gia11_<year>.csv`.

    Returns (manifest entries with their `when`, the appeals for truth.json, rows per kind)."""
    entries: list[dict] = []
    appeals: list[dict] = []
    rows: dict[str, int] = {}
    for exam, df, month in (("gia9", g9, 9), ("gia11", g11, 9)):
        norm = normalised_mask(R, df)
        rel = f"gia/{exam}_{year}.csv"
        W.write_csv(inbox / rel, df[norm])
        entries.append({"file": rel, "kind": exam, "year": year, "rows": int(norm.sum()),
                        "when": dt.datetime(year, month, 25, 9, 0, 0)})
        proto = df[~norm]
        for e in write_protocols(inbox, R, year, exam, proto):
            e["when"] = dt.datetime(year, 7, 20, 9, 0, 0)
            entries.append(e)
        ok = proto[proto["Статус"] == "Явка"]
        mine = plan_appeals(R, year, exam, ok)
        appeals += mine
        W.write_csv(truth_dir / f"{exam}_{year}.csv", apply_appeals(df, mine))
        rows[exam] = int(norm.sum()) + len(ok)
    for e in appeal_files(inbox, year, appeals):
        e["when"] = dt.datetime(year, 8, 10, 9, 0, 0)
        entries.append(e)
    return entries, appeals, rows


def truth_appeals(appeals: list[dict]) -> list[dict]:
    """The appeals as truth.json keeps them (dates as text)."""
    out = []
    for a in appeals:
        a = dict(a)
        a["rows"] = [{**r, "sent": _stamp(r["sent"]), "changed": _stamp(r["changed"])} for r in a["rows"]]
        out.append(a)
    return out
