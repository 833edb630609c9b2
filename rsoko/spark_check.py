"""Proof that the dbt models mean the same on Spark as on DuckDB (issue 15).

`bash scripts/spark_check.sh` (or `python -m rsoko.spark_check`): generate a small synthetic
region (or take an inbox), ingest it into a DuckDB warehouse, `dbt build` it there (models and
tests), export the raw tables to parquet, run the Spark side (`rsoko.spark_runner`, in the
optional `.venv-spark`) which builds and tests the same project on Spark, then compare every
staging, intermediate and mart relation of the two engines and print `N of M tables identical`.
The exit code is 0 only when both builds passed and every table is identical.

"Identical" is a multiset equality of rows after two allowances, and nothing else:
- the columns holding 64-bit row hashes (HASH_COLUMNS: surrogate ids and M5's vector
  fingerprints) are left out: DuckDB's hash() and Spark's xxhash64 give other numbers for the
  same key, by design; the rows they identify are still compared in every other column;
- numbers are compared as doubles with a relative tolerance of 1e-9 (REL_TOL): the engines'
  floating-point sums and Spark's Lanczos log-gamma differ in the last bits, far below any
  published digit. Text, dates, booleans and nulls must be equal exactly.
"""
from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from rsoko import settings

HASH_COLUMNS = frozenset({"pupil_work_id", "sitting_id", "vector_hash"})
REL_TOL = 1e-9
ABS_TOL = 1e-12
COMPARED_SCHEMAS = ("staging", "intermediate", "marts")


@dataclass(frozen=True)
class TableComparison:
    table: str
    identical: bool
    rows: int
    detail: str = ""


def export_raw(warehouse: Path, raw_dir: Path) -> list[str]:
    """raw.<table> -> raw_dir/<table>.parquet (JSON columns as text: Spark has no JSON type)."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [t for (t,) in con.sql(
            "select table_name from information_schema.tables where table_schema = 'raw' order by 1").fetchall()]
        for table in tables:
            columns = con.sql(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw' and table_name = ? order by ordinal_position", params=[table]).fetchall()
            select = ", ".join(f'cast("{name}" as varchar) as "{name}"' if kind == "JSON" else f'"{name}"'
                               for name, kind in columns)
            target = (raw_dir / f"{table}.parquet").as_posix().replace("'", "''")
            con.execute(f"copy (select {select} from raw.{table}) to '{target}' (format parquet)")
    return tables


def _cell(value):
    """A cell as a comparable Python value: numbers as float, lists as tuples, NaN as None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, (list, tuple)):
        return tuple(_cell(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _sort_key(row: tuple) -> tuple:
    """Rows sorted on a rounded form, so rows equal within the tolerance line up."""
    return tuple((0, "") if v is None else (1, f"{v:.6e}") if isinstance(v, float) else (2, repr(v)) for v in row)


def _cells_equal(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return a == b


def _rows(con: duckdb.DuckDBPyConnection, query: str, columns: list[str]) -> list[tuple]:
    select = ", ".join(f'"{c}"' for c in columns)
    rows = [tuple(_cell(v) for v in row) for row in con.sql(f"select {select} from ({query})").fetchall()]
    return sorted(rows, key=_sort_key)


def compare_relation(con: duckdb.DuckDBPyConnection, duck_query: str, spark_query: str, name: str) -> TableComparison:
    """Compare one relation of the two engines (see the module docstring for what equal means)."""
    duck_cols = [c.lower() for c in con.sql(duck_query).columns]
    spark_cols = [c.lower() for c in con.sql(spark_query).columns]
    if sorted(duck_cols) != sorted(spark_cols):
        missing = sorted(set(duck_cols) - set(spark_cols))
        extra = sorted(set(spark_cols) - set(duck_cols))
        return TableComparison(name, False, 0, f"columns differ: only on DuckDB {missing}, only on Spark {extra}")
    columns = [c for c in duck_cols if c not in HASH_COLUMNS]
    duck_rows = _rows(con, duck_query, columns)
    spark_rows = _rows(con, spark_query, columns)
    if len(duck_rows) != len(spark_rows):
        return TableComparison(name, False, len(duck_rows), f"{len(duck_rows)} rows on DuckDB, {len(spark_rows)} on Spark")
    for index, (d, s) in enumerate(zip(duck_rows, spark_rows)):
        for column, a, b in zip(columns, d, s):
            if not _cells_equal(a, b):
                return TableComparison(name, False, len(duck_rows),
                                       f"row {index + 1} (sorted), column {column}: DuckDB {a!r}, Spark {b!r}")
    return TableComparison(name, True, len(duck_rows))


def compare_engines(warehouse: Path, export_dir: Path) -> list[TableComparison]:
    """Every staging/intermediate/mart relation of the DuckDB warehouse against Spark's export."""
    results = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        relations = con.sql(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in {COMPARED_SCHEMAS} order by 1, 2").fetchall()
        for schema, table in relations:
            name = f"{schema}.{table}"
            folder = export_dir / schema / table
            if not folder.is_dir():
                results.append(TableComparison(name, False, 0, "not built on Spark"))
                continue
            spark_query = f"select * from read_parquet('{(folder / '*.parquet').as_posix()}')"
            results.append(compare_relation(con, f"select * from {schema}.{table}", spark_query, name))
    return results


def summary_line(results: list[TableComparison]) -> str:
    identical = sum(r.identical for r in results)
    return f"{identical} of {len(results)} tables identical"


def _generate(inbox: Path, truth: Path, scale: float, years: tuple[int, ...]) -> None:
    from synthetic import generate_region

    generate_region(inbox, truth, scale=scale, years=years, vpr_layout="normalised", gia_layout="normalised")


def run_check(work: Path, *, scale: float, years: tuple[int, ...], inbox: Path | None, spark_python: Path,
              spark_tests: bool = True) -> int:
    """The whole check in `work` (emptied first); returns the exit code."""
    from rsoko.dbt_runner import DbtError, run_dbt
    from rsoko.pipeline import ingest

    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    timings: dict[str, float] = {}

    def timed(key, fn, *args, **kwargs):
        start = time.monotonic()
        result = fn(*args, **kwargs)
        timings[key] = time.monotonic() - start
        print(f"— {key}: {timings[key]:.1f} s", flush=True)
        return result

    if inbox is None:
        inbox = work / "inbox"
        timed("generate", _generate, inbox, work / "truth", scale, years)
    warehouse = work / "warehouse.duckdb"
    timed("ingest", ingest, warehouse, inbox)
    timed("export raw", export_raw, warehouse, work / "raw")
    year = max(years)
    duck_ok = True
    try:
        timed("duckdb build", run_dbt, "build", warehouse, year, target_path=work / "target-duckdb")
    except DbtError as error:
        duck_ok = False
        print(str(error), file=sys.stderr)
    spark_cmd = [str(spark_python), "-m", "rsoko.spark_runner", "--raw", str(work / "raw"),
                 "--spark-dir", str(work / "spark"), "--export", str(work / "spark-export"),
                 "--year", str(year), "--target-path", str(work / "target-spark")]
    if not spark_tests:
        spark_cmd.append("--no-tests")
    env_path = str(settings.PROJECT_ROOT)
    start = time.monotonic()
    proc = subprocess.run(spark_cmd, cwd=work, env={**__import__("os").environ, "PYTHONPATH": env_path},
                          capture_output=True, text=True)
    timings["spark build"] = time.monotonic() - start
    (work / "spark.log").write_text(proc.stdout + proc.stderr)
    print(f"— spark build: {timings['spark build']:.1f} s (log: {work / 'spark.log'})", flush=True)
    spark_ok = proc.returncode == 0
    if not spark_ok:
        failing = [line for line in proc.stdout.splitlines() if "ERROR" in line or "FAIL" in line]
        print("spark: dbt build failed: " + "; ".join(line.strip() for line in failing[-8:]), file=sys.stderr)
    results = timed("compare", compare_engines, warehouse, work / "spark-export")
    for result in results:
        if not result.identical:
            print(f"  differs: {result.table}: {result.detail}")
    print(summary_line(results))
    return 0 if duck_ok and spark_ok and results and all(r.identical for r in results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the dbt project on DuckDB and on Spark and compare every table.")
    parser.add_argument("--work", type=Path, required=True, help="working folder (emptied first)")
    parser.add_argument("--scale", type=float, default=0.01, help="synthetic region scale (default 0.01)")
    parser.add_argument("--years", default="2024,2025", help="years to generate (default 2024,2025)")
    parser.add_argument("--inbox", type=Path, default=None, help="an existing inbox instead of a generated one")
    parser.add_argument("--no-spark-tests", action="store_true",
                        help="on Spark build the models only (CI: the data tests run on DuckDB, and the "
                             "comparison shows the tables they would test are the same)")
    parser.add_argument("--spark-python", type=Path, default=settings.PROJECT_ROOT / ".venv-spark" / "bin" / "python")
    opts = parser.parse_args(argv)
    years = tuple(int(y) for y in opts.years.split(","))
    return run_check(opts.work.resolve(), scale=opts.scale, years=years, inbox=opts.inbox, spark_python=opts.spark_python,
                     spark_tests=not opts.no_spark_tests)


if __name__ == "__main__":
    sys.exit(main())
