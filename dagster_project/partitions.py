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


def known_kinds(warehouse: Path | None) -> dict[str, tuple[str, int | None, str | None]]:
    """What the warehouse's ingestion ledger already knows of each file (sha256 → kind, year), so
    that loading the location does not open again every file a run has recognised: at region
    scale recognising 850 files from their content costs about 13 CPU seconds, paid by the
    webserver, the daemon and every run process when each loads the location.

    Read-only and best effort: no warehouse yet, a warehouse without a ledger, or one that a
    run holds open for writing (DuckDB then refuses a second process) gives {} and the inbox is
    recognised from content as before — the partitions are the same either way."""
    import duckdb

    if warehouse is None or not Path(warehouse).is_file():
        return {}
    from ingestion.ledger import ledger_kinds

    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return ledger_kinds(con)
    except duckdb.Error:
        return {}


def inbox_years(inbox: Path, warehouse: Path | None = None) -> list[str]:
    """The years ("2023", …) of the recognised files of the inbox, ascending; [] for a missing
    or empty inbox (the location still loads, with no partitions). With `warehouse`, files its
    ledger knows are not opened (`known_kinds`)."""
    from ingestion import scan_inbox

    inbox = Path(inbox)
    if not inbox.is_dir():
        return []
    files = scan_inbox(inbox, known=known_kinds(warehouse))
    return sorted({str(f.year) for f in files if f.year is not None and f.kind != "unrecognised"})


def year_partitions(inbox: Path, warehouse: Path | None = None) -> StaticPartitionsDefinition:
    """The partitions of every asset of the location bound to `inbox` (and its warehouse)."""
    return StaticPartitionsDefinition(inbox_years(inbox, warehouse))


# Each year is its own run: dbt's run_year var and the publication are per year.
one_year_per_run = BackfillPolicy.multi_run(max_partitions_per_run=1)
