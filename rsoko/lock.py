"""One run at a time on a warehouse and an output folder, for the CLI and Dagster alike.

DuckDB allows one writer per file, and a publication swaps folders under OUT/<year>: two runs at
once would fail half-way with DuckDB's English IOException, or interleave their outputs. Each run
therefore takes an exclusive `flock` on a lock file beside the warehouse and one in OUT before it
touches either. The kernel drops the lock when the process dies, so a killed run never leaves a
stale lock behind. Locks are re-entrant within a process (a Dagster run holds them for all its
steps; the pipeline steps it calls do not lock again).
"""
from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

from rsoko.errors import Busy

POLL_S = 0.2
_held: dict[str, tuple[int, int]] = {}   # lock file -> (fd, depth), in this process


def lock_files(warehouse: Path, out: Path) -> list[Path]:
    """The two lock files of a run, in a fixed order (so two runs can never deadlock)."""
    warehouse = Path(warehouse).resolve()
    paths = {warehouse.with_name(warehouse.name + ".lock"), Path(out).resolve() / ".rsoko.lock"}
    return sorted(paths)


def _holder(path: Path) -> str:
    """Who holds a lock, from what the holder wrote into the file (best effort)."""
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return f" (процесс {info['pid']}, начат {info['started']})"
    except (OSError, ValueError, KeyError, TypeError):
        return ""


@contextmanager
def _one(path: Path, wait_s: float) -> Iterator[None]:
    key = str(path)
    if key in _held:
        fd, depth = _held[key]
        _held[key] = (fd, depth + 1)
        try:
            yield
        finally:
            fd, depth = _held[key]
            _held[key] = (fd, depth - 1)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + max(0.0, wait_s)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise Busy(f"{path.parent} занят другим прогоном{_holder(path)}; "
                           f"дождитесь его окончания и повторите запуск") from None
            time.sleep(POLL_S)
    os.ftruncate(fd, 0)
    os.write(fd, json.dumps({"pid": os.getpid(),
                             "started": datetime.now().strftime("%d.%m.%Y %H:%M:%S")}).encode())
    _held[key] = (fd, 1)
    try:
        yield
    finally:
        fd, depth = _held[key]
        if depth <= 1:
            del _held[key]
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        else:
            _held[key] = (fd, depth - 1)


@contextmanager
def run_lock(warehouse: Path, out: Path, *, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the warehouse and OUT for one run; raise `Busy` (one Russian line) if another run has
    them for longer than `wait_s` seconds."""
    with ExitStack() as stack:
        for path in lock_files(warehouse, out):
            stack.enter_context(_one(path, wait_s))
        yield


def acquire(warehouse: Path, out: Path, *, wait_s: float = 0.0) -> ExitStack:
    """`run_lock` as an object to release later (`.close()`), for Dagster's resource life cycle."""
    stack = ExitStack()
    try:
        stack.enter_context(run_lock(warehouse, out, wait_s=wait_s))
    except BaseException:
        stack.close()
        raise
    return stack
