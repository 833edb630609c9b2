"""A small warehouse with the marts the report reads (docs/architecture.md, «Marts read by reports»).

The renderer is developed and tested against this fixture until the real dbt marts exist, and it
stays as a fast, deterministic test bed afterwards. Table and column names are exactly those of
the architecture document; values are plausible, internally consistent where the report relies on
it (municipality and region values pooled from schools; dynamics derived from the indicators),
and include the awkward cases: schools with fewer than 5 and with 5–9 pupils, listed schools with
flagged markers, region-wide deficits, a missing previous year for one indicator.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

REGION = "86"
SEEDS = Path(__file__).resolve().parents[1] / "dbt" / "seeds"
SEED_FILES = {"vpr_deficit_zones": "vpr_deficit_zones.csv", "analysis_params": "analysis_params.csv",
              "indicator_settings": "indicators/indicator_settings.csv", "marker_thresholds": "marker_thresholds.csv",
              "marker_catalogue": "marker_catalogue.csv"}

CATALOGUE = [
    ("R01", "Средний тестовый балл ЕГЭ по русскому языку (ВТГ)", "up", "балл", "gia11", "results"),
    ("R02", "Средний тестовый балл ЕГЭ по математике профильного уровня (ВТГ)", "up", "балл", "gia11", "results"),
    ("R03", "Доля результатов ЕГЭ ниже минимального балла (ВТГ)", "down", "%", "gia11", "results"),
    ("R04", "Доля участников ЕГЭ, получивших 81–100 баллов хотя бы по одному предмету (ВТГ)", "up", "%", "gia11", "results"),
    ("R05", "Доля выпускников 11 классов, не получивших удовлетворительного результата по обязательным предметам", "down", "%", "gia11", "results"),
    ("R06", "Доля участников ОГЭ по русскому языку, получивших «2»", "down", "%", "gia9", "results"),
    ("R07", "Доля участников ОГЭ по математике, получивших «2»", "down", "%", "gia9", "results"),
    ("R08", "Доля результатов ОГЭ по русскому языку и математике с отметками «4» и «5»", "up", "%", "gia9", "results"),
    ("R09", "Доля результатов ОГЭ по предметам по выбору с отметками «4» и «5»", "up", "%", "gia9", "results"),
    ("R10", "ВПР 4 класс, русский язык: доля «2»", "down", "%", "vpr", "results"),
    ("R11", "ВПР 4 класс, математика: доля «2»", "down", "%", "vpr", "results"),
    ("R12", "ВПР 4 класс, окружающий мир: доля «2»", "down", "%", "vpr", "results"),
    ("R13", "ВПР 4 класс, русский язык: доля «4» и «5»", "up", "%", "vpr", "results"),
    ("R14", "ВПР 4 класс, математика: доля «4» и «5»", "up", "%", "vpr", "results"),
    ("R15", "ВПР 4 класс, окружающий мир: доля «4» и «5»", "up", "%", "vpr", "results"),
    ("R16", "Средний процент выполнения практико-ориентированных заданий ВПР 4–8 классов по математике", "up", "%", "vpr", "results"),
    ("R17", "Средний процент выполнения практико-ориентированных заданий ВПР 4–8 классов по естественно-научным предметам", "up", "%", "vpr", "results"),
    ("P01", "Доля выпускников 11 классов, выбравших ЕГЭ по математике профильного уровня", "up", "%", "gia11", "selfdetermination"),
    ("P02", "Доля выпускников 11 классов, выбравших ЕГЭ по физике", "up", "%", "gia11", "selfdetermination"),
    ("P03", "Доля выпускников 11 классов, выбравших ЕГЭ по химии", "up", "%", "gia11", "selfdetermination"),
    ("P04", "Доля выпускников 11 классов, выбравших ЕГЭ по биологии", "up", "%", "gia11", "selfdetermination"),
    ("P05", "Доля выпускников 9 классов, выбравших ОГЭ по физике", "up", "%", "gia9", "selfdetermination"),
    ("P06", "Доля выпускников 9 классов, выбравших ОГЭ по химии", "up", "%", "gia9", "selfdetermination"),
    ("P07", "Доля выпускников 9 классов, выбравших ОГЭ по биологии", "up", "%", "gia9", "selfdetermination"),
    ("P08", "Доля выпускников 11 классов, выбравших один и тот же предмет на ОГЭ и на ЕГЭ", "up", "%", "gia11+gia9", "selfdetermination"),
    ("G01", "Доля поступивших выпускников 11 классов, чья специальность соответствует профилю обучения", "up", "%", "admissions", "regional"),
]
# Indicator -> (base level: mean score or share in %, which pupils: 'g11', 'g9', 'g4', 'vpr')
IND_MODEL = {
    "R01": (68.0, "g11"), "R02": (56.0, "g11"), "R03": (4.0, "g11"), "R04": (14.0, "g11"),
    "R05": (2.0, "g11"), "R06": (3.0, "g9"), "R07": (8.0, "g9"), "R08": (52.0, "g9"),
    "R09": (45.0, "g9"), "R10": (7.0, "g4"), "R11": (6.0, "g4"), "R12": (3.0, "g4"),
    "R13": (62.0, "g4"), "R14": (66.0, "g4"), "R15": (70.0, "g4"), "R16": (58.0, "vpr"),
    "R17": (55.0, "vpr"), "P01": (55.0, "g11"), "P02": (18.0, "g11"), "P03": (14.0, "g11"),
    "P04": (20.0, "g11"), "P05": (12.0, "g9"), "P06": (10.0, "g9"), "P07": (25.0, "g9"),
    "P08": (35.0, "g11"), "G01": (62.0, "g11"),
}
MEAN_INDICATORS = {"R01", "R02"}

MO_NAMES = [
    "Город Северск", "Город Озёрный", "Берёзовский район", "Кедровый район", "Город Речной",
    "Сосновский район", "Город Заречный", "Таёжный район", "Город Светлый", "Ключевской район",
    "Город Ясный", "Полярный район",
]
SCHOOL_TYPES = ["СОШ", "СОШ", "СОШ", "СОШ", "ООШ", "НОШ", "Гимназия", "Лицей", "СОШ с УИОП", "ЦО",
                "Школа-интернат"]

VPR_WORKS = [
    ("Русский язык", 4), ("Математика", 4), ("Окружающий мир", 4),
    ("Русский язык", 5), ("Математика", 5), ("История", 5), ("Биология", 5),
    ("Русский язык", 6), ("Математика", 6), ("География", 6),
    ("Русский язык", 7), ("Математика", 7), ("Физика", 7),
    ("Русский язык", 8), ("Математика", 8), ("Химия", 8),
]
EGE_SUBJECTS = {1: ("Русский язык", 24), 2: ("Математика профильная", 27), 3: ("Физика", 36),
                4: ("Химия", 36), 6: ("Биология", 36), 7: ("История", 32), 12: ("Обществознание", 42),
                5: ("Информатика", 40)}
OGE_SUBJECTS = {1: "Русский язык", 2: "Математика", 3: "Физика", 4: "Химия", 5: "Информатика",
                6: "Биология", 8: "География", 12: "Обществознание"}
PROFILES = ["технологический", "естественно-научный", "социально-экономический", "гуманитарный",
            "универсальный"]
NIKO_WORKS = ["НИКО Физическая культура 6", "НИКО Английский язык 8"]
NIKO_LEVELS = ["Ниже базового", "Базовый", "Повышенный", "Высокий"]


@dataclass(frozen=True)
class FixtureInfo:
    """What a test needs to know about the fixture it asked for."""

    path: Path
    year: int
    region_code: str
    mo_codes: tuple[str, ...]
    tiny_school: str        # fewer than 5 pupils everywhere
    small_school: str       # 5–9 pupils everywhere
    listed_schools: tuple[str, ...]


def _type_group(school_type: str) -> str:
    if school_type in ("НОШ", "ООШ"):
        return "НОШ/ООШ"
    if school_type == "СОШ":
        return "СОШ"
    if school_type in ("Гимназия", "Лицей", "СОШ с УИОП"):
        return "Гимназия/Лицей/СОШ с УИОП"
    return "Прочие"


def _schools(rng: np.random.Generator, n_mo: int, schools_per_mo: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    number = 0
    for m in range(n_mo):
        mo_code = f"{m + 1:02d}"
        mo_name = MO_NAMES[m % len(MO_NAMES)] + ("" if m < len(MO_NAMES) else f" {m}")
        city = mo_name.startswith("Город")
        for s in range(schools_per_mo):
            number += 1
            school_type = SCHOOL_TYPES[int(rng.integers(len(SCHOOL_TYPES)))] if s > 1 else "СОШ"
            locality = "город" if (city and rng.random() < 0.9) or (not city and rng.random() < 0.2) else "село"
            transport = "доступная" if locality == "город" else str(rng.choice(["доступная", "удалённая", "труднодоступная"]))
            pupils = int(rng.integers(300, 1400)) if locality == "город" else int(rng.integers(60, 500))
            code = f"{REGION}{number:04d}"
            rows.append(dict(
                school_code=code, school_login=f"sch{code}",
                short_name=f"МБОУ «{school_type} № {number}»" if school_type not in ("Гимназия", "Лицей") else f"МАОУ «{school_type} № {number}»",
                full_name=f"Муниципальное общеобразовательное учреждение «{school_type} № {number}» ({mo_name})",
                mo_code=mo_code, mo_name=mo_name, school_type=school_type, type_group=_type_group(school_type),
                locality=locality, transport_access=transport, region_code=REGION, pupils=pupils,
                shnor=bool(rng.random() < 0.08),
            ))
    schools = pd.DataFrame(rows)
    # The two awkward schools of the first municipality: tiny (n < 5) and small (5–9).
    schools.loc[0, ["school_type", "type_group", "locality", "transport_access", "pupils"]] = ["СОШ", "СОШ", "село", "труднодоступная", 30]
    schools.loc[1, ["school_type", "type_group", "locality", "transport_access", "pupils"]] = ["СОШ", "СОШ", "село", "удалённая", 80]
    schools["is_advanced"] = schools.school_type.isin(["Гимназия", "Лицей", "СОШ с УИОП"])
    schools["cluster_name"] = schools.locality + " · " + schools.type_group + " · " + schools.transport_access
    munis = schools.groupby("mo_code", as_index=False).agg(mo_name=("mo_name", "first"), region_code=("region_code", "first"),
                                                          schools=("school_code", "count"))
    return schools, munis


def _group_sizes(schools: pd.DataFrame, tiny: str, small: str) -> dict[str, dict[str, int]]:
    """Pupils per school in each group the indicators count (11th, 9th, 4th grade, ВПР pupils)."""
    sizes = {}
    for r in schools.itertuples():
        per_grade = max(1, r.pupils // 11)
        has_11 = r.school_type not in ("НОШ", "ООШ")
        has_9 = r.school_type != "НОШ"
        sizes[r.school_code] = dict(
            g11=int(per_grade * 0.55) if has_11 else 0,
            g9=int(per_grade * 0.95) if has_9 else 0,
            g4=per_grade, vpr=per_grade,
        )
        if r.school_code == tiny:
            sizes[r.school_code] = dict(g11=3, g9=4, g4=3, vpr=3)
        if r.school_code == small:
            sizes[r.school_code] = dict(g11=7, g9=8, g4=6, vpr=7)
    return sizes


def _indicators(rng, schools, sizes, years) -> pd.DataFrame:
    rows = []
    effect = {c: rng.normal(0, 1) for c in schools.school_code}
    for y_i, year in enumerate(years):
        for code, (base, group) in IND_MODEL.items():
            if code == "P08" and y_i < 2 and len(years) > 2:
                continue  # P08 needs ГИА-9 of Y−2: absent for the first fixture years
            trend = {"R01": 1.2, "R03": -0.6, "R11": -1.0, "R14": 2.0}.get(code, 0.0) * y_i
            for r in schools.itertuples():
                n = sizes[r.school_code][group]
                if n <= 0:
                    continue
                e = effect[r.school_code]
                if code in MEAN_INDICATORS:
                    mean = base + trend + 5 * e + rng.normal(0, 2)
                    total = mean * n
                    rows.append((year, code, "school", r.school_code, round(total, 3), n, total / n, n, r.mo_code))
                else:
                    sign = -1 if base < 15 else 1
                    p = min(max((base + trend + sign * 4 * e + rng.normal(0, 3)) / 100, 0.0), 1.0)
                    if code in ("R16", "R17"):
                        den = n * 20  # Σ max over the pupils' cells
                        num = round(p * den)
                        rows.append((year, code, "school", r.school_code, num, den, 100 * num / den, n, r.mo_code))
                    else:
                        num = int(rng.binomial(n, p))
                        rows.append((year, code, "school", r.school_code, num, n, 100 * num / n, n, r.mo_code))
    df = pd.DataFrame(rows, columns=["year", "indicator_code", "level", "entity_code", "numerator", "denominator", "value", "n_units", "mo_code"])
    mo = df.groupby(["year", "indicator_code", "mo_code"], as_index=False)[["numerator", "denominator", "n_units"]].sum()
    mo = mo.rename(columns={"mo_code": "entity_code"}).assign(level="municipality")
    reg = df.groupby(["year", "indicator_code"], as_index=False)[["numerator", "denominator", "n_units"]].sum()
    reg = reg.assign(level="region", entity_code=REGION)
    agg = pd.concat([mo, reg], ignore_index=True)
    agg["value"] = agg.numerator / agg.denominator
    share = ~agg.indicator_code.isin(MEAN_INDICATORS)
    agg.loc[share, "value"] *= 100
    out = pd.concat([df.drop(columns="mo_code"), agg], ignore_index=True)
    return out[["year", "indicator_code", "level", "entity_code", "numerator", "denominator", "value", "n_units"]]


def _dynamics(ind: pd.DataFrame) -> pd.DataFrame:
    direction = {c[0]: c[2] for c in CATALOGUE}
    prev = ind[["year", "indicator_code", "level", "entity_code", "value", "n_units"]].copy()
    prev["year"] += 1
    prev = prev.rename(columns={"value": "prev_value", "n_units": "prev_n_units"})
    d = ind[["year", "indicator_code", "level", "entity_code", "value", "n_units"]].merge(
        prev, on=["year", "indicator_code", "level", "entity_code"], how="left")
    d["change"] = d.value - d.prev_value

    def se(r):
        if pd.isna(r.prev_value):
            return None
        if r.indicator_code in MEAN_INDICATORS:
            return math.sqrt(15 ** 2 / r.n_units + 15 ** 2 / r.prev_n_units)
        p1, p0 = r.value / 100, r.prev_value / 100
        return 100 * math.sqrt(p1 * (1 - p1) / r.n_units + p0 * (1 - p0) / r.prev_n_units)

    d["change_se"] = d.apply(se, axis=1)

    def verdict(r):
        if pd.isna(r.prev_value):
            return None
        if abs(r.change) <= 2 * r.change_se:
            return "без существенных изменений"
        better = (r.change > 0) == (direction[r.indicator_code] == "up")
        return "улучшение" if better else "ухудшение"

    d["change_verdict"] = d.apply(verdict, axis=1)
    return d


def _index(ind: pd.DataFrame) -> pd.DataFrame:
    direction = {c[0]: c[2] for c in CATALOGUE}
    out = []
    for (year, level), g in ind[ind.level != "region"].groupby(["year", "level"]):
        scores = []
        for code, gi in g.groupby("indicator_code"):
            lo, hi = gi.value.min(), gi.value.max()
            if hi == lo:
                s = pd.Series(50.0, index=gi.index)
            elif direction[code] == "up":
                s = 100 * (gi.value - lo) / (hi - lo)
            else:
                s = 100 * (hi - gi.value) / (hi - lo)
            scores.append(pd.DataFrame({"entity_code": gi.entity_code, "code": code, "score": s}))
        sc = pd.concat(scores)
        sc["dirn"] = np.where(sc.code.str.startswith("R"), "r", np.where(sc.code.str.startswith("P"), "p", "g"))
        for entity, ge in sc.groupby("entity_code"):
            r = ge[ge.dirn == "r"].score
            p = ge[ge.dirn == "p"].score
            ri = r.mean() if len(r) >= 17 / 2 else None
            pi = p.mean() if len(p) >= 8 / 2 else None
            parts = [v for v in (ri, pi) if v is not None]
            out.append((year, level, entity, ri, pi, sum(parts) / len(parts) if parts else None))
    return pd.DataFrame(out, columns=["year", "level", "entity_code", "results_index", "selfdetermination_index", "overall_index"])


def _clusters(ind, schools):
    s = ind[ind.level == "school"].merge(schools[["school_code", "cluster_name"]], left_on="entity_code", right_on="school_code")
    cl = s.groupby(["year", "indicator_code", "cluster_name"], as_index=False).agg(
        numerator=("numerator", "sum"), denominator=("denominator", "sum"), n_units=("n_units", "sum"),
        schools=("school_code", "nunique"))
    cl["value"] = cl.numerator / cl.denominator * np.where(cl.indicator_code.isin(MEAN_INDICATORS), 1, 100)
    vs = s.merge(cl, on=["year", "indicator_code", "cluster_name"], suffixes=("", "_cl"))
    vs = vs.rename(columns={"value": "school_value", "n_units": "school_n_units", "value_cl": "cluster_value",
                            "n_units_cl": "cluster_n_units"})
    return (cl[["year", "indicator_code", "cluster_name", "numerator", "denominator", "value", "n_units", "schools"]],
            vs[["year", "indicator_code", "school_code", "cluster_name", "school_value", "school_n_units", "cluster_value", "cluster_n_units"]])


def _pooled_levels(df: pd.DataFrame, keys: list[str], sums: list[str], schools: pd.DataFrame) -> pd.DataFrame:
    """School rows + municipality and region rows summed from them."""
    s = df.merge(schools[["school_code", "mo_code"]], left_on="entity_code", right_on="school_code")
    mo = s.groupby(keys + ["mo_code"], as_index=False)[sums].sum().rename(columns={"mo_code": "entity_code"})
    reg = s.groupby(keys, as_index=False)[sums].sum().assign(entity_code=REGION)
    return pd.concat([df.assign(level="school"), mo.assign(level="municipality"), reg.assign(level="region")], ignore_index=True)


def _vpr(rng, schools, sizes, year, listed):
    """ВПР marts for year Y, from simulated pupils (score ~ binomial around the school's ability)."""
    marks_rows, journal_rows, dist_rows, task_rows, skill_rows, bymark_rows = [], [], [], [], [], []
    ability = {c: rng.normal(0, 0.08) for c in schools.school_code}
    for w_i, (subject, grade) in enumerate(VPR_WORKS):
        work = f"ВПР {subject} {grade}"
        n_tasks = 10 + w_i % 5
        task_max = [1 + (t % 3 == 2) + (t % 7 == 6) for t in range(n_tasks)]
        work_max = sum(task_max)
        b3, b4, b5 = round(work_max * 0.3), round(work_max * 0.55), round(work_max * 0.8)
        tasks = [dict(task=str(t + 1) if t % 4 != 3 else f"{t // 4 + 1}.1", max=task_max[t],
                      level="П" if t >= n_tasks - 3 else "Б",
                      skill=f"{(t % 5) + 1}.{(t % 3) + 1}",
                      difficulty=(-0.12 if t in (2, n_tasks - 2) and subject == "Математика" else 0.0) + (-0.25 if t >= n_tasks - 3 else 0.05)
                      ) for t in range(n_tasks)]
        skills = sorted({t["skill"] for t in tasks})
        for r in schools.itertuples():
            n = sizes[r.school_code]["vpr"]
            if grade == 4 and r.school_type in ("Школа-интернат",):
                continue
            p = float(np.clip(0.6 + ability[r.school_code] + (0.15 if r.school_code in listed else 0), 0.05, 0.95))
            scores = rng.binomial(work_max, p, size=n)
            marks = np.where(scores >= b5, 5, np.where(scores >= b4, 4, np.where(scores >= b3, 3, 2)))
            journal = np.clip(marks + rng.choice([-1, 0, 0, 0, 1], size=n), 2, 5)
            if r.school_code in listed:
                journal = np.clip(marks - 1, 2, 5)
            marks_rows.append((year, work, r.school_code, n, *(int((marks == m).sum()) for m in (2, 3, 4, 5))))
            jn = int(n * 0.9) if n >= 10 else n
            journal_rows.append((year, work, r.school_code, jn, int((marks[:jn] < journal[:jn]).sum()),
                                 int((marks[:jn] == journal[:jn]).sum()), int((marks[:jn] > journal[:jn]).sum())))
            for score, cnt in zip(*np.unique(scores, return_counts=True)):
                dist_rows.append((year, work, r.school_code, int(score), int(cnt), b3, b4, b5, work_max))
            for t in tasks:
                comp = float(np.clip(100 * (p + t["difficulty"] + rng.normal(0, 0.05)), 0, 100))
                task_rows.append((year, work, r.school_code, t["task"], t["skill"], n, comp * n, t["level"], n))
            for sk in skills:
                comps = [100 * (p + t["difficulty"]) for t in tasks if t["skill"] == sk]
                skill_rows.append((year, work, r.school_code, sk, f"Проверяемое умение {sk} ({subject.lower()})", n, float(np.mean(comps)) * n))
        for t in tasks:
            for m, shift in ((2, -0.35), (3, -0.12), (4, 0.08), (5, 0.22)):
                bymark_rows.append((year, work, t["task"], m, 0, float(np.clip(100 * (0.6 + t["difficulty"] + shift), 0, 100))))
    return marks_rows, journal_rows, dist_rows, task_rows, skill_rows, bymark_rows


def build_fixture_warehouse(path: Path, *, year: int = 2025, n_mo: int = 3, schools_per_mo: int = 6,
                            seed: int = 7) -> FixtureInfo:
    """Create `path` (a DuckDB file) with `marts`, `meta` and `reference` as the renderer reads them."""
    rng = np.random.default_rng(seed)
    path = Path(path)
    if path.exists():
        path.unlink()
    years = [year - 2, year - 1, year]
    schools, munis = _schools(rng, n_mo, schools_per_mo)
    tiny, small = schools.school_code.iloc[0], schools.school_code.iloc[1]
    eligible = [c for c, t in zip(schools.school_code, schools.school_type)
                if c not in (tiny, small) and t in ("СОШ", "ООШ")]
    n_listed = max(1, len(schools) // 25)
    listed = tuple(eligible[2::max(1, len(eligible) // n_listed)][:n_listed])
    sizes = _group_sizes(schools, tiny, small)

    ind = _indicators(rng, schools, sizes, years)
    dyn = _dynamics(ind)
    idx = _index(ind)
    cl, vs = _clusters(ind, schools)
    low = idx[(idx.level == "school") & idx.results_index.notna()].copy()
    low["pr"] = low.groupby("year").results_index.rank(pct=True, method="min")
    low["pr"] = low.groupby("year").results_index.transform(lambda s: (s.rank(method="min") - 1) / max(len(s) - 1, 1))
    prev = low[["year", "entity_code", "pr"]].assign(year=low.year + 1).rename(columns={"pr": "percent_rank_prev"})
    low = low.merge(prev, on=["year", "entity_code"], how="inner").rename(columns={"pr": "percent_rank_y", "entity_code": "school_code"})
    low = low[["year", "school_code", "percent_rank_y", "percent_rank_prev"]]

    # Coverage
    cov = []
    for y in years:
        for proc, grp, share in (("ЕГЭ", "g11", 0.97), ("ГВЭ-11", "g11", 0.03), ("ОГЭ", "g9", 0.96), ("ГВЭ-9", "g9", 0.04), ("ВПР", "vpr", 16.0), ("НИКО", "vpr", 0.6)):
            per = pd.DataFrame([(s.school_code, s.mo_code, int(sizes[s.school_code][grp] * share)) for s in schools.itertuples()],
                               columns=["school_code", "mo_code", "p"])
            per = per[per.p > 0]
            if proc == "НИКО":
                per = per.iloc[::3]
            cov.append((y, proc, "region", REGION, int(per.p.sum()), per.school_code.nunique(), per.mo_code.nunique()))
            for mo, g in per.groupby("mo_code"):
                cov.append((y, proc, "municipality", mo, int(g.p.sum()), g.school_code.nunique(), 1))
    coverage = pd.DataFrame(cov, columns=["year", "procedure", "level", "entity_code", "participants", "schools", "municipalities"])

    # ЕГЭ score bands (counts), ОГЭ marks (counts)
    ege, oge = [], []
    for y_i, y in enumerate(years):
        for s in schools.itertuples():
            n11 = sizes[s.school_code]["g11"]
            n9 = sizes[s.school_code]["g9"]
            for code, (name, mn) in EGE_SUBJECTS.items():
                for cat, k in (("ВТГ", 1.0), ("ВПЛ", 0.08), ("СПО", 0.05)):
                    n = int(round(n11 * k * (1.0 if code == 1 else 0.55 if code == 2 else 0.2)))
                    if n <= 0:
                        continue
                    mean = (68 if code == 1 else 55) + 1.2 * y_i + rng.normal(0, 5) - (8 if cat != "ВТГ" else 0)
                    sc = np.clip(rng.normal(mean, 14, size=n), 0, 100).round()
                    ege.append((y, s.school_code, code, name, cat, n, int((sc < mn).sum()), int(((sc >= mn) & (sc <= 60)).sum()),
                                int(((sc > 60) & (sc <= 80)).sum()), int((sc > 80).sum()), float(sc.sum()), mn))
            for code, name in OGE_SUBJECTS.items():
                n = int(round(n9 * (1.0 if code in (1, 2) else 0.25)))
                if n <= 0:
                    continue
                probs = np.array([0.06, 0.4, 0.38, 0.16]) if code != 1 else np.array([0.03, 0.32, 0.4, 0.25])
                cnt = rng.multinomial(n, probs)
                oge.append((y, s.school_code, code, name, n, *map(int, cnt)))
    ege = pd.DataFrame(ege, columns=["year", "entity_code", "subject_code", "subject_name", "category", "participants", "below_min",
                                     "band_min_60", "band_61_80", "band_81_100", "score_sum", "min_score"])
    ege = _pooled_levels(ege, ["year", "subject_code", "subject_name", "category", "min_score"],
                         ["participants", "below_min", "band_min_60", "band_61_80", "band_81_100", "score_sum"], schools)
    ege["mean_score"] = ege.score_sum / ege.participants
    ege = ege[["year", "level", "entity_code", "subject_code", "subject_name", "category", "participants", "below_min",
               "band_min_60", "band_61_80", "band_81_100", "mean_score", "min_score"]]
    oge = pd.DataFrame(oge, columns=["year", "entity_code", "subject_code", "subject_name", "participants", "mark2", "mark3", "mark4", "mark5"])
    oge = _pooled_levels(oge, ["year", "subject_code", "subject_name"], ["participants", "mark2", "mark3", "mark4", "mark5"], schools)
    oge = oge[["year", "level", "entity_code", "subject_code", "subject_name", "participants", "mark2", "mark3", "mark4", "mark5"]]

    # Profiles and admissions
    adm = []
    for y in years:
        for s in schools.itertuples():
            n11 = sizes[s.school_code]["g11"]
            for p_i, prof in enumerate(PROFILES):
                g = int(round(n11 * (0.3 if prof == "универсальный" else 0.175)))
                if g <= 0:
                    continue
                a = int(rng.binomial(g, 0.8))
                m = g if prof == "универсальный" else int(rng.binomial(a, 0.6))
                adm.append((y, s.school_code, prof, a, min(m, a), g))
    adm = pd.DataFrame(adm, columns=["year", "entity_code", "profile", "admitted", "matched", "graduates"])
    adm = _pooled_levels(adm, ["year", "profile"], ["admitted", "matched", "graduates"], schools)
    adm = adm[["year", "level", "entity_code", "profile", "admitted", "matched", "graduates"]]

    # ВПР
    m_rows, j_rows, d_rows, t_rows, sk_rows, bm_rows = _vpr(rng, schools, sizes, year, set(listed))
    vpr_marks = pd.DataFrame(m_rows, columns=["year", "work", "entity_code", "participants", "mark2", "mark3", "mark4", "mark5"])
    vpr_marks = _pooled_levels(vpr_marks, ["year", "work"], ["participants", "mark2", "mark3", "mark4", "mark5"], schools)
    vpr_journal = pd.DataFrame(j_rows, columns=["year", "work", "entity_code", "participants", "lowered", "confirmed", "raised"])
    vpr_journal = _pooled_levels(vpr_journal, ["year", "work"], ["participants", "lowered", "confirmed", "raised"], schools)
    dist = pd.DataFrame(d_rows, columns=["year", "work", "entity_code", "primary_score", "pupils", "min_mark3", "min_mark4", "min_mark5", "work_max"])
    dist = _pooled_levels(dist, ["year", "work", "primary_score", "min_mark3", "min_mark4", "min_mark5", "work_max"], ["pupils"], schools)
    tasks = pd.DataFrame(t_rows, columns=["year", "work", "entity_code", "task", "skill_code", "participants", "comp_sum", "level_of_task", "group_pupils"])
    tasks = _pooled_levels(tasks, ["year", "work", "task", "skill_code", "level_of_task"], ["participants", "comp_sum", "group_pupils"], schools)
    tasks["completion_pct"] = tasks.comp_sum / tasks.participants
    limit = np.where(tasks.level_of_task == "Б", 57.0, 28.5)
    upper = np.where(tasks.level_of_task == "Б", 60.0, 30.0)
    tasks["zone"] = np.where(tasks.completion_pct < limit, "дефицит", np.where(tasks.completion_pct < upper, "неустойчивое", "достаточное"))
    tasks["deficit"] = ((tasks.completion_pct < limit) & (tasks.group_pupils >= 10)).astype(int)
    deficits = tasks[["year", "work", "level", "entity_code", "task", "skill_code", "participants", "completion_pct", "level_of_task",
                      "deficit", "zone", "group_pupils"]]
    # per task: the region's / a municipality's schools evaluated (>= 10 pupils) and with the deficit
    school_rows = deficits[deficits.level == "school"].assign(mo_code=lambda d: d.entity_code.map(
        schools.set_index("school_code").mo_code))
    school_rows = school_rows[school_rows.group_pupils >= 10]
    deficit_schools = pd.concat([
        school_rows.assign(level="region", entity_code=REGION),
        school_rows.assign(level="municipality", entity_code=school_rows.mo_code),
    ]).groupby(["year", "work", "task", "level", "entity_code"], as_index=False).agg(
        schools_evaluated=("deficit", "size"), schools_with_deficit=("deficit", "sum"))
    skills = pd.DataFrame(sk_rows, columns=["year", "work", "entity_code", "skill_code", "skill_name", "participants", "comp_sum"])
    skills = _pooled_levels(skills, ["year", "work", "skill_code", "skill_name"], ["participants", "comp_sum"], schools)
    skills["completion_pct"] = skills.comp_sum / skills.participants
    skills = skills[["year", "work", "level", "entity_code", "skill_code", "skill_name", "participants", "completion_pct"]]
    bymark = pd.DataFrame(bm_rows, columns=["year", "work", "task", "mark", "participants", "completion_pct"])
    reg_marks = vpr_marks[vpr_marks.level == "region"].set_index("work")
    bymark["participants"] = [int(reg_marks.loc[w, f"mark{m}"]) for w, m in zip(bymark.work, bymark.mark)]

    # НИКО: a sample of schools
    niko = []
    for w in NIKO_WORKS:
        for s in schools.iloc[::3].itertuples():
            n = sizes[s.school_code]["vpr"]
            cnt = rng.multinomial(n, [0.12, 0.45, 0.3, 0.13])
            for lvl, c in zip(NIKO_LEVELS, cnt):
                niko.append((year, w, s.school_code, lvl, int(c), n))
    niko = pd.DataFrame(niko, columns=["year", "work", "entity_code", "level_name", "pupils", "participants"])
    niko = _pooled_levels(niko, ["year", "work", "level_name"], ["pupils", "participants"], schools)

    # Objectivity markers
    mk = []
    eval_pairs = vpr_marks[(vpr_marks.level == "school") & (vpr_marks.participants >= 10)]
    for r in eval_pairs.itertuples():
        is_listed = r.entity_code in listed
        for code in ("M1", "M2", "M3", "M4", "M5"):
            flagged = int(is_listed and code in ("M3", "M4") and r.work.endswith(("4", "5")))
            if code == "M2" and rng.random() < 0.003:
                flagged = 1
            value, thr = {"M1": (50.0, 90.0), "M2": (2.0, 10.0), "M3": (0.2, 0.001), "M4": (0.3, 0.001), "M5": (0.0, 20.0)}[code]
            expl = None
            if flagged:
                if code == "M3":
                    value = 0.00002
                    expl = (f"Пики на границах отметок: {r.participants - 3} из {r.participants} работ набрали ровно минимальный балл отметки "
                            f"или на один балл больше, при ожидаемой по региону доле 31,5 %.")
                elif code == "M4":
                    value = 0.00004
                    expl = (f"Несоответствие отметкам по журналу: отметка ВПР выше журнальной у {r.participants // 2} из {r.participants} "
                            f"обучающихся (ожидаемо по региону — 12,4 %).")
                else:
                    value = 14.2
                    expl = "Лёгкие задания хуже, трудные лучше: выполнение заданий базового уровня на 3,1 п. п. ниже регионального, повышенного — на 14,2 п. п. выше."
            mk.append((year, r.entity_code, r.work, code, value, thr, flagged, expl))
    markers = pd.DataFrame(mk, columns=["year", "school_code", "work", "marker_code", "value", "threshold", "flagged", "explanation_ru"])
    sat = vpr_marks[vpr_marks.level == "school"].entity_code.unique()
    flagged_codes = markers[markers.flagged == 1].groupby("school_code").marker_code.nunique()
    obj = pd.DataFrame({"year": year, "school_code": sat})
    obj["markers_flagged"] = obj.school_code.map(flagged_codes).fillna(0).astype(int)
    obj["listed"] = (obj.markers_flagged >= 2).astype(int)

    ledger = []
    loaded_at = datetime(year, 11, 20, 10, 30)
    kinds = [("register", "reestr_oo.csv", None), ("ege_min", "min_ball.csv", year)]
    kinds += [("gia11", f"gia11_{y}.csv", y) for y in years] + [("gia9", f"gia9_{y}.csv", y) for y in years]
    kinds += [("vpr", f"vpr/{year}_{s}_{g}.xlsx", year) for s, g in VPR_WORKS]
    kinds += [("vpr_plan", f"plan_vpr_{year}.csv", year), ("vpr_scale", f"shkala_vpr_{year}.csv", year)]
    kinds += [("niko", f"niko/{w}.xlsx", year) for w in NIKO_WORKS] + [("admissions", f"postuplenie_{year}.csv", year)]
    for i, (kind, file, y) in enumerate(kinds):
        rows_read = int(rng.integers(200, 5000))
        q = 3 if i == 4 else 0
        ledger.append((f"load{i:03d}", file, kind, f"{i:064x}", y, None, None, rows_read, rows_read - q, q,
                       "partial" if q else "loaded", "Файл загружен" if not q else "Часть строк помещена в карантин", loaded_at))

    con = duckdb.connect(str(path))
    try:
        for schema in ("marts", "meta", "reference"):
            con.execute(f"create schema {schema}")
        tables = {
            "marts.dim_schools": schools[["school_code", "school_login", "short_name", "full_name", "mo_code", "mo_name", "school_type",
                                          "type_group", "locality", "transport_access", "region_code", "pupils", "shnor", "is_advanced",
                                          "cluster_name"]],
            "marts.dim_municipalities": munis,
            "marts.fct_indicators": ind,
            "marts.mart_indicator_dynamics": dyn[["year", "indicator_code", "level", "entity_code", "value", "n_units", "prev_value",
                                                  "prev_n_units", "change", "change_se", "change_verdict"]],
            "marts.mart_index": idx,
            "marts.mart_cluster_indicators": cl,
            "marts.mart_school_vs_cluster": vs,
            "marts.mart_persistently_low_schools": low,
            "marts.mart_coverage": coverage,
            "marts.mart_ege_score_bands": ege,
            "marts.mart_oge_marks": oge,
            "marts.mart_profile_admissions": adm,
            "marts.fct_objectivity_markers": markers,
            "marts.mart_objectivity_schools": obj,
            "marts.fct_deficits": deficits,
            "marts.mart_vpr_deficit_schools": deficit_schools,
            "marts.mart_vpr_skills": skills,
            "marts.mart_vpr_completion_by_mark": bymark,
            "marts.mart_vpr_marks": vpr_marks[["year", "work", "level", "entity_code", "participants", "mark2", "mark3", "mark4", "mark5"]],
            "marts.mart_vpr_journal": vpr_journal[["year", "work", "level", "entity_code", "participants", "lowered", "confirmed", "raised"]],
            "marts.mart_vpr_score_distribution": dist[["year", "work", "level", "entity_code", "primary_score", "pupils", "min_mark3",
                                                        "min_mark4", "min_mark5", "work_max"]],
            "marts.mart_niko_levels": niko[["year", "work", "level", "entity_code", "level_name", "pupils", "participants"]],
            "reference.indicator_catalogue": pd.DataFrame(CATALOGUE, columns=["code", "name_ru", "direction", "unit", "source", "section"]),
            # the methodology's numbers, from the project's own seeds (as dbt seed would load them)
            **{f"reference.{name}": pd.read_csv(SEEDS / rel) for name, rel in SEED_FILES.items()},
            "meta.ingestion_ledger": pd.DataFrame(ledger, columns=["load_id", "file", "kind", "sha256", "year", "work_key", "file_mtime",
                                                                   "rows_read", "rows_loaded", "rows_quarantined", "status", "message",
                                                                   "loaded_at"]),
        }
        for name, frame in tables.items():
            con.register("_frame", frame.reset_index(drop=True))
            con.execute(f"create table {name} as select * from _frame")
            con.unregister("_frame")
    finally:
        con.close()
    return FixtureInfo(path=path, year=year, region_code=REGION, mo_codes=tuple(munis.mo_code), tiny_school=tiny,
                       small_school=small, listed_schools=listed)
