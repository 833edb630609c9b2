"""Parameters of the suites that come from reference data already in the warehouse.

Task maxima come from the ВПР plan, mark boundaries from the scale, known codes from the
register. They are read from `raw.*` after the reference kinds of a load are in, so a
corrected plan delivered together with results is the one the results are checked against.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SUBJECT_CODES = frozenset({1, 2, 22, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 12, 18})
WORK_KEY = ["year", "subject", "grade"]


@dataclass
class ContextParams:
    school_codes: frozenset[str] | None = None      # None: no register loaded, codes not checked
    school_logins: frozenset[str] | None = None
    school_mo: dict[str, str] | None = None          # Код ОО -> Код МО (a protocol without Код МСУ)
    plan: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["year", "subject", "grade", "task", "task_max", "task_level", "skill_code"]))
    scale: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["year", "subject", "grade", "min_mark3", "min_mark4", "min_mark5"]))
    # minimum ЕГЭ scores: (year, subject code) from the inbox's table, (None, code) the seed's defaults
    ege_min: dict[tuple[int | None, int], int] = field(default_factory=dict)
    # plan_tasks by work: every download of a work asks (dozens of files a work in the real layouts)
    _plan_memo: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_warehouse(cls, con) -> "ContextParams":
        reg = con.execute("select school_code, school_login, mo_code from raw.register").fetchall()
        plan = con.execute("select year, subject, grade, task, task_max, task_level, skill_code from raw.vpr_plan").df()
        scale = con.execute("select year, subject, grade, min_mark3, min_mark4, min_mark5 from raw.vpr_scale").df()
        mins = {(int(y), int(c)): int(v) for y, c, v in
                con.execute("select year, subject_code, min_score from raw.ege_min").fetchall()
                if y is not None and c is not None and v is not None}
        return cls(
            ege_min={**default_ege_minimums(), **mins},
            school_codes=frozenset(r[0] for r in reg if r[0]) if reg else None,
            school_logins=frozenset(r[1] for r in reg if r[1]) if reg else None,
            school_mo={r[0]: r[2] for r in reg if r[0] and r[2]} if reg else None,
            plan=plan, scale=scale,
        )

    def ege_minimum(self, year: int, subject: int) -> int | None:
        """The minimum test score of a subject in a year: the inbox's table, else the default."""
        subject = 5 if subject == 25 else subject   # КЕГЭ counts as Информатика (contract §10)
        return self.ege_min.get((year, subject), self.ege_min.get((None, subject)))

    # ---------------------------------------------------------------- lookups by work
    def plan_tasks(self, year: int, subject: str, grade: int) -> dict[str, tuple[int, str | None]]:
        key = (year, subject, grade)
        if key not in self._plan_memo:
            p = self.plan
            sel = p[(p["year"] == year) & (p["subject"] == subject) & (p["grade"] == grade)]
            self._plan_memo[key] = {t: (int(mx), lv) for t, mx, lv in zip(sel["task"], sel["task_max"], sel["task_level"])
                                    if pd.notna(mx)}
        return dict(self._plan_memo[key])

    def plan_work_max(self, df: pd.DataFrame) -> np.ndarray:
        """Σ plan maxima of each row's work (NaN where the plan lacks the work)."""
        if self.plan.empty:
            return np.full(len(df), np.nan)
        sums = self.plan.groupby(WORK_KEY, as_index=False)["task_max"].sum()
        return _lookup(df, sums, "task_max")

    def scale_columns(self, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self.scale.empty:
            nan = np.full(len(df), np.nan)
            return nan, nan, nan
        s = self.scale.drop_duplicates(WORK_KEY, keep="last")
        return tuple(_lookup(df, s, c) for c in ("min_mark3", "min_mark4", "min_mark5"))  # type: ignore[return-value]


def _lookup(df: pd.DataFrame, table: pd.DataFrame, col: str) -> np.ndarray:
    left = pd.DataFrame({k: df[k].to_numpy() for k in WORK_KEY})
    left["year"] = pd.to_numeric(left["year"], errors="coerce")
    left["grade"] = pd.to_numeric(left["grade"], errors="coerce")
    right = table[[*WORK_KEY, col]].copy()
    right["year"] = pd.to_numeric(right["year"], errors="coerce")
    right["grade"] = pd.to_numeric(right["grade"], errors="coerce")
    right["subject"] = right["subject"].astype(object)
    left["subject"] = left["subject"].astype(object)
    merged = left.merge(right, on=WORK_KEY, how="left")
    return pd.to_numeric(merged[col], errors="coerce").to_numpy(dtype=float)


def default_ege_minimums() -> dict[tuple[None, int], int]:
    """The published minimum scores the project ships (dbt seed `ege_min_scores_default`, the one
    place they live); read from the seed file, since ingestion runs before dbt."""
    from rsoko import settings

    path = settings.DBT_PROJECT_DIR / "seeds" / "indicators" / "ege_min_scores_default.csv"
    if not path.exists():
        return {}
    seed = pd.read_csv(path, dtype={"subject_code": int, "min_score": int})
    return {(None, int(c)): int(v) for c, v in zip(seed["subject_code"], seed["min_score"])}
