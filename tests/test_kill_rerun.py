"""Kill-and-rerun: a run's whole process group is killed (SIGKILL) during ingestion, during dbt and
during rendering; a plain rerun must then give `public/` and `data/` byte-identical to a clean
run's (but for manifest.json's `generated_at` and the date line of index.html). Also: a
zero-length state file and a deleted PDF are repaired by the next plain run.

The moment to kill is found from what the run itself shows, never from a fixed sleep: the
plain progress lines on stdout (a file line of ingestion), the dbt process appearing among the
run's children, a rendered file appearing in the run's staging folder.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rsoko import pipeline
from tests.conftest import run_cli

pytestmark = pytest.mark.slow

PY = sys.executable
WAIT_LIMIT_S = 600          # a safety net against a hung run, not a timing the test depends on


def _snapshot(year_dir: Path) -> dict[str, bytes]:
    """Relative path -> content of every file of public/ and data/, with the two parts that
    name the moment of publication normalised (manifest's generated_at, index.html's date)."""
    files = {}
    for part in ("public", "data"):
        for p in sorted((year_dir / part).rglob("*")):
            if not p.is_file():
                continue
            rel = p.relative_to(year_dir).as_posix()
            data = p.read_bytes()
            if rel == "public/manifest.json":
                manifest = json.loads(data)
                manifest.pop("generated_at", None)
                data = json.dumps(manifest, sort_keys=True).encode()
            elif rel == "public/index.html":
                text = data.decode("utf-8")
                data = re.sub(r"\d{2}\.\d{2}\.\d{4}", "DATE", text).encode()
            files[rel] = data
    return files


def _differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    names = sorted(set(a) | set(b))
    return [n for n in names if a.get(n) != b.get(n)]


def _start(inbox: Path, year: int, out: Path) -> subprocess.Popen:
    """The CLI in its own process group (as a scheduler or a shell job would run it)."""
    return subprocess.Popen([PY, "-m", "rsoko.cli", "run", "--data", str(inbox), "--year", str(year),
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)


def _children(pid: int) -> list[int]:
    """Every descendant of `pid` (from /proc)."""
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids + [g for k in kids for g in _children(k)]


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _wait_for(condition, proc: subprocess.Popen, what: str) -> None:
    started = time.monotonic()
    while not condition():
        assert proc.poll() is None, f"the run ended before {what}"
        assert time.monotonic() - started < WAIT_LIMIT_S, f"never saw {what}"
        time.sleep(0.05)


def _kill_group(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 60                 # the group is gone (dbt, the render pool)
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


def _read_until(proc: subprocess.Popen, predicate) -> str:
    for line in proc.stdout:
        if predicate(line.rstrip("\n")):
            return line
    raise AssertionError("the run's output ended before the expected line")


@pytest.fixture(scope="module")
def clean(demo_region, tmp_path_factory):
    out = tmp_path_factory.mktemp("clean") / "out"
    _publish(demo_region, out)
    return _snapshot(out / str(demo_region["year"]))


def _publish(demo_region, out: Path) -> subprocess.CompletedProcess:
    """A plain `rsoko run` of the demo year into `out`, which must succeed."""
    proc = run_cli("run", "--data", str(demo_region["inbox"]), "--year", str(demo_region["year"]), "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def _rerun_matches_clean(demo_region, out: Path, clean: dict[str, bytes]) -> None:
    _publish(demo_region, out)
    year_dir = out / str(demo_region["year"])
    assert _differences(_snapshot(year_dir), clean) == []
    leftovers = [p.name for p in year_dir.iterdir() if p.name not in ("public", "data", "restricted", pipeline.STATE_FILE)]
    assert leftovers == []                                    # no staging folder or temporary file left


def test_killed_during_ingestion_then_rerun(demo_region, clean, tmp_path):
    out = tmp_path / "out"
    proc = _start(demo_region["inbox"], demo_region["year"], out)
    try:
        _read_until(proc, lambda l: re.match(r"^  \[(\d+)/\d+\] ", l) and int(re.match(r"^  \[(\d+)", l)[1]) >= 20)
    finally:
        _kill_group(proc)
    assert not (out / str(demo_region["year"]) / "public").exists()
    _rerun_matches_clean(demo_region, out, clean)


def test_killed_during_dbt_then_rerun(demo_region, clean, tmp_path):
    out = tmp_path / "out"
    proc = _start(demo_region["inbox"], demo_region["year"], out)
    try:
        _read_until(proc, lambda l: l == "— модели dbt…")
        _wait_for(lambda: any("dbt" in _cmdline(c) and " build" in _cmdline(c) for c in _children(proc.pid)),
                  proc, "dbt running")
    finally:
        _kill_group(proc)
    _rerun_matches_clean(demo_region, out, clean)


def test_killed_during_rendering_keeps_the_previous_publication_then_rerun(demo_region, clean, tmp_path):
    out = tmp_path / "out"
    year_dir = out / str(demo_region["year"])
    _publish(demo_region, out)
    before = _snapshot(year_dir)
    proc = subprocess.Popen([PY, "-m", "rsoko.cli", "run", "--data", str(demo_region["inbox"]), "--year",
                             str(demo_region["year"]), "--out", str(out), "--force"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        _read_until(proc, lambda l: l == "— отчёты…")
        _wait_for(lambda: any(p.suffix == ".pdf" for p in year_dir.glob(".staging-*/**/*")), proc,
                  "a rendered PDF in the staging folder")
    finally:
        _kill_group(proc)
    assert _differences(_snapshot(year_dir), before) == []      # the killed run changed nothing published
    _rerun_matches_clean(demo_region, out, clean)


def test_zero_length_state_and_deleted_pdf_are_repaired_by_a_plain_run(demo_region, clean, tmp_path):
    out = tmp_path / "out"
    year_dir = out / str(demo_region["year"])
    _publish(demo_region, out)
    (year_dir / pipeline.STATE_FILE).write_bytes(b"")                 # what a power cut leaves
    _rerun_matches_clean(demo_region, out, clean)
    assert pipeline.read_state(year_dir)["fingerprint"]
    pdf = next((year_dir / "public" / "mo").glob("*.pdf"))
    pdf.unlink()
    proc = _publish(demo_region, out)
    assert f"public/mo/{pdf.name} отсутствует" in proc.stdout
    assert hashlib.sha256(pdf.read_bytes()).digest() == hashlib.sha256(clean[f"public/mo/{pdf.name}"]).digest()
    assert _differences(_snapshot(year_dir), clean) == []
