"""Read the first rows of every sheet of an XLSX without loading whole sheets.

Recognising a file's kind needs only its title and header rows, but python-calamine parses a
whole sheet at once (≈1 s for a 60-thousand-row ВПР file). Streaming the sheet XML and stopping
after a dozen rows keeps `scan_inbox` cheap and lets `load_inbox` order files (reference data
first) before it reads any of them in full. Values are returned as text, good enough to
recognise a kind; the readers take real values from calamine.
"""
from __future__ import annotations

import posixpath
import zipfile
from xml.etree import ElementTree as ET

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _col_index(ref: str) -> int:
    """`AB12` → 27 (0-based column)."""
    n = 0
    for ch in ref:
        if ch.isalpha():
            n = n * 26 + (ord(ch.upper()) - 64)
        else:
            break
    return n - 1


def _row_index(ref: str) -> int:
    digits = "".join(ch for ch in ref if ch.isdigit())
    return int(digits) if digits else 0


def _text_of(elem: ET.Element) -> str:
    """Concatenated `<t>` texts of a shared-string or inline-string element (rich text too)."""
    return "".join(node.text or "" for node in elem.iter() if _local(node.tag) == "t")


def _sheet_targets(z: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) in workbook order."""
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = target
    out = []
    for elem in wb.iter():
        if _local(elem.tag) == "sheet":
            rid = elem.get(f"{{{REL_NS}}}id") or elem.get("id")
            if rid in targets:
                out.append((elem.get("name", ""), targets[rid]))
    return out


def _shared_strings(z: zipfile.ZipFile, needed: int) -> list[str]:
    """The first `needed`+1 shared strings (they are stored in order of first use)."""
    names = set(z.namelist())
    part = next((n for n in ("xl/sharedStrings.xml", "xl/SharedStrings.xml") if n in names), None)
    if part is None or needed < 0:
        return []
    out: list[str] = []
    with z.open(part) as fh:
        for _event, elem in ET.iterparse(fh, events=("end",)):
            if _local(elem.tag) == "si":
                out.append(_text_of(elem))
                elem.clear()
                if len(out) > needed:
                    break
    return out


def _raw_rows(z: zipfile.ZipFile, part: str, nrows: int) -> list[list[tuple[str, str]]]:
    """First `nrows` rows as lists of (type, raw text); positions kept by column letter."""
    with z.open(part) as fh:
        return _rows_from_events(ET.iterparse(fh, events=("end",)), nrows)


def _rows_from_events(events, nrows: int) -> list[list[tuple[str, str]]]:
    rows: dict[int, list[tuple[str, str]]] = {}
    next_row = 1
    try:
        for _event, elem in events:
            if _local(elem.tag) != "row":
                continue
            r = int(elem.get("r") or next_row)
            next_row = r + 1
            if r > nrows:
                break
            cells: list[tuple[str, str]] = []
            next_col = 0
            for c in elem:
                if _local(c.tag) != "c":
                    continue
                ref = c.get("r")
                col = _col_index(ref) if ref else next_col
                next_col = col + 1
                ctype = c.get("t", "n")
                if ctype == "inlineStr":
                    value = _text_of(c)
                else:
                    v = next((x for x in c if _local(x.tag) == "v"), None)
                    value = v.text if v is not None and v.text is not None else ""
                while len(cells) < col:
                    cells.append(("n", ""))
                cells.append((ctype, value))
            rows[r] = cells
            elem.clear()
    except ET.ParseError:  # a truncated part: keep the rows read so far
        pass
    return [rows.get(i, []) for i in range(1, nrows + 1)]


def _texts(sheets, sst: list[str]) -> list[tuple[str, list[list[str | None]]]]:
    out = []
    for name, rows in sheets:
        text_rows = []
        for row in rows:
            cells: list[str | None] = []
            for ctype, value in row:
                if ctype == "s" and value.isdigit() and int(value) < len(sst):
                    value = sst[int(value)]
                elif ctype == "n" and value:
                    try:
                        f = float(value)
                        value = str(int(f)) if f.is_integer() else value
                    except ValueError:
                        pass
                value = value.strip()
                cells.append(value or None)
            text_rows.append(cells)
        out.append((name, text_rows))
    return out


def _partial_events(data: bytes):
    """Parse events of a (possibly cut) XML document, stopping quietly where it ends."""
    parser = ET.XMLPullParser(events=("end",))
    try:
        parser.feed(data)
    except ET.ParseError:
        pass
    try:
        yield from parser.read_events()
    except ET.ParseError:
        return


def salvage_xlsx(path, nrows: int = 12) -> list[tuple[str, list[list[str | None]]]]:
    """First rows of the sheets of a *damaged* XLSX (e.g. cut short), read from local zip headers.

    A truncated workbook has no zip directory, but its first parts are intact and the sheet
    being cut still inflates up to the cut. That is enough to tell what the file was meant to
    be, so the ledger can say «a ВПР file, damaged» rather than «an unknown file».
    """
    import struct
    import zlib

    data = open(path, "rb").read()
    parts: dict[str, bytes] = {}
    pos = 0
    while True:
        pos = data.find(b"PK\x03\x04", pos)
        if pos < 0 or pos + 30 > len(data):
            break
        _sig, _ver, _flag, method, _t, _d, _crc, csize, _usize, nlen, xlen = struct.unpack("<IHHHHHIIIHH", data[pos:pos + 30])
        name = data[pos + 30:pos + 30 + nlen].decode("utf-8", "replace")
        start = pos + 30 + nlen + xlen
        raw = data[start:start + csize] if csize else data[start:]
        try:
            parts[name] = zlib.decompressobj(-15).decompress(raw) if method == 8 else raw
        except zlib.error:
            parts[name] = b""
        pos = start + max(csize, 1)
    sheet_parts = sorted(n for n in parts if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    names = {}
    if "xl/workbook.xml" in parts and "xl/_rels/workbook.xml.rels" in parts:
        try:
            rels = {r.get("Id"): posixpath.normpath(posixpath.join("xl", r.get("Target", "")))
                    for r in ET.fromstring(parts["xl/_rels/workbook.xml.rels"])}
            for e in ET.fromstring(parts["xl/workbook.xml"]).iter():
                if _local(e.tag) == "sheet":
                    rid = e.get(f"{{{REL_NS}}}id")
                    if rid in rels:
                        names[rels[rid]] = e.get("name", "")
        except ET.ParseError:
            pass
    sheets = [(names.get(part, posixpath.basename(part)[:-4]), _rows_from_events(_partial_events(parts[part]), nrows))
              for part in sheet_parts]
    sst: list[str] = []
    if "xl/sharedStrings.xml" in parts:
        for _e, elem in _partial_events(parts["xl/sharedStrings.xml"]):
            if _local(elem.tag) == "si":
                sst.append(_text_of(elem))
    return _texts(sheets, sst)


def peek_xlsx(path, nrows: int = 12) -> list[tuple[str, list[list[str | None]]]]:
    """[(sheet name, first `nrows` rows as text)] for every sheet, in workbook order.

    Raises zipfile.BadZipFile / KeyError / ET.ParseError on a damaged file; the caller turns
    that into «файл повреждён или обрезан».
    """
    with zipfile.ZipFile(path) as z:
        sheets = [(name, _raw_rows(z, part, nrows)) for name, part in _sheet_targets(z)]
        needed = max((int(v) for _, rows in sheets for row in rows for t, v in row
                      if t == "s" and v.isdigit()), default=-1)
        sst = _shared_strings(z, needed)
    return _texts(sheets, sst)
