"""The ledger message of a ФИС ОКО aggregate form names the groups that disagree with the
individual results (input contract §9; issue: «how an analyst learns that a school's
individual results were not delivered in full»).

Design: the cross-check can only be computed after dbt has built the marts, long after the
form's ledger row was written at load time. Rather than a second writer of `meta.ingestion_ledger`
(which would need an idempotent «strip the previous note» rule and a writable connection during
export), the export step rewrites the message column of the exported `ingestion_ledger.csv`:
the warehouse's ledger stays what loading saw; the published ledger carries the cross-check too.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

LEDGER_CSV = "ingestion_ledger.csv"
SHOWN = 5
FORM_NAMES = {"marks": "«Статистика по отметкам»", "journal": "«Сравнение отметок с отметками по журналу»"}


def disagreements(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """file -> Russian note listing the groups of that form file that do not agree."""
    try:
        df = con.execute("""
            select _source_file as file, form, level, group_name, delivered_participants, computed_participants,
                   share_diff, category_count_diff, entity_code
            from marts.mart_vpr_crosscheck_groups
            where row_agrees = 0
            order by _source_file, form, case level when 'region' then 0 when 'municipality' then 1 else 2 end,
                     group_name
        """).df()
    except duckdb.Error:  # marts not built (nothing was published): nothing to add
        return {}
    notes = {}
    for file, g in df.groupby("file", sort=True):
        items = [_item(r) for r in g.itertuples(index=False)]
        more = f" и ещё {len(items) - SHOWN}" if len(items) > SHOWN else ""
        notes[file] = (f"сверка с индивидуальными результатами: не сходятся {len(items)} групп(ы) — "
                       + "; ".join(items[:SHOWN]) + more)
    return notes


def _item(r) -> str:
    if r.entity_code is None or r.entity_code != r.entity_code:
        return f"«{r.group_name}»: группа не найдена в реестре"
    parts = []
    if r.delivered_participants != r.computed_participants:
        parts.append(f"участников в форме {_n(r.delivered_participants)}, по индивидуальным результатам "
                     f"{_n(r.computed_participants)}")
    if r.category_count_diff:
        parts.append("численность категорий отличается")
    if r.share_diff > 0.01:
        parts.append(f"доли расходятся до {r.share_diff:.2f} п.п.".replace(".", ",", 1))
    return f"«{r.group_name}»: " + ", ".join(parts or ["расхождение"])


def _n(v) -> str:
    return "—" if v is None or v != v else str(int(v))


def annotate_ledger_csv(con: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    """Append each form file's cross-check note to its message in `<data_dir>/ingestion_ledger.csv`."""
    notes = disagreements(con)
    path = Path(data_dir) / LEDGER_CSV
    if not notes or not path.exists():
        return
    ledger = pd.read_csv(path, dtype=str, keep_default_na=False)
    hit = ledger["kind"].eq("vpr_forms") & ledger["status"].isin(["loaded", "partial"]) & ledger["file"].isin(notes)
    ledger.loc[hit, "message"] = [f"{m}; {notes[f]}" if m else notes[f]
                                  for m, f in zip(ledger.loc[hit, "message"], ledger.loc[hit, "file"])]
    ledger.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
