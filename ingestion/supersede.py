"""Corrected deliveries: the newer file (by modification time) replaces what the older one said.

Scopes (input contract, «Re-delivered files»):
- ВПР: a file of the same year, subject and grade replaces the older file's rows *of the schools
  it contains* (ФИС ОКО downloads come per school, municipality or region: school files add up,
  a regional file replaces them all);
- НИКО: a file of the same year, subject and grade replaces the whole older file;
- ФИС ОКО aggregate forms: a file of the same work and form replaces the whole older file;
- ГИА: row by row, a row with the same ID участника, Код предмета, Форма ГИА, Этап, Дата экзамена;
- plan, scale, minimum scores, admissions: rows of the same year (Год / Год выпуска);
- register: any other register, whole.
Replaced rows are deleted from `raw` (with their task rows) and counted as quarantined with the
reason «заменено исправленной выгрузкой <file>»; the ledger keeps both files.
"""
from __future__ import annotations

import duckdb

ROW_KEYS = {
    "gia11": ["participant_id", "subject_code", "gia_form", "stage", "exam_date"],
    "gia9": ["participant_id", "subject_code", "gia_form", "stage", "exam_date"],
    "vpr_plan": ["year"], "vpr_scale": ["year"], "ege_min": ["year"], "admissions": ["grad_year"],
    "vpr": ["year", "subject", "grade", "school_login"],
}
WHOLE_KEYS = {"niko": ["year", "subject", "grade"], "register": [],
              "vpr_forms": ["year", "subject", "grade", "form"]}
WORK_SCOPED = ("vpr", "niko", "vpr_forms")   # candidates share the ledger's work_key
MAIN_TABLE = {"gia11": "gia11", "gia9": "gia9", "vpr_plan": "vpr_plan", "vpr_scale": "vpr_scale",
              "ege_min": "ege_min", "admissions": "admissions", "vpr": "vpr_results", "niko": "niko_results",
              "register": "register", "vpr_forms": "vpr_forms"}
CHILD_TABLES = {"gia11": ["gia11_tasks"], "gia9": ["gia9_tasks"], "vpr": ["vpr_tasks"],
                "niko": ["niko_tasks", "niko_questionnaire"]}
ACTIVE = "('loaded', 'partial')"


def resolve(con: duckdb.DuckDBPyConnection, kind: str, load_id: str) -> list[str]:
    """Apply the supersede rule between load `load_id` and every other active load of its kind.

    Returns the files whose status changed (for the report).
    """
    if kind not in MAIN_TABLE:
        return []
    me = con.execute("select file, file_mtime, loaded_at, work_key, year from meta.ingestion_ledger where load_id = ?",
                     [load_id]).fetchone()
    # candidates: the same work (ВПР, НИКО), the same year (row-level kinds), any register
    scope = "work_key = $wk" if kind in WORK_SCOPED else ("true" if kind == "register" else "year is not distinct from $y")
    others = con.execute(
        f"select load_id, file, file_mtime, loaded_at from meta.ingestion_ledger where kind = $kind and load_id <> $id"
        f" and status in {ACTIVE} and {scope}",
        {"kind": kind, "id": load_id, **({"wk": me[3]} if "$wk" in scope else {}), **({"y": me[4]} if "$y" in scope else {})}).fetchall()
    if len(others) > 1 and kind in ROW_KEYS:
        others = _overlapping(con, kind, load_id, others)
    changed = []
    for other_id, other_file, other_mtime, other_loaded in others:
        newer_is_me = (me[1], me[2]) >= (other_mtime, other_loaded)
        old_id, new_id, new_file = (other_id, load_id, me[0]) if newer_is_me else (load_id, other_id, other_file)
        n = _supersede(con, kind, old_id, new_id, new_file)
        if n:
            changed.append(other_file if newer_is_me else me[0])
    return changed


def _overlapping(con: duckdb.DuckDBPyConnection, kind: str, load_id: str, others: list[tuple]) -> list[tuple]:
    """The candidate loads that share a row key with `load_id`, found in one query.

    ФИС ОКО downloads of one work come per municipality or school: dozens of files of a work
    share no school, and comparing them pair by pair would cost a query per pair.
    """
    table, cols = MAIN_TABLE[kind], ", ".join(ROW_KEYS[kind])
    ids = [o[0] for o in others]
    hit = {r[0] for r in con.execute(
        f"select distinct o._load_id from raw.{table} o semi join"
        f" (select {cols} from raw.{table} where _load_id = $new) n using ({cols})"
        f" where list_contains($ids, o._load_id)", {"new": load_id, "ids": ids}).fetchall()}
    return [o for o in others if o[0] in hit]


def _supersede(con: duckdb.DuckDBPyConnection, kind: str, old_id: str, new_id: str, new_file: str) -> int:
    """Move the rows of `old_id` that `new_id` replaces to quarantine; returns how many."""
    table = MAIN_TABLE[kind]
    whole = kind in WHOLE_KEYS
    if whole:
        keys = WHOLE_KEYS[kind]
        if keys:
            cols = ", ".join(keys)
            same = con.execute(
                f"select count(*) from (select distinct {cols} from raw.{table} where _load_id = ?)"
                f" semi join (select distinct {cols} from raw.{table} where _load_id = ?) using ({cols})",
                [old_id, new_id]).fetchone()[0]
            if not same:
                return 0
        counted = [table] + (["niko_questionnaire"] if kind == "niko" else [])
        selects = [f"select '{t}' as tbl, _source_row from raw.{t} where _load_id = $old" for t in counted]
        params = {"old": old_id}
    else:
        cols = ", ".join(ROW_KEYS[kind])
        selects = [f"select '{table}' as tbl, o._source_row from raw.{table} o semi join"
                   f" (select {cols} from raw.{table} where _load_id = $new) n using ({cols}) where o._load_id = $old"]
        params = {"old": old_id, "new": new_id}
    con.execute("create or replace temp table _superseded as " + " union all ".join(selects), params)
    total = con.execute("select count(*) from _superseded").fetchone()[0]
    if not total:
        con.execute("drop table _superseded")
        return 0
    old_file = con.execute("select file from meta.ingestion_ledger where load_id = ?", [old_id]).fetchone()[0]
    con.execute("""insert into meta.quarantine (load_id, file, "row", "column", "value", reason)
                   select ?, ?, _source_row, null, null, ? from _superseded order by tbl, _source_row""",
                [old_id, old_file, f"заменено исправленной выгрузкой {new_file}"])
    if whole:
        for t in [table, *CHILD_TABLES.get(kind, [])]:
            con.execute(f"delete from raw.{t} where _load_id = ?", [old_id])
    else:
        for t in [table, *CHILD_TABLES.get(kind, [])]:
            con.execute(f"delete from raw.{t} where _load_id = ? and _source_row in"
                        f" (select _source_row from _superseded)", [old_id])
    con.execute("""
        update meta.ingestion_ledger
        set rows_loaded = rows_loaded - $n,
            rows_quarantined = rows_quarantined + $n,
            status = case when rows_loaded - $n <= 0 then 'superseded' else 'partial' end,
            message = case when rows_loaded - $n <= 0 then $whole || coalesce('; ' || message, '')
                           else coalesce(message || '; ', '') || $msg end
        where load_id = $id""",
                {"n": total, "id": old_id, "msg": f"{total} строк заменены исправленной выгрузкой {new_file}",
                 "whole": f"заменено исправленной выгрузкой {new_file}: все строки ({total}) в карантине"})
    con.execute("drop table _superseded")
    return total
