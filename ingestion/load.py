"""`load_inbox`: every new file of an inbox into `raw.*`, validated, with a ledger row each.

Order: every kind after the kinds it is validated against (`ingestion.kinds.load_order`:
reference data first — register, ВПР plan and scale, minimum scores — then ГИА, ВПР, НИКО,
admissions). Within a kind, older files first, so a corrected delivery lands after the file it
corrects. A file already in the ledger (same path,
same SHA-256) is skipped: re-running on an unchanged inbox only hashes the files.

For every file `rows_read = rows_loaded + rows_quarantined`; defects never stop the run.
"""
from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from expectations import ContextParams
from ingestion import pseudonym, supersede
from ingestion.families import MAIN, QUESTIONNAIRE, Pending
from ingestion.kinds import KINDS, load_order, nullable_columns, reference_kinds, school_references
from ingestion.ledger import (InboxFile, LedgerRow, file_mtime, insert_ledger, insert_ledger_rows, known_files,
                              load_id_for, loaded_shas, sha256_of, skipped_entry, unreadable_entry, walk_inbox)
from ingestion.reading import ReadOutcome, read_file
from ingestion.rawio import Audit, Batch
from ingestion.readers import identify
from ingestion.schema import create_all
from ingestion.source import BROKEN, SourceError
from rsoko import collector

CELL_BUDGET = 3_000_000      # cells (rows × columns) validated together: GX costs per batch, memory per cell
KEEP_SNIFF_BYTES = 8 << 20   # files up to this size keep what sniffing parsed until they load
DUCKDB_MEMORY = "1GB"     # DuckDB's cache during a load (restored after): keeps the process < 4 GB
PREFETCH_DEPTH = 3           # workbooks parsed ahead of the reader (GridPrefetcher)


@dataclass
class FileReport:
    file: str
    kind: str
    sha256: str
    year: int | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    status: str
    message: str


STATUS_NAMES = {"loaded": "загружено", "partial": "частично", "error": "с ошибкой", "duplicate": "повтор",
                "superseded": "заменено", "unrecognised": "не распознано"}   # ledger status -> what a person reads


def _thousands(n: int) -> str:
    """12345 -> «12 345» (Russian digit grouping)."""
    return f"{n:,}".replace(",", "\u00a0")


@dataclass
class LoadReport:
    files: list[FileReport] = field(default_factory=list)   # files taken in by this call
    unchanged: int = 0                                       # files already in the ledger
    superseded: list[str] = field(default_factory=list)      # earlier files replaced by this call
    seconds: float = 0.0
    seconds_by_kind: dict[str, float] = field(default_factory=dict)
    rows_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.files)

    def summary(self, ledger: str | None = None) -> str:
        """The ingestion summary a person reads after a run (Russian): files by status, rows
        loaded and quarantined, and where the ledger is (`ledger`, when the caller knows)."""
        by_status: dict[str, int] = defaultdict(int)
        for f in self.files:
            by_status[f.status] += 1
        statuses = ", ".join(f"{STATUS_NAMES.get(s, s)} — {n}" for s, n in sorted(by_status.items())) or "новых нет"
        lines = [f"Загрузка: новых файлов {len(self.files)} ({statuses}); без изменений {self.unchanged}.",
                 f"  Строк загружено {_thousands(sum(f.rows_loaded for f in self.files))}, "
                 f"в карантине {_thousands(sum(f.rows_quarantined for f in self.files))}."]
        if self.superseded:
            lines.append(f"  Заменены исправленными выгрузками: {len(self.superseded)}.")
        if ledger:
            lines.append(f"  Журнал загрузки: {ledger}")
        return "\n".join(lines)


def load_inbox(con: duckdb.DuckDBPyConnection, inbox: Path, *, kinds: set[str] | None = None,
               years: set[int] | None = None, progress=None) -> LoadReport:
    """Load every file of `inbox` not yet in the ledger (optionally only some kinds/years). Idempotent.

    `kinds`/`years` limit which recognised files are taken now (a register, having no year,
    passes any `years`); files left out stay out of the ledger and load on a later call.
    Unrecognised, empty and damaged files are always recorded: they belong to no kind.
    `progress(files_done, files_total, file)`, when given, is called as each new file is recorded
    (from the writer thread too), so a caller can show per-file progress.
    """
    t0 = time.perf_counter()
    create_all(con)
    limit = con.execute("select current_setting('memory_limit')").fetchone()[0]
    con.execute(f"set memory_limit = '{DUCKDB_MEMORY}'")
    pseudonym.begin(con, forbidden=(Path(inbox),))   # the key is loaded only if a protocol needs it
    try:
        with collector.fewer_passes():   # a sheet's rows are millions of live objects (rsoko.collector)
            report = _load(con, Path(inbox), kinds, years, t0, progress)
        pseudonym.end(con)                            # records the key's fingerprint once used
        return report
    finally:
        con.execute(f"set memory_limit = '{limit}'")


class _Notifying(list):
    """`LoadReport.files` that tells `progress` of every file appended."""

    def __init__(self, progress, total: int):
        super().__init__()
        self._progress, self._total = progress, total
        progress(0, total, "")

    def append(self, item) -> None:
        super().append(item)
        self._progress(len(self), max(self._total, len(self)), item.file)


def _load(con, inbox: Path, kinds, years, t0: float, progress=None) -> LoadReport:
    report = LoadReport()
    known = known_files(con)
    taken = loaded_shas(con)
    groups: dict[str, list[InboxFile]] = defaultdict(list)
    files, skipped = walk_inbox(inbox)
    unread = [skipped_entry(*s) for s in skipped]   # links out of the inbox: a ledger line, never read
    for path, rel in files:
        try:
            sha = sha256_of(path)
            st = path.stat()
        except OSError as exc:  # vanished or not readable: that file's error, not the run's
            unread.append(unreadable_entry(path, rel, exc))
            continue
        if (rel, sha) in known:
            report.unchanged += 1
            continue
        groups[sha].append(InboxFile(path, rel, sha, st.st_size, file_mtime(path), "unrecognised", None))
    if progress is not None:   # before the first file is recorded, so none is missed
        report.files = _Notifying(progress, sum(len(g) for g in groups.values())
                                  + sum((e.rel, e.sha256) not in known for e in unread))
    for entry in unread:
        if (entry.rel, entry.sha256) in known:
            report.unchanged += 1
        else:
            _record(con, report, entry, "unrecognised", None, None, 0, 0, 0, "error", entry.problem)

    def wanted(kind: str, year: int | None) -> bool:
        return (kinds is None or kind in kinds) and (years is None or year is None or year in years)

    pending: dict[str, list[Pending]] = defaultdict(list)
    held_back: set[str] = set()   # kinds of files left for a later load (kinds/years limits)
    duplicates: list[tuple[InboxFile, str, str, int | None]] = []   # (file, original, kind, year)
    for sha, group in groups.items():
        group.sort(key=lambda f: (f.mtime, f.rel))
        if sha in taken:
            orig, kind, year = taken[sha]
            if wanted(kind, year):
                duplicates += [(f, orig, kind, year) for f in group]
            continue
        first = group[0]
        ident = identify(first.path, first.rel)
        first.kind = ident.kind
        if ident.reader is not None and ident.problem is None:
            try:
                first.year = ident.reader.year(ident.src)
            except Exception:  # a broken file: its load reports why
                first.year = None
        if ident.reader is None or ident.problem is not None:
            if ident.reader is not None and not wanted(first.kind, None):
                held_back.add(first.kind)
                continue
            _record_unread(con, first, ident, report)
        elif wanted(first.kind, first.year):
            # keep the sniff (heads; a small ГИА file's parsed rows), not the bytes: a big file's
            # rows would sit in memory until its kind's turn, so it is read again then
            ident.src.release(keep_cache=first.size <= KEEP_SNIFF_BYTES)
            pending[first.kind].append(Pending(first, load_id_for(first.rel, sha), ident=ident))
        else:
            held_back.add(first.kind)
            continue
        duplicates += [(f, first.rel, first.kind, first.year) for f in group[1:]]

    writer = Writer()
    order = load_order()
    prefetcher = GridPrefetcher([p for kind in order
                                 for p in sorted(pending.get(kind, []), key=lambda p: (p.info.mtime, p.info.rel))])
    params, stale = None, True
    try:
        for kind in order:
            items = sorted(pending.get(kind, []), key=lambda p: (p.info.mtime, p.info.rel))
            if not items:
                continue
            tk = time.perf_counter()
            if stale:  # reference data written since the parameters were read: wait for it, re-read
                writer.drain()
                params, stale = ContextParams.from_warehouse(con), False
            stale = kind in reference_kinds()
            batch: list[Pending] = []
            cells = 0
            for p in items:
                prefetcher.wait(p)
                cells += _apply(p, read_file(p.info.path, p.info.rel, kind, p.ident))
                prefetcher.done(p)
                batch.append(p)
                if cells >= CELL_BUDGET:
                    _validate(kind, batch, params)
                    writer.submit(_write_batch, con, kind, batch, report)
                    batch, cells = [], 0
            if batch:  # (submitting an empty batch would only wait for the writer)
                _validate(kind, batch, params)
                writer.submit(_write_batch, con, kind, batch, report)
            report.seconds_by_kind[kind] = report.seconds_by_kind.get(kind, 0.0) + time.perf_counter() - tk
        tk = time.perf_counter()
        writer.drain()
        if kind_last := next((k for k in reversed(order) if pending.get(k)), None):
            report.seconds_by_kind[kind_last] += time.perf_counter() - tk
    finally:
        prefetcher.close()
        writer.close()

    _settle_register(con, report, results_pending=bool(held_back & set(school_references())))
    for f, orig, kind, year in duplicates:
        _record(con, report, f, kind, year, None, 0, 0, 0, "duplicate",
                f"тот же файл (совпадает SHA-256) уже принят как {orig}; строки не загружались повторно")
    report.seconds = time.perf_counter() - t0
    return report


# ---------------------------------------------------------------------- steps
def _settle_register(con, report: LoadReport, results_pending: bool) -> None:
    """After results are in: which schools missing from the newest register keep their row."""
    con.execute("begin transaction")
    try:
        report.superseded += supersede.settle_register(con, results_pending)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    _refresh(con, [r for r in report.files if r.kind == "register"])


def _refresh(con, files: list[FileReport]) -> None:
    """Counts, status and message of reported files from the ledger (a later step changed them)."""
    for r in files:
        r.rows_loaded, r.rows_quarantined, r.status, r.message = con.execute(
            "select rows_loaded, rows_quarantined, status, message from meta.ingestion_ledger"
            " where file = ? and sha256 = ?", [r.file, r.sha256]).fetchone()


def _apply(p: Pending, got: ReadOutcome) -> int:
    """Take a read outcome into the pending file; returns its cell count (for batching)."""
    p.ident = None
    p.parsed, p.rows_read = got.parsed, got.rows_read
    p.notes += got.notes
    if got.error is not None:
        p.reject(got.error, got.error_rows or None)
        return 0
    if got.dropped:  # undecodable CSV lines: quarantined before any check (order -1)
        p.violations.append(pd.DataFrame({"part": MAIN, "row": [r for r, _ in got.dropped], "column": None,
                                          "value": None, "reason": [m for _, m in got.dropped], "order": -1}))
    return p.parsed.frame.shape[0] * p.parsed.frame.shape[1] // 2  # a typed field is two columns


class Writer:
    """One background thread that writes batches to DuckDB while the main thread reads the next.

    DuckDB runs its inserts without the GIL, so on two cores the writing of one batch overlaps
    the reading and validation of the next. The connection is used by one thread at a time:
    the main thread touches it only after `drain()`.
    """

    def __init__(self):
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="rsoko-ingest-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                if self._error is None:
                    fn, args = job
                    fn(*args)
            except BaseException as exc:  # surfaced in the main thread by drain()
                self._error = exc
            finally:
                self._queue.task_done()

    def submit(self, fn, *args) -> None:
        """Queue a write once the previous one is done: at most one batch in writing, one in reading."""
        self.drain()
        self._queue.put((fn, args))

    def drain(self) -> None:
        self._queue.join()
        self._raise()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            err, self._error = self._error, None
            raise err


class GridPrefetcher:
    """One background thread that parses the next workbooks' sheets while the main thread works.

    calamine parses a sheet without holding the GIL; for a large region that parse is about
    half of all reading (~20 s a year for ~28 ВПР workbooks), so doing it ahead, in load order,
    takes it off the main thread, which meanwhile converts, validates and hands rows to the
    writer. At most PREFETCH_DEPTH parsed files wait to be read (a sheet of 65 000 pupils is
    ~100 MB of cells). CSV files are not prefetched: the csv module holds the GIL.
    """

    def __init__(self, items: list[Pending], depth: int = PREFETCH_DEPTH):
        self._items = [p for p in items if p.ident is not None and p.ident.src is not None
                       and p.ident.src.format == "xlsx" and not p.ident.src.broken]
        self._ready = {id(p): threading.Event() for p in self._items}
        self._slots = threading.Semaphore(depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rsoko-prefetch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        for p in self._items:
            self._slots.acquire()
            if self._stop.is_set():
                return
            try:
                for head in p.ident.src.heads:
                    p.ident.src.grid(head.name)
            except Exception:  # a damaged sheet: the reader meets the same error and reports it
                pass
            finally:
                self._ready[id(p)].set()

    def wait(self, p: Pending) -> None:
        """Block until `p`'s sheets are parsed (at once for a file that is not prefetched)."""
        event = self._ready.get(id(p))
        if event is not None:
            event.wait()

    def done(self, p: Pending) -> None:
        """`p` has been read: its slot goes to the next file."""
        if id(p) in self._ready:
            self._slots.release()

    def close(self) -> None:
        self._stop.set()
        self._slots.release()
        self._thread.join()


def _validate(kind: str, batch: list[Pending], params: ContextParams) -> None:
    """Validate a batch of files of one kind together (one GX run per suite)."""
    ok = [p for p in batch if p.error is None]
    if ok:
        try:
            KINDS[kind].family.validate(kind, ok, params)
        except Exception as exc:
            for p in ok:
                p.reject(f"внутренняя ошибка проверки: {type(exc).__name__}: {exc}")
    nullable = nullable_columns(kind)
    for p in batch:
        if p.error is None:
            p.finish_validation(nullable)


def _write_batch(con, kind: str, batch: list[Pending], report: LoadReport) -> None:
    """Write a validated batch in one transaction (file by file if that fails)."""
    if not batch:
        return
    con.execute("begin transaction")
    try:
        written = _write(con, kind, batch)
        _insert_outcomes(con, batch)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        written = []
        for p in batch:  # slow path: isolate the file that fails
            con.execute("begin transaction")
            try:
                written += _write(con, kind, [p])
                _insert_outcomes(con, [p])
                con.execute("commit")
            except Exception as exc:
                con.execute("rollback")
                p.reject(f"внутренняя ошибка загрузки: {type(exc).__name__}: {exc}")
                con.execute("begin transaction")
                written += _write(con, kind, [p])
                con.execute("commit")
    for p, (file_report, changed) in zip(batch, written):
        report.files.append(file_report)
        report.rows_by_kind[kind] = report.rows_by_kind.get(kind, 0) + file_report.rows_loaded
        report.superseded += changed
        p.parsed = None
        p.ident = None
    # a file found older than one already loaded changed status
    _refresh(con, [r for r in report.files[-len(written):] if r.file in report.superseded])


_last_loaded_at = dt.datetime.min


def _loaded_at() -> dt.datetime:
    """Now, strictly after the previous load's time: files of one batch are written together, and
    supersede and the register's settling break ties of modification time by load time."""
    global _last_loaded_at
    now = max(dt.datetime.now(), _last_loaded_at + dt.timedelta(microseconds=1))
    _last_loaded_at = now
    return now


def _write(con, kind: str, items: list[Pending]) -> list[tuple[FileReport, list[str]]]:
    """Rows, quarantine and ledger of the files of a batch (inside the caller's transaction),
    then supersede file by file in load order.

    Every table gets one insert for the whole batch (`rawio.Batch`): a per-file insert costs
    milliseconds of fixed work, which dominated loading hundreds of small protocols.
    """
    family = KINDS[kind].family
    staged = Batch()
    audits, loaded = [], []
    for p in items:
        f = p.info
        audit = Audit(p.load_id, f.rel, f.sha256, _loaded_at())
        n = 0
        if p.error is None:
            n = family.insert(staged, kind, p, audit)
            if n + p.rows_quarantined != p.rows_read:  # pragma: no cover - a bookkeeping bug
                raise RuntimeError(f"строк прочитано {p.rows_read}, загружено {n}, в карантине {p.rows_quarantined}")
            if n:
                loaded.append(p)
        audits.append((audit, n))
    staged.flush(con)
    notes = family.after_flush(con, kind, loaded)
    quarantine, ledger, reports = [], [], []
    for p, (audit, n) in zip(items, audits):
        f = p.info
        year = p.parsed.year if p.parsed is not None else f.year
        if p.error is not None:
            n, quarantined = 0, p.rows_read
            status, message = "error", _with_notes(p.error, p.notes)
            qrows = pd.DataFrame(p.error_rows, columns=["row", "column", "value", "reason"])
        else:
            quarantined = p.rows_quarantined
            status, message = _status(p, n, quarantined, notes.get(p.load_id, []))
            qrows = p.quarantine[["row", "column", "value", "reason"]]
        quarantine.append(_quarantine_frame(p, qrows))
        ledger.append(LedgerRow(p.load_id, f.rel, kind, f.sha256, year, _work_key(kind, p), f.mtime, p.rows_read,
                                n, quarantined, status, message, audit.loaded_at))
        reports.append(FileReport(f.rel, kind, f.sha256, year, p.rows_read, n, quarantined, status, message))
    quarantine = [q for q in quarantine if q is not None]
    if quarantine:
        _append(con, "meta.quarantine", pd.concat(quarantine, ignore_index=True) if len(quarantine) > 1 else quarantine[0])
    insert_ledger_rows(con, ledger)
    ids = [p.load_id for p, r in zip(items, reports) if r.status in ("loaded", "partial")]
    shared = supersede.overlaps(con, kind, ids) if ids else {}
    out = []
    for p, r in zip(items, reports):
        changed = []
        if r.status in ("loaded", "partial"):
            i = ids.index(p.load_id)
            changed = supersede.resolve(con, kind, p.load_id, later=frozenset(ids[i + 1:]),
                                        candidates=None if shared is None else shared[p.load_id])
        out.append((r, changed))
    return out


def _status(p: Pending, loaded: int, quarantined: int, more_notes: list[str] | None = None) -> tuple[str, str]:
    notes = [*p.notes, *(more_notes or [])]
    if quarantined == 0:
        return "loaded", _with_notes(f"загружено строк: {loaded}", notes)
    q = p.quarantine
    examples = "; ".join(
        f"строка {int(r)}{' (лист «Анкета»)' if part == QUESTIONNAIRE else ''}{f', столбец «{c}»' if isinstance(c, str) and c else ''}: {reason}"
        for part, r, c, reason in q[["part", "row", "column", "reason"]].head(3).itertuples(index=False))
    more = f" и ещё {len(q) - 3} замечаний" if len(q) > 3 else ""
    if loaded == 0:
        return "error", _with_notes(f"все {quarantined} строк в карантине: {examples}{more}", notes)
    return "partial", _with_notes(f"загружено {loaded} из {p.rows_read} строк, в карантине {quarantined}: {examples}{more}", notes)


def _with_notes(message: str, notes: list[str]) -> str:
    return "; ".join([message, *notes])


def _work_key(kind: str, p: Pending) -> str | None:
    pf = p.parsed
    return None if pf is None else KINDS[kind].work_key(pf.year, pf.meta)


def _quarantine_frame(p: Pending, rows: pd.DataFrame) -> pd.DataFrame | None:
    """A file's quarantine rows as meta.quarantine holds them (None when it has none)."""
    if rows.empty:
        return None
    return pd.DataFrame({"load_id": p.load_id, "file": p.info.rel,
                       "row": pd.array(pd.to_numeric(rows["row"], errors="coerce"), dtype="Int64"),
                       "column": rows["column"].astype(object).to_numpy(),
                       "value": rows["value"].astype(object).where(rows["value"].astype(object) != "", None).to_numpy(),
                       "reason": rows["reason"].astype(object).to_numpy()})


def _insert_outcomes(con, batch: list[Pending]) -> None:
    rows = [(p.load_id, *o) for p in batch for o in p.outcomes]
    if not rows:
        return
    _append(con, "meta.validation_results",
            pd.DataFrame(rows, columns=["load_id", "kind", "expectation", "column", "success", "unexpected_count"]))


def _append(con, table: str, df: pd.DataFrame) -> None:
    """Insert the rows of `df` into `table`, columns matched by name (one statement, no row loop)."""
    columns = ", ".join(f'"{c}"' for c in df.columns)
    con.register("_append_rows", df)
    try:
        con.execute(f"insert into {table} ({columns}) select {columns} from _append_rows")
    finally:
        con.unregister("_append_rows")


def _record_unread(con, f: InboxFile, ident, report: LoadReport) -> None:
    """A file no reader could take: unrecognised, empty, damaged, or with an unreadable header."""
    if ident.unrecognised:
        head = ""
        if ident.src is not None and ident.src.heads:
            cells = [c for row in ident.src.heads[0].rows[:2] for c in row if c][:4]
            head = f" (начало: {' | '.join(cells)[:120]})" if cells else ""
        detail = f": {ident.detail}" if ident.detail else ""
        _record(con, report, f, "unrecognised", None, None, 0, 0, 0, "unrecognised",
                f"вид выгрузки не распознан по содержимому{detail}{head}")
        return
    rows_read = 0
    if ident.reader is not None and ident.src is not None and ident.src.format == "csv":
        # the header could not be read; count the lines below it as the rows that were not loaded
        try:
            rows_read = max(0, sum(1 for r in ident.src.grid("") if any(c.strip() for c in r)) - 1)
        except SourceError:
            rows_read = 0
    kind = ident.reader.kind if ident.reader is not None else "unrecognised"
    message = ident.problem or BROKEN
    _record(con, report, f, kind, None, message, rows_read, 0, rows_read, "error", message)


def _record(con, report: LoadReport, f: InboxFile, kind: str, year, problem: str | None, rows_read: int,
            loaded: int, quarantined: int, status: str, message: str) -> None:
    load_id = load_id_for(f.rel, f.sha256)
    now = dt.datetime.now()
    con.execute("begin transaction")
    if problem:
        con.execute('insert into meta.quarantine (load_id, file, "row", "column", "value", reason) values (?,?,?,?,?,?)',
                    [load_id, f.rel, 1 if rows_read else None, None, None, problem])
    insert_ledger(con, LedgerRow(load_id, f.rel, kind, f.sha256, year, None, f.mtime, rows_read, loaded, quarantined,
                                 status, message, now))
    con.execute("commit")
    report.files.append(FileReport(f.rel, kind, f.sha256, year, rows_read, loaded, quarantined, status, message))
