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
- floating-point numbers are compared to 10 significant digits (SIGNIFICANT; magnitudes below
  1e-12 count as 0): the engines' floating-point sums and Spark's Lanczos log-gamma differ in
  the last bits, far below any published digit. Integers, text, dates, booleans and nulls must
  be equal exactly.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from rsoko import settings

HASH_COLUMNS = frozenset({"pupil_work_id", "sitting_id", "vector_hash"})
SIGNIFICANT = 10
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


_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                  "UBIGINT", "UHUGEINT")
_FLOAT_TYPES = ("FLOAT", "DOUBLE", "REAL")


def _normalised(column: str, duck_type: str, exact: bool) -> str:
    """The SQL that puts one column of either engine in a comparable text form, by the DuckDB
    column's type: integers exactly, floats to SIGNIFICANT digits (every bit when `exact`),
    timestamps without a zone, lists and the rest as text."""
    col = f'"{column}"'
    kind = duck_type.upper()
    if kind in _INTEGER_TYPES or (kind.startswith("DECIMAL") and kind.endswith(",0)")):
        return f"cast(cast({col} as hugeint) as varchar)"
    if kind in _FLOAT_TYPES or kind.startswith("DECIMAL"):
        if exact:
            return f"cast(cast({col} as double) as varchar)"
        value = f"cast({col} as double)"
        return (f"case when {col} is null then null when abs({value}) < {ABS_TOL} then '0' "
                f"else printf('%.{SIGNIFICANT - 1}e', {value}) end")
    if kind.startswith("TIMESTAMP"):
        return f"cast(cast({col} as timestamp) as varchar)"
    return f"cast({col} as varchar)"


def compare_relation(con: duckdb.DuckDBPyConnection, duck_query: str, spark_query: str, name: str, *,
                     ignore: frozenset[str] = HASH_COLUMNS, exact: bool = False) -> TableComparison:
    """Compare one relation of the two engines (see the module docstring for what equal means):
    both sides normalised column by column, then a multiset difference in DuckDB (except all).

    `ignore=frozenset(), exact=True` compares two runs of one engine: every column, every bit."""
    duck_types = {c.lower(): str(t) for c, t in zip(con.sql(duck_query).columns, con.sql(duck_query).types)}
    spark_cols = [c.lower() for c in con.sql(spark_query).columns]
    if sorted(duck_types) != sorted(spark_cols):
        missing = sorted(set(duck_types) - set(spark_cols))
        extra = sorted(set(spark_cols) - set(duck_types))
        return TableComparison(name, False, 0, f"columns differ: only on DuckDB {missing}, only on Spark {extra}")
    columns = [c for c in duck_types if c not in ignore]
    select = ", ".join(f'{_normalised(c, duck_types[c], exact)} as "{c}"' for c in columns) or "1 as one"
    duck = f"select {select} from ({duck_query})"
    spark = f"select {select} from ({spark_query})"
    (rows,) = con.sql(f"select count(*) from ({duck_query})").fetchall()[0]
    (spark_rows,) = con.sql(f"select count(*) from ({spark_query})").fetchall()[0]
    if rows != spark_rows:
        return TableComparison(name, False, rows, f"{rows} rows on DuckDB, {spark_rows} on Spark")
    only_duck = con.sql(f"({duck}) except all ({spark}) limit 1").fetchall()
    if not only_duck:
        return TableComparison(name, True, rows)
    only_spark = con.sql(f"({spark}) except all ({duck}) limit 1").fetchall()
    differing = [c for c, a, b in zip(columns, only_duck[0], only_spark[0] if only_spark else only_duck[0]) if a != b]
    return TableComparison(name, False, rows, f"a row only on DuckDB {dict(zip(columns, only_duck[0]))}, "
                                              f"one only on Spark {dict(zip(columns, only_spark[0])) if only_spark else None}; "
                                              f"columns that differ between these two: {differing}")


def compare_warehouses(first: Path, second: Path) -> list[TableComparison]:
    """Every staging/intermediate/mart relation of two DuckDB warehouses, exactly (two runs).

    dbt-duckdb's views name their tables with the file's stem as catalog, so the second file is
    attached under its own stem, which must differ from the first's."""
    if first.stem == second.stem:
        raise ValueError(f"the two warehouses need different file names: {first.name}")
    other = second.stem
    results = []
    with duckdb.connect(str(first), read_only=True) as con:
        con.sql("set enable_progress_bar = false")
        con.execute(f"attach '{second.as_posix()}' as \"{other}\" (read_only)")
        relations = con.sql(
            "select table_schema, table_name from information_schema.tables "
            f"where table_catalog = current_database() and table_schema in {COMPARED_SCHEMAS} order by 1, 2").fetchall()
        for schema, table in relations:
            results.append(compare_relation(con, f"select * from {schema}.{table}", f'select * from "{other}".{schema}.{table}',
                                            f"{schema}.{table}", ignore=frozenset(), exact=True))
    return results


def compare_engines(warehouse: Path, export_dir: Path) -> list[TableComparison]:
    """Every staging/intermediate/mart relation of the DuckDB warehouse against Spark's export."""
    results = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.sql("set enable_progress_bar = false")
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


def _generate(inbox: Path, truth: Path, scale: str | float, years: tuple[int, ...]) -> None:
    """The demo region by default: the generator's defaults (real layouts — ФИС ОКО downloads and
    forms, РЦОИ protocols and appeals) are what `rsoko demo` writes, so the proof covers the tables
    the demo publishes."""
    from synthetic import generate_region

    generate_region(inbox, truth, scale=scale, years=years)


def _scale(text: str) -> str | float:
    """`demo`, `region`, `large` or a multiplier of the region, as `rsoko generate --scale` takes."""
    try:
        return float(text)
    except ValueError:
        return text


def run_check(work: Path, *, scale: str | float, years: tuple[int, ...], inbox: Path | None, spark_python: Path,
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
    parser.add_argument("--scale", type=_scale, default="demo",
                        help="synthetic region: demo (default, the region `rsoko demo` publishes), region, large "
                             "or a multiplier of region such as 0.01")
    parser.add_argument("--years", default="2023,2024,2025",
                        help="years to generate, the last one is built (default 2023,2024,2025, the demo's)")
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
