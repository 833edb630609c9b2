"""Jobs. Steps run in one process, one after another: DuckDB has a single writer."""
from dagster import AssetSelection, define_asset_job, in_process_executor

from dagster_project.assets.publication import published_report
from dagster_project.partitions import years_partitions

annual_job = define_asset_job(
    name="annual_publication",
    description="Весь год: загрузка выгрузок, модели dbt с тестами, таблицы данных, отчёты",
    selection=AssetSelection.all(),
    partitions_def=years_partitions,
    executor_def=in_process_executor,
)

deadline_job = define_asset_job(
    name="deadline_check",
    description="Проверка: отчёт за год опубликован к 15 декабря",
    selection=AssetSelection.checks_for_assets(published_report),
    executor_def=in_process_executor,
)
