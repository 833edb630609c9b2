"""The numbered outline of the yearly report as data: one declaration of what the report contains.

Methodology, «The yearly analytical report»: the regional and the municipal reports share one
outline limited to the scope. Before, the outline lived in `build_document`, in comments such as
`# 3.3.1` and in the annex's sheet names; a newcomer had to read 1,500 lines to learn what table
7 is. Here each part has its key, its title and the scopes it appears in, and each table its title
(a `str.format` template filled by the section that builds it), its annex sheet and its scopes.
The section modules (reports.sections.*) open their parts through `open_part`, so numbers and
titles come from here; `reports.build` assembles the top-level parts in this order, the annex
takes its sheet names and its extra tables from here, and the contents of every writer follow the
numbered sections this produces.

Fields of the title templates: {year} (Y), {prev} (Y−1), {first} (Y−2, or the first year the
data hold), {last}, {scope} (the scope's name), {where} (a scope-dependent phrase the section
passes).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from reports.document import Section

REGION = frozenset({"region"})
MUNICIPALITY = frozenset({"municipality"})
BOTH = REGION | MUNICIPALITY


@dataclass(frozen=True)
class TableSpec:
    """A table of the report or of the annex."""

    key: str
    title: str | None               # None: titled by the module that shares it (gia_tasks, the справка)
    sheet: str | None = None        # annex sheet name (None: the key)
    scopes: frozenset[str] = BOTH
    municipal_title: str | None = None   # where the municipal report words it differently

    def title_for(self, kind: str) -> str | None:
        return self.municipal_title if kind == "municipality" and self.municipal_title else self.title


@dataclass(frozen=True)
class Part:
    """A numbered section or subsection; `municipal_title` where the municipal report words it differently."""

    key: str
    title: str
    scopes: frozenset[str] = BOTH
    tables: tuple[TableSpec, ...] = ()
    parts: tuple["Part", ...] = ()
    municipal_title: str | None = None

    def title_for(self, kind: str) -> str:
        return self.municipal_title if kind == "municipality" and self.municipal_title else self.title

    def visible(self, kind: str) -> tuple["Part", ...]:
        return tuple(p for p in self.parts if kind in p.scopes)


def T(key: str, title: str | None, sheet: str | None = None, scopes: frozenset[str] = BOTH,
      municipal_title: str | None = None) -> TableSpec:
    """A table declaration, short enough for the outline to read as a list."""
    return TableSpec(key, title, sheet, scopes, municipal_title)


GIA_TASKS = "Выполнение заданий и зоны риска"

OUTLINE: tuple[Part, ...] = (
    Part("introduction", "Введение", parts=(
        Part("purpose", "Назначение отчёта"),
        Part("legal_basis", "Нормативная основа"),
        Part("coverage", "Оценочные процедуры и охват", tables=(
            T("coverage", "Охват оценочных процедур, {year} год", "Охват"),)),
        Part("sources", "Источники данных и даты их загрузки", tables=(
            T("sources", "Источники данных", "Источники данных"),)),
        Part("reading_rules", "Правила представления данных"),
    )),
    Part("overview", "Общие сведения о показателях", parts=(
        Part("indicators", "Показатели качества общего образования", tables=(
            T("indicators", "Показатели качества общего образования: {scope}, {first}–{year} годы", "Показатели"),)),
        Part("index", "Составной индекс", tables=(
            T("index", "Составной индекс муниципалитетов, {year} год", "Составной индекс"),)),
        Part("mo_context", "Муниципалитеты и кластеры ОО", REGION, tables=(
            T("mo_context", "Сеть общеобразовательных организаций муниципалитетов", "Сеть ОО", REGION),)),
        Part("mo_key", "Ключевые показатели по муниципалитетам", REGION, tables=(
            T("mo_key", "Ключевые показатели по муниципалитетам, {year} год", "Показатели МО (ключевые)", REGION),)),
        Part("schools", "Общеобразовательные организации и их кластеры", MUNICIPALITY, tables=(
            T("schools", "Общеобразовательные организации: {scope}", None, MUNICIPALITY),)),
    )),
    Part("analysis", "Анализ образовательных результатов", parts=(
        Part("ege", "Единый государственный экзамен", tables=(
            T("ege_bands", "Результаты ЕГЭ по группам баллов (ВТГ), {year} год", "ЕГЭ группы баллов"),
            T("ege_dynamics", "Средний тестовый балл ЕГЭ (ВТГ), {first}–{last} годы", "ЕГЭ динамика"),
            T("ege_category", "Результаты ЕГЭ по категориям участников, {year} год", "ЕГЭ категории"),
            T("ege_mo", "Результаты ЕГЭ по муниципалитетам (ВТГ), {year} год", "ЕГЭ по МО", REGION),
        ), parts=(
            Part("ege_tasks", GIA_TASKS, tables=(T("gia_tasks_gia11", None, "ЕГЭ задания"),)),
        )),
        Part("oge", "Основной государственный экзамен", tables=(
            T("oge_marks", "Распределение отметок ОГЭ, {year} год", "ОГЭ отметки"),
            T("oge_mo", "Результаты ОГЭ по русскому языку и математике по муниципалитетам, {year} год", "ОГЭ по МО",
              REGION),
        ), parts=(
            Part("oge_tasks", GIA_TASKS, tables=(T("gia_tasks_gia9", None, "ОГЭ задания"),)),
        )),
        Part("vpr", "Всероссийские проверочные работы", parts=(
            Part("vpr_marks", "Статистика по отметкам", tables=(
                T("vpr_marks", "ВПР: статистика по отметкам, {year} год", "ВПР отметки"),)),
            Part("vpr_journal", "Сравнение отметок с отметками по журналу", tables=(
                T("vpr_journal", "ВПР: сравнение отметок с отметками по журналу, {year} год", "ВПР и журнал"),)),
            Part("vpr_scores", "Распределение первичных баллов"),
            Part("vpr_tasks", "Выполнение заданий", tables=(
                T("vpr_tasks", "ВПР: выполнение заданий по региону, {year} год", "ВПР задания",
                  municipal_title="ВПР: выполнение заданий по муниципалитету «{scope}», {year} год"),)),
            Part("vpr_skills", "Достижение планируемых результатов", tables=(
                T("vpr_skills", "ВПР: достижение планируемых результатов: {scope}, {year} год", "ВПР умения",
                  municipal_title="ВПР: достижение планируемых результатов, умения, требующие внимания: "
                                  "{scope}, {year} год"),)),
            Part("deficits", "Дефициты", tables=(
                T("deficits", "ВПР: задания с дефицитом на уровне региона, {year} год", "ВПР дефициты",
                  municipal_title="ВПР: задания с дефицитом на уровне муниципалитета, {year} год"),
                T("deficits_mo", "ВПР: ОО с дефицитами по муниципалитетам, {year} год", "ВПР дефициты по МО", REGION),
            )),
        )),
        Part("niko", "Национальные исследования качества образования", tables=(
            T("niko", "НИКО: уровни подготовки участников, {year} год", "НИКО"),)),
        Part("profiles", "Профильный выбор и поступление выпускников", tables=(
            T("profiles_mo", "Показатели профессионального самоопределения по муниципалитетам, {year} год",
              "Самоопределение по МО", REGION),
            T("admissions", "Поступление выпускников по профилям обучения: {scope}, {year} год", "Поступление"),
        )),
        Part("clusters", "Результаты ОО в сопоставлении с кластерами", tables=(
            T("clusters", "Показатели по кластерам ОО, {year} год", "Кластеры", REGION),
            T("school_cluster_grid", "Ключевые показатели ОО и их кластеров: {scope}, {year} год", None, MUNICIPALITY),
            T("low_schools", "ОО с устойчиво низкими результатами, {prev}–{year} годы", "Устойчиво низкие"),
            T("good_practice", "ОО — источники лучших практик, {prev}–{year} годы", "Лучшие практики"),
            T("shnor", "ШНОР: индекс результатов обучения и кластер, {first}–{year} годы", "ШНОР"),
        )),
        Part("objectivity", "Объективность результатов ВПР", tables=(
            T("markers", "Признаки необъективности результатов ВПР: {scope}, {year} год", "Признаки"),
            T("listed", "ОО с признаками необъективности результатов ВПР, {year} год", "ОО с признаками"),
        )),
        Part("effectiveness", "Анализ эффективности принятых мер", tables=(
            T("effectiveness_measures", "Зарегистрированные меры, {year} год"),), parts=(
            Part("effectiveness_listed", "ОО с признаками необъективности прошлого года", tables=(
                T("effectiveness_listed", "ОО с признаками необъективности в {prev} году: их признаки и меры в {year} году"),)),
            Part("effectiveness_support", "ШНОР и адресная помощь", tables=(
                T("effectiveness_support", "ШНОР и ОО с адресной помощью: разрыв с кластером, {first}–{year} годы"),)),
            Part("effectiveness_courses", "Курсы повышения квалификации", tables=(
                T("effectiveness_courses", "Умения, на которые направлены курсы: выполнение, {prev}–{year} годы, %"),)),
        )),
    )),
    Part("conclusions", "Выводы", parts=(
        Part("dynamics", "Динамика показателей"),
        Part("below_region", "Муниципалитеты с показателями ниже региональных",
             municipal_title="Показатели ниже региональных значений"),
        Part("vpr_deficits", "Дефициты ВПР"),
        Part("objectivity_low", "Объективность результатов и ОО с устойчиво низкими результатами"),
    )),
    Part("recommendations", "Рекомендации", parts=(
        Part("municipal", "Органам местного самоуправления, осуществляющим управление в сфере образования"),
        Part("schools", "Общеобразовательным организациям"),
        Part("institute", "Региональному институту развития образования", REGION),
    )),
)

ANNEX: tuple[TableSpec, ...] = (
    # after every table of the regional report (vpr_tasks there in its long form), in this order
    T("source_files", "Загруженные файлы данных", "Файлы данных"),
    T("mo_indicators", "Показатели муниципалитетов, {prev}–{year} годы", "Показатели МО (все)"),
    T("mo_skills", "ВПР: достижение планируемых результатов по муниципалитетам, {year} год", "Умения по МО"),
    T("school_vs_cluster", "Показатели ОО в сопоставлении с их кластером, {year} год", "ОО и кластеры"),
    T("deficits_schools", "ВПР: дефицитные задания ОО региона, {year} год", "Дефициты ОО",
      municipal_title="ВПР: дефицитные задания ОО муниципалитета, {year} год"),
    T("priority_deficits", "ВПР: приоритетные дефициты ОО, {year} год", "Приоритетные дефициты ОО"),
    T("listed_full", "Признаки необъективности ОО из перечня по работам ВПР, {year} год", "Признаки по работам"),
    T("gia_tasks_gia11_bands", None, "ЕГЭ задания (все)"),
    T("gia_tasks_gia11_marks", None, "ЕГЭ базовая задания"),
    T("gia_tasks_gia9_marks", None, "ОГЭ задания (все)"),
)
LONG_FORMS: dict[str, TableSpec] = {
    # a report table the annex replaces by its long form (filterable, one row per task)
    "vpr_tasks": T("vpr_tasks_long", "ВПР: выполнение заданий по региону (по заданиям), {year} год", "ВПР задания"),
}


# ------------------------------------------------------------------------------------ lookups
def _walk(parts: tuple[Part, ...], prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Part]]:
    """(key path, part) of every part, depth first in reading order."""
    for p in parts:
        path = prefix + (p.key,)
        yield path, p
        yield from _walk(p.parts, path)


def part(path: str) -> Part:
    """The part at a dotted key path, e.g. «analysis.vpr.deficits»."""
    for keys, p in _walk(OUTLINE):
        if ".".join(keys) == path:
            return p
    raise KeyError(path)


def _tables() -> Iterator[TableSpec]:
    """Every table declared: the report's, the annex's own and the long forms."""
    for _, p in _walk(OUTLINE):
        yield from p.tables
    yield from ANNEX
    yield from LONG_FORMS.values()


def table(key: str) -> TableSpec:
    """The declaration of the table `key` (KeyError when the outline does not know it)."""
    for t in _tables():
        if t.key == key:
            return t
    raise KeyError(key)


def title(key: str, kind: str = "region", **values: object) -> str:
    """A table's title for a scope kind, its template filled with `values` ({year}, {scope}, …)."""
    template = table(key).title_for(kind)
    if template is None:
        raise KeyError(f"{key}: titled by its own module")
    return template.format(**values)


def sheet_names() -> dict[str, str]:
    """Table key → annex sheet name (tables without one are named by their key)."""
    return {t.key: t.sheet for t in _tables() if t.sheet}


def numbered(kind: str) -> list[tuple[str, str, str]]:
    """(number, dotted key path, title) of every part the report of a scope kind has, in order."""
    out: list[tuple[str, str, str]] = []

    def visit(parts: tuple[Part, ...], number: str, path: str) -> None:
        for i, p in enumerate((p for p in parts if kind in p.scopes), start=1):
            n, k = f"{number}{i}", f"{path}{p.key}"
            out.append((n, k, p.title_for(kind)))
            visit(p.parts, n + ".", k + ".")
    visit(OUTLINE, "", "")
    return out


def number(path: str, kind: str) -> str:
    """The number a part has in the report of a scope kind (text that refers to «п. 3.3.1» asks here)."""
    for n, k, _ in numbered(kind):
        if k == path:
            return n
    raise KeyError(f"{path} is not in the outline of a {kind} report")


def open_section(path: str, kind: str) -> Section:
    """A top-level section (or any part) numbered and titled from the outline."""
    return Section(number(path, kind), part(path).title_for(kind))


def open_part(parent: Section, path: str, kind: str) -> Section:
    """The subsection at `path` appended to `parent`, numbered and titled from the outline.

    `parent` must be the section of the path's parent: a part opened out of order or under the
    wrong parent is a programming error the outline catches rather than a misnumbered report."""
    child = open_section(path, kind)
    if child.number.rpartition(".")[0] != parent.number:
        raise ValueError(f"{path} ({child.number}) is not a subsection of {parent.number}")
    if child.number != f"{parent.number}.{len(parent.subsections) + 1}":
        raise ValueError(f"{path} opened out of the outline's order under {parent.number}")
    parent.subsections.append(child)
    return child

