"""Region-level indicators recomputed here, independently, from the inbox files themselves.

This is a second implementation of a few methodology formulas with pandas (no warehouse, no dbt,
no rsoko reader), compared with what `rsoko run` published in data/indicators.csv: numerator and
denominator exactly, value within 0.05. ГИА comes as the normalised CSVs and as РЦОИ protocols,
read here on their own terms (a participant is their printed names and document); the appeals
and re-checks are applied as the ground truth records their outcomes.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1251")


def _read_csv(path: Path) -> pd.DataFrame | None:
    text = _decode(path.read_bytes())
    first = text.split("\n", 1)[0]
    sep = max([";", ",", "\t"], key=first.count)
    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)


def _cells(path: Path) -> list[list[str]]:
    """Every row of a CSV (`;`) or of the first sheet of a workbook, as text."""
    if path.suffix == ".xlsx":
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        text = lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else ("" if v is None else str(v))
        return [[text(v).strip() for v in r] for r in rows]
    return [[c.strip() for c in r] for r in csv.reader(io.StringIO(_decode(path.read_bytes())), delimiter=";")]


_TITLE = re.compile(r"(\d{1,2})\s*-\s*([^\d]+?)\s*(?:п:)?(\d{4})\.(\d\d)\.(\d\d)")


def _protocol(path: Path, schools: set[str]) -> pd.DataFrame | None:
    """A РЦОИ result protocol (contract §10) read on its own terms: title, header, participant rows
    (a number in `№`), footer rows skipped. The person is the names and the document as printed."""
    rows = _cells(path)
    at = next((i for i, r in enumerate(rows[:6]) if "Фамилия" in r and "Первичный балл" in r), None)
    if at is None or any("Тип апелляции / перепроверки" in r for r in rows[:6]):
        return None
    title = next(m for r in rows[:at] for m in [_TITLE.search(" ".join(c for c in r if c))] if m)
    code = {25: 5}.get(int(title.group(1)), int(title.group(1)))
    date = f"{title.group(5)}.{title.group(4)}.{title.group(3)}"
    h = {name: j for j, name in enumerate(rows[at]) if name}
    result = next(c for c in ("Тестовый балл", "Балл", "Оценка") if c in h)
    doc = (lambda r: r[h["Документ"]]) if "Документ" in h else (lambda r: r[h["Серия"]] + r[h["Номер"]])
    data = [r for r in rows[at + 1:] if r and r[0].isdigit()]
    nine = sum(r[h["Класс"]].startswith("9") for r in data) > len(data) / 2
    form = "ГВЭ" if "ГВЭ" in title.group(0) or "ГВЭ" in " ".join(rows[at - 1]) else ("ОГЭ" if nine else "ЕГЭ")
    by_mark = form != "ЕГЭ" or code == 22
    return pd.DataFrame({
        "ID участника": ["|".join([r[h["Фамилия"]], r[h["Имя"]], r[h["Отчество"]], re.sub(r"\D", "", doc(r))])
                         for r in data],
        "Категория": ["ВТГ" if r[h["Класс"]] and r[h["Код ОО"]] in schools else "ВПЛ/СПО" for r in data],
        "Форма ГИА": form, "Код предмета": str(code), "Дата экзамена": date, "Статус": "Явка",
        "Тестовый балл": ["" if by_mark else r[h[result]] for r in data],
        "Отметка": [r[h[result]] if by_mark else "" for r in data],
        "_nine": nine,
    })


def _appealed(frame: pd.DataFrame, truth: dict) -> pd.DataFrame:
    """The ground truth's results after appeals and re-checks replace the protocols' (contract §11)."""
    for a in truth.get("appeals", []):
        pid = "|".join([a["surname"], a["first_name"], a["patronymic"], a["document"]])
        m = ((frame["ID участника"] == pid) & (frame["Код предмета"] == str(a["subject_code"]))
             & (frame["Дата экзамена"] == a["exam_date"]))
        assert m.sum() == 1, a
        frame.loc[m, "Тестовый балл" if a["field"] == "test_score" else "Отметка"] = str(a["final"])
    return frame


def _gia_frames(inbox: Path, truth_dir: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ГИА-11 and ГИА-9 rows of the inbox: the normalised CSVs (by `ID участника`) and the РЦОИ
    protocols (by name and document), with the truth's appeal outcomes applied to the protocols."""
    gia11, gia9, protocols = [], [], []
    files = [p for p in inbox.rglob("*") if p.suffix in (".csv", ".xlsx")]
    register = next(df for p in files if p.suffix == ".csv" for df in [_read_csv(p)] if "Логин ОО" in df.columns)
    schools = set(register["Код ОО"])
    for path in files:
        if path.suffix == ".csv":
            df = _read_csv(path)
            if df is not None and "ID участника" in df.columns and "Форма ГИА" in df.columns:
                (gia9 if df["Класс"].str.startswith("9").any() else gia11).append(df)
                continue
        got = _protocol(path, schools)
        if got is not None:
            protocols.append(got)
    if protocols:
        proto = pd.concat(protocols, ignore_index=True)
        if truth_dir is not None:
            proto = _appealed(proto, json.loads((truth_dir / "truth.json").read_text(encoding="utf-8")))
        gia9.append(proto[proto["_nine"]].drop(columns="_nine"))
        gia11.append(proto[~proto["_nine"]].drop(columns="_nine"))
    return pd.concat(gia11), pd.concat(gia9)


def _year(df: pd.DataFrame) -> pd.Series:
    return df["Дата экзамена"].str[-4:].astype(int)


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.str.replace(",", "."), errors="coerce")


def _published(demo_run, code: str, year: int) -> pd.Series:
    ind = pd.read_csv(demo_run["data"] / "indicators.csv", dtype={"entity_code": str})
    row = ind[(ind.indicator_code == code) & (ind.level == "region") & (ind.year == year)]
    assert len(row) == 1, f"{code} {year}: {len(row)} region rows"
    return row.iloc[0]


def _best(df: pd.DataFrame, score: str) -> pd.DataFrame:
    df = df.assign(_score=_num(df[score]))
    return df.sort_values("_score", ascending=False).drop_duplicates(["ID участника", "Код предмета"])


def test_r01_mean_ege_russian_of_current_graduates(demo_run):
    gia11, _ = _gia_frames(demo_run["inbox"], demo_run["truth"])
    year = demo_run["year"]
    rows = gia11[(_year(gia11) == year) & (gia11["Форма ГИА"] == "ЕГЭ") & (gia11["Код предмета"] == "1")
                 & (gia11["Категория"] == "ВТГ") & (gia11["Статус"] == "Явка")]
    best = _best(rows, "Тестовый балл")
    published = _published(demo_run, "R01", year)
    assert published.numerator == pytest.approx(best["_score"].sum())
    assert published.denominator == len(best)
    assert published.value == pytest.approx(best["_score"].mean(), abs=0.05)


def test_r06_share_of_twos_in_oge_russian(demo_run):
    _, gia9 = _gia_frames(demo_run["inbox"], demo_run["truth"])
    year = demo_run["year"]
    rows = gia9[(_year(gia9) == year) & (gia9["Форма ГИА"] == "ОГЭ") & (gia9["Код предмета"] == "1")
                & (gia9["Статус"] == "Явка")]
    best = _best(rows, "Отметка")
    twos = int((best["_score"] == 2).sum())
    published = _published(demo_run, "R06", year)
    assert (published.numerator, published.denominator) == (twos, len(best))
    assert published.value == pytest.approx(100 * twos / len(best), abs=0.05)


def test_p01_share_choosing_profile_mathematics(demo_run):
    gia11, _ = _gia_frames(demo_run["inbox"], demo_run["truth"])
    year = demo_run["year"]
    vtg = gia11[(_year(gia11) == year) & (gia11["Категория"] == "ВТГ")]
    choosing = vtg[(vtg["Форма ГИА"] == "ЕГЭ") & (vtg["Код предмета"] == "2")]["ID участника"].nunique()
    published = _published(demo_run, "P01", year)
    assert (published.numerator, published.denominator) == (choosing, vtg["ID участника"].nunique())


def _vpr_marks(inbox: Path, subject: str, grade: int, year: int) -> pd.Series:
    """Marks of every pupil of the work, over all its workbooks: the second layout (title in row 1)
    and ФИС ОКО downloads (title in row 3, group rows `… | Кол-во участников: N` not pupils)."""
    titles = (f"ВПР {year}. {subject}. {grade} класс", f"ВПР {year} {subject} {grade} класс")
    marks = []
    for path in sorted(inbox.rglob("*.xlsx")):
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python()
            if len(rows) > 8 and any(str(rows[i][0]).strip() in titles for i in (0, 2)):
                header = [str(c).strip() for c in rows[7]]
                if "Отметка" not in header:  # an aggregate form of the work
                    continue
                marks += [r[header.index("Отметка")] for r in rows[8:] if any(str(c).strip() for c in r)
                          and not str(r[1]).startswith("Кол-во участников")]
    if not marks:
        raise AssertionError(f"no ВПР {subject} {grade} for {year} in the inbox")
    return pd.Series([int(float(m)) for m in marks if str(m).strip() != ""])


@pytest.mark.parametrize("code_two, code_good, subject", [("R10", "R13", "Русский язык"), ("R11", "R14", "Математика")])
def test_vpr4_shares_of_twos_and_good_marks(demo_run, code_two, code_good, subject):
    year = demo_run["year"]
    marks = _vpr_marks(demo_run["inbox"], subject, 4, year)
    two = _published(demo_run, code_two, year)
    good = _published(demo_run, code_good, year)
    assert (two.numerator, two.denominator) == ((marks == 2).sum(), len(marks))
    assert (good.numerator, good.denominator) == ((marks >= 4).sum(), len(marks))
