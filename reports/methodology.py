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
from reports.suppression import Minima


class MethodologyMissing(RuntimeError):
    """A seed the report needs is missing from the warehouse (dbt seed has not run)."""


@dataclass(frozen=True)
class Methodology:
    deficit_below: dict[str, float]          # task level Б/П -> completion below which a task is a deficit
    min_group_pupils: int                    # a deficit needs a group at least this large
    se_multiplier: float                     # «beyond noise»: more than this many standard errors
    params: dict[str, float] = field(default_factory=dict)   # analysis_params, indicator_settings, marker_*
    marker_names: dict[str, str] = field(default_factory=dict)  # M1..M6 -> name (seed marker_catalogue)

    def param(self, name: str) -> float:
        """A parameter of seed analysis_params or indicator_settings the report cannot do without."""
        try:
            return self.params[name]
        except KeyError:
            raise MethodologyMissing(f"в хранилище нет параметра {name} (reference.analysis_params): "
                                     "выполните dbt seed") from None

    def limit_text(self) -> str:
        """«ниже 57 % для заданий базового уровня (Б) или ниже 28,5 % для заданий повышенного уровня (П)»."""
        words = {"Б": "базового уровня (Б)", "П": "повышенного уровня (П)"}
        return " или ".join(f"ниже {fmt_number(v)} % для заданий {words.get(k, k)}"
                            for k, v in sorted(self.deficit_below.items()))

    def se(self, case: str = "gent", parameter: str = "change_se_multiplier") -> str:
        """The noise margin of a rule as a noun phrase: «удвоенной стандартной ошибки» (gent),
        «удвоенную стандартную ошибку» (accs), «удвоенная стандартная ошибка» (nomn) — for the
        multiplier of the seed `parameter`."""
        return se_phrase(self.param(parameter), case)

    def min_pupils(self, parameter: str = "marker_min_pupils") -> int:
        """A minimum group size of a rule as an integer (a seed parameter)."""
        return int(self.param(parameter))

    @property
    def suppression(self) -> Minima:
        """The minima of the suppression rule (seed analysis_params)."""
        return Minima(int(self.param("suppress_below_n")), int(self.param("small_sample_below_n")))

    def se_words(self) -> str:
        """«удвоенную» for 2, else «в N раза большую» — how the prose names the noise margin."""
        return "удвоенную" if self.se_multiplier == 2 else f"в {fmt_number(self.se_multiplier)} раза большую"


_SE_WORDS = {2: "удвоенн", 3: "утроенн"}
_SE_ENDINGS = {"nomn": ("ая", "стандартная ошибка", "умноженная"), "gent": ("ой", "стандартной ошибки", "умноженной"),
               "accs": ("ую", "стандартную ошибку", "умноженную"), "datv": ("ой", "стандартной ошибке", "умноженной")}


def se_phrase(multiplier: float, case: str = "gent") -> str:
    """«удвоенной стандартной ошибки», «утроенной …», else «стандартной ошибки, умноженной на 2,5»."""
    adjective_end, noun, participle = _SE_ENDINGS[case]
    stem = _SE_WORDS.get(multiplier) if float(multiplier).is_integer() else None
    if stem:
        return f"{stem}{adjective_end} {noun}"
    return f"{noun}, {participle} на {fmt_number(multiplier, 2).rstrip('0').rstrip(',')}"


def suppression_minima(analysis: pd.DataFrame | None) -> Minima:
    """The suppression minima from the rows of seed analysis_params alone: a Context reads them on
    construction (before any cell is made), even where the other seeds are not needed."""
    params = _pairs(analysis)
    missing = [p for p in ("suppress_below_n", "small_sample_below_n") if p not in params]
    if missing:
        raise MethodologyMissing(f"в хранилище нет параметра {missing[0]} (reference.analysis_params): "
                                 "выполните dbt seed")
    return Minima(int(params["suppress_below_n"]), int(params["small_sample_below_n"]))


def _pairs(frame: pd.DataFrame | None) -> dict[str, float]:
    if frame is None or frame.empty:
        return {}
    return {str(p): float(v) for p, v in zip(frame["parameter"], frame["value"])}


def _marker_pairs(frame: pd.DataFrame | None) -> dict[str, float]:
    """The thresholds common to all markers (marker_code = 'all'), as `marker_<parameter>`."""
    if frame is None or frame.empty:
        return {}
    common = frame[frame["marker_code"] == "all"]
    return {f"marker_{p}": float(v) for p, v in zip(common["parameter"], common["value"])}


def from_frames(zones: pd.DataFrame | None, settings: pd.DataFrame | None,
                analysis: pd.DataFrame | None, markers: pd.DataFrame | None = None,
                marker_catalogue: pd.DataFrame | None = None) -> Methodology:
    if zones is None or zones.empty:
        raise MethodologyMissing("в хранилище нет справочника reference.vpr_deficit_zones: выполните dbt seed")
    params = {**_pairs(settings), **_pairs(analysis), **_marker_pairs(markers)}
    if "change_se_multiplier" not in params:
        raise MethodologyMissing("в хранилище нет параметра change_se_multiplier (reference.indicator_settings)")
    return Methodology(
        deficit_below={str(k): float(v) for k, v in zip(zones["level_of_task"], zones["deficit_below"])},
        min_group_pupils=int(zones["min_group_pupils"].max()),
        se_multiplier=params["change_se_multiplier"],
        params=params,
        marker_names=({} if marker_catalogue is None or marker_catalogue.empty else
                      {str(c): str(n) for c, n in zip(marker_catalogue["marker_code"], marker_catalogue["name_ru"])}),
    )
