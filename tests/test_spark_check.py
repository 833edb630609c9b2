"""The dbt models on Spark equal DuckDB's, and two DuckDB runs are equal bit for bit (issue 15).

`test_spark_check_on_a_small_region` runs the README's command (`scripts/spark_check.sh`) on a
tiny generated region: it creates .venv-spark when missing (pip, a few minutes the first time),
builds every model on both engines and compares every staging, intermediate and mart table. It
is skipped only when Java is missing, with that reason. The comparison itself is checked on
hand-made relations: a changed cell is caught, a different hash id is not a difference.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from rsoko.dbt_runner import run_dbt
from rsoko.pipeline import ingest
from rsoko.spark_check import TableComparison, compare_relation, compare_warehouses, summary_line
from synthetic import generate_region

PROJECT_ROOT = Path(__file__).resolve().parents[1]
YEARS = (2024, 2025)


@pytest.fixture(scope="module")
def tiny_region(tmp_path_factory):
    """A tiny synthetic region (20 schools, two years) and its ingested warehouse."""
    root = tmp_path_factory.mktemp("tiny-region")
    inbox = root / "inbox"
    generate_region(inbox, root / "truth", scale=0.01, years=YEARS, vpr_layout="normalised", gia_layout="normalised")
    warehouse = root / "ingested.duckdb"
    ingest(warehouse, inbox)
    return inbox, warehouse


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        connection.execute("create table duck as select * from (values (1, 'а', 2.5, 111), (2, 'б', null, 222)) t(k, s, x, pupil_work_id)")
        yield connection


def test_equal_relations_are_identical_whatever_the_hash_ids(con):
    spark = "select * from (values (2, 'б', null, 9), (1, 'а', 2.5 + 1e-12, 8)) t(k, s, x, pupil_work_id)"
    result = compare_relation(con, "select * from duck", spark, "t")
    assert result == TableComparison("t", True, 2)


@pytest.mark.parametrize("spark, detail", [
    ("select * from (values (1, 'а', 2.5, 111), (2, 'в', null, 222)) t(k, s, x, pupil_work_id)", "differ between these two: ['s']"),
    ("select * from (values (1, 'а', 2.5001, 111), (2, 'б', null, 222)) t(k, s, x, pupil_work_id)", "differ between these two: ['x']"),
    ("select * from (values (1, 'а', 2.5, 111), (2, 'б', 0.0, 222)) t(k, s, x, pupil_work_id)", "differ between these two: ['x']"),
    ("select * from (values (1, 'а', 2.5, 111), (1, 'а', 2.5, 111)) t(k, s, x, pupil_work_id)", "a row only on DuckDB"),
    ("select * from (values (1, 'а', 2.5, 111)) t(k, s, x, pupil_work_id)", "2 rows on DuckDB, 1 on Spark"),
    ("select * from (values (1, 'а', 2.5), (2, 'б', null)) t(k, s, y)", "columns differ"),
])
def test_a_difference_is_caught(con, spark, detail):
    result = compare_relation(con, "select * from duck", spark, "t")
    assert not result.identical and detail in result.detail, result


def test_summary_line_counts_identical_tables():
    results = [TableComparison("a", True, 1), TableComparison("b", False, 1, "x"), TableComparison("c", True, 0)]
    assert summary_line(results) == "2 of 3 tables identical"


def test_two_duckdb_runs_give_identical_tables(tiny_region, tmp_path):
    """Every staging, intermediate and mart table of two builds of the same raw data, every
    column (hash ids too) and every bit of every double: a query that picks one row among ties,
    or a float sum in an unfixed order, shows here."""
    _, raw = tiny_region
    first, second = tmp_path / "first.duckdb", tmp_path / "second.duckdb"
    for warehouse in (first, second):
        shutil.copy(raw, warehouse)
        run_dbt("build", warehouse, max(YEARS), target_path=tmp_path / f"target-{warehouse.stem}")
    results = compare_warehouses(first, second)
    assert len(results) >= 80
    assert [r for r in results if not r.identical] == []


@pytest.mark.spark
@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17+, and java is not on PATH")
def test_spark_check_on_a_small_region(tiny_region, tmp_path):
    inbox, _ = tiny_region
    work = tmp_path / "spark-check"
    proc = subprocess.run(
        ["bash", str(PROJECT_ROOT / "scripts" / "spark_check.sh"), "--work", str(work), "--inbox", str(inbox),
         "--years", ",".join(map(str, YEARS)), "--no-spark-tests"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=1800,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    # every relation the DuckDB build made in the compared schemas, counted independently
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as warehouse:
        (relations,) = warehouse.sql(
            "select count(*) from information_schema.tables "
            "where table_schema in ('staging', 'intermediate', 'marts')").fetchall()[0]
    assert relations >= 80
    assert re.search(rf"^{relations} of {relations} tables identical$", proc.stdout, re.M), output[-4000:]
