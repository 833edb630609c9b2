"""The inbox listing, the load ledger and the quarantine: what came in, what was loaded, what not.

`scan_inbox` hashes every file (SHA-256 decides «same file») and recognises its kind and year
from content; kinds already in the ledger are taken from it, others from a per-process cache
keyed by SHA-256, so a repeated scan reads no file twice. `export_ledger` writes the two CSV
files of the output contract.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ingestion.schema import create_all
from rsoko.settings import REPORT_CONFIG

_KIND_CACHE: dict[str, tuple[str, int | None, str | None]] = {}


@dataclass
class InboxFile:
    path: Path
    rel: str                  # path relative to the inbox, '/'-separated
    sha256: str
    size: int
    mtime: dt.datetime
    kind: str                 # a ledger kind, or 'unrecognised'
    year: int | None
    problem: str | None = None  # a file-level problem found while sniffing (Russian)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def list_files(inbox: Path) -> list[tuple[Path, str]]:
    """Every regular file under the inbox (any depth, any name), in a stable order."""
    return walk_inbox(inbox)[0]


LINK_OUT = "символическая ссылка на файл вне входной папки: файл не читался"
LINK_DIR_OUT = "символическая ссылка на папку вне входной папки: её файлы не читались"
LINK_BROKEN = "символическая ссылка никуда не ведёт: файл не читался"
NOT_REGULAR = "не обычный файл (устройство, канал или сокет): не читался"


def walk_inbox(inbox: Path) -> tuple[list[tuple[Path, str]], list[tuple[Path, str, str]]]:
    """(files to read, entries skipped with the Russian reason) under the inbox, in a stable order.

    Symbolic links are followed only when they stay inside the inbox: a link to a system file or
    to another folder would otherwise put data that nobody delivered (or that file's first line)
    into the warehouse and the ledger. Skipped entries are never opened. `report.toml` at the
    root is the region's title-page file, read by the publication, and is not listed at all.
    """
    root = Path(inbox).resolve()
    files: list[tuple[Path, str]] = []
    skipped: list[tuple[Path, str, str]] = []
    for folder, dirs, names in os.walk(inbox, followlinks=False):
        here = Path(folder)
        for d in list(dirs):
            p = here / d
            if p.is_symlink():
                dirs.remove(d)
                if not _inside(p, root):
                    skipped.append((p, p.relative_to(inbox).as_posix(), LINK_DIR_OUT))
        for name in names:
            p = here / name
            rel = p.relative_to(inbox).as_posix()
            if p.is_symlink():
                if not p.exists():
                    skipped.append((p, rel, LINK_BROKEN))
                    continue
                if not _inside(p, root):
                    skipped.append((p, rel, LINK_OUT))
                    continue
            if rel == REPORT_CONFIG:        # the title pages' settings, not an export (reports.report_config)
                continue
            if p.is_file():
                files.append((p, rel))
            else:
                skipped.append((p, rel, NOT_REGULAR))
    return sorted(files, key=lambda t: t[1]), sorted(skipped, key=lambda t: t[1])


def _inside(path: Path, root: Path) -> bool:
    target = path.resolve()
    return target == root or root in target.parents


def unreadable_entry(path: Path, rel: str, exc: OSError) -> "InboxFile":
    """A file that vanished or cannot be opened after listing: its own error, not the run's."""
    return skipped_entry(path, rel, f"файл не читается: {exc.strerror or exc}")


def skipped_entry(path: Path, rel: str, reason: str) -> "InboxFile":
    """A skipped entry as an inbox file: its «SHA-256» is of the link, not of content never read."""
    try:
        link = os.readlink(path)
    except OSError:
        link = ""
    sha = hashlib.sha256(f"{reason}\0{link}".encode()).hexdigest()
    try:
        mtime = dt.datetime.fromtimestamp(path.lstat().st_mtime_ns / 1e9)
    except OSError:  # gone already
        mtime = None
    return InboxFile(path, rel, sha, 0, mtime, "unrecognised", None, reason)


def file_mtime(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime_ns / 1e9)


def sniff(path: Path, rel: str) -> tuple[str, int | None, str | None]:
    """(kind, year, problem) of a file from its content."""
    from ingestion.readers import identify

    ident = identify(path, rel)
    year = None
    if ident.reader is not None and ident.problem is None:
        try:
            year = ident.reader.year(ident.src)
        except Exception:  # a broken file: its load reports why
            year = None
    return ident.kind, year, ident.problem


def ledger_kinds(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, int | None, str | None]]:
    """sha256 → (kind, year, None) of every file the ledger has recognised (duplicates aside)."""
    return {sha: (kind, year, None) for sha, kind, year in con.execute(
        "select sha256, kind, year from meta.ingestion_ledger where status <> 'duplicate'").fetchall()}


def scan_inbox(inbox: Path, con: duckdb.DuckDBPyConnection | None = None,
               known: dict[str, tuple[str, int | None, str | None]] | None = None) -> list[InboxFile]:
    """Every file of the inbox with its SHA-256, size, mtime, kind and year.

    Cheap: a file whose content the ledger (when `con` is given, or its `ledger_kinds` as
    `known`) or this process already knows is not opened beyond hashing; XLSX kinds are
    recognised from their first rows only.
    """
    known = dict(known or {})
    if con is not None:
        create_all(con)
        known.update(ledger_kinds(con))
    files, skipped = walk_inbox(inbox)
    out = [skipped_entry(*s) for s in skipped]
    for path, rel in files:
        try:
            sha = sha256_of(path)
            st = path.stat()
        except OSError as exc:
            out.append(unreadable_entry(path, rel, exc))
            continue
        info = known.get(sha) or _KIND_CACHE.get(sha)
        if info is None:
            info = _KIND_CACHE[sha] = sniff(path, rel)
        out.append(InboxFile(path, rel, sha, st.st_size, file_mtime(path), info[0], info[1], info[2]))
    return sorted(out, key=lambda f: f.rel)


# ------------------------------------------------------------------ ledger rows
@dataclass
class LedgerRow:
    load_id: str
    file: str
    kind: str
    sha256: str
    year: int | None
    work_key: str | None
    file_mtime: dt.datetime | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    status: str
    message: str
    loaded_at: dt.datetime


def load_id_for(rel: str, sha: str) -> str:
    """Deterministic: the same file content at the same path is one load."""
    return hashlib.sha256(f"{rel}\0{sha}".encode()).hexdigest()[:20]


def insert_ledger(con: duckdb.DuckDBPyConnection, row: LedgerRow) -> None:
    con.execute(
        "insert into meta.ingestion_ledger (load_id, file, kind, sha256, year, work_key, file_mtime, rows_read,"
        " rows_loaded, rows_quarantined, status, message, loaded_at) values (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [row.load_id, row.file, row.kind, row.sha256, row.year, row.work_key, row.file_mtime, row.rows_read,
         row.rows_loaded, row.rows_quarantined, row.status, row.message, row.loaded_at])


def insert_ledger_rows(con: duckdb.DuckDBPyConnection, rows: list[LedgerRow]) -> None:
    """The ledger rows of a batch of files in one statement (a single-row insert costs about a
    millisecond: hundreds of protocol files would pay it each)."""
    if not rows:
        return
    frame = pd.DataFrame({
        "load_id": pd.Series([r.load_id for r in rows], dtype=object),
        "file": pd.Series([r.file for r in rows], dtype=object),
        "kind": pd.Series([r.kind for r in rows], dtype=object),
        "sha256": pd.Series([r.sha256 for r in rows], dtype=object),
        "year": pd.array([r.year for r in rows], dtype="Int64"),
        "work_key": pd.Series([r.work_key for r in rows], dtype=object),
        "file_mtime": pd.Series([r.file_mtime for r in rows], dtype="datetime64[us]"),
        "rows_read": np.array([r.rows_read for r in rows], dtype=np.int64),
        "rows_loaded": np.array([r.rows_loaded for r in rows], dtype=np.int64),
        "rows_quarantined": np.array([r.rows_quarantined for r in rows], dtype=np.int64),
        "status": pd.Series([r.status for r in rows], dtype=object),
        "message": pd.Series([r.message for r in rows], dtype=object),
        "loaded_at": pd.Series([r.loaded_at for r in rows], dtype="datetime64[us]"),
    })
    columns = ", ".join(frame.columns)
    con.register("_ledger_rows", frame)
    try:
        con.execute(f"insert into meta.ingestion_ledger ({columns}) select {columns} from _ledger_rows")
    finally:
        con.unregister("_ledger_rows")


def known_files(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return set(con.execute("select file, sha256 from meta.ingestion_ledger").fetchall())


def loaded_shas(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str, int | None]]:
    """sha256 → (first file, kind, year) of every content already taken in (not as a duplicate)."""
    rows = con.execute("select sha256, file, kind, year from meta.ingestion_ledger where status <> 'duplicate'"
                       " order by loaded_at").fetchall()
    out: dict[str, tuple[str, str, int | None]] = {}
    for sha, file, kind, year in rows:
        out.setdefault(sha, (file, kind, year))
    return out


def export_ledger(con: duckdb.DuckDBPyConnection, out_dir: Path) -> None:
    """Write `ingestion_ledger.csv` and `quarantine.csv` (UTF-8, comma, header) per outputs.md."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ledger = con.execute(
        "select file, kind, sha256, year, rows_read, rows_loaded, rows_quarantined, status, message"
        " from meta.ingestion_ledger order by file, loaded_at, load_id").df()
    quarantine = con.execute(
        'select file, "row", "column", "value", reason from meta.quarantine'
        ' order by file, "row" nulls first, "column", reason').df()
    for name, df in (("ingestion_ledger.csv", ledger), ("quarantine.csv", quarantine)):
        for col in ("year", "row"):
            if col in df:
                df[col] = df[col].astype("Int64")
        df.to_csv(out_dir / name, index=False, encoding="utf-8", lineterminator="\n")


# ------------------------------------------------------------------ a run that publishes nothing
RESULT_KINDS = {"gia11": "ГИА-11", "gia9": "ГИА-9", "vpr": "ВПР"}   # what a publication needs
SHOWN_FILES = 5


def nothing_published(warehouse: Path, inbox: Path, year: int, data_dir: Path) -> str:
    """Write the ledger CSVs of a run that has nothing to publish; return its one-line Russian reason.

    The analyst must learn from one line what was missing and which files were not recognised,
    and still find `ingestion_ledger.csv` and `quarantine.csv` under `data_dir`.
    """
    with duckdb.connect(str(warehouse)) as con:
        create_all(con)
        export_ledger(con, data_dir)
        rows = con.execute("select file, kind, year, status, rows_loaded from meta.ingestion_ledger"
                           " where status <> 'duplicate' order by file").fetchall()
    return nothing_published_reason(Path(inbox), year, rows)


def nothing_published_reason(inbox: Path, year: int, rows: list[tuple]) -> str:
    """The reason from the ledger rows (file, kind, year, status, rows_loaded) of the inbox."""
    if not inbox.exists():
        return f"входная папка «{inbox}» не найдена: проверьте путь в --data"
    if not inbox.is_dir():
        return f"«{inbox}» — не папка: в --data укажите папку с выгрузками"
    if not rows:
        return f"во входной папке «{inbox}» нет файлов"
    missing = f"нет данных ГИА или ВПР за {year} год во входной папке «{inbox}»"
    unknown = [f for f, kind, _y, _s, _n in rows if kind == "unrecognised"]
    if len(unknown) == len(rows):
        return (f"нет данных ГИА или ВПР за {year} год: во входной папке «{inbox}» не распознан ни один файл"
                f" ({len(rows)}): {_names(unknown)} — подробности в ingestion_ledger.csv")
    parts = [missing]
    present: dict[str, set[int]] = {}
    for _f, kind, y, status, n in rows:
        if kind in RESULT_KINDS and y is not None and n:
            present.setdefault(RESULT_KINDS[kind], set()).add(int(y))
    if present:
        parts.append("есть " + ", ".join(f"{k} за {', '.join(map(str, sorted(v)))}" for k, v in present.items()))
    rejected = [f for f, kind, y, status, _n in rows if kind in RESULT_KINDS and y == year and status == "error"]
    if rejected:
        parts.append(f"отклонены ({len(rejected)}): {_names(rejected)}")
    if unknown:
        parts.append(f"не распознаны ({len(unknown)}): {_names(unknown)}")
    return "; ".join(parts) + " — подробности в ingestion_ledger.csv"


def _names(files: list[str]) -> str:
    more = f" и ещё {len(files) - SHOWN_FILES}" if len(files) > SHOWN_FILES else ""
    return ", ".join(files[:SHOWN_FILES]) + more
