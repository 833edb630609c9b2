"""A sensor that notices new or changed files in the inbox and asks for the year's run.

It reads the inbox from its resource (`InboxResource`), the seam tests use, never from the
environment, and requests only years that are partitions of the location.
"""

import hashlib
import json
from pathlib import Path

from dagster import (PartitionsDefinition, RunRequest, SensorDefinition, SensorEvaluationContext, SkipReason,
                     sensor)

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


def build_inbox_sensor(job, partitions_def: PartitionsDefinition) -> SensorDefinition:
    """The inbox sensor of the annual job, on the location's year partitions."""

    @sensor(job=job, name="inbox_sensor", minimum_interval_seconds=60,
            description="Новые или изменённые файлы во входной папке запускают пересчёт их года")
    def inbox_sensor(context: SensorEvaluationContext, inbox: InboxResource):
        from ingestion import scan_inbox

        folder = inbox.folder
        previous = json.loads(context.cursor) if context.cursor else {}
        current = inbox_state(folder)
        changed = set(changed_files(previous, current))
        if not changed:
            return SkipReason("Во входной папке нет новых файлов")
        found = {str(f.year) for f in scan_inbox(folder) if f.rel in changed and f.year}
        known = set(partitions_def.get_partition_keys())
        digest = hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()[:16]
        context.update_cursor(json.dumps(current))
        requests = [RunRequest(run_key=f"inbox-{digest}-{y}", partition_key=y) for y in sorted(found & known)]
        unknown = sorted(found - known)
        if unknown:
            context.log.warning(f"Файлы за {', '.join(unknown)} год: такого года нет среди разделов (partitions); "
                                "перезагрузите code location (Reload), чтобы он появился")
        if not requests:
            why = (f"годы {', '.join(unknown)} появятся после перезагрузки code location (Reload)" if unknown
                   else "ни один не относится к году с данными")
            return SkipReason(f"Изменилось файлов: {len(changed)}; {why}")
        return requests

    return inbox_sensor
