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
REPORT = "report.pdf"
EFFECTIVENESS = "effectiveness.pdf"
# the published file a deadline is about → how a message names it (the same date holds for both)
DOCUMENTS = {REPORT: ("Отчёт", "опубликован"),
             EFFECTIVENESS: ("Справка об эффективности принятых мер", "опубликована")}


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


def is_published(out_dir: Path, year: int, document: str = REPORT) -> bool:
    """out_dir/<year>/public has `document` (report.pdf by default) and a manifest.json for that year."""
    public = Path(out_dir) / str(year) / "public"
    report, manifest = public / document, public / "manifest.json"
    if not (report.is_file() and report.stat().st_size > 0 and manifest.is_file()):
        return False
    try:
        return int(json.loads(manifest.read_text(encoding="utf-8")).get("year")) == int(year)
    except (ValueError, TypeError, json.JSONDecodeError):
        return False


def deadline_status(out_dir: Path, year: int, today: date, document: str = REPORT) -> tuple[bool, str]:
    """(ok, message in Russian): False only when `today` ≥ 15 December of `year` and `document` (the
    report, or the «Справка об эффективности принятых мер») is not published.

    `out_dir` is the OUT root (the document is looked for in out_dir/<year>/public/).
    """
    due = deadline(year)
    name, done = DOCUMENTS[document]
    published = is_published(out_dir, year, document)
    if published:
        return True, f"{name} за {year} год {done} (срок — {fmt_date_long(due)})."
    not_done = "не " + done
    if today >= due:
        late = (today - due).days
        tail = f"; дней после срока: {late}" if late else ""
        return False, (f"{name} за {year} год {not_done} к сроку {fmt_date_long(due)}{tail}. "
                       f"Нет файлов {document} и manifest.json в {Path(out_dir) / str(year) / 'public'}.")
    left = (due - today).days
    return True, f"{name} за {year} год ещё {not_done}; до срока ({fmt_date_long(due)}) осталось дней: {left}."
