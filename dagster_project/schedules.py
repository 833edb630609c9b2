"""The annual recomputation (1 December) and the deadline check (15 December)."""
from dagster import (PartitionsDefinition, RunRequest, ScheduleDefinition, ScheduleEvaluationContext, SkipReason,
                     schedule)

from dagster_project.jobs import annual_job, deadline_job


def build_annual_schedule(partitions_def: PartitionsDefinition) -> ScheduleDefinition:
    """1 December: publish the current year, if the inbox has files for it (else say so)."""

    @schedule(job=annual_job, name="annual_schedule", cron_schedule="0 6 1 12 *",
              execution_timezone="Europe/Moscow",
              description="Ежегодный пересчёт и публикация отчёта за текущий год (1 декабря)")
    def annual_schedule(context: ScheduleEvaluationContext):
        year = str(context.scheduled_execution_time.year)
        if year not in partitions_def.get_partition_keys():
            return SkipReason(f"Во входной папке нет файлов за {year} год (или code location не перезагружен): "
                              "публиковать нечего")
        return RunRequest(run_key=f"annual-{year}", partition_key=year)

    return annual_schedule


@schedule(job=deadline_job, cron_schedule="0 9 15 12 *", execution_timezone="Europe/Moscow",
          description="Проверка срока публикации (15 декабря)")
def deadline_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    return RunRequest(run_key=f"deadline-{context.scheduled_execution_time.year}")
