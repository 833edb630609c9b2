"""Validation and raw inserts per kind family, for a batch of files of one kind at a time.

Each kind names its family in `ingestion.kinds`. Two families: *column tables* (register, ГИА, plan, scale, minimum scores, admissions: one
frame, one suite) and *works* (ВПР, НИКО: a header check against the plan, a pupil frame, a
long task-cell frame, and for НИКО the questionnaire). Files of a batch are validated together
(GX's cost is per expectation, not per row) and the results are split back per file: every
violation becomes a quarantine row (file, row, column, value, reason) and the rows it names are
not inserted.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from expectations import ContextParams, SuiteResult, run_suite
from ingestion.readers.base import ParsedFile
from ingestion.readers.works import TaskColumn
from ingestion.convert import object_frame
from ingestion.rawio import Audit, Batch, extra_json
from ingestion.text import norm_header

MAIN = "main"
QUESTIONNAIRE = "questionnaire"


@dataclass
class Pending:
    """One new file on its way through read → validate → insert → ledger."""

    info: object                       # ledger.InboxFile
    load_id: str
    ident: object = None               # readers.Identified
    parsed: ParsedFile | None = None
    error: str | None = None           # file-level: the file is rejected
    error_rows: list[tuple] = field(default_factory=list)   # (row, column, value, reason) of the problem
    rows_read: int = 0
    violations: list[pd.DataFrame] = field(default_factory=list)
    quarantine: pd.DataFrame | None = None    # part, row, column, value, reason (one reason per cell)
    bad_rows: dict[str, set] = field(default_factory=dict)
    outcomes: list[tuple] = field(default_factory=list)     # (suite, expectation, column, success, count)
    notes: list[str] = field(default_factory=list)
    rows_loaded: int = 0
    nulled: dict[str, set] = field(default_factory=dict)   # field -> rows loaded with that cell emptied
    cells: dict | None = None          # a work file's task cells (`task_cells`), from validation to insert

    def reject(self, message: str, rows: list[tuple] | None = None) -> None:
        self.error = message
        self.error_rows = rows or [(None, None, None, message)]

    def finish_validation(self, nullable: dict[str, str] | None = None) -> None:
        """One reason per (part, row, column) — the earliest check wins — and the bad row sets.

        `nullable` (file column → field) names the columns whose bad value empties the cell
        instead of quarantining the row: the row loads and the cell's quarantine row says so.
        """
        if not self.violations:   # the common case: nothing to sort out (a few pandas calls a file saved)
            self.quarantine, self.bad_rows, self.violations = _NO_QUARANTINE.copy(), {}, []
            return
        v = pd.concat(self.violations, ignore_index=True).sort_values(["order"], kind="stable")
        v = v.drop_duplicates(["part", "row", "column"], keep="first").sort_values(["part", "row", "order"], kind="stable")
        soft = (v["part"] == MAIN) & v["column"].isin(list(nullable or {})) & (v["order"] >= 0)
        hard = v[~soft]
        self.bad_rows = {part: set(g["row"].astype(int)) for part, g in hard.groupby("part")}
        cells = soft & ~v["row"].isin(self.bad_rows.get(MAIN, set()))
        if cells.any():
            v = v.copy()
            v.loc[cells, "reason"] = v.loc[cells, "reason"] + "; ячейка оставлена пустой, строка загружена"
            self.nulled = {nullable[c]: set(g["row"].astype(int)) for c, g in v[cells].groupby("column")}
            self.notes.append(emptied_note(v[cells]))
        if "_field" in v:
            v = file_headers(v, self.parsed)
        self.quarantine = v[["part", "row", "column", "value", "reason"]].reset_index(drop=True)
        self.violations = []

    @property
    def rows_quarantined(self) -> int:
        return sum(len(s) for s in self.bad_rows.values())


_NO_QUARANTINE = pd.DataFrame({c: pd.Series([], dtype=object) for c in ("part", "row", "column", "value", "reason")})


def emptied_note(cells: pd.DataFrame) -> str:
    """«2 ячейки оставлены пустыми: строка 3, «Численность обучающихся»; …» for the ledger."""
    n = len(cells)
    word = ("ячейка оставлена пустой" if n % 10 == 1 and n % 100 != 11 else
            "ячейки оставлены пустыми" if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else
            "ячеек оставлено пустыми")
    shown = "; ".join(f"строка {int(r)}, «{c}»" for r, c in cells[["row", "column"]].head(3).itertuples(index=False))
    return f"{n} {word} (значение недопустимо, строка загружена): {shown}" + (" и др." if n > 3 else "")


def file_headers(g: pd.DataFrame, parsed: ParsedFile | None) -> pd.DataFrame:
    """Quarantine names the column as the file heads it: a check says «Логин ОО» or «Код МО», the
    current ФИС ОКО layout heads it `ОО` and a РЦОИ protocol `Код МСУ` (contract: file, row, column)."""
    headers = parsed.columns if parsed is not None else {}
    if not headers:
        return g
    own = g["_field"].map(lambda f: headers.get(f) if isinstance(f, str) else None)
    # only the main part's own columns, not a protocol's «заголовок протокола» (the check's label
    # already says which field of the title is wrong), and only where the label cannot be found in
    # the file's header (`Уровень` stays for `Уровень (МО / ОО)`; `Логин ОО` becomes `ОО`)
    use = (g["part"] == MAIN) & own.notna() & ~own.astype(str).str.startswith("заголовок")
    use &= np.array([norm_header(str(b)) not in norm_header(str(a)) for a, b in zip(own, g["column"])], dtype=bool)
    if use.any():
        g = g.copy()
        g.loc[use, "column"] = own[use]
    return g


def distribute(items: list[Pending], suite: str, result: SuiteResult, file_of: np.ndarray, row_of: np.ndarray,
               part: str, order: int) -> None:
    """Split a batch's suite result per file: violations and per-expectation counts."""
    v = result.violations
    if len(v):
        idx = v["index"].to_numpy(dtype=np.int64)
        df = pd.DataFrame({"file": file_of[idx], "part": part, "row": row_of[idx], "column": v["column"].to_numpy(),
                           "value": v["value"].to_numpy(), "reason": v["reason"].to_numpy(),
                           "order": order * 1000 + v["check"].to_numpy()})
        checked = np.array([result.outcomes[c].column for c in v["check"].to_numpy()], dtype=object)
        df["_field"] = checked
        for i, g in df.groupby("file"):
            items[int(i)].violations.append(g.drop(columns="file"))
    for o in result.outcomes:
        counts = np.bincount(file_of[o.index].astype(np.int64), minlength=len(items)) if len(o.index) else np.zeros(len(items), int)
        for i, p in enumerate(items):
            p.outcomes.append((suite, o.expectation, o.column, bool(counts[i] == 0), int(counts[i])))


def kept(frame: pd.DataFrame, bad: set) -> np.ndarray:
    return ~frame["_row"].isin(bad).to_numpy() if bad else np.ones(len(frame), dtype=bool)


def kept_rows(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """The rows of `frame` in `keep`; the frame itself when all are kept (the common case: a
    wide ВПР frame copied per file only to be read cost more than its inserts)."""
    return frame if keep.all() else frame.loc[keep]


# ====================================================================== column tables
class ColumnTables:
    """Kinds with one header row and one raw table (ГИА also expands its answer strings)."""

    def validate(self, kind: str, items: list[Pending], params: ContextParams) -> None:
        frames = []
        for i, p in enumerate(items):
            complete = p.parsed.meta.get("complete")
            if complete is not None:  # e.g. a РЦОИ protocol: Код МО and category from the register
                p.notes += complete(p.parsed.frame, params) or []
            f = p.parsed.frame.copy(deep=False)
            f["_file"] = i
            f["_file_year"] = p.parsed.year if p.parsed.year is not None else np.nan
            frames.append(f)
        df = pd.concat(frames, ignore_index=True)
        result = run_suite(kind, df, params)
        distribute(items, kind, result, df["_file"].to_numpy(), df["_row"].to_numpy(), MAIN, 0)

    def insert(self, batch: Batch, kind: str, p: Pending, audit: Audit) -> int:
        """Stage the file's loadable rows (bad cells emptied where the kind allows); returns their count."""
        frame = p.parsed.frame
        keep = kept(frame, p.bad_rows.get(MAIN, set()))
        sub = kept_rows(frame, keep)
        data = {c: sub[c].to_numpy() for c in sub.columns if not c.startswith(("_", "extra:")) and not c.endswith("__bad")}
        for name, rows in p.nulled.items():  # a bad non-key cell: emptied, the row loads
            empty = sub["_row"].isin(rows).to_numpy()
            data[name] = np.where(empty, np.nan if data[name].dtype.kind == "f" else None, data[name])
        ex = extra_json(sub, p.parsed.extras)
        if ex is not None:
            data["_extra"] = ex
        from ingestion.kinds import KINDS

        return batch.insert(KINDS[kind].main_table, data, sub["_row"].to_numpy(), audit)

    def after_flush(self, con, kind: str, loaded: list[Pending]) -> dict[str, list[str]]:
        """What needs the batch's rows in the warehouse: ГИА answer strings expanded into task rows
        (one statement per batch), an appeal file's note of the results it changes. Returns the
        ledger notes per load id (not added to the files: a retried batch must not repeat them)."""
        if kind in ("gia11", "gia9") and loaded:
            expand_answers(con, kind, [p.load_id for p in loaded])
        if kind == "gia_appeals":
            return {p.load_id: [appeal_note(con, p.load_id)] for p in loaded}
        return {}


def appeal_note(con, load_id: str) -> str:
    """How many results an appeal file changes (the ledger says so: contract §11)."""
    changed, matched, replacing = con.execute("""
        with g as (select participant_id, subject_code, exam_date from raw.gia11
                   union all select participant_id, subject_code, exam_date from raw.gia9),
        a as (select a.score_diff, exists (select 1 from g where g.participant_id = a.participant_id
                     and g.subject_code = a.subject_code and g.exam_date = a.exam_date) as m
              from raw.gia_appeals a where a._load_id = ? and a.replaces)
        select count(*) filter (where m and coalesce(score_diff, 1) <> 0), count(*) filter (where m), count(*) from a
    """, [load_id]).fetchall()[0]   # fetched to the end: DuckDB refuses a `register` while a result is open
    text = f"апелляции и перепроверки меняют результатов: {changed}"
    if replacing - matched:
        text += f"; для {replacing - matched} не найден исходный результат экзамена (загрузите протокол экзамена)"
    return text


def expand_answers(con, kind: str, load_ids: list[str]) -> None:
    """Answer strings of the loads' rows → raw.<kind>_tasks, in SQL (one row per task/criterion)."""
    audit = "_load_id, _source_file, _source_sha256, _source_row, _loaded_at"
    con.execute(f"""
        insert into raw.{kind}_tasks by name
        with base as (
            select *, replace(translate(short_answers, '−–—', '---'), ' ', '') as s
            from raw.{kind} where list_contains($1, _load_id) and short_answers is not null
        ), cells as (
            select *, unnest(range(1, length(s) + 1)) as i from base
        )
        select year, participant_id, subject_code, exam_date, 'short' as part, i::integer as task_no,
               case substr(s, i::integer, 1) when '+' then 1 when '-' then 0
                    else try_cast(substr(s, i::integer, 1) as integer) end as score,
               case when substr(s, i::integer, 1) in ('+', '-') then 1 end as max_score, {audit}
        from cells
    """, [load_ids])
    con.execute(f"""
        insert into raw.{kind}_tasks by name
        with base as (
            select *, regexp_extract_all(replace(long_answers, ' ', ''), '(\\d+)\\((\\d+)\\)', 1) as sc,
                      regexp_extract_all(replace(long_answers, ' ', ''), '(\\d+)\\((\\d+)\\)', 2) as mx
            from raw.{kind} where list_contains($1, _load_id) and long_answers is not null
        ), crit as (
            select *, unnest(sc) as score_t, unnest(mx) as max_t, unnest(range(1, len(sc) + 1)) as k from base
        )
        select year, participant_id, subject_code, exam_date, 'long' as part, k::integer as task_no,
               score_t::integer as score, max_t::integer as max_score, {audit}
        from crit
    """, [load_ids])


# ====================================================================== works (ВПР, НИКО)
def task_cells(frame: pd.DataFrame, tasks: list[TaskColumn], rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The wide task block as long numeric arrays: pupil position, task index, score, bad text, max.

    Task labels and headers stay out of the long arrays (a cell row carries only the task's
    index) so that 18 million cells cost numbers, not Python strings.
    """
    sub = frame if rows is None else kept_rows(frame, rows)
    n, t = len(sub), len(tasks)
    if t == 0 or n == 0:
        return {"pupil": np.array([], dtype=np.int64), "tidx": np.array([], dtype=np.int32),
                "score": np.array([], dtype=float), "task_max": np.array([], dtype=float),
                "bad_pos": np.array([], dtype=np.int64), "bad_val": np.array([], dtype=object)}
    scores = np.column_stack([sub[f"task:{x.label}"].to_numpy(dtype=float) for x in tasks]).ravel()
    bad_pos, bad_val = [], []
    for j, x in enumerate(tasks):  # bad cells are rare: keep them sparse, not as an object column
        b = sub[f"task:{x.label}__bad"].to_numpy(dtype=object)
        nz = np.flatnonzero(pd.notna(b))
        if len(nz):
            bad_pos.append(nz * t + j)
            bad_val.append(b[nz])
    return {
        "pupil": np.repeat(np.arange(n, dtype=np.int64), t),
        "tidx": np.tile(np.arange(t, dtype=np.int32), n),
        "score": scores,
        "task_max": np.tile(np.array([x.max for x in tasks], dtype=float), n),
        "bad_pos": np.concatenate(bad_pos) if bad_pos else np.array([], dtype=np.int64),
        "bad_val": np.concatenate(bad_val) if bad_val else np.array([], dtype=object),
    }


def _cells_frame(c: dict[str, np.ndarray], labels: list[str], headers: list[str]) -> pd.DataFrame:
    """The task-cell frame the `*_tasks` suites check: numbers, plus categoricals for messages."""
    tidx = c["tidx"]
    bad_codes = np.full(len(tidx), -1, dtype=np.int32)
    bad_cats = np.array([], dtype=object)
    if len(c["bad_pos"]):
        bad_cats, inv = np.unique(c["bad_val"].astype(str), return_inverse=True)
        bad_codes[c["bad_pos"]] = inv
    return pd.DataFrame({"pupil": c["pupil"], "tidx": tidx, "score": c["score"], "task_max": c["task_max"],
                         "score__bad": pd.Categorical.from_codes(bad_codes, categories=pd.Index(bad_cats, dtype=object)),
                         "task": _categorical(labels, tidx), "header": _categorical(headers, tidx)})


def _categorical(values: list[str], codes: np.ndarray) -> pd.Categorical:
    uniq, inv = np.unique(np.array(values, dtype=object).astype(str), return_inverse=True)
    return pd.Categorical.from_codes(inv[codes], categories=uniq)


def cells_sum(c: dict[str, np.ndarray], n: int, t: int) -> np.ndarray:
    """Σ of non-null task cells per pupil from a file's `task_cells`; NaN when a cell is not a
    number (its own check reports it). From the cells, so the task columns are read once."""
    if t == 0:
        return np.zeros(n)
    s = np.nansum(c["score"].reshape(n, t), axis=1)
    s[c["bad_pos"] // t] = np.nan
    return s


PUPIL_COLS = {
    "vpr": ["_row", "school_login", "mo_name", "school_name", "participant_code", "class_name", "variant",
            "variant__bad", "primary_score", "primary_score__bad", "mark", "mark__bad", "journal_mark",
            "journal_mark__bad"],
    "niko": ["_row", "school_login", "participant_code", "class_name", "primary_score", "primary_score__bad",
             "level_name"],
}


def pupil_frame(columns: list[str], files: list[tuple[pd.DataFrame, ParsedFile, np.ndarray]]) -> pd.DataFrame:
    """The pupil rows of a batch's files for the ВПР/НИКО suites: `columns` of each file's frame,
    its number `_file`, the work (year, subject, grade, maximum) and the task sum per pupil.

    Built from arrays once per batch: a frame per file (a column copy and five assignments)
    cost milliseconds a file, which hundreds of ФИС ОКО downloads of a work pay; the result is
    the frame the per-file frames concatenated to (object columns stay object, the subject is
    pandas' text column as a scalar assignment made it).
    """
    lengths = np.array([len(f) for f, _pf, _s in files], dtype=np.int64)
    out: dict[str, np.ndarray] = {}
    for c in columns:
        parts = [f[c].to_numpy() for f, _pf, _s in files]
        out[c] = parts[0] if len(parts) == 1 else np.concatenate(parts)
    out["_file"] = np.repeat(np.arange(len(files), dtype=np.int64), lengths)
    out["year"] = np.repeat(np.array([pf.year for _f, pf, _s in files], dtype=np.int64), lengths)
    subjects = np.repeat(np.array([pf.meta["subject"] for _f, pf, _s in files], dtype=object), lengths)
    out["grade"] = np.repeat(np.array([pf.meta["grade"] for _f, pf, _s in files], dtype=np.int64), lengths)
    out["_work_max"] = np.repeat(np.array([float(pf.meta["work_max"]) for _f, pf, _s in files]), lengths)
    out["_task_sum"] = np.concatenate([s for _f, _pf, s in files]).astype(float)
    frame = object_frame(out)
    frame.insert(frame.columns.get_loc("grade"), "subject", pd.Series(subjects, dtype="str"))
    return frame


class Works:
    """ВПР and НИКО: header vs plan (ВПР), pupils, task cells, questionnaire (НИКО)."""

    def validate(self, kind: str, items: list[Pending], params: ContextParams) -> None:
        _match_login_prefixes(items, params)   # НИКО files carry the same ФИС ОКО logins as ВПР
        if kind == "vpr":
            self._check_headers(items, params)
        good = [p for p in items if p.error is None]
        if not good:
            return
        pupils, quest = [], []
        cols: dict[str, list[np.ndarray]] = {"pupil": [], "tidx": [], "score": [], "task_max": [],
                                             "bad_pos": [], "bad_val": []}
        labels: list[str] = []
        headers: list[str] = []
        offset = cell_offset = 0
        for i, p in enumerate(good):
            pf = p.parsed
            f = pf.frame
            tasks = pf.meta["tasks"]
            c = task_cells(f, tasks)
            p.cells = dict(c)   # insert reuses them when every row loads
            pupils.append((f, pf, cells_sum(c, len(f), len(tasks))))
            c["pupil"] = c["pupil"] + offset
            c["tidx"] = c["tidx"] + len(labels)
            c["bad_pos"] = c["bad_pos"] + cell_offset
            for k in cols:
                cols[k].append(c[k])
            labels += [t.label for t in tasks]
            headers += [t.header for t in tasks]
            offset += len(f)
            cell_offset += len(c["score"])
            if kind == "niko" and QUESTIONNAIRE in pf.parts:
                q = questionnaire_frame(pf.parts[QUESTIONNAIRE], set(f["participant_code"].dropna()))
                q["_file"] = i
                quest.append(q)
        P = pupil_frame(PUPIL_COLS[kind], pupils)
        T = _cells_frame({k: np.concatenate(v) for k, v in cols.items()}, labels, headers)
        file_of, row_of = P["_file"].to_numpy(), P["_row"].to_numpy()
        pos = T["pupil"].to_numpy()
        distribute(good, f"{kind}_tasks", run_suite(f"{kind}_tasks", T, params), file_of[pos], row_of[pos], MAIN, 0)
        distribute(good, kind, run_suite(kind, P, params), file_of, row_of, MAIN, 1)
        if quest:
            Q = pd.concat(quest, ignore_index=True)
            distribute(good, "niko_questionnaire", run_suite("niko_questionnaire", Q, params),
                       Q["_file"].to_numpy(), Q["_row"].to_numpy(), QUESTIONNAIRE, 2)

    def _check_headers(self, items: list[Pending], params: ContextParams) -> None:
        """`vpr_header`: every header task in the plan with the same maximum, and every plan task in the file."""
        rows = []
        for i, p in enumerate(items):
            pf = p.parsed
            plan = params.plan_tasks(pf.year, pf.meta["subject"], pf.meta["grade"])
            if not plan:
                p.notes.append("план ВПР для этой работы не загружен: максимумы заданий взяты из заголовков")
            for t in pf.meta["tasks"]:
                pm = plan.get(t.label)
                if pm is not None and pm[1]:
                    t.level = pm[1]
                rows.append((i, t.label, t.header, float(t.max), float(pm[0]) if pm else np.nan, bool(plan)))
            have = {t.label for t in pf.meta["tasks"]}
            for label, (mx, _lv) in plan.items():
                if label not in have:
                    rows.append((i, label, None, np.nan, float(mx), True))
        H = pd.DataFrame(rows, columns=["_file", "task", "header", "header_max", "plan_max", "has_plan"])
        H["has_plan"] = H["has_plan"].astype(bool)
        result = run_suite("vpr_header", H, params)
        file_of = H["_file"].to_numpy()
        for o in result.outcomes:
            counts = np.bincount(file_of[o.index], minlength=len(items)) if len(o.index) else np.zeros(len(items), int)
            for i, p in enumerate(items):
                p.outcomes.append(("vpr_header", o.expectation, o.column, bool(counts[i] == 0), int(counts[i])))
        v = result.violations
        for i, g in v.groupby(file_of[v["index"].to_numpy(dtype=np.int64)] if len(v) else []):
            p = items[int(i)]
            hr = p.parsed.meta["header_row"]
            reasons = list(g["reason"])
            p.reject("заголовки заданий расходятся с планом ВПР: " + "; ".join(reasons[:5])
                     + (f" и ещё {len(reasons) - 5}" if len(reasons) > 5 else ""),
                     [(hr, c, val, r) for c, val, r in zip(g["column"], g["value"], g["reason"])])

    def insert(self, batch: Batch, kind: str, p: Pending, audit: Audit) -> int:
        """Stage the file's pupil rows, task cells (and НИКО questionnaire); returns the sheet rows loaded."""
        pf = p.parsed
        f = pf.frame
        keep = kept(f, p.bad_rows.get(MAIN, set()))
        sub = kept_rows(f, keep)
        year, subject, grade = pf.year, pf.meta["subject"], pf.meta["grade"]
        const = {"year": np.full(len(sub), year), "subject": np.full(len(sub), subject, dtype=object),
                 "grade": np.full(len(sub), grade)}
        data = {**const, **{c: sub[c].to_numpy() for c in sub.columns
                            if not c.startswith(("_", "extra:", "task:")) and not c.endswith("__bad")}}
        if kind == "vpr":
            data["work_max"] = np.full(len(sub), pf.meta["work_max"])
            data["work_date"] = np.full(len(sub), pf.meta["work_date"], dtype="datetime64[ns]")
        ex = extra_json(sub, pf.extras)
        if ex is not None:
            data["_extra"] = ex
        n = batch.insert("vpr_results" if kind == "vpr" else "niko_results", data, sub["_row"].to_numpy(), audit)
        tasks = pf.meta["tasks"]
        c = p.cells if p.cells is not None and keep.all() else task_cells(f, tasks, rows=keep)
        p.cells = None
        rows = sub["_row"].to_numpy()
        # the three frames as columns: `Batch` makes one DataFrame of each per batch
        cells = {"_source_row": rows[c["pupil"]], "tidx": c["tidx"], "score": c["score"]}
        task_table = {"tidx": np.arange(len(tasks), dtype=np.int32),
                      "task": np.array([t.label for t in tasks], dtype=object),
                      "task_max": np.array([t.max for t in tasks], dtype=np.int64),
                      "task_level": np.array([t.level for t in tasks], dtype=object)}
        pupils = {"_source_row": rows, "school_login": sub["school_login"].to_numpy(dtype=object),
                  "participant_code": sub["participant_code"].to_numpy(dtype=object)}
        level = ", t.task_level" if kind == "vpr" else ""
        batch.insert_select(f"{kind}_tasks", f"""
            select f.year, f.subject, f.grade, p.school_login, p.participant_code,
                   t.task, t.task_max{level}, c.score, c._source_row,
                   f._load_id, f._source_file, f._source_sha256, f._loaded_at
            from {{cells}} c join {{task_table}} t on t._f = c._f and t.tidx = c.tidx
                 join {{pupils}} p on p._f = c._f and p._source_row = c._source_row
                 join {{files}} f on f._f = c._f""",
                            {"cells": cells, "task_table": task_table, "pupils": pupils},
                            {"year": year, "subject": subject, "grade": grade}, audit)
        if kind == "niko" and QUESTIONNAIRE in pf.parts:
            n += self._insert_questionnaire(batch, p, sub, audit)
        return n

    def after_flush(self, con, kind: str, loaded: list[Pending]) -> dict[str, list[str]]:
        """Nothing needs the written rows of a work file."""
        return {}

    def _insert_questionnaire(self, batch: Batch, p: Pending, pupils: pd.DataFrame, audit: Audit) -> int:
        pf = p.parsed
        q = pf.parts[QUESTIONNAIRE]
        q = q.loc[kept(q, p.bad_rows.get(QUESTIONNAIRE, set()))]
        questions = [c[2:] for c in q.columns if c.startswith("q:") and not c.endswith("__bad")]
        codes = pupils.groupby("participant_code")["school_login"].agg(lambda s: s.iloc[0] if s.nunique() == 1 else None)
        login = q["participant_code"].map(codes).to_numpy(dtype=object)
        n, k = len(q), len(questions)
        if n and k:
            data = {"year": np.full(n * k, pf.year), "subject": np.full(n * k, pf.meta["subject"], dtype=object),
                    "grade": np.full(n * k, pf.meta["grade"]), "school_login": np.repeat(login, k),
                    "participant_code": np.repeat(q["participant_code"].to_numpy(dtype=object), k),
                    "question": np.tile(np.array(questions, dtype=object), n),
                    "answer": np.column_stack([q[f"q:{x}"].to_numpy(dtype=float) for x in questions]).ravel()}
            batch.insert("niko_questionnaire", data, np.repeat(q["_row"].to_numpy(), k), audit)
        return n


def _match_login_prefixes(items: list[Pending], params: ContextParams) -> None:
    """ФИС ОКО logins `edu860123`/`sch860123` name the same school: a login the register lacks is
    replaced by the register's login with the same 6 digits, and the ledger says which."""
    if not params.school_logins:
        return
    from ingestion.readers.vpr_fisoko import canonical_logins

    for p in items:
        f = p.parsed.frame
        logins, notes = canonical_logins(f["school_login"].to_numpy(dtype=object), params.school_logins)
        if notes:
            f["school_login"] = logins
            p.notes += notes


def questionnaire_frame(q: pd.DataFrame, codes: set) -> pd.DataFrame:
    """One row per «Анкета» row: code, whether it is on «Результаты», the answers that are not numbers."""
    questions = [c[2:] for c in q.columns if c.startswith("q:") and not c.endswith("__bad")]
    bad = np.full(len(q), None, dtype=object)
    for x in questions:
        col = q[f"q:{x}__bad"].to_numpy(dtype=object)
        for i in np.flatnonzero(pd.notna(col)):
            item = f"{x} «{col[i]}»"
            bad[i] = item if bad[i] is None else f"{bad[i]}, {item}"
    return object_frame({"_row": q["_row"].to_numpy(), "participant_code": q["participant_code"].to_numpy(dtype=object),
                         "known": q["participant_code"].isin(codes).to_numpy(), "bad_answers": bad})


COLUMN_TABLES = ColumnTables()
WORKS = Works()
