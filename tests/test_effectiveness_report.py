"""«Справка об эффективности принятых мер» and the report's section of the same name, on a real run.

`rsoko run` on the generator's demo region (with its «Меры» file): the справка is published as PDF and
DOCX beside the report, listed on index.html, and names every school listed in Y−1 with its state in
Y, every ШНОР school, and each course's targeted skills. The annual report carries the same analysis.
Without a measures file the справка still follows the listed and ШНОР schools and says no measures
were recorded.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime

import docx
import duckdb
import pandas as pd
import pytest

from rsoko import settings


def docx_text(path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    parts += [c.text for t in d.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def spravka(demo_run):
    truth = json.loads((demo_run["truth"] / "truth.json").read_text(encoding="utf-8"))
    register = pd.read_csv(demo_run["inbox"] / "reestr_oo.csv", sep=";", dtype=str)
    return {**demo_run, "truth_json": truth, "register": register,
            "text": docx_text(demo_run["public"] / "effectiveness.docx")}


def test_the_spravka_is_published_in_both_formats_and_on_the_index(spravka):
    public = spravka["public"]
    assert (public / "effectiveness.pdf").read_bytes()[:5] == b"%PDF-"
    index = (public / "index.html").read_text(encoding="utf-8")
    assert 'href="effectiveness.pdf"' in index and 'href="effectiveness.docx"' in index
    assert "Справка об эффективности принятых мер" in index
    manifest = json.loads((public / "manifest.json").read_text(encoding="utf-8"))
    assert {"effectiveness.pdf", "effectiveness.docx"} <= {f["path"] for f in manifest["files"]}


def test_the_spravka_names_every_listed_school_of_last_year_with_its_state(spravka):
    text, y = spravka["text"], spravka["year"]
    with duckdb.connect(str(spravka["warehouse"]), read_only=True) as con:
        listed_prev = [r[0] for r in con.execute(
            f"select school_code from marts.mart_objectivity_schools where year = {y - 1} and listed = 1").fetchall()]
    planted_prev = {e["school_code"] for e in spravka["truth_json"]["nonobjective_previous"]}
    assert planted_prev <= set(listed_prev)
    rows = [line for line in text.splitlines()]
    for code in listed_prev:
        assert any(f"({code})" in line for line in rows), code
    m = spravka["truth_json"]["measures"]
    # the state in Y is written beside each school: cleared with measures, listed again without
    table = docx.Document(str(spravka["public"] / "effectiveness.docx")).tables
    cells = {r.cells[0].text: [c.text for c in r.cells] for t in table for r in t.rows}
    for code in m["listed_previous_with_measures"]:
        row = next(v for k, v in cells.items() if f"({code})" in k)
        assert "не включена" in row and "независимые наблюдатели" in row[-1]
    for code in m["listed_previous_without_measures"]:
        row = next(v for k, v in cells.items() if f"({code})" in k)
        assert "включена повторно" in row
    assert "связь принятых мер с изменением результатов, а не доказывают" in text


def test_the_spravka_names_every_shnor_school_and_each_course_skill(spravka):
    text = spravka["text"]
    shnor = spravka["register"].loc[spravka["register"]["ШНОР"] == "да", "Код ОО"]
    assert len(shnor) > 0
    for code in shnor:
        assert f"({code})" in text, code
    m = spravka["truth_json"]["measures"]
    assert m["course_work"] in text
    for skill in m["course_skills"]:
        assert any(line.startswith(f"{skill} ") for line in text.splitlines()), skill


def test_the_annual_report_has_the_same_analysis_as_a_section(spravka):
    report = docx_text(spravka["public"] / "report.docx")
    assert "Анализ эффективности принятых мер" in report
    for code in spravka["truth_json"]["measures"]["listed_previous_with_measures"]:
        assert f"({code})" in report
    assert spravka["truth_json"]["measures"]["course_work"] in report


def test_without_measures_the_spravka_still_follows_listed_and_shnor_schools(spravka, tmp_path):
    from reports.context import Context
    from reports.data import load
    from reports.docx_writer import write_docx
    from reports.sections.effectiveness import build_effectiveness_document

    y = spravka["year"]
    warehouse = tmp_path / "w.duckdb"
    shutil.copy2(spravka["warehouse"], warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from raw.measures")
    env = {**os.environ, "RSOKO_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    proc = subprocess.run(
        [settings.dbt_executable(), "build", "--project-dir", str(settings.DBT_PROJECT_DIR),
         "--profiles-dir", str(settings.DBT_PROJECT_DIR), "--vars", json.dumps({"run_year": y}),
         "--exclude-resource-type", "unit_test", "--select", "stg_measures+",
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        env=env, capture_output=True, text=True, cwd=settings.DBT_PROJECT_DIR)
    assert proc.returncode == 0, proc.stdout[-4000:]
    doc = build_effectiveness_document(Context(load(warehouse, y)), generated_at=datetime(y, 12, 1, 9))
    text = docx_text(write_docx(doc, tmp_path / "effectiveness.docx"))
    assert f"Меры за {y} год не зарегистрированы" in text
    for e in spravka["truth_json"]["nonobjective_previous"]:
        assert f"({e['school_code']})" in text
    for code in spravka["register"].loc[spravka["register"]["ШНОР"] == "да", "Код ОО"]:
        assert f"({code})" in text
    assert "мер не зарегистрировано" in text
