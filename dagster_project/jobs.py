"""Jobs. Steps run in one process, one after another: DuckDB has a single writer, and the run
lock (RunLockResource) is held by that process for the whole run.
Partitioning (by year) is inferred from the selected assets."""
from dagster import AssetKey, AssetSelection, define_asset_job, in_process_executor

annual_job = define_asset_job(
    name="annual_publication",
    description="Весь год: загрузка выгрузок, проверка наличия результатов, модели dbt с тестами, "
                "таблицы данных, отчёты",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
)

deadline_job = define_asset_job(
    name="deadline_check",
    description="Проверка: отчёт и справка об эффективности мер за год опубликованы к 15 декабря",
    selection=AssetSelection.checks_for_assets(AssetKey("published_report")),
    executor_def=in_process_executor,
)
