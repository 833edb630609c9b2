"""Restricted school packs: OUT/<year>/restricted/ (methodology, «School packs»).

Per school that sat ВПР in the year: `oo/<Код ОО>.xlsx` (sheets per work, per class and per pupil
by Код участника) and `oo/<Код ОО>.pdf` (a short summary); per municipality `mo/<Код МО>/` with a
copy of its own schools' packs and a `manifest.json` of them (path, bytes, SHA-256). A municipal
folder is built from that municipality's slice of the rows only, so it cannot hold another
municipality's school, and a pack from its school's slice only, so it cannot hold another school's
pupils.

Packs are not suppressed (their reader is the school itself), which is why they never enter
`public/`: they are written into their own staging folder beside it and swapped in as a whole
(`rsoko.atomic.swap_in`), and the public index and manifest are built from the public folder alone.

Every figure comes from the `mart_pack_*` marts (dbt); the school's and classes' task rows are
`fct_deficits`' own, so a pack says what `data/deficits.csv` says for the school.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Iterator

import duckdb
import numpy as np
import pandas as pd

from rsoko import collector
from rsoko.frames import frame_chunks

RESTRICTED = "restricted"
STAGING_PREFIX = ".restricted.staging-"

# table -> columns read (all of year Y; the marts hold Y only)
PACK_MARTS: dict[str, tuple[str, ...]] = {
    "marts.mart_pack_groups": ("year", "work", "mo_code", "school_code", "level", "entity_code", "class_name",
                               "pupils", "participants", "mark2", "mark3", "mark4", "mark5",
                               "journal_participants", "lowered", "confirmed", "raised"),
    "marts.mart_pack_task_completion": ("year", "work", "mo_code", "school_code", "level", "entity_code", "task",
                                        "skill_code", "level_of_task", "participants", "group_pupils",
                                        "completion_pct", "region_completion_pct", "cluster_completion_pct",
                                        "zone", "deficit", "priority"),
    "marts.mart_pack_skill_completion": ("year", "work", "mo_code", "school_code", "level", "entity_code",
                                         "skill_code", "skill_name", "participants", "completion_pct",
                                         "region_completion_pct", "cluster_completion_pct"),
    "marts.mart_pack_pupils": ("year", "work", "mo_code", "school_code", "class_name", "participant_code",
                               "variant", "primary_score", "work_max", "mark", "journal_mark", "tasks_scored",
                               "tasks_not_mastered", "tasks_not_mastered_list", "skills_scored",
                               "skills_not_mastered", "skills_not_mastered_list"),
}
SCHOOL_COLUMNS = ("school_code", "short_name", "full_name", "mo_code", "mo_name", "cluster_name")
# columns with a few distinct values repeated over millions of rows (a large region: 28 works,
# 46 tasks, 29 skill names over 3.6 M task and skill rows) are read as categories — 3.0 GB of
# pack rows become ~0.8 GB, and every slice sent to a worker is pickled that much smaller
CATEGORY_COLUMNS = frozenset({"work", "mo_code", "level", "class_name", "task", "skill_code", "level_of_task",
                              "zone", "skill_name"})


@dataclass
class PackData:
    """The rows of the pack marts for one year (all schools, or a slice of them)."""

    year: int
    frames: dict[str, pd.DataFrame]
    schools: pd.DataFrame           # dim_schools: names, municipality, cluster
    mastery_share: float            # seed pack_params.pupil_mastery_share, for the wording

    def __getitem__(self, short_name: str) -> pd.DataFrame:
        return self.frames[short_name]

    @property
    def school_codes(self) -> list[str]:
        """Schools that sat ВПР in the year: those with a row in mart_pack_groups."""
        groups = self.frames["mart_pack_groups"]
        return sorted(groups.loc[groups["level"] == "school", "school_code"].astype(str).unique())

    @property
    def mo_codes(self) -> list[str]:
        codes = self.schools.set_index("school_code").reindex(self.school_codes)["mo_code"]
        return sorted(codes.dropna().astype(str).unique())

    def for_schools(self, codes: list[str] | set[str]) -> "PackData":
        """Only the rows of these schools: what one municipality's or one school's pack may hold."""
        keep = {str(c) for c in codes}
        frames = {name: df[df["school_code"].astype(str).isin(keep)].reset_index(drop=True)
                  for name, df in self.frames.items()}
        schools = self.schools[self.schools["school_code"].astype(str).isin(keep)].reset_index(drop=True)
        return PackData(self.year, frames, schools, self.mastery_share)

    def for_school_groups(self, groups: list[list[str]]) -> Iterator["PackData"]:
        """`for_schools` of each group, made when asked for (so only the slices being worked on
        exist beside the whole), each frame's rows located once by school: a large region has ~400
        pack tasks, and masking every frame again for each cost the publishing process about a
        minute before it could start on the reports."""
        def positions(df: pd.DataFrame) -> dict[str, np.ndarray]:
            return df.groupby(df["school_code"].astype(str), sort=False).indices

        where = {name: positions(df) for name, df in self.frames.items()}
        schools_at = positions(self.schools)
        empty = np.array([], dtype=np.int64)

        def take(df: pd.DataFrame, at: dict[str, np.ndarray], codes: list[str]) -> pd.DataFrame:
            found = [at[c] for c in codes if c in at]
            rows = np.sort(np.concatenate(found)) if found else empty
            return df.iloc[rows].reset_index(drop=True)

        for codes in groups:
            keep = [str(c) for c in codes]
            frames = {name: take(df, where[name], keep) for name, df in self.frames.items()}
            yield PackData(self.year, frames, take(self.schools, schools_at, keep), self.mastery_share)

    def for_municipality(self, mo_code: str) -> "PackData":
        codes = self.schools.loc[self.schools["mo_code"].astype(str) == str(mo_code), "school_code"]
        return self.for_schools(set(codes.astype(str)))

    def school(self, code: str) -> dict:
        """The register row of one school (names, municipality, cluster)."""
        row = self.schools[self.schools["school_code"].astype(str) == str(code)]
        return {c: (None if row.empty else row.iloc[0][c]) for c in SCHOOL_COLUMNS} | {"school_code": str(code)}


def _read_mart(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...], year: int) -> pd.DataFrame:
    """The mart's rows of `year`, the CATEGORY_COLUMNS as categories (their values in sorted order,
    so sorting and grouping are those of the text), converted chunk by chunk: converting the whole
    frame at once first makes one Python string per cell (17 M at large scale), and the memory they
    took stays with the process."""
    categorical = [c for c in columns if c in CATEGORY_COLUMNS]
    dtypes = {}
    if categorical:   # every category column's values in one scan of the mart
        lists = con.execute("select " + ", ".join(f'list(distinct "{c}") filter (where "{c}" is not null)'
                                                  for c in categorical) + f" from {table} where year = $y",
                            {"y": year}).fetchone()
        dtypes = {c: pd.CategoricalDtype(sorted(values or [])) for c, values in zip(categorical, lists)}
    cols = ", ".join(f'"{c}"' for c in columns)
    result = con.execute(f"select {cols} from {table} where year = $y", {"y": year})
    parts = [chunk.astype(dtypes) for chunk in frame_chunks(result, 16)]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def load(warehouse: Path, year: int) -> PackData | None:
    """Read the pack marts of `year`, the register and the mastery share, read-only; None when the
    warehouse has no pack marts (one built before them: the publication then says so)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {r[0] for r in con.execute(
            "select table_schema || '.' || table_name from information_schema.tables").fetchall()}
        if not set(PACK_MARTS) | {"reference.pack_params"} <= tables:
            return None
        frames = {table.split(".", 1)[1]: _read_mart(con, table, columns, int(year))
                  for table, columns in PACK_MARTS.items()}
        schools = con.execute(f"select {', '.join(SCHOOL_COLUMNS)} from marts.dim_schools order by school_code").df()
        share = con.execute(
            "select value from reference.pack_params where parameter = 'pupil_mastery_share'").fetchone()
    finally:
        con.close()
    return PackData(int(year), frames, schools, float(share[0]) if share else float("nan"))


# --- files -------------------------------------------------------------------------------------

def write_school_pack(data: PackData, school_code: str, oo_dir: Path, generated_at: datetime) -> list[Path]:
    """`<Код ОО>.xlsx` and `<Код ОО>.pdf` of one school, from that school's rows only."""
    from reports.packs_pdf import write_pack_pdf
    from reports.packs_xlsx import write_pack_xlsx

    own = data.for_schools({school_code})
    oo_dir.mkdir(parents=True, exist_ok=True)
    xlsx = write_pack_xlsx(own, school_code, oo_dir / f"{school_code}.xlsx", generated_at)
    pdf = write_pack_pdf(own, school_code, oo_dir / f"{school_code}.pdf", generated_at)
    return [xlsx, pdf]


def write_manifest(folder: Path, *, year: int, mo_code: str, generated_at: datetime) -> Path:
    """`manifest.json` of one municipal folder: every file in it but itself (path, bytes, SHA-256)."""
    from reports.publication import sha256_file
    from reports.render import software_version

    files = [{"path": p.name, "sha256": sha256_file(p), "bytes": p.stat().st_size}
             for p in sorted(folder.iterdir()) if p.is_file() and p.name != "manifest.json"]
    manifest = {"year": int(year), "mo_code": str(mo_code), "generated_at": generated_at.isoformat(timespec="seconds"),
                "software_version": software_version(), "restricted": True, "files": files}
    target = folder / "manifest.json"
    target.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target


def link_or_copy(source: Path, target: Path) -> None:
    """The municipal folder's copy of a pack: a hard link where the file system allows it (the
    same bytes, stored once — at region scale the packs are ~40 MB), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


CHUNK = 8
"""Schools per worker task: municipalities differ tenfold in size, so tasks of a few schools keep
both workers busy to the end (with one task per municipality, the region run used about one worker on average)."""


def build_schools(data: PackData, codes: list[str], mo_code: str, stage_dir: str | Path,
                  generated_at: datetime) -> dict:
    """In a worker (or inline): the packs of these schools of one municipality into `oo/`, and
    their links into `mo/<Код МО>/`. `data` is the slice of these schools."""
    cpu = time.process_time()
    stage_dir = Path(stage_dir)
    mo_dir = stage_dir / "mo" / str(mo_code)
    mo_dir.mkdir(parents=True, exist_ok=True)
    for code in codes:
        for path in write_school_pack(data, code, stage_dir / "oo", generated_at):
            link_or_copy(path, mo_dir / path.name)
    return {"mo_code": mo_code, "schools": len(codes), "cpu_s": time.process_time() - cpu}


PACK_NICENESS = 10
"""How much lower the pack tasks run than the public reports (Unix `nice`). The pool's workers turn
to the packs once the municipal reports are done, while this process still renders the regional
report, the DOCX and the annex: at equal priority three busy processes share two cores. Lowered,
the packs take what the public documents leave (large region, 120 pack tasks: `public/` 78.9 →
76.8 s), and the whole publication's CPU stays the same."""

def lower_cpu_priority() -> None:
    """Lower this process's CPU priority by PACK_NICENESS (where the system has `nice`): for work
    that should take what the public reports leave — the pack tasks, and the data tables that
    `rsoko run` writes meanwhile."""
    if hasattr(os, "nice"):
        try:
            os.nice(PACK_NICENESS)
        except OSError:
            pass


@cache
def _yield_to_public_reports() -> None:
    """Lower this worker's CPU priority, once per process (cached): workers take every municipal
    report before the first pack task, so nothing public runs here afterwards."""
    lower_cpu_priority()


def build_schools_in_worker(data: PackData, codes: list[str], mo_code: str, stage_dir: str,
                            generated_at: datetime) -> dict:
    """`build_schools` as a pool task: behind the public reports in the CPU's queue, and without
    the cycle collector's passes. A pack keeps some hundred thousand objects alive until its file
    is written, and the worker holds the cell caches of reports.packs_cells (up to ~200 000
    cells): the collector's full passes walked all of that ~70 times per region run. A pack makes
    almost no cyclic garbage once its workbook's cycle is cut (reports.worksheet.close_workbook),
    about 300 objects a school, so pausing for one task (≤ CHUNK schools) costs no memory. Region:
    the packs' CPU 48 → 36 s. In a thread pool this would pause the publishing process too."""
    _yield_to_public_reports()
    with collector.paused():
        return build_schools(data, codes, mo_code, stage_dir, generated_at)


def tasks(data: PackData) -> list[tuple[str, list[str]]]:
    """(Код МО, up to CHUNK of its schools) for every school that sat ВПР."""
    mo_of = dict(zip(data.schools["school_code"].astype(str), data.schools["mo_code"].astype(str)))
    codes_by_mo: dict[str, list[str]] = {}
    for code in data.school_codes:          # sorted, so each municipality's list is sorted too
        if code in mo_of:
            codes_by_mo.setdefault(mo_of[code], []).append(code)
    out = []
    for mo in data.mo_codes:
        codes = codes_by_mo.get(mo, [])
        out += [(mo, codes[i:i + CHUNK]) for i in range(0, len(codes), CHUNK)]
    return out


def write_manifests(data: PackData, stage: Path, generated_at: datetime) -> None:
    """Each municipal folder's manifest, once all its packs are written."""
    for mo in data.mo_codes:
        write_manifest(Path(stage) / "mo" / mo, year=data.year, mo_code=mo, generated_at=generated_at)


def stage_dir(out_dir: Path) -> Path:
    """A fresh staging folder for restricted/ beside it (removed first if a killed run left it)."""
    stage = Path(out_dir) / f"{STAGING_PREFIX}{os.getpid()}"
    if stage.exists():
        shutil.rmtree(stage)
    (stage / "oo").mkdir(parents=True)
    (stage / "mo").mkdir()
    return stage


def swap_in(stage: Path, out_dir: Path) -> Path:
    """Replace OUT/<year>/restricted by the complete staging folder (see rsoko.atomic)."""
    from rsoko.atomic import swap_in as swap

    target = Path(out_dir) / RESTRICTED
    swap(Path(stage), target)
    return target


IN_FLIGHT = 4
"""Pack tasks on the pool at once (two per worker): each holds its slice until its result is back,
so submitting all ~400 of a large region at once kept a second copy of every pack row (3 GB)."""


class Feeder(threading.Thread):
    """Puts the pack tasks on the publication's pool a few at a time, each with its schools' slice
    only, while the publishing process goes on with the regional report."""

    def __init__(self, pool, data: PackData, stage: Path, generated_at: datetime) -> None:
        super().__init__(name="rsoko-packs", daemon=True)
        self.pool, self.data, self.stage, self.generated_at = pool, data, stage, generated_at
        self.futures: list = []
        self.error: BaseException | None = None
        self._room = threading.Semaphore(IN_FLIGHT)
        # a worker process of the publication's pool yields the CPU to the public reports; a thread
        # (a pool of threads in this process) must not lower this whole process
        self._task = build_schools_in_worker if isinstance(pool, ProcessPoolExecutor) else build_schools
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            work = tasks(self.data)
            for (mo, codes), part in zip(work, self.data.for_school_groups([codes for _, codes in work])):
                while not self._room.acquire(timeout=0.5):
                    if self._stopping.is_set():
                        return
                if self._stopping.is_set():
                    return
                future = self.pool.submit(self._task, part, codes, mo, str(self.stage), self.generated_at)
                future.add_done_callback(self._done)
                self.futures.append(future)
                del part
        except BaseException as exc:       # re-raised in the publishing thread by collect()
            self.error = exc

    def _done(self, future) -> None:
        if future.cancelled() or future.exception() is not None:
            self._stopping.set()        # a failed task fails the publication: feed no more (first)
        self._room.release()

    def stop(self) -> None:
        """No more tasks (the publication failed or is shutting the pool down)."""
        self._stopping.set()


def submit(pool, data: PackData, stage: Path, generated_at: datetime) -> Feeder:
    """Start feeding the pack tasks to the publication's worker pool."""
    feeder = Feeder(pool, data, stage, generated_at)
    feeder.start()
    return feeder


def collect(feeder: Feeder, data: PackData, stage: Path, generated_at: datetime) -> list[dict]:
    """Wait for every pack task, then write the municipal manifests."""
    feeder.join()
    if feeder.error is not None:
        raise feeder.error
    results = [f.result() for f in feeder.futures]
    write_manifests(data, stage, generated_at)
    return results


def build_all(data: PackData, stage: Path, generated_at: datetime) -> list[dict]:
    """Every pack in this process (a publication without workers)."""
    work = tasks(data)
    results = [build_schools(part, codes, mo, stage, generated_at)
               for (mo, codes), part in zip(work, data.for_school_groups([codes for _, codes in work]))]
    write_manifests(data, stage, generated_at)
    return results
