"""The command line as a person uses it: progress, --quiet/--verbose, the log file, --help, the
default year. Every test runs the real CLI as a subprocess (on a pipe, or on a pseudo-terminal)."""
from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys

import pytest

from rsoko import pipeline
from tests.conftest import run_cli

PY = sys.executable
STAGE_LINES = ["— загрузка…", "— модели dbt…", "— таблицы данных…", "— отчёты…"]


def _unrecognised_inbox(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "заметки.txt").write_text("это не выгрузка\n", encoding="utf-8")
    return inbox


def test_demo_run_prints_stages_files_summary_and_russian_final_line(demo_run):
    lines = demo_run["stdout"].splitlines()
    stage_positions = [lines.index(s) for s in STAGE_LINES]
    assert stage_positions == sorted(stage_positions)               # in the pipeline's order
    n_files = sum(1 for p in demo_run["inbox"].rglob("*") if p.is_file())
    file_lines = [l for l in lines if re.match(r"^  \[\d+/\d+\] ", l)]
    assert len(file_lines) == n_files and file_lines[-1].startswith(f"  [{n_files}/{n_files}] ")
    assert any(l.startswith(f"Загрузка: новых файлов {n_files} ") for l in lines)
    assert any("Журнал загрузки:" in l and l.endswith("ingestion_ledger.csv") for l in lines)
    (final,) = [l for l in lines if l.startswith("Опубликовано: ")]
    for name in ("загрузка", "модели dbt", "таблицы данных", "отчёты", "всего"):
        assert f"{name} " in final
    assert "_s" not in final and "ingest" not in final


def test_every_run_writes_a_log_file_outside_the_publication(demo_run):
    logs = sorted((demo_run["out"] / "logs").glob("run-*.log"))
    assert logs and re.fullmatch(r"run-\d{8}-\d{6}(-\d+)?\.log", logs[0].name)
    text = logs[0].read_text(encoding="utf-8")
    for stage in ("загрузка", "модели dbt", "таблицы данных", "отчёты"):
        assert f"этап «{stage}» окончен" in text
    assert "Опубликовано: " in text
    assert str(logs[0]) in demo_run["stdout"]                     # the run says where its log is
    public_files = [p for p in demo_run["public"].rglob("*") if p.is_file()]
    assert not [p for p in public_files if p.suffix == ".log"]


def test_quiet_rerun_prints_nothing_and_still_logs(demo_run):
    before = set((demo_run["out"] / "logs").glob("run-*.log"))
    proc = run_cli("run", "--data", str(demo_run["inbox"]), "--year", str(demo_run["year"]), "--out",
                   str(demo_run["out"]), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""
    (new,) = set((demo_run["out"] / "logs").glob("run-*.log")) - before
    assert "актуальна" in new.read_text(encoding="utf-8")


def test_verbose_adds_each_files_outcome(tmp_path):
    inbox = _unrecognised_inbox(tmp_path)
    plain = run_cli("run", "--data", str(inbox), "--out", str(tmp_path / "a"))
    verbose = run_cli("run", "--data", str(inbox), "--out", str(tmp_path / "b"), "--verbose")
    for proc in (plain, verbose):
        assert proc.returncode == 2
        assert "  [1/1] заметки.txt" in proc.stdout
        assert len(proc.stderr.strip().splitlines()) == 1 and "ни за один год" in proc.stderr
        assert "Журнал прогона: " in proc.stdout
    outcome = "  заметки.txt: unrecognised — не распознано, строк 0 из 0, в карантине 0"
    assert outcome not in plain.stdout
    assert any(l.startswith(outcome) for l in verbose.stdout.splitlines())
    assert outcome in next((tmp_path / "a" / "logs").glob("run-*.log")).read_text(encoding="utf-8")


def test_quiet_and_verbose_together_are_refused():
    proc = run_cli("run", "--data", ".", "--out", "x", "--quiet", "--verbose")
    assert proc.returncode == 2 and "not allowed with" in proc.stderr


def _run_on_a_terminal(args: list[str], timeout_s: float = 120) -> tuple[int, str]:
    """Run the CLI with stdout and stderr on a pseudo-terminal; return its exit code and output."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([PY, "-m", "rsoko.cli", *args], stdout=slave, stderr=slave, stdin=subprocess.DEVNULL,
                            env={**os.environ, "COLUMNS": "120", "TERM": "xterm"})
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], timeout_s)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(master, 65536)
        except OSError:                     # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=30), b"".join(chunks).decode("utf-8", errors="replace")


def test_on_a_terminal_progress_is_a_rich_display_not_plain_lines(tmp_path):
    inbox = _unrecognised_inbox(tmp_path)
    code, output = _run_on_a_terminal(["run", "--data", str(inbox), "--out", str(tmp_path / "out")])
    assert code == 2
    assert "\x1b[" in output                                        # drawn with terminal control codes
    assert "загрузка" in output and re.search(r"\d:\d\d:\d\d", output)   # stage with its elapsed time
    assert "— загрузка…" not in output                              # not the plain line of a pipe
    assert "Ошибка: " in output


def test_run_help_lists_exit_codes_and_an_example():
    proc = run_cli("run", "--help")
    assert proc.returncode == 0
    for code in range(6):
        assert re.search(rf"^  {code}  ", proc.stdout, re.M), code
    assert "rsoko run --data INBOX --year 2025 --out OUT" in proc.stdout
    assert "--quiet" in proc.stdout and "--verbose" in proc.stdout and "OUT/logs/run-" in proc.stdout


def test_default_year_is_the_latest_with_results(demo_run):
    assert pipeline.require_results(demo_run["warehouse"], None, demo_run["inbox"]) == max(demo_run["years"])


def test_no_results_in_any_year_without_year_is_one_line_and_exit_2(tmp_path):
    inbox = _unrecognised_inbox(tmp_path)
    proc = run_cli("run", "--data", str(inbox), "--out", str(tmp_path / "out"), "--quiet")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines()[0].startswith("Ошибка: во входной папке") and "Traceback" not in proc.stderr
