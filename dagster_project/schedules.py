"""The annual recomputation (1 December) and the deadline check (15 December)."""
from dagster import RunRequest, ScheduleEvaluationContext, schedule

from dagster_project.jobs import annual_job, deadline_job


@schedule(job=annual_job, cron_schedule="0 6 1 12 *", execution_timezone="Europe/Moscow",
          description="Ежегодный пересчёт и публикация отчёта за текущий год (1 декабря)")
def annual_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    year = str(context.scheduled_execution_time.year)
    return RunRequest(run_key=f"annual-{year}", partition_key=year)


@schedule(job=deadline_job, cron_schedule="0 9 15 12 *", execution_timezone="Europe/Moscow",
          description="Проверка срока публикации (15 декабря)")
def deadline_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    return RunRequest(run_key=f"deadline-{context.scheduled_execution_time.year}")
