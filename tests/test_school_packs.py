"""Restricted school packs on a real run of the generated demo region (the session's `demo_run`).

Expectations come from the warehouse's raw tables (what was loaded from the inbox) and from
data/deficits.csv, never from the pack marts the packs are written from: pupil-works are counted
from raw.vpr_results joined to raw.register, pupil codes and class keys are read from there, and
the tasks a pupil has not mastered are recomputed here from raw.vpr_tasks.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from rsoko.pipeline import read_state, verify_outputs

TOKEN = re.compile(r"\w+")


# --- reading what was loaded --------------------------------------------------------------------

@pytest.fixture(scope="module")
def raw(demo_run) -> dict:
    """Pupil-works of the published year by school, from the raw tables only."""
    con = duckdb.connect(str(demo_run["warehouse"]), read_only=True)
    try:
        works = con.execute("""
            select reg.school_code, reg.mo_code, v.subject, v.grade, v.participant_code, v.class_name, v.year
            from raw.vpr_results v join raw.register reg on v.school_login = reg.school_login
        """).df()
        tasks = con.execute("""
            select reg.school_code, t.subject, t.grade, t.participant_code, t.task, t.task_max, t.score
            from raw.vpr_tasks t join raw.register reg on t.school_login = reg.school_login
            where t.year = $y
        """, {"y": demo_run["year"]}).df()
        share = con.execute("select value from reference.pack_params where parameter = 'pupil_mastery_share'").fetchone()[0]
        register = con.execute("select school_code, mo_code from raw.register").df()
    finally:
        con.close()
    works["work"] = "ВПР " + works["subject"] + " " + works["grade"].astype(str)
    tasks["work"] = "ВПР " + tasks["subject"] + " " + tasks["grade"].astype(str)
    year = works[works["year"] == demo_run["year"]]
    return {"all_years": works, "year": year, "tasks": tasks, "share": float(share), "register": register}


def sheet(path: Path, suffix: str) -> pd.DataFrame:
    """A pack sheet (named «NN <suffix>») as a frame of its table rows; the notes under it dropped."""
    wb = CalamineWorkbook.from_path(str(path))
    name = next(n for n in wb.sheet_names if n.split(" ", 1)[-1] == suffix)
    rows = wb.get_sheet_by_name(name).to_python()
    header, body = rows[0], rows[1:]
    body = [r for r in body if any(v not in ("", None) for v in r[1:])]   # notes fill the first cell only
    return pd.DataFrame(body, columns=header)


def xlsx_text(path: Path) -> list[str]:
    """Every cell of every sheet, as text."""
    wb = CalamineWorkbook.from_path(str(path))
    return [str(v) for n in wb.sheet_names for r in wb.get_sheet_by_name(n).to_python() for v in r if v not in ("", None)]


class _Text(HTMLParser):
    """The visible text of an HTML page (charts' SVG drawing commands left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("svg", "style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("svg", "style", "script") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def file_text(path: Path) -> str:
    """The readable text of a published file, by its format."""
    suffix = path.suffix.lower()
    if suffix == ".html":
        parser = _Text()
        parser.feed(path.read_text(encoding="utf-8"))
        return "\n".join(parser.parts)
    if suffix == ".json":     # its strings: sizes in bytes are numbers and may equal a 5-digit pupil code
        import json

        def strings(v):
            if isinstance(v, dict):
                return [x for k, val in v.items() for x in [k, *strings(val)]]
            if isinstance(v, list):
                return [x for val in v for x in strings(val)]
            return [v] if isinstance(v, str) else []
        return "\n".join(strings(json.loads(path.read_text(encoding="utf-8"))))
    if suffix in (".csv", ".txt"):
        return path.read_text(encoding="utf-8")
    if suffix == ".xlsx":
        return "\n".join(xlsx_text(path))
    if suffix == ".docx":
        import docx

        d = docx.Document(str(path))
        cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in d.paragraphs] + cells)
    if suffix == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    raise AssertionError(f"a published file of a format this test cannot read: {path}")


@pytest.fixture(scope="module")
def restricted(demo_run) -> Path:
    return demo_run["year_dir"] / "restricted"


# --- the packs ------------------------------------------------------------------------------------

def test_every_school_that_sat_vpr_has_a_pack_with_one_row_per_pupil_work(raw, restricted):
    year = raw["year"]
    schools = sorted(year["school_code"].unique())
    assert len(schools) > 10
    on_disk = {p.name for p in (restricted / "oo").iterdir()}
    assert on_disk == {f"{s}.{ext}" for s in schools for ext in ("xlsx", "pdf")}
    for school in schools:
        pupils = sheet(restricted / "oo" / f"{school}.xlsx", "Ученики")
        expected = year[year["school_code"] == school]
        assert len(pupils) == len(expected), school
        got = sorted(zip(pupils["Работа"], pupils["Код участника"].astype(str)))
        assert got == sorted(zip(expected["work"], expected["participant_code"].astype(str))), school


def test_pack_task_figures_match_deficits_csv(demo_run, restricted, raw):
    deficits = pd.read_csv(demo_run["data"] / "deficits.csv", dtype={"entity_code": str, "task": str, "skill_code": str})
    checked = 0
    for school in sorted(raw["year"]["school_code"].unique()):
        path = restricted / "oo" / f"{school}.xlsx"
        own = deficits[(deficits["level"] == "school") & (deficits["entity_code"] == school)]
        tasks = sheet(path, "Задания")
        assert len(tasks) == len(own), school
        got = {(w, str(t)): (round(float(c), 1), d == "да", p == "да", int(n))
               for w, t, c, d, p, n in zip(tasks["Работа"], tasks["Задание"], tasks["Выполнение, %"],
                                           tasks["Дефицит"], tasks["Приоритетный дефицит"], tasks["Участников"])}
        want = {(w, t): (round(c, 1), d == 1, p == 1, n) for w, t, c, d, p, n in
                zip(own["work"], own["task"], own["completion_pct"], own["deficit"], own["priority"], own["participants"])}
        assert got == want, school
        classes = deficits[(deficits["level"] == "class") & deficits["entity_code"].str.startswith(f"{school}/")]
        by_class = sheet(path, "Задания по классам")
        got = {(w, f"{school}/{k}", str(t)): (round(float(c), 1), d == "да", p == "да")
               for w, k, t, c, d, p in zip(by_class["Работа"], by_class["Класс"], by_class["Задание"],
                                           by_class["Выполнение, %"], by_class["Дефицит"], by_class["Приоритетный дефицит"])}
        want = {(w, e, t): (round(c, 1), d == 1, p == 1) for w, e, t, c, d, p in
                zip(classes["work"], classes["entity_code"], classes["task"], classes["completion_pct"],
                    classes["deficit"], classes["priority"])}
        assert got == want, school
        works = sheet(path, "Работы").set_index("Работа")
        counts = own.groupby("work")[["deficit", "priority"]].sum()
        assert works["Заданий с дефицитом"].astype(int).to_dict() == counts["deficit"].to_dict(), school
        assert works["Из них приоритетных"].astype(int).to_dict() == counts["priority"].to_dict(), school
        checked += 1
    assert checked == raw["year"]["school_code"].nunique()


def test_tasks_not_mastered_recomputed_from_the_raw_task_cells(raw, restricted):
    """For the largest school: a task is not mastered when score < share · maximum (X cells skipped)."""
    year = raw["year"]
    school = year["school_code"].value_counts().index[0]
    cells = raw["tasks"][(raw["tasks"]["school_code"] == school) & raw["tasks"]["score"].notna()]
    low = cells[cells["score"] < raw["share"] * cells["task_max"]]
    expected = {(w, str(c)): set(g) for (w, c), g in low.groupby(["work", "participant_code"])["task"]}
    pupils = sheet(restricted / "oo" / f"{school}.xlsx", "Ученики")
    got = {}
    for w, c, n, listed in zip(pupils["Работа"], pupils["Код участника"], pupils["Не освоено заданий"], pupils["Задания"]):
        tasks = {t for t in str(listed).split(", ") if t}
        assert int(n) == len(tasks)
        if tasks:
            got[(w, str(c))] = tasks
    assert got == expected
    assert len(expected) > 0


def test_municipal_folders_hold_only_their_schools_and_a_true_manifest(raw, restricted):
    year = raw["year"]
    folders = {p.name for p in (restricted / "mo").iterdir()}
    assert folders == set(year["mo_code"].unique())
    for mo in sorted(folders):
        folder = restricted / "mo" / mo
        schools = set(year.loc[year["mo_code"] == mo, "school_code"])
        files = {p.name for p in folder.iterdir()}
        assert files == {f"{s}.{ext}" for s in schools for ext in ("xlsx", "pdf")} | {"manifest.json"}, mo
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["mo_code"] == mo
        assert {f["path"] for f in manifest["files"]} == files - {"manifest.json"}
        for f in manifest["files"]:
            body = (folder / f["path"]).read_bytes()
            assert hashlib.sha256(body).hexdigest() == f["sha256"] and len(body) == f["bytes"]
            assert body == (restricted / "oo" / f["path"]).read_bytes()


def test_no_pack_holds_another_schools_pupils(raw, restricted):
    codes = raw["year"].groupby("school_code")["participant_code"].agg(lambda s: set(s.astype(str)))
    everyone = set().union(*codes)
    for school, own in codes.items():
        others = everyone - own
        for ext in ("xlsx", "pdf"):
            tokens = set(TOKEN.findall(file_text(restricted / "oo" / f"{school}.{ext}")))
            assert not tokens & others, (school, ext, sorted(tokens & others)[:5])
        pupils = sheet(restricted / "oo" / f"{school}.xlsx", "Ученики")
        assert set(pupils["Код участника"].astype(str)) == own


def test_public_holds_no_pupil_code_no_class_table_and_nothing_restricted(demo_run, raw):
    public = demo_run["public"]
    works = raw["all_years"]
    codes = set(works["participant_code"].astype(str))
    class_keys = set(works["school_code"] + "/" + works["class_name"].astype(str))
    assert len(codes) > 1000
    scanned = 0
    for path in sorted(p for p in public.rglob("*") if p.is_file()):
        text = file_text(path)
        leaked = set(TOKEN.findall(text)) & codes
        assert not leaked, (path.name, sorted(leaked)[:5])
        assert not [k for k in class_keys if k in text], path.name
        if path.suffix == ".html":
            assert not re.search(r"<th[^>]*>\s*Класс\s*</th>", path.read_text(encoding="utf-8")), path.name
        if path.suffix == ".xlsx":
            wb = CalamineWorkbook.from_path(str(path))
            for name in wb.sheet_names:
                rows = wb.get_sheet_by_name(name).to_python()
                assert not rows or "Класс" not in [str(v) for v in rows[0]], (path.name, name)
        scanned += 1
    assert scanned >= 8
    manifest = json.loads((public / "manifest.json").read_text(encoding="utf-8"))
    assert not [f for f in manifest["files"] if "restricted" in f["path"] or f["path"].startswith("oo/")]
    index = (public / "index.html").read_text(encoding="utf-8")
    assert "restricted" not in index and "oo/" not in index
    assert not [p for p in public.rglob("*") if p.name.split(".")[0] in set(raw["year"]["school_code"])]


def test_unchanged_rerun_verification_covers_the_packs(demo_run, tmp_path):
    """A damaged or extra pack file is found against the state (as public/ against its manifest)."""
    copy = tmp_path / "year"
    shutil.copytree(demo_run["year_dir"], copy)
    state = read_state(copy)
    assert verify_outputs(copy, state) == []
    pack = next((copy / "restricted" / "oo").glob("*.pdf"))
    pack.write_bytes(pack.read_bytes()[:-10])
    (copy / "restricted" / "mo" / "stray.xlsx").write_bytes(b"x")
    problems = verify_outputs(copy, state)
    assert f"restricted/oo/{pack.name} изменён или повреждён" in problems
    assert "restricted/mo/stray.xlsx не из этой публикации" in problems


def test_a_failing_pack_task_stops_the_feeding_and_reaches_the_publication(tmp_path):
    """The pack tasks go to the pool a few at a time (reports.packs.Feeder); a task that fails
    must surface in collect() — not leave the publication waiting or writing manifests — and
    no further task may be put on the pool after it."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import datetime

    from reports import packs

    codes = [f"{i:04d}" for i in range(80)]                  # 10 tasks of packs.CHUNK schools
    groups = pd.DataFrame({"school_code": codes, "level": "school"})
    schools = pd.DataFrame({"school_code": codes, "mo_code": "01"})
    data = packs.PackData(2025, {"mart_pack_groups": groups}, schools, 0.5)
    stage = tmp_path / "stage"
    stage.write_text("a file where the staging folder should be", encoding="utf-8")
    with ThreadPoolExecutor(max_workers=1) as pool:
        feeder = packs.submit(pool, data, stage, datetime(2025, 12, 15))
        with pytest.raises(OSError):
            packs.collect(feeder, data, stage, datetime(2025, 12, 15))
    assert len(packs.tasks(data)) == 10
    assert not feeder.is_alive() and 1 <= len(feeder.futures) <= packs.IN_FLIGHT
    assert stage.read_text(encoding="utf-8").startswith("a file")


def _priority_after_yielding_twice() -> tuple[int, int]:
    """In a pool worker: its niceness before and after the pack tasks' yield, asked twice."""
    import os

    from reports import packs

    before = os.nice(0)
    packs._yield_to_public_reports()
    packs._yield_to_public_reports()
    return before, os.nice(0)


def test_pack_workers_yield_the_cpu_to_the_public_reports_once_and_threads_never():
    """Pack tasks run behind the public reports (reports.packs.PACK_NICENESS) in the pool's worker
    processes, lowered once however many tasks a worker takes; fed to a pool of threads, they
    leave the publishing process's priority alone."""
    import os
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    from reports import packs

    with ProcessPoolExecutor(max_workers=1) as pool:
        before, after = pool.submit(_priority_after_yielding_twice).result()
    assert after == min(before + packs.PACK_NICENESS, 19)
    mine = os.nice(0)
    with ThreadPoolExecutor(max_workers=1) as pool:
        feeder = packs.Feeder(pool, None, Path("."), None)
    assert feeder._task is packs.build_schools and os.nice(0) == mine
    with ProcessPoolExecutor(max_workers=1) as pool:
        assert packs.Feeder(pool, None, Path("."), None)._task is packs.build_schools_in_worker


@pytest.mark.parametrize("as_category", [False, True])
def test_pack_rows_go_by_subject_grade_and_natural_task_order_ties_kept(as_category):
    """A pack lists works by subject then grade as a number, tasks as a teacher numbers them
    («1К1» < «2» < «4.1» < «10»; an absent label first), and rows that tie («2», «02») in the
    order they came — whether the columns are text or categories (as the pack marts are read)."""
    from reports.packs_xlsx import _sorted

    rows = pd.DataFrame({
        "work": ["ВПР Математика 5", "ВПР Математика 5", "ВПР Биология 5", "ВПР Математика 4",
                 "ВПР Математика 5", "ВПР Математика 5", "ВПР Математика 4", "ВПР Математика 5"],
        "task": ["10", "2", "1", "4.1", "1К1", "2", None, "02"],
        "v": range(8)})
    if as_category:
        rows = rows.astype({"work": "category", "task": "category"})
    assert _sorted(rows, "task")["v"].tolist() == [2, 6, 3, 4, 1, 5, 7, 0]
    assert _sorted(rows.iloc[:0], "task").empty
