"""Reading one file of a known kind into a `ReadOutcome`, never raising.

A workbook's sheets may already have been parsed by `load.GridPrefetcher` on its thread (calamine
works without the GIL). Measured and dropped: a read-ahead worker process (unpickling the parsed
frames in the main process cost more CPU than reading them there) and a read-ahead thread for
whole files (the conversion competes for the GIL with validation; nothing was gained).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingestion.readers import FileError, ParsedFile, identify
from ingestion.source import DELIMITER_NAMES, SourceError

@dataclass
class ReadOutcome:
    parsed: ParsedFile | None = None
    error: str | None = None
    error_rows: list[tuple] = field(default_factory=list)
    rows_read: int = 0
    notes: list[str] = field(default_factory=list)
    dropped: list[tuple[int, str]] = field(default_factory=list)   # CSV lines left out: (line, reason)


def read_file(path: Path, rel: str, kind: str, ident=None) -> ReadOutcome:
    """Read one file of a known kind; file-level problems come back as `error`, never raised."""
    out = ReadOutcome()
    try:
        ident = ident if ident is not None else identify(path, rel)
        if ident.reader is None or ident.reader.kind != kind:
            out.error = "файл изменился во время загрузки: вид выгрузки не подтвердился"
            return out
        out.parsed = ident.reader.read(ident.src)
        out.rows_read = out.parsed.rows_read
        if ident.src.format == "csv":
            delim = DELIMITER_NAMES.get(ident.src.delimiter, ident.src.delimiter)
            out.notes.append(f"CSV: кодировка {ident.src.encoding}, разделитель {delim}")
        out.notes += ident.src.notes + out.parsed.notes
        # lines that did not decode count as read and quarantined (nothing is lost)
        out.dropped = list(ident.src.bad_lines)
        if out.rows_read == 0:
            out.error = ("в файле нет строк с данными (есть только заголовок)" if not out.dropped else
                         f"ни одна строка с данными не прочитана: {out.dropped[0][1]} (строка {out.dropped[0][0]} и др.)")
        out.rows_read += len(out.dropped)
        ident.src.release()
    except FileError as exc:
        out.parsed, out.rows_read = None, exc.rows_read + len(getattr(ident.src, "bad_lines", []))
        out.error, out.error_rows = exc.message, [(exc.row, exc.column, exc.value, exc.message)]
    except SourceError as exc:
        out.parsed, out.error = None, str(exc)
    except Exception as exc:  # a reader bug must not stop the run
        out.parsed, out.error = None, f"внутренняя ошибка чтения: {type(exc).__name__}: {exc}"
    return out
