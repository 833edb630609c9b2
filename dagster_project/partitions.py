"""Year partitions: one partition per calendar year of the exams.

A yearly time window with `end_offset=1` so the current year is a partition while it runs
(the report for year Y is due on 15 December Y, before the window closes).
"""
from dagster import TimeWindowPartitionsDefinition

years_partitions = TimeWindowPartitionsDefinition(
    start="2018",
    cron_schedule="0 0 1 1 *",
    fmt="%Y",
    end_offset=1,
)

# Each year is its own run: dbt's run_year var and the publication are per year.
from dagster import BackfillPolicy  # noqa: E402

one_year_per_run = BackfillPolicy.multi_run(max_partitions_per_run=1)
