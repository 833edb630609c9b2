"""Dagster code location of rsoko: ingestion, dbt models and publication, partitioned by year."""
