"""reports.worksheet: rows stored by `put_row` give the very bytes xlsxwriter's own calls give.

The oracle is xlsxwriter itself: the same cells, formats, row heights, links and merged notes
are written once through the public `write_*` calls on a plain worksheet and once through
`put_row`, and every part of the two packages must be equal byte for byte.
"""
from __future__ import annotations

import gc
import math
import weakref
import zipfile
from datetime import datetime

import pytest
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from reports.worksheet import BLANK, DATE, NUMBER, STRING, RowWorksheet, close_workbook

LONG = "Задание " + "😀" * 17000       # > 32 767 UTF-16 units: xlsxwriter truncates it


def _rows(formats: dict) -> list[list[tuple]]:
    """A table's rows, as put_row entries: every kind, escapes, Cyrillic, numbers of every shape."""
    f = formats
    rows = []
    for i in range(40):                 # more than two 16-row blocks (the rows' `spans`)
        rows.append([
            (STRING, f"{i % 7}А", f["text"]),
            (STRING, 'Код <участника> & "кавычки"' if i % 5 == 0 else f"  пробелы {i % 3} ", f["bold"] if i % 4 else f["text"]),
            (NUMBER, i * 1.1 - 20, f["dec1"]),
            (NUMBER, [0.1 + 0.2, 1e-20, 123456789012345.6, -0.0, 7, 2 ** 53 + 1][i % 6], f["int"]),
            (BLANK, None, f["text"]),
            (DATE, datetime(2025, 1 + i % 12, 1 + i % 28), f["date"]),
            (STRING, LONG if i == 3 else "", f["text"]),
        ][: 7 - (i % 3)])               # rows of different widths
    return rows


def _write(path, with_put_row: bool) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_urls": False})
    wb.set_properties({"title": "проверка", "created": datetime(2025, 12, 15)})
    formats = {"text": wb.add_format({"text_wrap": True, "valign": "top"}),
               "bold": wb.add_format({"bold": True, "text_wrap": True}),
               "dec1": wb.add_format({"num_format": "0.0"}),
               "int": wb.add_format({"num_format": "# ##0", "italic": True}),
               "date": wb.add_format({"num_format": "dd.mm.yyyy"}),
               "link": wb.add_format({"font_color": "blue", "underline": 1}),
               "note": wb.add_format({"italic": True, "text_wrap": True})}
    toc = wb.add_worksheet("Содержание")
    toc.set_column(1, 1, 40, formats["text"])
    sheet_class = RowWorksheet if with_put_row else Worksheet
    for n in range(2):
        name = f"0{n + 1} Лист"
        toc.write_url(n, 0, f"internal:'{name}'!A1", formats["link"], name)
        toc.write(n, 1, f"Таблица {n + 1}")        # no format: the column's
        ws = wb.add_worksheet(name, worksheet_class=sheet_class)
        ws.write_row(0, 0, ["Класс", "Текст", "Доля", "Число", "Пусто", "Дата", "Длинный"], formats["bold"])
        rows = _rows(formats)
        for r, entries in enumerate(rows, start=1):
            if with_put_row:
                ws.put_row(r, entries)
            else:
                for col, (kind, value, fmt) in enumerate(entries):
                    {NUMBER: ws.write_number, STRING: ws.write_string, BLANK: ws.write_blank,
                     DATE: ws.write_datetime}[kind](r, col, value, fmt)
            if r % 9 == 0:
                ws.set_row(r, 45)
        ws.set_row(len(rows) + 3, 30)                 # a row with a height and no cells
        ws.merge_range(len(rows) + 2, 0, len(rows) + 2, 6, "Примечание под таблицей", formats["note"])
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(rows), 6)
        ws.set_column(0, 6, 14)
    close_workbook(wb)


def test_put_row_writes_the_bytes_of_xlsxwriters_own_calls(tmp_path):
    _write(tmp_path / "public.xlsx", with_put_row=False)
    _write(tmp_path / "put_row.xlsx", with_put_row=True)
    with zipfile.ZipFile(tmp_path / "public.xlsx") as a, zipfile.ZipFile(tmp_path / "put_row.xlsx") as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name
        sheet = a.read("xl/worksheets/sheet2.xml").decode()
    assert 'spans="1:7"' in sheet and "<v>0.3</v>" in sheet and "<v>-0</v>" in sheet    # the cases are there
    assert (tmp_path / "public.xlsx").read_bytes() == (tmp_path / "put_row.xlsx").read_bytes()


def test_put_row_refuses_what_xlsxwriter_would_not_store_the_same_way(tmp_path):
    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    fmt = wb.add_format({})
    ws = wb.add_worksheet("a", worksheet_class=RowWorksheet)
    ws.put_row(0, [(STRING, "да", fmt)])
    with pytest.raises(ValueError, match="already has cells"):
        ws.put_row(0, [(STRING, "нет", fmt)])
    ws.write_string(1, 0, "stock")
    with pytest.raises(ValueError, match="already has cells"):
        ws.put_row(1, [(STRING, "нет", fmt)])
    with pytest.raises(TypeError, match="finite"):
        ws.put_row(2, [(NUMBER, math.nan, fmt)])
    with pytest.raises(ValueError, match="no format"):
        ws.put_row(3, [(BLANK, None, None)])
    with pytest.raises(ValueError, match="outside"):
        ws.put_row(2_000_000, [(STRING, "x", fmt)])
    close_workbook(wb)


def test_a_closed_workbook_is_freed_without_the_cycle_collector(tmp_path):
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
        ws = wb.add_worksheet("a", worksheet_class=RowWorksheet)
        ws.put_row(0, [(STRING, "ячейка", wb.add_format({}))])
        sheet = weakref.ref(ws)
        close_workbook(wb)
        del wb, ws
        assert sheet() is None          # freed by reference counting alone
    finally:
        if was_enabled:
            gc.enable()
