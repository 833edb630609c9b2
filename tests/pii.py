"""Looking for personal data: the synthetic names and documents an inbox's РЦОИ protocols print,
found anywhere in a warehouse or in the files of a publication.

The needles are read from the inbox files themselves (the protocols' `Фамилия`, `Имя`, `Отчество`,
`Документ` / `Серия` + `Номер` columns, by tests.test_indicators_independent's reader), never
from rsoko code. Texts are compared folded (upper case, Ё as Е, as the pseudonym normalises), and
documents also with their spaces removed.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import duckdb
from python_calamine import CalamineWorkbook

from tests.test_indicators_independent import _cells

NAME_COLUMNS = ("Фамилия", "Имя", "Отчество")


def fold(text: str) -> str:
    return text.upper().replace("Ё", "Е")


def protocol_people(inbox: Path) -> tuple[set[str], set[str]]:
    """(name parts, documents as 10 digits) printed in every РЦОИ protocol of the inbox."""
    names, docs = set(), set()
    for path in inbox.rglob("*"):
        if path.suffix not in (".csv", ".xlsx") or not path.is_file():
            continue
        try:
            rows = _cells(path)
        except Exception:  # a planted broken file: it prints nobody readable
            continue
        at = next((i for i, r in enumerate(rows[:8]) if "Фамилия" in r and "Имя" in r), None)
        if at is None:
            continue
        h = {c: j for j, c in enumerate(rows[at]) if c}
        for r in rows[at + 1:]:
            if not r or not r[0].isdigit():
                continue
            cell = lambda c: r[h[c]] if c in h and h[c] < len(r) else ""
            names |= {cell(c) for c in NAME_COLUMNS if cell(c)}
            doc = re.sub(r"\D", "", cell("Документ") or cell("Серия") + cell("Номер"))
            if doc:
                docs.add(doc)
    return names, docs


class Needles:
    """One compiled search for all the names and one for all the documents."""

    def __init__(self, names: set[str], docs: set[str]):
        assert names and docs
        self.names = sorted({fold(n) for n in names}, key=len, reverse=True)
        self.docs = sorted(docs)
        self._names = re.compile("|".join(map(re.escape, self.names)))
        self._docs = re.compile("|".join(self.docs))

    def sql_names(self) -> str:
        return "|".join(re.escape(n) for n in self.names)

    def sql_docs(self) -> str:
        return "|".join(self.docs)

    def find(self, text: str) -> list[str]:
        got = self._names.findall(fold(text))
        got += self._docs.findall(re.sub(r"\s+", "", text))
        return got


def scan_warehouse(con: duckdb.DuckDBPyConnection, needles: Needles) -> list[tuple]:
    """(schema.table, column, an example) for every text column of every table holding a needle."""
    cols = con.execute("select table_schema, table_name, column_name from information_schema.columns"
                       " where data_type in ('VARCHAR', 'JSON')").fetchall()
    assert {"raw", "meta"} <= {s for s, _, _ in cols}
    hits = []
    names, docs = needles.sql_names(), needles.sql_docs()
    for schema, table, column in cols:
        c = f'cast("{column}" as varchar)'
        row = con.execute(f"""select {c} from "{schema}"."{table}"
                              where regexp_matches(replace(upper({c}), 'Ё', 'Е'), $names)
                                 or regexp_matches(regexp_replace({c}, '\\s+', '', 'g'), $docs) limit 1""",
                          {"names": names, "docs": docs}).fetchone()
        if row:
            hits.append((f"{schema}.{table}", column, needles.find(row[0])[:3]))
    return hits


def file_text(path: Path) -> str | None:
    """The text a reader of the file sees, for the kinds a publication has; None for others."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".html", ".htm", ".json", ".txt", ".md", ".svg", ".typ", ".css", ".xml"):
        return path.read_bytes().decode("utf-8", errors="replace")
    if suffix == ".xlsx":
        book = CalamineWorkbook.from_path(str(path))
        return "\n".join(" ".join("" if v is None else str(v) for v in row)
                         for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python())
    if suffix == ".docx":
        with zipfile.ZipFile(path) as z:
            xml = " ".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/") and n.endswith(".xml"))
        return re.sub(r"<[^>]+>", "", xml)
    if suffix == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    return None


def scan_files(folder: Path, needles: Needles) -> tuple[list[tuple], dict[str, int]]:
    """([(file, needles found)], files read per suffix) over every file under `folder`."""
    hits, read = [], {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix == ".duckdb" or path.name.endswith(".wal"):
            continue
        text = file_text(path)
        if text is None:
            continue
        read[path.suffix.lower()] = read.get(path.suffix.lower(), 0) + 1
        found = needles.find(text)
        if found:
            hits.append((str(path.relative_to(folder)), found[:3]))
    return hits, read
