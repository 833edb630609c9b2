"""Every export kind declared once: what recognises it, where it goes, what it needs, what replaces it.

Loading (order, validation, inserts), supersede, the expectation suites, the Dagster ingestion
assets and the report's table of sources all read this one registry, so the facts about a kind
cannot disagree between them. Adding a kind (or another layout of a kind) is one entry here:

- another layout of an existing kind: add its reader instance to that kind's `readers`;
- a new kind: a `Kind(...)` in `KINDS`, plus the DDL of any new raw table in `schema.RAW_TABLES`
  and its dbt source in `dbt/models/staging/_sources.yml` (tests/test_ingestion_kinds.py checks
  that all three agree).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Callable

from expectations.appeals import appeals_suite
from expectations.forms import forms_suite
from expectations.gia import gia_suite
from expectations.gia_plan import gia_plan_suite
from expectations.measures import measures_suite
from expectations.reference import admissions_suite, ege_min_suite, plan_suite, register_suite, scale_suite
from expectations.works import header_suite, niko_suite, questionnaire_suite, tasks_suite, vpr_suite
from ingestion.families import COLUMN_TABLES, WORKS
from ingestion.readers.admissions import AdmissionsReader
from ingestion.readers.ege_min import EgeMinReader
from ingestion.readers.gia import GiaReader
from ingestion.readers.gia_appeals import AppealReader
from ingestion.readers.gia_plan import GiaPlanReader
from ingestion.readers.gia_rcoi import RcoiProtocolReader
from ingestion.readers.measures import MeasuresReader
from ingestion.readers.niko import NikoReader
from ingestion.readers.register import RegisterReader
from ingestion.readers.vpr import VprReader
from ingestion.readers.vpr_forms import VprFormsReader
from ingestion.readers.vpr_plan import VprPlanReader
from ingestion.readers.vpr_scale import VprScaleReader

UNRECOGNISED = "unrecognised"
UNRECOGNISED_TITLE = "Не распознан"


@dataclass(frozen=True)
class Supersede:
    """What a corrected delivery of the kind replaces (input contract, «Re-delivered files»).

    Candidates are the active loads with the same ledger `work_key` (the same work, or the same
    year, or any register). `keys`: an older row goes when the newer file has a row with the same
    values. `whole`: the older file goes as a whole once the two share any `keys` values.
    """

    keys: tuple[str, ...]
    whole: bool = False


@dataclass(frozen=True)
class Kind:
    """One export kind."""

    name: str                                   # ledger `kind`
    title: str                                  # Russian, for the ledger, the report and Dagster
    readers: tuple                              # every layout of the kind (recognised by content)
    family: object                              # validates a batch and inserts a file (ingestion.families)
    suites: dict[str, Callable]                 # GX suite name → builder (expectations)
    tables: tuple[str, ...]                     # raw tables it writes, main first
    supersede: Supersede
    depends_on: tuple[str, ...] = ()            # kinds it is validated against (loaded before it)
    work: tuple[str, ...] = ()                  # ParsedFile.meta fields that, with the year, name one work
    school_column: str | None = None            # register column its rows name a school by
    nullable: tuple[str, ...] = ()              # fields whose bad value empties the cell, not the row
    yearly: bool = True                         # a file holds one year (the register does not)
    own_rows: tuple[str, ...] = ()              # child tables whose `_source_row` is a row of its own
                                                # sheet (counted in rows_read), not the main row's

    @property
    def row_tables(self) -> tuple[str, ...]:
        """Tables whose distinct `_source_row` values are the file rows they hold."""
        return (self.main_table, *self.own_rows)

    @property
    def main_table(self) -> str:
        return self.tables[0]

    @property
    def child_tables(self) -> tuple[str, ...]:
        return self.tables[1:]

    def work_key(self, year: int | None, meta: dict) -> str:
        """The ledger's `work_key`: what a corrected delivery of this kind competes with."""
        if not self.yearly:
            return self.name
        return "|".join([self.name, str(year), *(str(meta[m]) for m in self.work)])


_GIA_ROW = Supersede(("participant_id", "subject_code", "gia_form", "stage", "exam_date"))
_WORK = ("subject", "grade")

KINDS: dict[str, Kind] = {k.name: k for k in [
    Kind("register", "Реестр ОО", (RegisterReader(),), COLUMN_TABLES, {"register": register_suite},
         ("register",), Supersede(("school_code",)), yearly=False,
         # a bad value here empties that cell only: the school stays (its results must not lose
         # it); code, login and municipality identify the school, so a bad one quarantines the row
         nullable=("short_name", "full_name", "school_type", "locality", "transport_access", "pupils", "shnor")),
    Kind("vpr_plan", "План ВПР", (VprPlanReader(),), COLUMN_TABLES, {"vpr_plan": plan_suite},
         ("vpr_plan",), Supersede(("year",))),
    Kind("vpr_scale", "Шкала ВПР", (VprScaleReader(),), COLUMN_TABLES, {"vpr_scale": scale_suite},
         ("vpr_scale",), Supersede(("year",))),
    Kind("ege_min", "Минимальные баллы ЕГЭ", (EgeMinReader(),), COLUMN_TABLES, {"ege_min": ege_min_suite},
         ("ege_min",), Supersede(("year",))),
    # «План ГИА» (optional): the columns of «План ВПР», told apart by content (ingestion/readers/gia_plan.py);
    # a later plan of the same year, exam, subject and grade replaces the earlier one's rows
    Kind("gia_plan", "План ГИА", (GiaPlanReader(),), COLUMN_TABLES, {"gia_plan": gia_plan_suite},
         ("gia_plan",), Supersede(("year", "exam", "subject", "grade"))),
    Kind("gia11", "Результаты ГИА-11 (ЕГЭ, ГВЭ-11)", (GiaReader("gia11"), RcoiProtocolReader("gia11")), COLUMN_TABLES,
         {"gia11": gia_suite("gia11")}, ("gia11", "gia11_tasks"), _GIA_ROW,
         depends_on=("register", "ege_min"), school_column="school_code"),
    Kind("gia9", "Результаты ГИА-9 (ОГЭ, ГВЭ-9)", (GiaReader("gia9"), RcoiProtocolReader("gia9")), COLUMN_TABLES,
         {"gia9": gia_suite("gia9")}, ("gia9", "gia9_tasks"), _GIA_ROW,
         depends_on=("register",), school_column="school_code"),
    # РЦОИ appeal and re-check protocols (§11): loaded after the results they change; the
    # replacement itself is applied downstream, so the original result stays in raw.gia11/9
    Kind("gia_appeals", "Апелляции и перепроверки ГИА", (AppealReader(),), COLUMN_TABLES,
         {"gia_appeals": appeals_suite}, ("gia_appeals",),
         Supersede(("participant_id", "subject_code", "exam_date", "appeal_type", "sent_at")),
         depends_on=("gia11", "gia9")),
    # ВПР: a file replaces the earlier rows of the schools it contains (downloads per school add up)
    Kind("vpr", "Результаты ВПР", (VprReader(),), WORKS,
         {"vpr_header": header_suite, "vpr": vpr_suite, "vpr_tasks": tasks_suite},
         ("vpr_results", "vpr_tasks"), Supersede(("year", "subject", "grade", "school_login")),
         depends_on=("register", "vpr_plan", "vpr_scale"), work=_WORK, school_column="school_login"),
    # НИКО likewise per school; the «Анкета» rows go with their school (by the login they were given)
    Kind("niko", "Результаты НИКО", (NikoReader(),), WORKS,
         {"niko": niko_suite, "niko_tasks": tasks_suite, "niko_questionnaire": questionnaire_suite},
         ("niko_results", "niko_tasks", "niko_questionnaire"), Supersede(("year", "subject", "grade", "school_login")),
         depends_on=("register",), work=_WORK, school_column="school_login", own_rows=("niko_questionnaire",)),
    Kind("admissions", "Поступление выпускников", (AdmissionsReader(),), COLUMN_TABLES,
         {"admissions": admissions_suite}, ("admissions",), Supersede(("grad_year",)),
         depends_on=("register",), school_column="school_code"),
    # ФИС ОКО aggregate forms of a ВПР work: a newer file of the same work and form replaces the whole older one
    Kind("vpr_forms", "Формы ФИС ОКО по ВПР", (VprFormsReader(),), COLUMN_TABLES, {"vpr_forms": forms_suite},
         ("vpr_forms",), Supersede(("year", "subject", "grade", "form"), whole=True),
         depends_on=("register",), work=("subject", "grade", "form")),
    # «Меры» (optional, §12): checked against the register and the ВПР plan; a later file of the
    # same year replaces the earlier one
    Kind("measures", "Меры", (MeasuresReader(),), COLUMN_TABLES, {"measures": measures_suite},
         ("measures",), Supersede(("year",)), depends_on=("register", "vpr_plan")),
]}


@cache
def load_order() -> tuple[str, ...]:
    """Kinds in an order where every kind comes after what it depends on (declaration order otherwise)."""
    done: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in done:
            return
        if name in path:
            raise ValueError(f"kinds depend on each other in a cycle: {' -> '.join(path + (name,))}")
        for dep in KINDS[name].depends_on:
            visit(dep, path + (name,))
        done.append(name)

    for name in KINDS:
        visit(name, ())
    return tuple(done)


@cache
def reference_kinds() -> frozenset[str]:
    """Kinds another kind is validated against: the validation parameters are re-read after them."""
    return frozenset(dep for k in KINDS.values() for dep in k.depends_on)


def readers() -> list:
    """Every reader of every kind (recognition picks the best-scoring one)."""
    return [r for k in KINDS.values() for r in k.readers]


def suites() -> dict[str, Callable]:
    """GX suite name → builder, over all kinds."""
    return {name: builder for k in KINDS.values() for name, builder in k.suites.items()}


def ledger_kinds() -> tuple[str, ...]:
    return (*KINDS, UNRECOGNISED)


def titles() -> dict[str, str]:
    """Ledger kind → Russian title, in load order, `unrecognised` last (the report's table of sources)."""
    return {**{name: KINDS[name].title for name in load_order()}, UNRECOGNISED: UNRECOGNISED_TITLE}


def school_references() -> dict[str, tuple[str, str]]:
    """Kind → (raw table, register column) for kinds whose rows name a school."""
    return {k.name: (k.main_table, k.school_column) for k in KINDS.values() if k.school_column}


def nullable_columns(kind: str) -> dict[str, str]:
    """File column (as the suites name it) → field, for the kind's fields that a bad value only empties."""
    k = KINDS.get(kind)
    if k is None or not k.nullable:
        return {}
    return {col.names[0]: col.field for r in k.readers for col in getattr(r, "spec", []) if col.field in k.nullable}


__all__ = ["Kind", "Supersede", "KINDS", "UNRECOGNISED", "load_order", "reference_kinds", "readers", "suites",
           "ledger_kinds", "titles", "school_references", "nullable_columns"]


def clear_caches() -> None:
    """Forget what was derived from `KINDS` (after changing it at run time, as a test does)."""
    from ingestion.readers import all_readers, vocabulary

    for fn in (load_order, reference_kinds, all_readers, vocabulary):
        fn.cache_clear()
