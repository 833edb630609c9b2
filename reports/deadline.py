"""The 15 December deadline of the yearly report (methodology, «Deadline»).

Pure apart from looking at the published folder: the date is injected, never read from a clock,
so the check is tested for 14, 15 and 16 December and the Dagster asset check passes its own
clock.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from reports.formatting import fmt_date_long

DEADLINE_MONTH, DEADLINE_DAY = 12, 15


def deadline(year: int) -> date:
    """The day by which the report for `year` must be published."""
    return date(int(year), DEADLINE_MONTH, DEADLINE_DAY)


def latest_passed_deadline_year(today: date) -> int:
    """The year whose deadline is the latest one on or before `today`.

    Why not `today.year`: from 1 January to 14 December the year just ended is the one whose
    report is due; looking at the current calendar year would let a missing report go green
    after 31 December (methodology, «Deadline»).
    """
    return today.year if today >= deadline(today.year) else today.year - 1


def is_published(out_dir: Path, year: int) -> bool:
    """out_dir/<year>/public has report.pdf and a manifest.json for that year."""
    public = Path(out_dir) / str(year) / "public"
    report, manifest = public / "report.pdf", public / "manifest.json"
    if not (report.is_file() and report.stat().st_size > 0 and manifest.is_file()):
        return False
    try:
        return int(json.loads(manifest.read_text(encoding="utf-8")).get("year")) == int(year)
    except (ValueError, TypeError, json.JSONDecodeError):
        return False


def deadline_status(out_dir: Path, year: int, today: date) -> tuple[bool, str]:
    """(ok, message in Russian): False only when `today` ≥ 15 December of `year` and no report is published.

    `out_dir` is the OUT root (the report is looked for in out_dir/<year>/public/).
    """
    due = deadline(year)
    published = is_published(out_dir, year)
    if published:
        return True, f"Отчёт за {year} год опубликован (срок — {fmt_date_long(due)})."
    if today >= due:
        late = (today - due).days
        tail = f"; дней после срока: {late}" if late else ""
        return False, (f"Отчёт за {year} год не опубликован к сроку {fmt_date_long(due)}{tail}. "
                       f"Нет файлов report.pdf и manifest.json в {Path(out_dir) / str(year) / 'public'}.")
    left = (due - today).days
    return True, f"Отчёт за {year} год ещё не опубликован; до срока ({fmt_date_long(due)}) осталось дней: {left}."
