"""The steps of one annual run, as plain functions.

The CLI calls them in order; the Dagster assets in `dagster_project/` call the same functions, so
both paths compute the same thing. Every step that writes the warehouse opens and closes its own
connection: DuckDB allows one writer, and dbt runs in a subprocess that needs the file free.
"""
from __future__ import annotations

import hashlib
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import duckdb

from rsoko import __version__, settings
from rsoko.dbt_runner import run_dbt


class NothingToPublish(RuntimeError):
    """The inbox has no ГИА or ВПР data for the requested year."""


@contextmanager
def connect(warehouse: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection to the warehouse file (created with its parent folder if missing)."""
    warehouse = Path(warehouse)
    if not read_only:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse), read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def ingest(warehouse: Path, inbox: Path, *, kinds: set[str] | None = None, years: set[int] | None = None):
    """Load every recognised file of the inbox into raw.* (idempotent; see ingestion.load_inbox)."""
    from ingestion import load_inbox

    with connect(warehouse) as con:
        return load_inbox(con, Path(inbox), kinds=kinds, years=years)


def years_with_results(warehouse: Path) -> list[int]:
    """Years for which the warehouse holds ГИА or ВПР results."""
    with connect(warehouse, read_only=True) as con:
        rows = con.execute(
            """
            select distinct year from raw.gia11
            union select distinct year from raw.gia9
            union select distinct year from raw.vpr_results
            order by 1
            """
        ).fetchall()
    return [int(r[0]) for r in rows if r[0] is not None]


def build_models(warehouse: Path, year: int, *, target_path: Path | None = None) -> str:
    """dbt build (seeds, models, tests) for every year <= `year`; a failing test stops the run."""
    return run_dbt("build", warehouse, year, target_path=target_path)


def _bench_target() -> Path | None:
    """`rsoko bench` asks for dbt's artefacts in its own folder to read node timings."""
    import os

    target = os.environ.get("RSOKO_BENCH_DBT_TARGET")
    return Path(target) if target else None


# Exported tables: file name -> query. Column lists are those of the output contract, in order.
DATA_EXPORTS: dict[str, str] = {
    "indicators.csv": """
        select year, indicator_code, level, entity_code, numerator, denominator, value
        from marts.fct_indicators where year <= $year
        order by year, indicator_code, level, entity_code
    """,
    "index.csv": """
        select year, level, entity_code, results_index, selfdetermination_index, overall_index
        from marts.mart_index where year <= $year
        order by year, level, entity_code
    """,
    "objectivity_markers.csv": """
        select year, school_code, work, marker_code, value, threshold, flagged
        from marts.fct_objectivity_markers where year = $year
        order by school_code, work, marker_code
    """,
    "objectivity_schools.csv": """
        select year, school_code, markers_flagged, listed
        from marts.mart_objectivity_schools where year = $year
        order by school_code
    """,
    "deficits.csv": """
        select year, work, level, entity_code, task, skill_code, participants,
               completion_pct, level_of_task, deficit, priority
        from marts.fct_deficits where year = $year
        order by work, level, entity_code, task
    """,
    # ФИС ОКО aggregate forms: the federal benchmark as delivered, and the cross-check with the
    # individual results (ingestion/vpr_crosscheck.py adds the disagreements to the ledger)
    "vpr_benchmark.csv": """
        select year, work, group_level as "group", entity_code, schools, participants, mark2, mark3, mark4, mark5
        from marts.mart_vpr_benchmark where year = $year
        order by work, case group_level when 'russia' then 0 when 'region' then 1 when 'municipality' then 2
                 else 3 end, entity_code, group_order
    """,
    "vpr_crosscheck.csv": """
        select year, work, level, entity_code, delivered_participants, computed_participants, max_share_diff, agrees
        from marts.mart_vpr_crosscheck where year = $year
        order by work, case level when 'region' then 0 when 'municipality' then 1 else 2 end, entity_code, group_name
    """,
}


def export_data(warehouse: Path, year: int, data_dir: Path) -> list[Path]:
    """Write OUT/<year>/data/*.csv: UTF-8, comma, header, dot decimals, no suppression."""
    from ingestion import export_ledger

    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with connect(warehouse, read_only=True) as con:
        for name, query in DATA_EXPORTS.items():
            target = data_dir / name
            rel = con.execute(query, {"year": int(year)})
            df = rel.df()
            df.to_csv(target, index=False, encoding="utf-8", lineterminator="\n")
            written.append(target)
        export_ledger(con, data_dir)
        from ingestion.vpr_crosscheck import annotate_ledger_csv
        annotate_ledger_csv(con, data_dir)
    written += [data_dir / "ingestion_ledger.csv", data_dir / "quarantine.csv"]
    return written


def publish(warehouse: Path, year: int, year_dir: Path):
    """Render and publish OUT/<year>/public/ from the warehouse, read-only."""
    from reports import publish as publish_reports

    return publish_reports(Path(warehouse), int(year), Path(year_dir))


def inputs_fingerprint(warehouse: Path, year: int) -> str:
    """What a run's outputs depend on: the loaded inputs, the year and the software version.

    An unchanged rerun compares this with the fingerprint stored by the last successful
    publication and skips dbt and rendering when they match.
    """
    with connect(warehouse, read_only=True) as con:
        rows = con.execute(
            "select sha256, status, rows_loaded from meta.ingestion_ledger order by sha256, status"
        ).fetchall()
    code = hashlib.sha256()
    for path in sorted(settings.DBT_PROJECT_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".sql", ".yml", ".csv"} and "target" not in path.parts:
            code.update(path.read_bytes())
    payload = json.dumps({"year": year, "version": __version__, "inputs": rows, "code": code.hexdigest()})
    return hashlib.sha256(payload.encode()).hexdigest()


def _state_file(year_dir: Path) -> Path:
    return Path(year_dir) / ".rsoko_state.json"


@dataclass
class RunResult:
    year: int
    year_dir: Path
    skipped: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    load_report: object | None = None


def run(inbox: Path, year: int, out: Path, warehouse: Path | None = None, *, force: bool = False) -> RunResult:
    """The whole annual run: ingest, dbt build, data exports, publication."""
    out = Path(out)
    warehouse = Path(warehouse) if warehouse else out / "warehouse.duckdb"
    year_dir = out / str(year)
    result = RunResult(year=year, year_dir=year_dir)

    started = time.perf_counter()
    result.load_report = ingest(warehouse, inbox)
    result.timings["ingest_s"] = time.perf_counter() - started

    if year not in years_with_results(warehouse):
        from ingestion.ledger import nothing_published  # writes the ledger CSVs all the same
        raise NothingToPublish(nothing_published(warehouse, inbox, year, year_dir / "data"))

    fingerprint = inputs_fingerprint(warehouse, year)
    state = _state_file(year_dir)
    if not force and state.exists() and json.loads(state.read_text()).get("fingerprint") == fingerprint \
            and (year_dir / "public" / "manifest.json").exists():
        result.skipped = True
        return result

    step = time.perf_counter()
    build_models(warehouse, year, target_path=_bench_target())
    result.timings["dbt_s"] = time.perf_counter() - step

    step = time.perf_counter()
    export_data(warehouse, year, year_dir / "data")
    result.timings["export_s"] = time.perf_counter() - step

    step = time.perf_counter()
    publish(warehouse, year, year_dir)
    result.timings["publish_s"] = time.perf_counter() - step

    result.timings["total_s"] = time.perf_counter() - started
    state.write_text(json.dumps({"fingerprint": fingerprint, "year": year, "timings": result.timings}))
    return result
