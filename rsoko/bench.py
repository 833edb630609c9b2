"""`rsoko bench`: stage-by-stage timings of a real run, against the floor of a raw parse.

What it measures, on an inbox generated once per scale and seed (and reused):
- raw_parse_s: every input file read once with the fastest readers (calamine for XLSX, the csv
  module for CSV), cells materialised, nothing validated or stored: the floor;
- end_to_end_s: a fresh `rsoko run` in a subprocess (new warehouse, new output folder), with its
  own stage timings: ingest_s (readers + validation + load), dbt_s (the dbt build but the time
  when marker or deficit nodes were running), markers_s (objectivity markers and deficits: the
  wall-clock union of those dbt nodes' execution intervals from run_results.json), publish_s
  (data tables + reports);
- rerun_s: the same command again on the unchanged inbox;
- publication_by_kind_s: the publication's CPU seconds per file kind (PDF, DOCX, XLSX, HTML,
  charts, school packs, the Document trees, the page and manifest), summed over the processes
  (CPU, not wall: on a shared machine a worker's wall seconds grow with whatever else runs);
- peak_rss_mb: the peak memory of the whole process tree (this process, the run, dbt, renderers):
  the sum of each process's PSS (shared pages divided among the processes mapping them, so
  processes that share pages do not count them twice), sampled from /proc every second (reading
  the PSS of a process of several GB walks its page tables: at 0.2 s the sampler took a third of
  a core of the two it was measuring).
Timings belong here, never in tests.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from rsoko import settings

SCALES = {"region": "region", "large": "large"}
# reports.publication.PublicationResult.kinds, in print order
PUBLICATION_KINDS = ("pdf", "docx", "xlsx", "html", "charts", "packs", "build", "index")
PUBLICATION_KIND_NAMES = {"pdf": "PDF", "docx": "DOCX", "xlsx": "XLSX", "html": "HTML", "charts": "charts",
                          "packs": "school packs", "build": "documents", "index": "index+manifest"}
MARKER_PATHS = ("models/marts/objectivity", "models/marts/vpr", "models/intermediate/vpr")


class TreeMemorySampler(threading.Thread):
    """Samples the memory of this process and all its descendants: the sum of their PSS.

    PSS, not RSS: processes that share pages (shared libraries; forked workers, which the
    publication once used) count them once each in RSS — summed RSS said 17 GB for a large
    region. PSS divides a shared page among the processes that map it, so the sum is the
    memory the tree really uses. RSS where the kernel gives no
    `smaps_rollup`."""

    def __init__(self, interval: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_kb = 0
        # when the peak came (seconds after start) and the processes holding most of it, so a
        # large figure can be traced to its stage and its process
        self.peak_at_s = 0.0
        self.peak_processes: list[tuple[str, int]] = []
        self._stop_event = threading.Event()

    @staticmethod
    def _tree_rss_kb(root: int) -> dict[int, int]:
        """RSS (kB) of `root` and each of its descendants, by pid (cheap: `/proc/<pid>/status`)."""
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as fh:
                    fields = dict(line.split(":", 1) for line in fh if ":" in line)
            except OSError:
                continue
            pid = int(entry)
            parents[pid] = int(fields.get("PPid", "0").strip() or 0)
            rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
        tree: dict[int, int] = {}
        for pid in rss:
            p = pid
            while p and p != root:
                p = parents.get(p, 0)
            if p == root:
                tree[pid] = rss[pid]
        return tree

    @staticmethod
    def _command(pid: int) -> str:
        """A short name for the process: its command line without the interpreter, 60 characters."""
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                argv = fh.read().split(b"\0")
        except OSError:
            return str(pid)
        words = [w.decode(errors="replace") for w in argv if w]
        words = [Path(w).name if i == 0 or w.startswith("/") else w for i, w in enumerate(words)]
        if words and words[0].startswith("python"):
            words = words[1:]
        return " ".join(words)[:60] or str(pid)

    @staticmethod
    def _pss_kb(pid: int, rss_kb: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return rss_kb

    def run(self) -> None:
        root = os.getpid()
        started = time.perf_counter()
        while not self._stop_event.is_set():
            # a process's PSS never exceeds its RSS: while the tree's summed RSS is not above the
            # peak, its PSS cannot be either, and the costly PSS (62 ms of kernel time for a 3 GB
            # process; the sampler took 15 % of a core in a large run) is not read
            rss = self._tree_rss_kb(root)
            if sum(rss.values()) <= self.peak_kb:
                self._stop_event.wait(self.interval)
                continue
            tree = {pid: self._pss_kb(pid, kb) for pid, kb in rss.items()}
            total = sum(tree.values())
            if total > self.peak_kb:
                self.peak_kb = total
                self.peak_at_s = time.perf_counter() - started
                top = sorted(tree.items(), key=lambda item: -item[1])[:3]
                self.peak_processes = [(self._command(pid), kb) for pid, kb in top]
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak_kb


def raw_parse(inbox: Path) -> dict:
    """Read every file once with the fastest readers; return seconds and counts (the floor)."""
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    cells = files = 0
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        files += 1
        if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
            try:
                book = CalamineWorkbook.from_path(str(path))
                for name in book.sheet_names:
                    for row in book.get_sheet_by_name(name).to_python():
                        cells += len(row)
            except Exception:  # a truncated workbook costs its attempt, nothing more
                continue
        else:
            data = path.read_bytes()
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp1251")
            for row in csv.reader(io.StringIO(text), delimiter=";"):
                cells += len(row)
    return {"raw_parse_s": time.perf_counter() - started, "files": files, "cells": cells}


def _ensure_inbox(scale: str, workdir: Path, seed: int) -> tuple[Path, int]:
    from synthetic import generate_region

    base = workdir / f"{scale}-{seed}"
    inbox, truth = base / "inbox", base / "truth"
    stamp = base / "generated.json"
    if not stamp.exists():
        shutil.rmtree(base, ignore_errors=True)
        started = time.perf_counter()
        summary = generate_region(inbox, truth, seed=seed, scale=SCALES[scale])
        stamp.write_text(json.dumps({"seconds": time.perf_counter() - started, "years": summary["years"]}))
    years = json.loads(stamp.read_text())["years"]
    return inbox, max(years)


def _markers_seconds(run_results: Path) -> float:
    """Wall-clock seconds during which a marker/deficit dbt node was executing in the last run.

    The union of their execution intervals (from run_results.json), not the sum of node times:
    dbt runs two threads, so summed node times would count overlapping work twice and could
    exceed the whole dbt build.
    """
    if not run_results.exists():
        return 0.0
    results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    manifest = json.loads((run_results.parent / "manifest.json").read_text(encoding="utf-8"))
    intervals = []
    for result in results:
        node = manifest["nodes"].get(result["unique_id"], {})
        path = node.get("original_file_path", "")
        if any(path.startswith(prefix) for prefix in MARKER_PATHS):
            span = next((t for t in result.get("timing", []) if t.get("name") == "execute"), None)
            if span and span.get("started_at") and span.get("completed_at"):
                intervals.append((_instant(span["started_at"]), _instant(span["completed_at"])))
    return union_seconds(intervals)


def _instant(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def union_seconds(intervals: list[tuple[float, float]]) -> float:
    """Length of the union of [start, end] intervals (overlaps counted once)."""
    total, end = 0.0, float("-inf")
    for start, stop in sorted(intervals):
        if stop <= end:
            continue
        total += stop - max(start, end)
        end = stop
    return total


def _input_counts(warehouse: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        vpr_works, task_cells, gia_rows = con.execute(
            """select (select count(*) from raw.vpr_results), (select count(*) from raw.vpr_tasks),
                      (select count(*) from raw.gia11) + (select count(*) from raw.gia9)"""
        ).fetchone()
    finally:
        con.close()
    return {"vpr_works": vpr_works, "task_cells": task_cells, "gia_rows": gia_rows}


def _publication_seconds(timings: dict) -> float:
    """The data tables and the publication, wall: written at the same time since `publication_s`
    was recorded, one after the other before."""
    if "publication_s" in timings:
        return timings["publication_s"]
    return timings.get("export_s", 0.0) + timings.get("publish_s", 0.0)


def _stage_at(at_s: float, parse_s: float, end_to_end_s: float, timings: dict) -> str:
    """The stage running `at_s` seconds after the bench started: the raw parse, then the first run's
    stages in their order (ingestion, dbt, the data tables and the publication), then the rerun."""
    edge = parse_s
    if at_s < edge:
        return "raw_parse"
    for stage, key in (("ingest", "ingest_s"), ("dbt", "dbt_s"), ("publish", None)):
        edge += _publication_seconds(timings) if key is None else timings.get(key, 0.0)
        if at_s < edge:
            return stage
    return "rerun" if at_s >= parse_s + end_to_end_s else "publish"


def _timed_run(inbox: Path, year: int, out: Path, target: Path) -> tuple[float, dict]:
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "rsoko.cli", "run", "--data", str(inbox), "--year", str(year), "--out", str(out),
           "--quiet", "--dbt-target", str(target)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"rsoko run failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    state = json.loads((out / str(year) / ".rsoko_state.json").read_text())
    return seconds, state.get("timings", {})


def run_bench(scale: str, out_file: Path, *, workdir: Path, seed: int = 2025) -> dict:
    """Run the benchmark at `scale` and write the JSON of the issue's format to `out_file`."""
    # the inbox has РЦОИ protocols: the runs use the bench's own pseudonymisation key
    os.environ.setdefault("RSOKO_KEY", str(Path(workdir) / "bench-pseudonym.key"))
    inbox, year = _ensure_inbox(scale, workdir, seed)
    run_out = workdir / f"{scale}-{seed}" / "run"
    shutil.rmtree(run_out, ignore_errors=True)
    target = run_out / "dbt-target"

    sampler = TreeMemorySampler()
    sampler.start()
    parse = raw_parse(inbox)
    end_to_end_s, timings = _timed_run(inbox, year, run_out, target)
    rerun_s, _ = _timed_run(inbox, year, run_out, target)
    peak_kb = sampler.stop()

    peak_stage = _stage_at(sampler.peak_at_s, parse["raw_parse_s"], end_to_end_s, timings)
    markers_s = _markers_seconds(target / "run_results.json")
    dbt_total = timings.get("dbt_s", 0.0)
    stages = {
        "raw_parse_s": round(parse["raw_parse_s"], 2),
        "ingest_s": round(timings.get("ingest_s", 0.0), 2),
        "dbt_s": round(dbt_total - markers_s, 2),
        "markers_s": round(markers_s, 2),
        "publish_s": round(_publication_seconds(timings), 2),
        # public/ alone: from the publication's start until every public file but the index is
        # staged (the school packs share the pool and may still be running)
        "publish_public_s": round(timings.get("publish_public_wall_s", 0.0), 2),
        "end_to_end_s": round(end_to_end_s, 2),
        "rerun_s": round(rerun_s, 2),
    }
    processing = timings.get("ingest_s", 0.0) + dbt_total
    # publication by file kind: CPU seconds summed over the publishing process and its workers
    # (two workers run at once, so the sum exceeds publish_s); from the run's own timings
    publication = {kind: round(timings[f"publish_{kind}_s"], 2) for kind in PUBLICATION_KINDS
                   if f"publish_{kind}_s" in timings}
    result = {
        "scale": scale,
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "inputs": _input_counts(run_out / "warehouse.duckdb"),
        "stages": stages,
        "ratios": {
            "processing_to_raw_parse": round(processing / parse["raw_parse_s"], 2) if parse["raw_parse_s"] else None,
            "public_to_raw_parse": (round(timings["publish_public_wall_s"] / parse["raw_parse_s"], 2)
                                    if parse["raw_parse_s"] and "publish_public_wall_s" in timings else None),
            "rerun_to_end_to_end": round(rerun_s / end_to_end_s, 3) if end_to_end_s else None,
        },
        "publication_by_kind_s": publication,
        "peak_rss_mb": round(peak_kb / 1024),
        "peak_memory": {"at_s": round(sampler.peak_at_s, 1), "stage": peak_stage,
                        "processes": [{"command": c, "mb": round(kb / 1024)} for c, kb in sampler.peak_processes]},
        "year": year,
    }
    out_file = Path(out_file)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    _print_table(result)
    return result


def run_layouts(scale: str, out_file: Path, *, workdir: Path, seed: int = 2025) -> dict:
    """Ingestion of the real layouts beside the normalised ones (`ingestion.bench.compare_layouts`),
    written to `out_file` as JSON and printed as a table."""
    from ingestion.bench import compare_layouts

    result = compare_layouts(SCALES[scale], Path(workdir), seed=seed)
    out_file = Path(out_file)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"rsoko bench --layouts — {scale}: ingestion + validation, seconds")
    print(f"{'layouts':<12}{'files':>8}{'seconds':>10}{'cpu':>10}{'gia rows':>12}{'vpr rows':>12}")
    for name in ("real", "normalised"):
        r = result[name]
        gia = r["rows"]["gia11"] + r["rows"]["gia9"]
        print(f"{name:<12}{r['files']:>8}{r['seconds']:>10.1f}{r['cpu_seconds']:>10.1f}{gia:>12,}"
              f"{r['rows']['vpr_results']:>12,}")
    print(f"real / normalised: {result['ratio']} wall, {result['cpu_ratio']} CPU")
    return result


def _print_table(result: dict) -> None:
    print(f"rsoko bench — {result['scale']}: {result['cores']} cores, {result['memory_gb']} GB")
    print("inputs: " + ", ".join(f"{k} {v:,}" for k, v in result["inputs"].items()))
    print(f"{'stage':<16}{'seconds':>10}")
    for stage, seconds in result["stages"].items():
        print(f"{stage:<16}{seconds:>10.2f}")
    by_kind = result.get("publication_by_kind_s", {})
    if by_kind:
        print("publication by file kind (CPU seconds, summed over processes):")
        for kind, seconds in by_kind.items():
            print(f"  {PUBLICATION_KIND_NAMES.get(kind, kind):<14}{seconds:>10.2f}")
    print(f"{'peak_rss_mb':<16}{result['peak_rss_mb']:>10}")
    peak = result.get("peak_memory")
    if peak:
        where = "; ".join(f"{p['command']} {p['mb']} MB" for p in peak["processes"])
        print(f"  at {peak['at_s']} s, {peak['stage']}: {where}")
    for name, value in result["ratios"].items():
        print(f"{name:<28}{value}")
