"""Year partitions that fit the data: one partition per year the inbox has files for.

The set is computed from the inbox when the code location loads (a `StaticPartitionsDefinition`
of the years found by `ingestion.scan_inbox`, which recognises each file from its content).
Why static-at-load rather than a `DynamicPartitionsDefinition` filled by the sensor:

* the years are visible as soon as the location loads — the sensor and the schedules start
  switched off (README), so a dynamic set would stay empty until someone turned automation on;
* the partition set is a function of the inbox alone, not extra state in the Dagster instance
  that could drift from the folder (a deleted year would linger as a dynamic partition);
* a new year arrives once a year: reloading the location (the UI's *Reload*, or restarting
  `dagster dev`) adds it, and the sensor says so when it sees files of a year it does not know.

A year with files but no ГИА or ВПР results (say, only admissions) is still a partition: its
run stops at the blocking check `results_for_year`, with the reason in Russian.
"""
from __future__ import annotations

from pathlib import Path

from dagster import BackfillPolicy, StaticPartitionsDefinition


def inbox_years(inbox: Path) -> list[str]:
    """The years ("2023", …) of the recognised files of the inbox, ascending; [] for a missing
    or empty inbox (the location still loads, with no partitions)."""
    from ingestion import scan_inbox

    inbox = Path(inbox)
    if not inbox.is_dir():
        return []
    return sorted({str(f.year) for f in scan_inbox(inbox) if f.year is not None and f.kind != "unrecognised"})


def year_partitions(inbox: Path) -> StaticPartitionsDefinition:
    """The partitions of every asset of the location bound to `inbox`."""
    return StaticPartitionsDefinition(inbox_years(inbox))


# Each year is its own run: dbt's run_year var and the publication are per year.
one_year_per_run = BackfillPolicy.multi_run(max_partitions_per_run=1)
