"""Corrected deliveries: the newer file (by modification time) replaces what the older one said.

Each kind's rule is its `Supersede` in `ingestion.kinds` (input contract, «Re-delivered files»):
- ВПР: per school — a file of the same year, subject and grade replaces the earlier rows of the
  schools it contains (downloads per school add up; a regional file replaces them all);
- НИКО: the same, per school; «Анкета» rows go with the school their participant code was given;
- ГИА: row by row, a row with the same ID участника, Код предмета, Форма ГИА, Этап, Дата экзамена;
- plan, scale, minimum scores, admissions: rows of the same year (Год / Год выпуска);
- register: any other register, school by school (`Код ОО`); a school the newer register lacks
  is dropped by `settle_register` only when it has no results (otherwise its row is kept and the
  ledger says so): a register with a few bad or missing rows must not make schools vanish.
Replaced rows are deleted from `raw` (with their task rows) and counted as quarantined with the
reason «заменено исправленной выгрузкой <file>»; the ledger keeps both files.
"""
from __future__ import annotations

import duckdb

from ingestion.kinds import KINDS, school_references

ACTIVE = "('loaded', 'partial')"


def overlaps(con: duckdb.DuckDBPyConnection, kind: str, load_ids: list[str]) -> dict[str, set[str]] | None:
    """For each load of a batch: the other loads of the kind that share a row key with it (one query).

    A superset of what `resolve` may supersede (a pair that shares no key supersedes nothing,
    for row-wise and whole-file rules alike), so `resolve` need look no further; and a file
    that overlaps nothing needs no query of its own. None for a rule without keys.
    """
    if kind not in KINDS or not KINDS[kind].supersede.keys:
        return None
    table, cols = KINDS[kind].main_table, ", ".join(KINDS[kind].supersede.keys)
    pairs = con.execute(
        f"with n as (select distinct _load_id as new_id, {cols} from raw.{table} where list_contains($ids, _load_id))"
        f" select distinct n.new_id, o._load_id from n join (select distinct _load_id, {cols} from raw.{table}) o"
        f" using ({cols}) where o._load_id <> n.new_id", {"ids": list(load_ids)}).fetchall()
    out: dict[str, set[str]] = {i: set() for i in load_ids}
    for new_id, other in pairs:
        out[new_id].add(other)
    return out


def resolve(con: duckdb.DuckDBPyConnection, kind: str, load_id: str, later: frozenset[str] = frozenset(),
            candidates: set[str] | None = None) -> list[str]:
    """Apply the supersede rule between load `load_id` and every other active load of its kind.

    Candidates are the loads with the same `work_key` (the same work, the same year, any
    register: see `Kind.work_key`). `later`: loads written in the same batch after this one;
    they are left out, as if they were not written yet (each resolves against this one in
    turn), so a batch ends as file-by-file loading would. `candidates` (from `overlaps`): the
    only loads that can share rows with this one. Returns the files whose status changed (for
    the report).
    """
    if kind not in KINDS or (candidates is not None and not candidates - later):
        return []
    me = con.execute("select file, file_mtime, loaded_at, work_key from meta.ingestion_ledger where load_id = ?",
                     [load_id]).fetchone()
    others = con.execute(
        f"select load_id, file, file_mtime, loaded_at from meta.ingestion_ledger where kind = $kind and load_id <> $id"
        f" and status in {ACTIVE} and work_key = $wk", {"kind": kind, "id": load_id, "wk": me[3]}).fetchall()
    others = [o for o in others if o[0] not in later and (candidates is None or o[0] in candidates)]
    if len(others) > 1 and not KINDS[kind].supersede.whole and candidates is None:
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

    ФИС ОКО downloads of one work come per municipality or school: dozens of files of a work share
    no school, and comparing them pair by pair would cost a query per pair.
    """
    table, cols = KINDS[kind].main_table, ", ".join(KINDS[kind].supersede.keys)
    hit = {r[0] for r in con.execute(
        f"select distinct o._load_id from raw.{table} o semi join"
        f" (select {cols} from raw.{table} where _load_id = $new) n using ({cols})"
        f" where list_contains($ids, o._load_id)", {"new": load_id, "ids": [o[0] for o in others]}).fetchall()}
    return [o for o in others if o[0] in hit]


def _supersede(con: duckdb.DuckDBPyConnection, kind: str, old_id: str, new_id: str, new_file: str) -> int:
    """Move the rows of `old_id` that `new_id` replaces to quarantine; returns how many."""
    rule, table = KINDS[kind].supersede, KINDS[kind].main_table
    whole = rule.whole
    if whole:
        if rule.keys:
            cols = ", ".join(rule.keys)
            same = con.execute(
                f"select count(*) from (select distinct {cols} from raw.{table} where _load_id = ?)"
                f" semi join (select distinct {cols} from raw.{table} where _load_id = ?) using ({cols})",
                [old_id, new_id]).fetchone()[0]
            if not same:
                return 0
        # a questionnaire row is stored once per question: count sheet rows, as loading did
        selects = [f"select distinct '{t}' as tbl, _source_row from raw.{t} where _load_id = $old"
                   for t in KINDS[kind].row_tables]
        params = {"old": old_id}
    else:
        cols = ", ".join(rule.keys)
        selects = [f"select distinct '{t}' as tbl, o._source_row from raw.{t} o semi join"
                   f" (select {cols} from raw.{table} where _load_id = $new) n using ({cols}) where o._load_id = $old"
                   for t in KINDS[kind].row_tables]
        params = {"old": old_id, "new": new_id}
    con.execute("create or replace temp table _superseded as " + " union all ".join(selects), params)
    return _move_superseded(con, kind, old_id, new_file, whole)


def _move_superseded(con: duckdb.DuckDBPyConnection, kind: str, old_id: str, new_file: str, whole: bool) -> int:
    """Quarantine and delete the rows of `old_id` listed in temp table `_superseded`; update its ledger row."""
    table = KINDS[kind].main_table
    total = con.execute("select count(*) from _superseded").fetchone()[0]
    if not total:
        con.execute("drop table _superseded")
        return 0
    old_file = con.execute("select file from meta.ingestion_ledger where load_id = ?", [old_id]).fetchone()[0]
    con.execute("""insert into meta.quarantine (load_id, file, "row", "column", "value", reason)
                   select ?, ?, _source_row, null, null, ? from _superseded order by tbl, _source_row""",
                [old_id, old_file, f"заменено исправленной выгрузкой {new_file}"])
    if whole:
        for t in KINDS[kind].tables:
            con.execute(f"delete from raw.{t} where _load_id = ?", [old_id])
    else:  # child rows go with their main row, a table with rows of its own by those rows
        k = KINDS[kind]
        for t in k.tables:
            con.execute(f"delete from raw.{t} where _load_id = ? and _source_row in"
                        f" (select _source_row from _superseded where tbl = ?)", [old_id, t if t in k.own_rows else table])
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


KEPT_NEW = "сохранены из прежнего реестра"
KEPT_OLD = "сохранены строки ОО"


def settle_register(con: duckdb.DuckDBPyConnection, results_pending: bool) -> list[str]:
    """Rows of earlier registers for schools the newest register lacks: keep those with results.

    A school with results stays (the ledger of both files names it); one without results is
    superseded — unless result files of the inbox are still to be loaded (`results_pending`,
    a load limited to some kinds or years), in which case it waits for a later load.
    Returns the files whose status changed.
    """
    newest = con.execute(f"select load_id, file from meta.ingestion_ledger where kind = 'register'"
                         f" and status in {ACTIVE} order by file_mtime desc, loaded_at desc, load_id limit 1").fetchone()
    if newest is None:
        return []
    new_id, new_file = newest
    has_results = " or ".join(f"exists (select 1 from raw.{t} x where x.{c} = r.{c})"
                              for t, c in school_references().values())
    in_newest = "exists (select 1 from raw.register n where n._load_id = $new and n.{0} = r.{0})"
    # held: earlier rows of schools whose code the newest register lacks. One whose login the newest
    # register has under another code is replaced by that row (a login must stay unique).
    con.execute(f"""
        create or replace temp table _held as
        select r._load_id, l.file, r._source_row, r.school_code, {in_newest.format("school_login")} as renamed,
               ({has_results}) as has_results
        from raw.register r join meta.ingestion_ledger l on l.load_id = r._load_id
        where r._load_id <> $new and not {in_newest.format("school_code")}""", {"new": new_id})
    kept: dict[tuple[str, str], list[str]] = {}
    for load_id, file, code in con.execute("select _load_id, file, school_code from _held"
                                           " where has_results and not renamed order by file, school_code").fetchall():
        kept.setdefault((load_id, file), []).append(code)
    _note(con, new_id, KEPT_NEW, "; ".join(
        f"{KEPT_NEW} {file} ОО, которых нет в этом реестре, но есть результаты: {', '.join(codes)}"
        for (_id, file), codes in kept.items()))
    for (load_id, _file), codes in kept.items():
        _note(con, load_id, KEPT_OLD,
              f"{KEPT_OLD}, которых нет в новом реестре {new_file}, но есть результаты: {', '.join(codes)}")
    # without results: superseded, unless result files still wait for a later load
    gone = "renamed" if results_pending else "renamed or not has_results"
    changed = []
    for (load_id,) in con.execute(f"select distinct _load_id from _held where {gone} order by 1").fetchall():
        con.execute(f"create or replace temp table _superseded as select 'register' as tbl, _source_row from _held"
                    f" where _load_id = ? and ({gone})", [load_id])
        if _move_superseded(con, "register", load_id, new_file, whole=False):
            changed.append(con.execute("select file from meta.ingestion_ledger where load_id = ?", [load_id]).fetchone()[0])
    con.execute("drop table _held")
    return changed


def _note(con: duckdb.DuckDBPyConnection, load_id: str, marker: str, note: str) -> None:
    """Set the ledger message's part that starts with `marker` to `note` (idempotent; '' removes it)."""
    (message,) = con.execute("select message from meta.ingestion_ledger where load_id = ?", [load_id]).fetchone()
    parts = [p for p in (message or "").split("; ") if p and not p.startswith(marker)]
    parts += [p for p in note.split("; ") if p]
    con.execute("update meta.ingestion_ledger set message = ? where load_id = ?", ["; ".join(parts), load_id])
