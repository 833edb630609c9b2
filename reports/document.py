"""The report as a small tree of sections and blocks, independent of the output format.

HTML/PDF (Jinja2 templates), DOCX (python-docx) and the XLSX annex are all written from the same
tree, so the three versions of a report cannot drift apart: the same sentences, the same tables,
the same suppressed cells. Tables hold `Cell`s that were produced by `suppression.suppress` (or
are plain text), never raw numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from typing import ClassVar, Iterator, Literal, Union

from reports.suppression import Published

CellKind = Literal["text", "int", "dec1", "dec2", "signed", "year", "date"]


@dataclass(frozen=True)
class Cell:
    """One table cell: what is printed, the number behind it for the XLSX, and its status."""

    text: str
    value: float | int | str | date | None = None
    kind: CellKind = "text"
    status: str = "ok"          # ok | small | suppressed | missing (see suppression.Published)
    mark: str = ""              # '' | 'worse' | 'better' — highlighted against a reference value
    span: int = 1               # columns this cell covers (the empty tail of a wide table's block)
    n: int | None = None        # pupils/results behind a number (complementary suppression picks by it)

    @staticmethod
    def of_text(text: object) -> "Cell":
        """A label: a name, a code, a word (never suppressed: it is not computed from pupils)."""
        s = "" if text is None else str(text)
        return Cell(s, s, "text")

    @staticmethod
    def of(published: Published, kind: CellKind = "dec1", mark: str = "") -> "Cell":
        """A number that went through suppression."""
        value = published.value
        if published.shown and value is not None:
            value = int(round(float(value))) if kind == "int" else round(float(value), 2 if kind == "dec2" else 1)
        return Cell(published.text, value, kind, published.status, mark if published.shown else "", n=published.n)


@dataclass
class Row:
    cells: list[Cell]
    group: str | None = None    # rows with the same group are printed under one group heading
    emphasis: bool = False      # e.g. the region's row among municipalities
    header: bool = False        # a heading row inside the body (wide tables whose columns change per group)


@dataclass
class Table:
    """A numbered table of the report and, under the same title, a sheet of the annex."""

    block: ClassVar[str] = "table"
    key: str                    # stable identifier (annex sheet order, tests)
    title: str
    columns: list[str]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    group_title: str | None = None   # the annex's column for Row.group («Работа», «Предмет»)
    widths: list[float] | None = None  # relative column widths for the PDF
    number: int = 0
    compact: bool = False       # many columns: a smaller font in print
    show_head: bool = True      # False: the column titles are in each group's header row instead
    keep_groups: bool = False   # print each group on one page (small blocks of a wide table)

    @cached_property
    def statuses(self) -> frozenset[str]:
        """The statuses of the table's cells, found in one pass and kept: every writer of a school
        pack asks whether its tables have small groups and hidden values (≈ 25 000 cells a pack).
        A table is built whole before anything renders it, so its cells do not change after."""
        return frozenset(c.status for r in self.rows for c in r.cells)

    @property
    def has_small(self) -> bool:
        return "small" in self.statuses

    @property
    def has_suppressed(self) -> bool:
        return "suppressed" in self.statuses

    @property
    def needs_legend(self) -> bool:
        """The «*» / «†» legend is printed under tables that use either sign."""
        return self.has_small or self.has_suppressed

    def grouped(self) -> list[tuple[str | None, list[Row]]]:
        """Consecutive rows of the same group, in order."""
        out: list[tuple[str | None, list[Row]]] = []
        for row in self.rows:
            if out and out[-1][0] == row.group:
                out[-1][1].append(row)
            else:
                out.append((row.group, [row]))
        return out


@dataclass
class Paragraph:
    block: ClassVar[str] = "paragraph"
    text: str
    style: Literal["text", "bullet", "note", "lead"] = "text"


@dataclass
class Chart:
    block: ClassVar[str] = "chart"
    svg: str
    caption: str
    png: bytes | None = None    # for the DOCX, which cannot take SVG
    number: int = 0
    wide: bool = True


@dataclass
class ItemList:
    """Conclusions or recommendations (rules.Item), printed grouped by their addressee."""

    block: ClassVar[str] = "items"
    items: list  # list[rules.Item]
    empty_text: str = "Оснований для выводов этого вида по данным года нет."


Block = Union[Paragraph, Table, Chart, ItemList]


@dataclass
class Section:
    number: str                 # «3», «3.2»
    title: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list["Section"] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return "s" + self.number.replace(".", "-")

    @property
    def depth(self) -> int:
        return self.number.count(".") + 1

    def add(self, *blocks: Block) -> "Section":
        self.blocks.extend(b for b in blocks if b is not None)
        return self

    def sub(self, title: str) -> "Section":
        child = Section(f"{self.number}.{len(self.subsections) + 1}", title)
        self.subsections.append(child)
        return child

    def walk(self) -> Iterator["Section"]:
        yield self
        for s in self.subsections:
            yield from s.walk()


DEFAULT_ORGANISATION = "Региональная система оценки качества образования"


@dataclass(frozen=True)
class Cover:
    """What a title page prints around the title (from `report.toml`, reports.report_config).

    The defaults are the title page of a region that has not written the file: the generic
    organisation line, no approval block, no compilers, the year alone at the foot."""

    organisation: str = DEFAULT_ORGANISATION
    approval: tuple[str, str, str] | None = None    # position, name, date («УТВЕРЖДАЮ»)
    compilers: tuple[str, ...] = ()
    place: str = ""             # the city printed above the year at the foot of the page
    region: str = ""            # the region's name (a municipal report prints it above its own name)

    def foot(self, year: int) -> str:
        """«Ханты-Мансийск, 2025» — the city and year line at the foot of the title page."""
        return f"{self.place}, {year}" if self.place else str(year)

    def approval_lines(self, year: int) -> list[str]:
        """The approval block as printed lines; empty without one."""
        if self.approval is None:
            return []
        position, name, date = self.approval
        lines = ["УТВЕРЖДАЮ"] + ([position] if position else [])
        lines.append(f"____________ {name}".rstrip())
        lines.append(date or f"«____» ______________ {year} г.")
        return lines


@dataclass
class Document:
    """A whole report: title page data and the five sections."""

    title: str
    subtitle: str
    scope_name: str             # «регион 86» / «Город Северск»
    year: int
    generated: str              # date as printed
    sections: list[Section] = field(default_factory=list)
    kind: Literal["region", "municipality", "school"] = "region"
    entity_code: str = ""
    cover: Cover = field(default_factory=Cover)

    def walk(self) -> Iterator[Section]:
        for s in self.sections:
            yield from s.walk()

    def tables(self) -> list[Table]:
        return [b for s in self.walk() for b in s.blocks if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        return [b for s in self.walk() for b in s.blocks if isinstance(b, Chart)]

    def number_figures(self) -> None:
        """Tables and charts are numbered in reading order, once the tree is complete."""
        t = c = 0
        for s in self.walk():
            for b in s.blocks:
                if isinstance(b, Table):
                    t += 1
                    b.number = t
                elif isinstance(b, Chart):
                    c += 1
                    b.number = c
