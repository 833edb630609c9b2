"""The steps of one annual run, as plain functions: one set, two orchestrators.

    configure → ingest → require_results → build_models → export_data ∥ publish → finalise

(`run` writes the data tables in a process of its own while it publishes.)

`run` calls them in this order for the CLI; the Dagster assets in `dagster_project/` wrap the
same functions (ingestion assets → `ingest`, the blocking check → `require_results`, the dbt
assets → dbt with `dbt_args`, `data_tables` → `export_data`, `published_report` → `publish` and
`finalise`), so both paths compute and publish the same thing.

Every step that writes the warehouse opens and closes its own connection: DuckDB allows one
writer, and dbt runs in a subprocess that needs the file free. A run holds the run lock
(`rsoko.lock`) on the warehouse and OUT from start to end.

Outputs are staged: data tables and the publication are written into OUT/<year>/.staging-<token>/
and swapped in together at the end (`rsoko.atomic.swap_in`), then the state file is written via a
temporary file. A run killed at any point leaves the previous publication in place, whole.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import duckdb

from rsoko import __version__, settings
from rsoko.atomic import swap_in, write_text_atomic
from rsoko.csvsafe import neutralise_csv, neutralise_frame
from rsoko.dbt_runner import run_dbt
from rsoko.errors import Busy, InputMissing, NothingToPublish, StorageError
from rsoko.frames import frame_chunks
from rsoko.lock import run_lock

__all__ = ["NothingToPublish", "RunConfig", "RunResult", "configure", "ingest", "require_results", "gate",
           "build_models", "export_data", "publish", "finalise", "run", "run_configured"]

STAGES: dict[str, str] = {          # key -> the Russian name a person reads
    "ingest": "загрузка",
    "dbt": "модели dbt",
    "export": "таблицы данных",
    "publish": "отчёты",
    "total": "всего",
}
STATE_FILE = ".rsoko_state.json"
STAGING_PREFIX = ".staging-"


# --------------------------------------------------------------------------- warehouse access
@contextmanager
def connect(warehouse: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection to the warehouse file (created with its parent folder if missing).

    DuckDB's own errors (English, with a traceback) become one Russian line: a lock held by
    another process is `Busy`, any other I/O problem `StorageError`.
    """
    warehouse = Path(warehouse)
    try:
        if not read_only:
            warehouse.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(warehouse), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise Busy(f"хранилище {warehouse} открыто другим процессом; дождитесь окончания его работы "
                       "и повторите запуск") from exc
        raise StorageError(f"не удалось открыть хранилище {warehouse}: {_first_line(exc)}") from exc
    except OSError as exc:
        raise StorageError(f"не удалось создать хранилище {warehouse}: {exc.strerror or exc}") from exc
    try:
        yield con
    finally:
        con.close()


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# --------------------------------------------------------------------------- 1. configuration
@dataclass(frozen=True)
class RunConfig:
    """What one run works on; built by `configure` from the CLI's arguments."""

    inbox: Path
    out: Path
    warehouse: Path
    year: int | None = None          # None: the latest year with results, known after ingestion
    force: bool = False
    dbt_target: Path | None = None   # dbt's artefacts folder (`rsoko bench` reads node timings)
    lock_wait_s: float = 5.0

    def year_dir(self, year: int) -> Path:
        return self.out / str(year)


def configure(inbox: Path, year: int | None, out: Path, warehouse: Path | None = None, *, force: bool = False,
              dbt_target: Path | None = None, lock_wait_s: float = 5.0) -> RunConfig:
    """Check the arguments before anything is written: a missing inbox creates nothing."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        what = "не является папкой" if inbox.exists() else "не найдена"
        raise InputMissing(f"папка выгрузок {inbox} {what}; проверьте путь в --data")
    out = Path(out).resolve()
    return RunConfig(inbox=inbox.resolve(), out=out,
                     warehouse=Path(warehouse).resolve() if warehouse else out / settings.WAREHOUSE_FILE,
                     year=year, force=force, dbt_target=dbt_target, lock_wait_s=lock_wait_s)


# --------------------------------------------------------------------------- 2. ingestion
def ingest(warehouse: Path, inbox: Path, *, kinds: set[str] | None = None, years: set[int] | None = None,
           progress: Callable[[int, int, str], None] | None = None):
    """Load every recognised file of the inbox into raw.* (idempotent; see ingestion.load_inbox).

    `progress(files_done, files_total, file)` is called as each new file is taken in.
    """
    from ingestion import load_inbox

    with connect(warehouse) as con:
        if progress is None:
            return load_inbox(con, Path(inbox), kinds=kinds, years=years)
        return load_inbox(con, Path(inbox), kinds=kinds, years=years, progress=progress)


# --------------------------------------------------------------------------- 3. the gate
def years_with_results(warehouse: Path) -> list[int]:
    """Years for which the warehouse holds ГИА or ВПР results."""
    with connect(warehouse, read_only=True) as con:
        tables = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'").fetchall()}
        parts = [f"select distinct year from raw.{t}" for t in ("gia11", "gia9", "vpr_results") if t in tables]
        if not parts:
            return []
        rows = con.execute(" union ".join(parts) + " order by 1").fetchall()
    return [int(r[0]) for r in rows if r[0] is not None]


def require_results(warehouse: Path, year: int | None, inbox: Path) -> int:
    """The year to publish: `year` if the warehouse has its ГИА or ВПР results, the latest such
    year when `year` is None; `NothingToPublish` otherwise (nothing is published for it)."""
    years = years_with_results(warehouse)
    if year is None:
        if not years:
            raise NothingToPublish(f"во входной папке {inbox} нет результатов ГИА или ВПР ни за один год")
        return years[-1]
    if int(year) not in years:
        have = f" (есть за: {', '.join(map(str, years))})" if years else ""
        raise NothingToPublish(f"нет данных ГИА или ВПР за {year} год во входной папке {inbox}{have}")
    return int(year)


def gate(warehouse: Path, inbox: Path, year: int | None, out: Path) -> int:
    """`require_results`, and when a named year has nothing to publish, its ledger CSVs all the
    same (OUT/<year>/data/ingestion_ledger.csv, quarantine.csv): the analyst learns what was
    missing and which files were not recognised. The CLI calls this after ingestion; in Dagster it
    is the blocking check `results_for_year`, so dbt never runs for such a year."""
    try:
        return require_results(warehouse, year, inbox)
    except NothingToPublish:
        if year is None:
            raise
        from ingestion.ledger import nothing_published

        data_dir = Path(out) / str(year) / "data"
        reason = nothing_published(Path(warehouse), Path(inbox), int(year), data_dir)
        neutralise_ledger(data_dir)
        raise NothingToPublish(reason) from None


# --------------------------------------------------------------------------- 4. dbt
def build_models(warehouse: Path, year: int, *, target_path: Path | None = None) -> str:
    """dbt build (seeds, models, tests) for every year <= `year`; a failing test stops the run."""
    return run_dbt("build", warehouse, year, target_path=target_path)


# --------------------------------------------------------------------------- 5. data tables
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
    # ГИА task completion per score group and the risk zones (methodology, «ГИА tasks and risk zones»)
    "gia_tasks.csv": """
        select year, exam, gia_form, subject_code, subject_name, level, entity_code, score_group,
               task_key as task, task_level, participants, completion_pct, risk_rule, risk_zone
        from marts.mart_gia_task_completion where year = $year
        order by exam, gia_form, subject_code, level, entity_code, score_group, part desc, task_no
    """,
    "gia_cohorts.csv": """
        select year, mo_code, school_code, gia_form, subject_code, vpr_participants, vpr_share_45,
               gia_participants, gia_share_45, gap_pp, named
        from marts.mart_gia_cohorts where year = $year
        order by mo_code, school_code, subject_code
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
    # the effectiveness of the measures (methodology, «The management cycle»): Y−1's listed schools in Y,
    # ШНОР and helped schools against their cluster over three years, skills targeted by courses
    "effectiveness_listed.csv": """
        select year, school_code, mo_code, markers_previous, markers, sat_vpr, listed, cleared, had_measures, measures
        from marts.mart_effectiveness_listed where year = $year
        order by mo_code, school_code
    """,
    "effectiveness_support.csv": """
        select year, school_code, mo_code, cluster_name, shnor, helped, target, value_y2, value_y1, value_y,
               cluster_value_y2, cluster_value_y1, cluster_value_y, gap_y2, gap_y1, gap_y, n_y2, n_y1, n_y,
               cluster_n_y2, cluster_n_y1, cluster_n_y, gap_y2_se2, gap_y1_se2, gap_y_se2, change, change_se2,
               change_from_y2, change_from_y2_se2, verdict
        from marts.mart_effectiveness_support where year = $year
        order by mo_code, school_code, case when target = 'results_index' then 0 else 1 end, target
    """,
    "effectiveness_courses.csv": """
        select year, work, skill_code, skill_name, course_schools, course_pupils_prev, course_pupils,
               course_completion_prev, course_completion, course_change, other_schools, other_pupils_prev,
               other_pupils, other_completion_prev, other_completion, other_change, difference, difference_se2,
               verdict
        from marts.mart_effectiveness_courses where year = $year
        order by work, skill_code
    """,
}
LEDGER_EXPORTS = ("ingestion_ledger.csv", "quarantine.csv")


def neutralise_ledger(data_dir: Path) -> list[Path]:
    """Make the ledger CSVs spreadsheet-safe: file names, columns and values there come from the inputs."""
    paths = [Path(data_dir) / name for name in LEDGER_EXPORTS]
    for path in paths:
        if path.exists():
            neutralise_csv(path)
    return paths


def export_data(warehouse: Path, year: int, data_dir: Path) -> list[Path]:
    """Write <data_dir>/*.csv: UTF-8, comma, header, dot decimals, no suppression.

    Text cells that a spreadsheet would run as a formula are neutralised (`rsoko.csvsafe`).
    `data_dir` is a staging folder in a run; `finalise` swaps it in.
    """
    from ingestion import export_ledger

    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with connect(warehouse, read_only=True) as con:
        for name, query in DATA_EXPORTS.items():
            target = data_dir / name
            _write_csv(con.execute(query, {"year": int(year)}), target)
            written.append(target)
        export_ledger(con, data_dir)
        from ingestion.vpr_crosscheck import annotate_ledger_csv
        annotate_ledger_csv(con, data_dir)
    written += neutralise_ledger(data_dir)
    return written


EXPORT_CHUNK_VECTORS = 64
"""Rows converted to pandas at a time when a data table is written (64 × 2 048): gia_tasks.csv of
the large region is about a gigabyte of text, and building it as one frame took the run to 6.7 GB."""


def _write_csv(result: duckdb.DuckDBPyConnection, target: Path) -> None:
    """The query's rows as CSV, written chunk by chunk: the header once, then each chunk
    neutralised and appended — the same bytes as writing the whole frame at once."""
    with open(target, "w", encoding="utf-8", newline="") as fh:
        for i, chunk in enumerate(frame_chunks(result, EXPORT_CHUNK_VECTORS)):
            neutralise_frame(chunk).to_csv(fh, index=False, header=i == 0, lineterminator="\n")


# --------------------------------------------------------------------------- 6. publication
def publish(warehouse: Path, year: int, stage: Path, inbox: Path | None = None):
    """Render the publication into <stage>/public from the warehouse, read-only; the title pages
    from `<inbox>/report.toml` (reports.report_config) when there is one."""
    from reports import publish as publish_reports

    config_path = Path(inbox) / settings.REPORT_CONFIG if inbox is not None else None
    return publish_reports(Path(warehouse), int(year), Path(stage), config_path=config_path)


# --------------------------------------------------------------------------- 7. finalisation
def staging_dir(year_dir: Path, token: str) -> Path:
    """The staging folder of one run (token: the process id, or Dagster's run id)."""
    return Path(year_dir) / f"{STAGING_PREFIX}{token}"


def clean_stale(year_dir: Path, keep: Path | None = None) -> list[Path]:
    """Remove staging folders that killed runs left behind (call with the run lock held)."""
    year_dir = Path(year_dir)
    removed = []
    if not year_dir.is_dir():
        return removed
    for p in year_dir.iterdir():
        stale = p.name.startswith((STAGING_PREFIX, ".public.staging-", ".restricted.staging-", "public.old", "data.old",
                                   "restricted.old", f".{STATE_FILE}.tmp-"))
        if stale and p != keep:
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
            removed.append(p)
    return removed


def file_entries(folder: Path) -> list[dict]:
    """[{path, sha256, bytes}] of every file under `folder`, sorted by path."""
    from reports.publication import sha256_file

    folder = Path(folder)
    return sorted(({"path": p.relative_to(folder).as_posix(), "sha256": sha256_file(p), "bytes": p.stat().st_size}
                   for p in folder.rglob("*") if p.is_file()), key=lambda e: e["path"])


def read_state(year_dir: Path) -> dict:
    """The state of the last successful run; {} when absent, empty, truncated or not ours."""
    try:
        state = json.loads((Path(year_dir) / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def write_state(year_dir: Path, state: dict) -> None:
    write_text_atomic(Path(year_dir) / STATE_FILE, json.dumps(state, ensure_ascii=False, indent=1))


def finalise(stage: Path, year_dir: Path, *, fingerprint: str | None, timings: dict[str, float],
             parts: tuple[str, ...] = ("data", "public", "restricted")) -> None:
    """Swap the staged `data/`, `public/` and `restricted/` in (each atomically), then record the state.

    The state (fingerprint of the inputs and the hash of every data file and restricted school
    pack) is written last, via a temporary file: a run killed before it leaves the old state, so
    the next run recomputes.
    """
    stage, year_dir = Path(stage), Path(year_dir)
    for part in parts:
        if (stage / part).is_dir():
            swap_in(stage / part, year_dir / part)
    shutil.rmtree(stage, ignore_errors=True)
    if fingerprint is not None:
        state = {"fingerprint": fingerprint, "year": int(year_dir.name) if year_dir.name.isdigit() else None,
                 "timings": timings, "data": file_entries(year_dir / "data")}
        if (year_dir / "restricted").is_dir():
            state["restricted"] = file_entries(year_dir / "restricted")
        write_state(year_dir, state)


def inputs_fingerprint(warehouse: Path, year: int, inbox: Path | None = None) -> str:
    """What a run's outputs depend on: the loaded inputs, the year and the software version.

    An unchanged rerun compares this with the fingerprint stored by the last successful
    publication and skips dbt and rendering when they match (and the files verify).
    """
    with connect(warehouse, read_only=True) as con:
        rows = con.execute(
            "select sha256, status, rows_loaded from meta.ingestion_ledger order by sha256, status"
        ).fetchall()
    code = hashlib.sha256()
    for path in sorted(settings.DBT_PROJECT_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".sql", ".yml", ".csv"} and "target" not in path.parts:
            code.update(path.read_bytes())
    config = Path(inbox) / settings.REPORT_CONFIG if inbox is not None else None
    title = hashlib.sha256(config.read_bytes()).hexdigest() if config is not None and config.is_file() else ""
    payload = json.dumps({"year": year, "version": __version__, "inputs": rows, "code": code.hexdigest(),
                          **({"title_page": title} if title else {})})
    return hashlib.sha256(payload.encode()).hexdigest()


def verify_outputs(year_dir: Path, state: dict) -> list[str]:
    """What is missing or damaged in OUT/<year>: public/ against its manifest.json, data/ and
    restricted/ against the hashes in the state file (sizes and SHA-256). Empty when everything is
    as published."""
    from reports.publication import sha256_file

    year_dir = Path(year_dir)
    public = year_dir / "public"
    problems: list[str] = []
    try:
        manifest = json.loads((public / "manifest.json").read_text(encoding="utf-8"))
        expected = {f["path"]: f for f in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return ["public/manifest.json отсутствует или повреждён"]
    checks = [("public", public, expected)]
    for part in ("data", "restricted"):
        if part in state:
            checks.append((part, year_dir / part, {f["path"]: f for f in state[part]}))
    for label, folder, files in checks:
        on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else set()
        for rel, entry in sorted(files.items()):
            path = folder / rel
            if rel not in on_disk:
                problems.append(f"{label}/{rel} отсутствует")
            elif path.stat().st_size != entry["bytes"] or sha256_file(path) != entry["sha256"]:
                problems.append(f"{label}/{rel} изменён или повреждён")
        extra = on_disk - set(files) - ({"manifest.json"} if label == "public" else set())
        problems += [f"{label}/{rel} не из этой публикации" for rel in sorted(extra)]
    return problems


# --------------------------------------------------------------------------- the whole run
@dataclass
class RunResult:
    year: int
    year_dir: Path
    skipped: bool = False
    repaired: list[str] = field(default_factory=list)   # what an unchanged rerun found damaged
    timings: dict[str, float] = field(default_factory=dict)
    load_report: object | None = None


class Progress:
    """What `run` tells its caller as it goes (the CLI draws it; the default says nothing)."""

    def stage(self, key: str) -> None:
        """Stage `key` (a key of STAGES) starts."""

    def done(self, key: str, seconds: float) -> None:
        """Stage `key` finished."""

    def file(self, done: int, total: int, name: str) -> None:
        """Ingestion took in file `name` (`done` of `total` new files)."""

    def detail(self, text: str) -> None:
        """A detail for the log and `--verbose` (each file's outcome, dbt's output)."""


def file_outcome(f) -> str:
    """One ingested file as a person reads it: «vpr/x.xlsx: vpr 2025 — частично, строк 9 из 10, в карантине 1»."""
    from ingestion.load import STATUS_NAMES

    year = f" {f.year}" if f.year else ""
    text = (f"  {f.file}: {f.kind}{year} — {STATUS_NAMES.get(f.status, f.status)}, строк {f.rows_loaded} "
            f"из {f.rows_read}, в карантине {f.rows_quarantined}")
    return text + (f" ({f.message})" if f.message else "")


def run(inbox: Path, year: int | None, out: Path, warehouse: Path | None = None, *, force: bool = False,
        dbt_target: Path | None = None, progress: Progress | None = None, lock_wait_s: float = 5.0) -> RunResult:
    """The whole annual run for the CLI: every step in order, under the run lock."""
    config = configure(inbox, year, out, warehouse, force=force, dbt_target=dbt_target, lock_wait_s=lock_wait_s)
    return run_configured(config, progress)


def run_configured(config: RunConfig, progress: Progress | None = None) -> RunResult:
    """`run` for a configuration already checked by `configure` (the CLI opens its log in between)."""
    with run_lock(config.warehouse, config.out, wait_s=config.lock_wait_s):
        return _run_locked(config, progress or Progress())


def _export_behind_public(warehouse: Path, year: int, data_dir: Path) -> float:
    """`export_data` in a process of its own beside the publication, at the school packs' lower
    CPU priority: at equal priority it took its share from the public reports (large region:
    `public/` 86 → 99 s), which the packs already leave the CPU to. Returns its wall seconds."""
    from reports.packs import lower_cpu_priority

    lower_cpu_priority()
    t = time.perf_counter()
    export_data(warehouse, year, data_dir)
    return time.perf_counter() - t


def _run_locked(config: RunConfig, progress: Progress) -> RunResult:
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def step(key: str, fn, *args, **kwargs):
        progress.stage(key)
        t = time.perf_counter()
        value = fn(*args, **kwargs)
        timings[f"{key}_s"] = time.perf_counter() - t
        progress.done(key, timings[f"{key}_s"])
        return value

    report = step("ingest", ingest, config.warehouse, config.inbox, progress=progress.file)
    for f in getattr(report, "files", []):
        progress.detail(file_outcome(f))
    year = gate(config.warehouse, config.inbox, config.year, config.out)
    year_dir = config.year_dir(year)
    result = RunResult(year=year, year_dir=year_dir, load_report=report, timings=timings)
    clean_stale(year_dir)

    fingerprint = inputs_fingerprint(config.warehouse, year, config.inbox)
    state = read_state(year_dir)
    if not config.force and state.get("fingerprint") == fingerprint:
        result.repaired = verify_outputs(year_dir, state)
        if not result.repaired:
            result.skipped = True
            return result

    stage = staging_dir(year_dir, str(os.getpid()))
    try:
        progress.detail(step("dbt", build_models, config.warehouse, year, target_path=config.dbt_target))
        # the data tables are written by a process of their own while the reports are rendered:
        # both only read the warehouse, and the export (pandas' CSV writer, one core) would
        # otherwise leave the second core idle for a minute at large scale
        progress.stage("export")
        t = time.perf_counter()
        from reports.publication import POOL_START

        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context(POOL_START)) as exporter:
            exported = exporter.submit(_export_behind_public, config.warehouse, year, stage / "data")
            published = step("publish", publish, config.warehouse, year, stage, config.inbox)
            timings["export_s"] = exported.result()
        timings["publication_s"] = time.perf_counter() - t    # the two together, wall
        progress.done("export", timings["export_s"])
        for warning in published.warnings:
            progress.detail(f"  предупреждение: {warning}")
        timings.update({f"publish_{kind}_s": seconds for kind, seconds in published.kinds.items()})
        if "public_s" in published.timings:
            timings["publish_public_wall_s"] = published.timings["public_s"]
        timings["total_s"] = time.perf_counter() - started
        finalise(stage, year_dir, fingerprint=fingerprint, timings=timings)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return result
