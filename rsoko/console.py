"""What a person sees while `rsoko run` works, and the run's log file.

Progress goes to stdout: on a terminal a `rich` progress display (a line per stage, with a bar
and the current file while ingesting); otherwise — a pipe, a log collector, a test — plain
lines, one per stage and one per file, that a script can follow. `rich` was chosen because it
is well kept, already installed with Dagster (so no new dependency), and falls back cleanly.
`--quiet` silences progress (errors still go to stderr as one line); `--verbose` adds each
file's outcome and dbt's own output.

Independently of those flags every run writes everything — stages, files, dbt's output, the
summary and the error with its traceback — to OUT/logs/run-YYYYmmdd-HHMMSS.log: not part of
the publication, but what an engineer reads after a failed night run.
"""
from __future__ import annotations

import logging
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from rsoko.pipeline import STAGES, Progress

LOG_DIR = "logs"


def seconds_ru(seconds: float) -> str:
    """1.25 -> «1,2 с» (Russian decimal comma)."""
    return f"{seconds:.1f} с".replace(".", ",")


def open_run_log(out: Path, now: datetime | None = None) -> tuple[logging.Logger, Path]:
    """A logger writing to a new OUT/logs/run-YYYYmmdd-HHMMSS.log (UTF-8); returns it and the path."""
    now = now or datetime.now()
    folder = Path(out) / LOG_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"run-{now:%Y%m%d-%H%M%S}.log"
    if path.exists():                          # two runs started in the same second
        path = folder / f"run-{now:%Y%m%d-%H%M%S}-{os.getpid()}.log"
    logger = logging.getLogger(f"rsoko.run.{os.getpid()}.{id(path)}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    logger.addHandler(handler)
    return logger, path


def close_log(logger: logging.Logger) -> None:
    for handler in list(logger.handlers):
        handler.close()
        logger.removeHandler(handler)


class Console(Progress):
    """The pipeline's `Progress`, drawn for a person and written to the run log."""

    def __init__(self, log: logging.Logger | None = None, *, quiet: bool = False, verbose: bool = False,
                 stream: TextIO | None = None, tty: bool | None = None):
        self.log = log or logging.getLogger("rsoko.null")
        self.quiet, self.verbose = quiet, verbose
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self._progress = None
        self._tasks: dict[str, int] = {}

    # -- lifetime: the rich display lives between start() and stop()
    def start(self) -> "Console":
        if self.tty and not self.quiet:
            from rich.console import Console as RichConsole
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, SpinnerColumn, \
                TextColumn, TimeElapsedColumn

            self._progress = RichProgress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                          MofNCompleteColumn(), TimeElapsedColumn(),
                                          console=RichConsole(file=self.stream), transient=False)
            self._progress.start()
        return self

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> "Console":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what the pipeline reports
    def stage(self, key: str) -> None:
        name = STAGES.get(key, key)
        self.log.info("этап «%s» начат", name)
        if self.quiet:
            return
        if self._progress is not None:
            self._tasks[key] = self._progress.add_task(name, total=None)
        else:
            self.say(f"— {name}…")

    def done(self, key: str, seconds: float) -> None:
        name = STAGES.get(key, key)
        self.log.info("этап «%s» окончен за %s", name, seconds_ru(seconds))
        if self.quiet:
            return
        if self._progress is not None and key in self._tasks:
            task = self._tasks[key]
            total = self._progress.tasks[task].total or 1
            self._progress.update(task, total=total, completed=total, description=f"{name} — {seconds_ru(seconds)}")
        else:
            self.say(f"  {name}: {seconds_ru(seconds)}")

    def file(self, done: int, total: int, name: str) -> None:
        self.log.info("файл [%d/%d] %s", done, total, name)
        if self.quiet or not name:
            return
        if self._progress is not None and "ingest" in self._tasks:
            self._progress.update(self._tasks["ingest"], total=total, completed=done,
                                  description=f"{STAGES['ingest']}: {name}")
        else:
            self.say(f"  [{done}/{total}] {name}")

    def detail(self, text: str) -> None:
        """Details a person asks for with --verbose (always in the log)."""
        self.log.debug("%s", text)
        if self.verbose and not self.quiet:
            self.say(text)

    # -- output
    def say(self, text: str) -> None:
        """A line for the person (through rich while its display is live, so the bars stay intact)."""
        if self._progress is not None:
            self._progress.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=self.stream, flush=True)
