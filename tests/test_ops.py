"""Operations an engineer relies on: the run lock, the state file, spreadsheet-safe CSV, the
deadline year, the ingestion summary and the CLI's own surface. Real files, real processes."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from ingestion.load import FileReport, LoadReport
from reports.deadline import deadline_status, latest_passed_deadline_year
from rsoko import pipeline
from rsoko.csvsafe import neutralise, neutralise_csv, neutralise_frame
from rsoko.errors import Busy

PY = sys.executable


def _holder(code: str) -> subprocess.Popen:
    """A helper process that takes something, prints `held`, and keeps it until stdin closes."""
    proc = subprocess.Popen([PY, "-c", textwrap.dedent(code)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def _release(proc: subprocess.Popen) -> None:
    proc.stdin.close()
    proc.wait(timeout=30)


def test_second_run_on_a_locked_warehouse_prints_one_russian_line(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    holder = _holder(f"""
        import sys
        from pathlib import Path
        from rsoko.lock import run_lock
        with run_lock(Path({str(out / 'warehouse.duckdb')!r}), Path({str(out)!r})):
            print("held", flush=True)
            sys.stdin.read()
    """)
    try:
        proc = subprocess.run([PY, "-m", "rsoko.cli", "run", "--data", str(inbox), "--out", str(out), "--quiet"],
                              capture_output=True, text=True)
    finally:
        _release(holder)
    assert proc.returncode == 4
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "занят другим прогоном" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (out / "warehouse.duckdb").exists()


def test_duckdb_lock_held_by_another_process_is_one_russian_line(tmp_path):
    wh = tmp_path / "wh.duckdb"
    holder = _holder(f"""
        import sys, duckdb
        con = duckdb.connect({str(wh)!r})
        print("held", flush=True)
        sys.stdin.read()
    """)
    try:
        with pytest.raises(Busy) as err:
            with pipeline.connect(wh):
                pass
    finally:
        _release(holder)
    message = str(err.value)
    assert "открыто другим процессом" in message and "\n" not in message


def test_lock_is_free_again_after_the_holder_dies(tmp_path):
    from rsoko.lock import run_lock

    wh, out = tmp_path / "wh.duckdb", tmp_path / "out"
    holder = _holder(f"""
        import sys
        from pathlib import Path
        from rsoko.lock import run_lock
        with run_lock(Path({str(wh)!r}), Path({str(out)!r})):
            print("held", flush=True)
            sys.stdin.read()
    """)
    holder.kill()
    holder.wait()
    with run_lock(wh, out):
        pass


@pytest.mark.parametrize("content", [b"", b"{\"fingerprint\": \"ab", b"\xff\xfe\x00", b"[1, 2]"])
def test_empty_or_damaged_state_counts_as_absent(tmp_path, content):
    (tmp_path / pipeline.STATE_FILE).write_bytes(content)
    assert pipeline.read_state(tmp_path) == {}


def test_state_is_written_via_a_temporary_file_and_read_back(tmp_path):
    (tmp_path / pipeline.STATE_FILE).write_bytes(b"")
    pipeline.write_state(tmp_path, {"fingerprint": "abc", "year": 2025})
    assert pipeline.read_state(tmp_path) == {"fingerprint": "abc", "year": 2025}
    assert [p.name for p in tmp_path.iterdir()] == [pipeline.STATE_FILE]


def test_formula_like_text_cells_are_neutralised_numbers_are_not():
    df = pd.DataFrame({
        "value": ['=HYPERLINK("http://x","y")', "+7 999", "-cmd", "@SUM(A1)", "\tx", "\rx", "-3.5", "обычный", None],
        "score": [-1.5, 2, 3, 4, 5, 6, 7, 8, 9],
    })
    safe = neutralise_frame(df)
    assert safe["value"].tolist()[:8] == ['\'=HYPERLINK("http://x","y")', "'+7 999", "'-cmd", "'@SUM(A1)", "'\tx",
                                          "'\rx", "-3.5", "обычный"]
    assert pd.isna(safe["value"].iloc[8])
    assert safe["score"].tolist() == df["score"].tolist()
    assert df["value"].iloc[0].startswith("=")          # the input frame is left as it was
    assert neutralise("=1+1") == "'=1+1" and neutralise("-12") == "-12"


def test_each_row_of_a_repeated_value_is_neutralised_where_it_stands():
    # the test runs on a column's distinct values; every row holding a risky one must get it back
    # neutralised, at its own label, whatever the frame's index
    values = ["=1", "ok", None, "=1", "-3.5", "ok", "@x", "=1"]
    df = pd.DataFrame({"value": values, "code": ["01", "02"] * 4}, index=[70, 3, 11, 5, 8, 60, 2, 9])
    safe = neutralise_frame(df)
    assert safe["value"].tolist()[:2] == ["'=1", "ok"] and pd.isna(safe["value"].iloc[2])
    assert safe["value"].tolist()[3:] == ["'=1", "-3.5", "ok", "'@x", "'=1"]
    assert safe.index.tolist() == df.index.tolist() and safe["code"].tolist() == df["code"].tolist()
    assert neutralise_frame(df[["code"]]) is not None and df["value"].iloc[0] == "=1"


def test_csv_file_is_neutralised_in_place_header_kept(tmp_path):
    path = tmp_path / "quarantine.csv"
    path.write_text('file,row,value\nvpr.xlsx,3,"=HYPERLINK(""http://x"")"\nvpr.xlsx,4,-2\n', encoding="utf-8")
    assert neutralise_csv(path) == 1
    rows = pd.read_csv(path, dtype=str)
    assert rows["value"].tolist() == ['\'=HYPERLINK("http://x")', "-2"]


@pytest.mark.parametrize("today, year", [(date(2025, 12, 14), 2024), (date(2025, 12, 15), 2025),
                                         (date(2026, 1, 10), 2025), (date(2026, 12, 31), 2026)])
def test_deadline_check_looks_at_the_latest_passed_deadline(today, year):
    assert latest_passed_deadline_year(today) == year


def test_missing_report_for_the_year_just_ended_stays_red_in_january(tmp_path):
    today = date(2026, 1, 10)
    ok, message = deadline_status(tmp_path, latest_passed_deadline_year(today), today)
    assert not ok and "2025" in message


def test_load_report_summary_counts_files_rows_and_names_the_ledger():
    report = LoadReport(files=[
        FileReport("gia11.csv", "gia11", "a", 2025, 10, 9, 1, "partial", ""),
        FileReport("vpr.xlsx", "vpr", "b", 2025, 5, 5, 0, "loaded", ""),
        FileReport("vpr2.xlsx", "vpr", "d", 2025, 0, 0, 0, "loaded", ""),
        FileReport("junk.txt", "unrecognised", "c", None, 0, 0, 0, "unrecognised", ""),
    ], unchanged=4)
    text = report.summary(ledger="OUT/2025/data/ingestion_ledger.csv")
    assert "новых файлов 4" in text and "загружено — 2" in text and "частично — 1" in text
    assert "не распознано — 1" in text
    assert "без изменений 4" in text
    assert "Строк загружено 14, в карантине 1." in text
    assert "OUT/2025/data/ingestion_ledger.csv" in text


def test_cli_version_and_missing_data_folder_creates_nothing(tmp_path):
    from rsoko import __version__

    version = subprocess.run([PY, "-m", "rsoko.cli", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.strip() == f"rsoko {__version__}"
    out = tmp_path / "out"
    proc = subprocess.run([PY, "-m", "rsoko.cli", "run", "--data", str(tmp_path / "nope"), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "не найдена" in proc.stderr and "--data" in proc.stderr
    assert not out.exists()


def test_final_line_uses_russian_stage_names():
    from rsoko.cli import stage_timings

    line = stage_timings({"ingest_s": 1.25, "dbt_s": 10.0, "export_s": 0.5, "publish_s": 3.0, "total_s": 14.75})
    assert line == "загрузка 1,2 с, модели dbt 10,0 с, таблицы данных 0,5 с, отчёты 3,0 с, всего 14,8 с"
