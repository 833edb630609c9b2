"""Region-level indicators recomputed here, independently, from the inbox files themselves.

This is a second implementation of a few methodology formulas with pandas (no warehouse, no dbt),
compared with what `rsoko run` published in data/indicators.csv: numerator and denominator
exactly, value within 0.05.
"""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook


def _read_csv(path: Path) -> pd.DataFrame | None:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1251")
    first = text.split("\n", 1)[0]
    sep = max([";", ",", "\t"], key=first.count)
    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)


def _gia_frames(inbox: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    gia11, gia9 = [], []
    for path in inbox.rglob("*.csv"):
        df = _read_csv(path)
        if df is None or "ID участника" not in df.columns or "Форма ГИА" not in df.columns:
            continue
        (gia9 if df["Форма ГИА"].eq("ОГЭ").any() else gia11).append(df)
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
    gia11, _ = _gia_frames(demo_run["inbox"])
    year = demo_run["year"]
    rows = gia11[(_year(gia11) == year) & (gia11["Форма ГИА"] == "ЕГЭ") & (gia11["Код предмета"] == "1")
                 & (gia11["Категория"] == "ВТГ") & (gia11["Статус"] == "Явка")]
    best = _best(rows, "Тестовый балл")
    published = _published(demo_run, "R01", year)
    assert published.numerator == pytest.approx(best["_score"].sum())
    assert published.denominator == len(best)
    assert published.value == pytest.approx(best["_score"].mean(), abs=0.05)


def test_r06_share_of_twos_in_oge_russian(demo_run):
    _, gia9 = _gia_frames(demo_run["inbox"])
    year = demo_run["year"]
    rows = gia9[(_year(gia9) == year) & (gia9["Форма ГИА"] == "ОГЭ") & (gia9["Код предмета"] == "1")
                & (gia9["Статус"] == "Явка")]
    best = _best(rows, "Отметка")
    twos = int((best["_score"] == 2).sum())
    published = _published(demo_run, "R06", year)
    assert (published.numerator, published.denominator) == (twos, len(best))
    assert published.value == pytest.approx(100 * twos / len(best), abs=0.05)


def test_p01_share_choosing_profile_mathematics(demo_run):
    gia11, _ = _gia_frames(demo_run["inbox"])
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
