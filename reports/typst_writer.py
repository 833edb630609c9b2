"""PDF from the `Document` tree through Typst (the compiler ships in the `typst` wheel).

Why Typst and not HTML → WeasyPrint: the same 41-page demo report took WeasyPrint about 28 s,
while Typst lays out a longer one in about a second, and its output is byte-identical for the
same input once the creation timestamp is fixed (WeasyPrint's was not). The HTML and DOCX
writers stay; this module is the third writer of the same tree, so the PDF cannot say anything
the other two do not.

All text reaches Typst as string literals (`"…"` in code mode), never as markup, so `#`, `*`,
`_`, `$`, `@` or `<` in a school's name cannot change the layout. Fonts are matplotlib's DejaVu
TrueType files (always installed with matplotlib) and system fonts are ignored, so the PDF does
not depend on the publishing host. Nothing is imported from Typst's package registry: it is not
reachable from an institute's network, and the whole template is below.
"""
from __future__ import annotations

import ctypes
import tempfile
import threading
from datetime import datetime, timezone
from functools import cache, lru_cache
from pathlib import Path

from reports.document import Cell, Chart, Document, ItemList, Paragraph, Row, Section, Table
from reports.rules import group_by_addressee
from reports.suppression import legend

NBSP = "\u00a0"
MUNICIPAL_NOTE = ("Отчёт муниципалитета; региональный отчёт и приложение с данными "
                  "опубликованы на странице публикации.")

PREAMBLE = r"""
#let running-title = %(running)s
#set document(title: %(title)s)
#set text(font: "DejaVu Sans", size: 9.5pt, lang: "ru", hyphenate: true)
#set par(justify: true, leading: 0.55em, spacing: 0.9em)
#let chapter-title() = {
  let before = query(selector(heading.where(level: 1)).before(here()))
  if before.len() > 0 { before.last().body } else { none }
}
#set page(
  paper: "a4",
  margin: (left: 2cm, right: 1.6cm, top: 2.1cm, bottom: 1.9cm),
  header: context if here().page() > 1 {
    set text(size: 7.5pt, fill: luma(90))
    grid(columns: (1fr, auto), gutter: 1em, running-title, chapter-title())
    v(-0.4em)
    line(length: 100%%, stroke: 0.4pt + luma(150))
  },
  footer: context if here().page() > 1 {
    set text(size: 7.5pt, fill: luma(90))
    align(center, "Страница " + str(here().page()) + " из " + str(counter(page).final().first()))
  },
)
#show heading: set block(above: 1.3em, below: 0.7em, sticky: true)
#show heading.where(level: 1): it => { %(chapter_break)s set text(size: 15pt); it }
#show heading.where(level: 2): set text(size: 12pt)
#show heading.where(level: 3): set text(size: 10.5pt)
#set table(stroke: 0.4pt + luma(170), inset: (x: 3pt, y: 2.5pt))
#show table: set text(size: 8pt)
#show table: set par(justify: false)
#let caption(body) = block(above: 1em, below: 0.45em, sticky: true, text(weight: "bold", size: 8.5pt, body))
#let note(body) = block(above: 0.35em, below: 0.35em, text(size: 7.5pt, fill: luma(60), body))
#let groupcell(n, body) = table.cell(colspan: n, fill: luma(235), text(weight: "bold", body))
#let subhead(body, n: 1) = table.cell(colspan: n, fill: luma(245), text(weight: "bold", body))
#let small(body) = text(style: "italic", body)
#let emph-cell(body) = text(weight: "bold", body)
"""


CHAPTER_BREAK = "pagebreak(weak: true);"   # each chapter of a report starts a page


def lit(text: object) -> str:
    """A Typst string literal: the only way report text enters the markup."""
    s = "" if text is None else str(text)
    s = s.replace(" %", NBSP + "%").replace(" ‰", NBSP + "‰")
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "") + '"'


def _cell(c: Cell, emphasis: bool) -> str:
    body = lit(c.text)
    if c.status == "small":
        body = f"small({body})"
    if c.mark == "worse":      # the table's note says: worse than the region, in bold red
        body = f"text(weight: \"bold\", fill: rgb(\"#b00020\"), {body})"
    elif emphasis:
        body = f"emph-cell({body})"
    align = "left" if c.kind == "text" else "right"
    span = f"colspan: {c.span}, " if c.span > 1 else ""
    return f"table.cell({span}align: {align}, {body})"


def _row(r: Row, width: int) -> list[str]:
    if r.header:
        return [f"subhead({lit(c.text)}, n: {c.span})" for c in r.cells]
    return [_cell(c, r.emphasis) for c in r.cells]


def _table(t: Table) -> str:
    n = len(t.columns)
    widths = t.widths or [1.0] * n
    cols = "(" + ", ".join(f"{w:g}fr" for w in widths) + ("," if n == 1 else "") + ")"
    parts = [f"caption({lit(f'Таблица {t.number}. {t.title}')})"]
    cells: list[str] = []
    if t.show_head:
        head = ", ".join(f"table.cell(align: center + horizon, text(weight: \"bold\", {lit(c)}))" for c in t.columns)
        cells.append(f"table.header(repeat: true, {head})")
    if not t.rows:
        cells.append(f"table.cell(colspan: {n}, {lit('Нет данных')})")
    for group, rows in t.grouped():
        if group:
            cells.append(f"groupcell({n}, {lit(group)})")
        for r in rows:
            cells.extend(_row(r, n))
    size = "7pt" if t.compact else "8pt"
    parts.append(f"{{ set text(size: {size}); table(columns: {cols}, {', '.join(cells)}) }}")
    for note_text in t.notes:
        parts.append(f"note({lit(note_text)})")
    if t.needs_legend:
        parts.append(f"note({lit(legend())})")
    return "#{\n  " + "\n  ".join(parts) + "\n}\n"


def _chart(c: Chart, assets: dict[str, str]) -> str:
    name = f"chart-{len(assets) + 1}.svg"
    assets[name] = c.svg
    return (f"block(breakable: false, above: 1em, below: 1em, {{ align(center, image({lit(name)}, width: 100%)); "
            f"align(center, text(size: 8pt, {lit(f'Рисунок {c.number}. {c.caption}')})) }})")


def _items(block: ItemList) -> str:
    if not block.items:
        return f"#par({lit(block.empty_text)})\n"
    out = []
    for addressee, items in group_by_addressee(block.items):
        entries = []
        for it in items:
            body = f"[#{lit(it.text)}]"
            if it.printed_evidence:
                ev = ", ".join(f"[#{lit(e)}]" for e in it.printed_evidence)
                body = f"[#{lit(it.text)} #list({ev},)]"
            entries.append(body)
        out.append(f"#block(above: 0.9em, below: 0.3em, sticky: true, text(weight: \"bold\", {lit(addressee)}))\n"
                   f"#enum({', '.join(entries)},)\n")
    return "".join(out)


def _paragraph(p: Paragraph) -> str:
    if p.style == "bullet":
        return f"#list([#{lit(p.text)}])\n"
    if p.style == "note":
        return f"#note({lit(p.text)})\n"
    if p.style == "lead":
        return f"#par(text(weight: \"bold\", {lit(p.text)}))\n"
    return f"#par({lit(p.text)})\n"


def _section(s: Section, assets: dict[str, str]) -> str:
    out = [f"#heading(level: {min(s.depth, 3)}, {lit(f'{s.number}. {s.title}')})\n"]
    halves: list[str] = []

    def flush() -> None:
        if halves:
            out.append("#grid(columns: (1fr, 1fr), gutter: 1em, " + ", ".join(halves) + ")\n")
            halves.clear()

    for b in s.blocks:
        if isinstance(b, Chart) and not b.wide:
            halves.append(_chart(b, assets))
            continue
        flush()
        if isinstance(b, Paragraph):
            out.append(_paragraph(b))
        elif isinstance(b, Table):
            out.append(_table(b))
        elif isinstance(b, Chart):
            out.append("#" + _chart(b, assets) + "\n")
        elif isinstance(b, ItemList):
            out.append(_items(b))
    flush()
    for child in s.subsections:
        out.append(_section(child, assets))
    return "".join(out)


def _title_page(doc: Document, running: str) -> str:
    """Organisation, «УТВЕРЖДАЮ» block, title, region, compilers, city and year (doc.cover)."""
    c = doc.cover
    note = ""
    if doc.kind == "municipality":
        note = f"#v(1em)\n#align(center, text(size: 9pt, {lit(MUNICIPAL_NOTE)}))\n"
    approval = ""
    if c.approval_lines(doc.year):
        lines = ", ".join(f"{lit(x)}" for x in c.approval_lines(doc.year))
        approval = (f"#align(right, block(width: 48%, align(left, text(size: 10pt, "
                    f"stack(spacing: 0.8em, ..({lines},).map(x => par(justify: false, x)))))))\n")
    region = ""
    if doc.kind == "municipality" and c.region:
        region = f"#v(0.6em)\n#align(center, text(size: 11pt, {lit(c.region)}))\n"
    compilers = ""
    if c.compilers:
        names = ", ".join(lit(x) for x in c.compilers)
        compilers = (f"#text(size: 9pt, weight: \"bold\", {lit('Составители:')})\n"
                     f"#text(size: 9pt, stack(spacing: 0.5em, {names},))\n#v(1.5em)\n")
    return (
        "#[\n#set par(justify: false)\n#set text(hyphenate: false)\n"
        f"#align(center, text(size: 10.5pt, weight: \"bold\", {lit(c.organisation)}))\n#v(2.5em)\n"
        f"{approval}"
        "#v(1fr)\n"
        f"#align(center, text(size: 22pt, weight: \"bold\", {lit(doc.title)}))\n#v(1em)\n"
        f"#align(center, text(size: 13pt, {lit(doc.subtitle)}))\n{region}{note}"
        "#v(1fr)\n"
        f"{compilers}"
        f"#align(center, text(size: 8pt, fill: luma(90), {lit('Дата формирования: ' + doc.generated)}))\n#v(0.8em)\n"
        f"#align(center, text(size: 11pt, {lit(c.foot(doc.year))}))\n"
        "]\n#pagebreak()\n"
    )


def _heading_block(doc: Document) -> str:
    """A short document's head instead of a title page and contents (a school pack's summary)."""
    return (
        f"#text(size: 8pt, fill: luma(90), {lit(doc.cover.organisation)})\n"
        f"#block(above: 0.6em, below: 0.3em, text(size: 14pt, weight: \"bold\", {lit(doc.title)}))\n"
        f"#block(below: 0.8em, text(size: 10pt, {lit(doc.subtitle)}))\n"
        f"#text(size: 8pt, fill: luma(90), {lit('Дата формирования: ' + doc.generated)})\n"
    )


def typst_source(doc: Document, running: str, *, cover: bool = True) -> tuple[str, dict[str, str]]:
    """The Typst source of `doc` and the files (chart SVGs) it refers to; pure.

    `cover=False` (a one- or two-page document) replaces the title page and the contents by a
    heading block on the first page."""
    assets: dict[str, str] = {}
    body = "".join(_section(s, assets) for s in doc.sections)
    head = PREAMBLE % {"running": lit(running), "title": lit(f"{doc.title}. {doc.subtitle}"),
                       "chapter_break": CHAPTER_BREAK if cover else ""}
    if not cover:   # nor page breaks before chapters: the whole document is a page or two
        return head + _heading_block(doc) + body, assets
    source = (head
              + _title_page(doc, running)
              + "#set outline.entry(fill: repeat[.])\n"
              + "#show outline.entry.where(level: 1): set text(weight: \"bold\")\n"
              + "#outline(title: \"Содержание\", depth: 2, indent: 1.2em)\n"
              + body)
    return source, assets


@lru_cache(maxsize=1)
def font_paths() -> tuple[str, ...]:
    import matplotlib

    return (str(Path(matplotlib.get_data_path()) / "fonts" / "ttf"),)


def _timestamp(doc: Document) -> int:
    """A fixed creation time from the data (15 December of the report's year), not the clock."""
    return int(datetime(doc.year, 12, 15, tzinfo=timezone.utc).timestamp())


_compiler_lock = threading.Lock()   # one compile at a time per process: the compiler is one object


@cache
def _compiler():
    """One Typst compiler per process: the fonts are read once, not for every PDF (a school pack's
    summary 31 → 18 CPU ms); the output is byte-identical to a fresh compiler's."""
    import typst

    return typst.Compiler(font_paths=list(font_paths()), ignore_system_fonts=True)


def _compile(main: Path, root: Path, timestamp: int | None = None) -> bytes:
    with _compiler_lock:
        return _compiler().compile(input=str(main), root=str(root), timestamp=timestamp)


CACHE_AGE = 10
"""typst-py evicts, after each compilation, what the last 10 compilations did not use."""


def release_memory() -> None:
    """Give back what Typst memoised for the last documents (~130 MB per municipal report of a
    large region, kept for the next 10 compilations, so a worker that rendered a dozen reports held
    over 1.5 GB): 11 compilations of an empty page age it out, then glibc returns the freed pages
    to the system. 3 ms; called after each large document."""
    with tempfile.TemporaryDirectory(prefix="rsoko-typst-") as tmp:
        empty = Path(tmp) / "empty.typ"
        empty.write_text("#set page(width: 1cm, height: 1cm)\n", encoding="utf-8")
        for _ in range(CACHE_AGE + 1):
            _compile(empty, Path(tmp))
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):      # not glibc: the allocator keeps the pages, nothing breaks
        pass


def write_pdf(doc: Document, target: Path, running: str, *, cover: bool = True) -> Path:
    """Compile `doc` to the PDF file `target` (A4, DejaVu embedded); `cover` as in typst_source."""
    source, assets = typst_source(doc, running, cover=cover)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rsoko-typst-") as tmp:
        root = Path(tmp)
        (root / "main.typ").write_text(source, encoding="utf-8")
        for name, svg in assets.items():
            (root / name).write_text(svg, encoding="utf-8")
        pdf = _compile(root / "main.typ", root, _timestamp(doc))
    target.write_bytes(pdf)
    return target
