"""`bench_ingest`: how long ingestion+validation of an inbox takes, and how many rows per kind;
`compare_layouts`: the same for the real layouts (ФИС ОКО downloads, РЦОИ protocols) beside the
normalised ones of the same synthetic region.

Wired into `rsoko bench` by the CLI (`--layouts`); also `python -m ingestion.bench INBOX DB`.
The figures include everything a first run pays (Great Expectations' import and context, file
hashing, reading, validation, inserts), then a second run on the unchanged inbox (which must
only hash files).
"""
from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import duckdb

RAW_TABLES = ("register", "gia11", "gia11_tasks", "gia9", "gia9_tasks", "gia_appeals", "vpr_results", "vpr_tasks",
              "vpr_forms", "vpr_plan", "vpr_scale", "niko_results", "niko_tasks", "niko_questionnaire", "ege_min",
              "admissions")
# the generator's two families of layouts (input contract, first paragraph)
LAYOUTS = {"real": {"vpr_layout": "fisoko", "gia_layout": "rcoi"},
           "normalised": {"vpr_layout": "normalised", "gia_layout": "normalised"}}


def bench_ingest(inbox: Path, db: Path) -> dict:
    """Load `inbox` into a fresh DuckDB file `db`; return timings (s), rows per raw table, peak RSS (MB)."""
    from ingestion import load_inbox

    db = Path(db)
    for p in db.parent.glob(db.name + "*"):
        p.unlink()
    db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db))
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        report = load_inbox(con, Path(inbox))
        seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
        again = time.perf_counter()
        rerun = load_inbox(con, Path(inbox))
        rerun_seconds = time.perf_counter() - again
        rows = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in RAW_TABLES}
        statuses: dict[str, int] = {}
        for f in report.files:
            statuses[f.status] = statuses.get(f.status, 0) + 1
        return {
            "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu_seconds, 2),
            "rerun_seconds": round(rerun_seconds, 2),
            "rerun_changed": rerun.changed,
            "seconds_by_kind": {k: round(v, 2) for k, v in report.seconds_by_kind.items()},
            "rows": rows,
            "files": len(report.files),
            "statuses": statuses,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    finally:
        con.close()


def bench_ingest_child(inbox: Path, db: Path) -> dict:
    """`bench_ingest` in a fresh Python process (`python -m ingestion.bench INBOX DB`).

    Each layout family is measured from the same cold start: in one process the first family
    measured would pay alone for importing Great Expectations and building its context (about
    ten seconds on this machine), which once made the real layouts look slower than they are.
    """
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "ingestion.bench", str(inbox), str(db)], capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"ingestion bench of {inbox} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout[proc.stdout.index("{"):])


def compare_layouts(scale, workdir: Path, seed: int = 2025) -> dict:
    """Ingestion of one synthetic region in the real layouts and in the normalised ones.

    Both inboxes come from the same seed and scale (the same pupils and results), are generated
    once into `workdir` and reused; each is loaded into a fresh warehouse by a fresh process.
    `ratio` is real over normalised ingestion wall seconds (the target of issue 10 is ≤ 1.5),
    `cpu_ratio` the same for CPU seconds — the fairer figure on a shared machine, where wall
    seconds depend on what else runs.
    """
    import os

    from synthetic import generate_region

    workdir = Path(workdir)
    # protocols need the pseudonymisation key: the bench's own, never the institute's
    os.environ.setdefault("RSOKO_KEY", str(workdir / "bench-pseudonym.key"))
    out: dict = {"scale": str(scale), "seed": seed}
    for name, layout in LAYOUTS.items():
        base = workdir / f"layouts-{scale}-{seed}-{name}"
        stamp = base / "generated.json"
        if not stamp.exists():
            for p in base.glob("*"):
                if p.is_file():
                    p.unlink()
            started = time.perf_counter()
            summary = generate_region(base / "inbox", base / "truth", seed=seed, scale=scale, **layout)
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(json.dumps({"seconds": time.perf_counter() - started, "files": len(summary["files"])}))
        got = bench_ingest_child(base / "inbox", base / "warehouse.duckdb")
        got["generate_s"] = round(json.loads(stamp.read_text())["seconds"], 1)
        out[name] = got
    out["ratio"] = round(out["real"]["seconds"] / out["normalised"]["seconds"], 2)
    out["cpu_ratio"] = round(out["real"]["cpu_seconds"] / out["normalised"]["cpu_seconds"], 2)
    return out


if __name__ == "__main__":
    print(json.dumps(bench_ingest(Path(sys.argv[1]), Path(sys.argv[2])), ensure_ascii=False, indent=1))
