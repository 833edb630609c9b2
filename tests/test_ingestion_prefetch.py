"""GridPrefetcher: workbooks parsed ahead on a thread, read in order, identical results, clean stop."""
from __future__ import annotations

import datetime as dt
import threading

from ingestion.families import Pending
from ingestion.ledger import InboxFile
from ingestion.load import GridPrefetcher
from ingestion.reading import read_file
from ingestion.readers import identify
from tests.fixtures.ingestion.craft import plan_rows, vpr_rows, write_csv, write_xlsx


def _pending(path) -> Pending:
    ident = identify(path, path.name)
    ident.src.release(keep_cache=True)   # as load_inbox leaves a sniffed file: heads only
    info = InboxFile(path, path.name, "0" * 64, path.stat().st_size, dt.datetime.now(), ident.kind, 2025)
    return Pending(info, f"load-{path.stem}", ident=ident)


def test_workbooks_are_parsed_ahead_and_read_the_same(tmp_path):
    plan = write_csv(tmp_path / "plan.csv", plan_rows())
    books = [write_xlsx(tmp_path / f"vpr_{i}.xlsx", {"Лист1": vpr_rows()}) for i in range(4)]
    items = [_pending(plan), *[_pending(b) for b in books]]
    expected = [read_file(b, b.name, "vpr").parsed.frame for b in books]

    prefetcher = GridPrefetcher(items, depth=2)
    try:
        for p in items:
            prefetcher.wait(p)
            # a workbook's sheet is parsed before the reader asks; a CSV is left to the reader
            assert bool(p.ident.src._grids) == (p.ident.src.format == "xlsx")
            got = read_file(p.info.path, p.info.rel, p.info.kind, p.ident)
            prefetcher.done(p)
            assert got.error is None
            if p.info.kind == "vpr":
                assert got.parsed.frame.equals(expected[books.index(p.info.path)])
    finally:
        prefetcher.close()


def test_closing_with_files_left_unread_does_not_hang(tmp_path):
    books = [write_xlsx(tmp_path / f"vpr_{i}.xlsx", {"Лист1": vpr_rows()}) for i in range(4)]
    prefetcher = GridPrefetcher([_pending(b) for b in books], depth=1)
    closing = threading.Thread(target=prefetcher.close)
    closing.start()
    closing.join(timeout=30)
    assert not closing.is_alive()
