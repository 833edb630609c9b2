"""The methodology numbers the report states, read from the dbt seeds in the warehouse.

dbt computes deficits, verdicts and lists from the seeds (`vpr_deficit_zones`, `indicator_settings`,
`analysis_params`); the report must say the same numbers in its sentences and notes. Reading them
here — and nowhere typing them again — means an institute that edits a seed gets tables and the
sentences around them that still agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from reports.formatting import fmt_number


class MethodologyMissing(RuntimeError):
    """A seed the report needs is missing from the warehouse (dbt seed has not run)."""


@dataclass(frozen=True)
class Methodology:
    deficit_below: dict[str, float]          # task level Б/П -> completion below which a task is a deficit
    min_group_pupils: int                    # a deficit needs a group at least this large
    se_multiplier: float                     # «beyond noise»: more than this many standard errors
    params: dict[str, float] = field(default_factory=dict)   # analysis_params and indicator_settings

    def limit_text(self) -> str:
        """«ниже 57 % для заданий базового уровня (Б) или ниже 28,5 % для заданий повышенного уровня (П)»."""
        words = {"Б": "базового уровня (Б)", "П": "повышенного уровня (П)"}
        return " или ".join(f"ниже {fmt_number(v)} % для заданий {words.get(k, k)}"
                            for k, v in sorted(self.deficit_below.items()))

    def se_words(self) -> str:
        """«удвоенную» for 2, else «в N раза большую» — how the prose names the noise margin."""
        return "удвоенную" if self.se_multiplier == 2 else f"в {fmt_number(self.se_multiplier)} раза большую"


def _pairs(frame: pd.DataFrame | None) -> dict[str, float]:
    if frame is None or frame.empty:
        return {}
    return {str(p): float(v) for p, v in zip(frame["parameter"], frame["value"])}


def from_frames(zones: pd.DataFrame | None, settings: pd.DataFrame | None,
                analysis: pd.DataFrame | None) -> Methodology:
    if zones is None or zones.empty:
        raise MethodologyMissing("в хранилище нет справочника reference.vpr_deficit_zones: выполните dbt seed")
    params = {**_pairs(settings), **_pairs(analysis)}
    if "change_se_multiplier" not in params:
        raise MethodologyMissing("в хранилище нет параметра change_se_multiplier (reference.indicator_settings)")
    return Methodology(
        deficit_below={str(k): float(v) for k, v in zip(zones["level_of_task"], zones["deficit_below"])},
        min_group_pupils=int(zones["min_group_pupils"].max()),
        se_multiplier=params["change_se_multiplier"],
        params=params,
    )
