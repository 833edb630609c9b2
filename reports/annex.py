"""The data annex `annex.xlsx`: one sheet per table of the report, numbers as numbers.

Sheets are written from the same `Table` objects as the report, so a suppressed cell is `*` here
too and a small-sample value keeps its «†» (as part of the number format, so the cell remains a
number). Each sheet: Russian headers, a frozen header row, an autofilter, widths fitted to the
content; the first sheet lists the sheets with the report's table titles and the legend.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Sequence

import xlsxwriter

from reports.document import Table
from reports.suppression import LEGEND, SMALL_SAMPLE_MARK

SHEET_NAMES = {
    "coverage": "Охват", "sources": "Источники данных", "indicators": "Показатели", "index": "Составной индекс",
    "mo_context": "Сеть ОО", "mo_key": "Показатели МО (ключевые)", "ege_bands": "ЕГЭ группы баллов",
    "ege_dynamics": "ЕГЭ динамика", "ege_category": "ЕГЭ категории", "ege_mo": "ЕГЭ по МО", "oge_marks": "ОГЭ отметки",
    "oge_mo": "ОГЭ по МО", "vpr_marks": "ВПР отметки", "vpr_journal": "ВПР и журнал", "vpr_tasks": "ВПР задания",
    "vpr_skills": "ВПР умения", "deficits": "ВПР дефициты", "deficits_mo": "ВПР дефициты по МО", "niko": "НИКО",
    "profiles_mo": "Самоопределение по МО", "admissions": "Поступление", "clusters": "Кластеры",
    "low_schools": "Устойчиво низкие", "markers": "Признаки", "listed": "ОО с признаками",
    "mo_indicators": "Показатели МО (все)", "school_vs_cluster": "ОО и кластеры", "deficits_schools": "Дефициты ОО",
    "priority_deficits": "Приоритетные дефициты ОО", "gia_tasks_gia11": "ЕГЭ задания", "good_practice": "Лучшие практики", "shnor": "ШНОР",
    "gia_tasks_gia9": "ОГЭ задания", "gia_tasks_gia11_bands": "ЕГЭ задания (все)",
    "gia_tasks_gia11_marks": "ЕГЭ базовая задания", "gia_tasks_gia9_marks": "ОГЭ задания (все)",
    "listed_full": "Признаки по работам", "mo_skills": "Умения по МО", "source_files": "Файлы данных",
    "vpr_tasks_long": "ВПР задания",
}
MAX_WIDTH = 70
FORMATS = {"int": "# ##0", "dec1": "0.0", "dec2": "0.00", "signed": "+0.0;-0.0;0.0"}


def _sheet_name(t: Table, index: int, used: set[str]) -> str:
    base = f"{index:02d} {SHEET_NAMES.get(t.key, t.key)}"[:31]
    name, k = base, 2
    while name.lower() in used:
        suffix = f" ({k})"
        name = base[: 31 - len(suffix)] + suffix
        k += 1
    used.add(name.lower())
    return name


def _width(text: str) -> float:
    return min(MAX_WIDTH, max(6.0, len(text) * 1.1 + 2))


def write_annex(tables: Sequence[Table], target: Path, *, title: str, created: datetime | None = None,
                legend: str = LEGEND, contents_column: str = "Таблица отчёта") -> Path:
    """Write the annex workbook with one sheet per table (in report order).

    The school packs (reports.packs_xlsx) are written by the same function with their own
    `legend` (they are not suppressed) and `contents_column`.

    `created` (the publication's time) is stored as the document date, so the same data give
    the same file and the manifest's hash changes only when the data do.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(target), {"strings_to_numbers": False, "strings_to_urls": False})
    props = {"title": title, "author": "РСОКО", "comments": legend}
    if created is not None:
        props["created"] = created.replace(tzinfo=None)
    wb.set_properties(props)
    header = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8EEF5", "border": 1})
    text = wb.add_format({"valign": "top"})
    text_bold = wb.add_format({"valign": "top", "bold": True})
    centered = wb.add_format({"align": "center", "valign": "top", "font_color": "#666666"})
    nums = {k: wb.add_format({"num_format": v, "valign": "top"}) for k, v in FORMATS.items()}
    nums_small = {k: wb.add_format({"num_format": v.split(";")[0] + f'"{SMALL_SAMPLE_MARK}"', "valign": "top", "italic": True})
                  for k, v in FORMATS.items()}
    nums_bold = {k: wb.add_format({"num_format": v, "valign": "top", "bold": True}) for k, v in FORMATS.items()}
    title_fmt = wb.add_format({"bold": True, "font_size": 12})
    link = wb.add_format({"font_color": "blue", "underline": 1})

    toc = wb.add_worksheet("Содержание")
    toc.write(0, 0, title, title_fmt)
    toc.write(1, 0, legend)
    toc.write_row(3, 0, ["Лист", contents_column], header)
    toc.freeze_panes(4, 0)
    toc.set_column(0, 0, 30)
    toc.set_column(1, 1, 110)
    used = {"содержание"}

    for i, t in enumerate(tables, start=1):
        name = _sheet_name(t, i, used)
        toc.write_url(3 + i, 0, f"internal:'{name}'!A1", link, name)
        toc.write(3 + i, 1, f"Таблица {t.number}. {t.title}" if t.number else t.title)
        ws = wb.add_worksheet(name)
        columns = ([t.group_title] if t.group_title else []) + list(t.columns)
        widths = [_width(c if len(c) < 18 else c[:18]) for c in columns]
        ws.write_row(0, 0, columns, header)
        r = 1
        for row in t.rows:
            c0 = 0
            if t.group_title:
                ws.write_string(r, 0, row.group or "", text)
                widths[0] = max(widths[0], _width(row.group or ""))
                c0 = 1
            for j, cell in enumerate(row.cells):
                col = c0 + j
                if cell.kind in FORMATS and cell.status in ("ok", "small") and isinstance(cell.value, (int, float)):
                    fmt = nums_small[cell.kind] if cell.status == "small" else (nums_bold[cell.kind] if row.emphasis else nums[cell.kind])
                    ws.write_number(r, col, cell.value, fmt)
                elif cell.status == "suppressed":
                    ws.write_string(r, col, cell.text, centered)
                elif cell.kind in FORMATS and cell.status == "missing":
                    ws.write_blank(r, col, None)
                else:
                    ws.write_string(r, col, cell.text, text_bold if row.emphasis else text)
                widths[col] = max(widths[col], _width(cell.text))
            r += 1
        for col, w in enumerate(widths):
            ws.set_column(col, col, w)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(r - 1, 1), len(columns) - 1)
        notes = list(t.notes) + ([LEGEND] if t.needs_legend else [])
        for k, n in enumerate(notes):
            ws.write_string(r + 1 + k, 0, n)
    wb.close()
    return target
