"""The Spark side of `scripts/spark_check.sh`: runs in the optional `.venv-spark` (pyspark,
dbt-spark), never in the main venv, and imports nothing else of rsoko.

One process, one JVM: the Spark session is created here with the settings of the `spark` target
of dbt/profiles.yml, the raw tables are registered in it (schema `raw`, parquet files exported from
the DuckDB warehouse after ingestion), then dbt runs in-process (`dbtRunner`; dbt-spark's session
mode reuses the running session), then every staging, intermediate and mart relation is written
to parquet for the comparison with DuckDB. A JVM start costs 5–6 s, so one per check, not one per
dbt command.

    .venv-spark/bin/python -m rsoko.spark_runner --raw DIR --spark-dir DIR --export DIR --year Y
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
COMPARED_SCHEMAS = ("staging", "intermediate", "marts")


def session_config(spark_dir: Path) -> dict[str, str]:
    """The settings of the profile's `spark` target (same environment variables, same defaults)."""
    env = os.environ.get
    return {
        "spark.master": env("RSOKO_SPARK_MASTER", "local[2]"),
        "spark.driver.memory": env("RSOKO_SPARK_DRIVER_MEMORY", "2g"),
        "spark.sql.warehouse.dir": f"{spark_dir}/warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={spark_dir}/metastore_db;create=true",
        "spark.sql.shuffle.partitions": env("RSOKO_SPARK_SHUFFLE_PARTITIONS", "4"),
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    }


def start_session(spark_dir: Path):
    """The Spark session dbt-spark will reuse (its builder's getOrCreate returns this one)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport().appName("rsoko")
    for key, value in session_config(spark_dir).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def register_raw(spark, raw_dir: Path) -> list[str]:
    """Every `<table>.parquet` of raw_dir as the Spark table raw.<table> (files stay where they are)."""
    spark.sql("create database if not exists raw")
    tables = []
    for path in sorted(Path(raw_dir).glob("*.parquet")):
        table = path.stem
        spark.sql(f"drop table if exists raw.{table}")
        spark.sql(f"create table raw.{table} using parquet location '{path.resolve()}'")
        tables.append(table)
    return tables


def run_dbt(args: list[str]) -> bool:
    """`dbt <args>` on the `spark` target in this process; True when everything passed."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke([*args, "--target", "spark", "--project-dir", str(DBT_PROJECT_DIR),
                                 "--profiles-dir", str(DBT_PROJECT_DIR)])
    return bool(result.success)


def export_relations(spark, export_dir: Path) -> list[str]:
    """Write every relation of the compared schemas to export_dir/<schema>/<name>/ (parquet)."""
    written = []
    for schema in COMPARED_SCHEMAS:
        for row in spark.sql(f"show tables in {schema}").collect():
            name = row["tableName"]
            if row["isTemporary"]:
                continue
            spark.table(f"{schema}.{name}").write.mode("overwrite").parquet(str(export_dir / schema / name))
            written.append(f"{schema}.{name}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True, help="folder of raw <table>.parquet")
    parser.add_argument("--spark-dir", type=Path, required=True, help="metastore and warehouse folder")
    parser.add_argument("--export", type=Path, required=True, help="where the built relations go")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--target-path", type=Path, default=None)
    parser.add_argument("--no-tests", action="store_true", help="build the models without their data tests")
    parser.add_argument("--select", default=None, help="dbt node selection (default: everything)")
    opts = parser.parse_args(argv)

    spark_dir = opts.spark_dir.resolve()
    os.environ["RSOKO_SPARK_DIR"] = str(spark_dir)
    spark = start_session(spark_dir)
    tables = register_raw(spark, opts.raw)
    print(f"spark: {len(tables)} raw tables registered", flush=True)
    # unit tests check the SQL, not the data: run on DuckDB in CI, not here (as in the annual run)
    dbt_args = ["build", "--vars", json.dumps({"run_year": opts.year}), "--exclude-resource-type", "unit_test"]
    if opts.no_tests:
        dbt_args += ["--exclude-resource-type", "test"]
    if opts.select:
        dbt_args += ["--select", opts.select]
    if opts.target_path is not None:
        dbt_args += ["--target-path", str(opts.target_path)]
    ok = run_dbt(dbt_args)
    written = export_relations(spark, opts.export.resolve())
    print(f"spark: dbt build {'passed' if ok else 'FAILED'}; {len(written)} relations exported", flush=True)
    spark.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
