"""A sensor that notices new or changed files in the inbox and asks for the year's run."""

import hashlib
import json
from pathlib import Path

from dagster import RunRequest, SensorEvaluationContext, SkipReason, sensor

from dagster_project.jobs import annual_job
from dagster_project.partitions import years_partitions
from dagster_project.resources import InboxResource


def inbox_state(inbox: Path) -> dict[str, list]:
    """path -> [size, mtime] of every file in the inbox (cheap: no file is read)."""
    if not inbox.exists():
        return {}
    return {
        p.relative_to(inbox).as_posix(): [p.stat().st_size, int(p.stat().st_mtime)]
        for p in sorted(inbox.rglob("*")) if p.is_file()
    }


def changed_files(previous: dict[str, list], current: dict[str, list]) -> list[str]:
    """Files added or modified since the previous state (pure; tested)."""
    return sorted(path for path, stat in current.items() if previous.get(path) != stat)


@sensor(job=annual_job, minimum_interval_seconds=60,
        description="Новые или изменённые файлы во входной папке запускают пересчёт их года")
def inbox_sensor(context: SensorEvaluationContext, inbox: InboxResource):
    from ingestion import scan_inbox

    inbox = inbox.folder
    previous = json.loads(context.cursor) if context.cursor else {}
    current = inbox_state(inbox)
    changed = set(changed_files(previous, current))
    if not changed:
        return SkipReason("Во входной папке нет новых файлов")
    valid = set(years_partitions.get_partition_keys())
    years = sorted({str(f.year) for f in scan_inbox(inbox) if f.rel_path in changed and f.year} & valid)
    digest = hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()[:16]
    context.update_cursor(json.dumps(current))
    if not years:
        return SkipReason(f"Изменилось файлов: {len(changed)}, но ни один не относится к году с данными")
    return [RunRequest(run_key=f"inbox-{digest}-{y}", partition_key=y) for y in years]
