"""`inject_defects`: turn a clean generated inbox into a messy delivery, and list every defect.

What it does (each item is recorded in `truth_dir/defects.json`):
- every file renamed to a meaningless name, some moved into nested folders;
- encodings: one CSV in windows-1251, one in UTF-8 with BOM; delimiters: one CSV with `,`
  (plus an extra decimal-comma column, quoted), one with tab;
- one ВПР work re-delivered as CSV with the 8-row layout; one ВПР XLSX with a leading
  «Инструкция» sheet and every number stored as text;
- the same file twice under two names; `readme.txt` and an unrelated `budget.xlsx`; an empty
  file; a truncated XLSX; a ГИА-9 copy without a required column;
- bad rows: duplicated ГИА row, repeated ВПР pupil, task score above the maximum, negative and
  non-numeric scores, primary score ≠ sum of tasks (ВПР and ГИА-9), mark inconsistent with the
  scale, unknown `Код ОО` (ГИА-11) and `Логин ОО` (ВПР), unknown subject code, a date outside the
  file's year, a test score above 100;
- a corrected re-delivery of one ВПР work (newer modification time): the older file is superseded;
- in the РЦОИ protocols of the last year: a surname in a «Первичный балл» cell, and a protocol
  cut short (its «Всего участников» larger than its rows).

`expect` per defect: `quarantine` (the row is quarantined, the rest of the file loads),
`file_error` (the file is rejected), `duplicate`, `unrecognised`, `superseded`, or `loaded`
(a format variation the reader must simply cope with). Rows are spreadsheet row numbers:
1-based, title and header rows counted.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import numpy as np
import xlsxwriter


VPR_DATA_ROW = 9  # first pupil row of a ВПР sheet (1-based)


def _read_csv(path: Path, encoding="utf-8", delimiter=";") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as f:
        return [row for row in csv.reader(f, delimiter=delimiter)]


def _write_csv(path: Path, rows: list[list], encoding="utf-8", delimiter=";") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def _read_xlsx(path: Path) -> list[list]:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return [[_clean(v) for v in r] for r in rows]


def _clean(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _write_xlsx(path: Path, rows: list[list], *, sheet="Индивидуальные результаты", as_text=False,
                instruction: list[str] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    wb.set_properties({"title": "Синтетические данные", "created": __import__("datetime").datetime(2020, 1, 1)})
    if instruction:
        ws0 = wb.add_worksheet("Инструкция")
        for i, line in enumerate(instruction):
            ws0.write_string(i, 0, line)
    ws = wb.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                if as_text:
                    ws.write_string(r, c, str(v))
                else:
                    ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, str(v))
    wb.close()


def _mtime(path: Path) -> float:
    return path.stat().st_mtime


def _set_mtime(path: Path, ts: float) -> None:
    os.utime(path, (ts, ts))


def inject_defects(inbox: Path, truth_dir: Path, *, seed: int = 7) -> dict:
    """Mutate a generated inbox into a messy delivery (see below) and write truth_dir/defects.json
    listing every planted defect with file (relative to inbox), expected spreadsheet row number
    (1-based, title/header rows counted), column, and expected outcome. Returns that dict.

    The inbox must be fresh from `generate_region` (it reads `truth_dir/files.json`)."""
    inbox, truth_dir = Path(inbox).resolve(), Path(truth_dir).resolve()
    manifest = json.loads((truth_dir / "files.json").read_text(encoding="utf-8"))
    truth = json.loads((truth_dir / "truth.json").read_text(encoding="utf-8"))
    files = manifest["files"]
    missing = [f["file"] for f in files if not (inbox / f["file"]).is_file()]
    if missing:
        raise FileNotFoundError(f"not a fresh generated inbox (missing {missing[0]}); "
                                "run generate_region again before inject_defects")
    years = sorted(truth["years"])
    Y = years[-1]
    rng = np.random.default_rng([seed, 86])
    avoid_logins = {e["login"] for e in truth["nonobjective"]} | {"sch" + c for c in truth["decoys"]}
    avoid_codes = {e["school_code"] for e in truth["nonobjective"]} | set(truth["decoys"])

    def pick(kind, prefer_years, subject=None, grade=None, exclude=()):
        # ВПР defects are planted in second-layout workbooks (a ФИС ОКО download has group rows),
        # each in a workbook of its own
        exclude = set(exclude) | {f["file"] for f in files if f.get("layout", "second") != "second"} | picked
        for y in prefer_years:
            for f in files:
                if f["kind"] == kind and f.get("year") == y and f["file"] not in exclude and \
                        (subject is None or f.get("subject") == subject) and (grade is None or f.get("grade") == grade):
                    return _picked(f)
        return _picked(next((f for y in prefer_years for f in files if f["kind"] == kind and f.get("year") == y
                             and f["file"] not in exclude), None)
                       or next(f for f in files if f["kind"] == kind and f["file"] not in exclude))

    picked: set[str] = set()

    def _picked(f):
        if f["kind"] == "vpr" and f.get("layout"):
            picked.add(f["file"])
        return f

    y1 = Y - 1 if Y - 1 in years else Y
    y2 = Y - 2 if Y - 2 in years else y1

    # ---------------------------------------------------------------- renaming
    folders = ["", "", "входящие", "входящие/от МОУО", "почта 2025-10", "разное/старое", "Новая папка"]
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for i, f in enumerate(sorted(files, key=lambda f: f["file"])):
        ext = Path(f["file"]).suffix
        folder = folders[int(rng.integers(len(folders)))]
        while True:
            stem = rng.choice(["Выгрузка", "export", "файл", "документ", "data", "отчет"])
            name = f"{stem}_{int(rng.integers(1000, 99999))}{ext}"
            rel = f"{folder}/{name}" if folder else name
            if rel not in used:
                break
        used.add(rel)
        mapping[f["file"]] = rel
    for old, new in mapping.items():
        src, dst = inbox / old, inbox / new
        dst.parent.mkdir(parents=True, exist_ok=True)
        ts = _mtime(src)
        shutil.move(str(src), str(dst))
        _set_mtime(dst, ts)
    for root, dirs, names in os.walk(inbox, topdown=False):  # folders emptied by the moves
        if Path(root) != inbox and not os.listdir(root):
            os.rmdir(root)
    for f in files:
        f["new"] = mapping[f["file"]]

    fmt: dict[str, tuple[str, str]] = {}  # file -> (encoding, delimiter) once changed

    def rcsv(rel):
        enc, sep = fmt.get(rel, ("utf-8", ";"))
        return _read_csv(inbox / rel, encoding=enc, delimiter=sep)

    def wcsv(rel, rows, encoding=None, delimiter=None):
        enc, sep = fmt.get(rel, ("utf-8", ";"))
        fmt[rel] = (encoding or enc, delimiter or sep)
        p = inbox / rel
        ts = _mtime(p) if p.exists() else None
        _write_csv(p, rows, encoding=fmt[rel][0], delimiter=fmt[rel][1])
        if ts is not None:
            _set_mtime(p, ts)

    defects: list[dict] = []
    status: dict[str, dict] = {f["new"]: {"file": f["new"], "kind": f["kind"], "expect_status": "loaded",
                                          "original": f["file"]} for f in files}

    def add(file, kind, expect, row=None, column=None, value=None, note=None):
        d = {"file": file, "row": row, "column": column, "kind": kind, "expect": expect}
        if value is not None:
            d["value"] = value
        if note:
            d["note"] = note
        defects.append(d)
        if expect == "quarantine" and status.get(file, {}).get("expect_status") == "loaded":
            status[file]["expect_status"] = "partial"

    def newfile(rel, kind, expect_status, original=None):
        status[rel] = {"file": rel, "kind": kind, "expect_status": expect_status, "original": original}

    # ---------------------------------------------------------------- encodings and delimiters
    reg = pick("register", [None])   # its corrected re-delivery (UTF-8 with BOM) is planted below

    g9_prev = pick("gia9", [y1])
    wcsv(g9_prev["new"], rcsv(g9_prev["new"]), encoding="cp1251")
    add(g9_prev["new"], "encoding_cp1251", "loaded", note="windows-1251")

    plan_prev = pick("vpr_plan", [y1])
    rows = rcsv(plan_prev["new"])
    rows[0].append("Средний % выполнения (РФ)")
    for r in rows[1:]:
        r.append(f"{rng.uniform(35, 90):.1f}".replace(".", ","))
    wcsv(plan_prev["new"], rows, delimiter=",")
    add(plan_prev["new"], "delimiter_comma", "loaded",
        note="разделитель «,»; лишний столбец «Средний % выполнения (РФ)» с десятичной запятой (в кавычках)")
    add(plan_prev["new"], "extra_column", "loaded", column="Средний % выполнения (РФ)",
        note="неизвестный столбец сохраняется в raw (_extra)")

    g11_old = pick("gia11", [y2])
    wcsv(g11_old["new"], rcsv(g11_old["new"]), delimiter="\t")
    add(g11_old["new"], "delimiter_tab", "loaded")

    # ---------------------------------------------------------------- ВПР as CSV; instruction sheet
    w_csv = pick("vpr", [y1], "Окружающий мир", 4)
    p = inbox / w_csv["new"]
    ts = _mtime(p)
    rows = _read_xlsx(p)
    new_rel = str(Path(w_csv["new"]).with_suffix(".csv"))
    _write_csv(inbox / new_rel, [["" if v is None else v for v in r] for r in rows])
    p.unlink()
    _set_mtime(inbox / new_rel, ts)
    status[new_rel] = status.pop(w_csv["new"])
    status[new_rel]["file"] = new_rel
    w_csv["new"] = new_rel
    add(new_rel, "vpr_as_csv", "loaded", note="ВПР в CSV с тем же 8-строчным макетом")

    w_txt = pick("vpr", [y2], "Математика", 6)
    p = inbox / w_txt["new"]
    ts = _mtime(p)
    rows = _read_xlsx(p)
    _write_xlsx(p, rows, as_text=True, instruction=[
        "Инструкция по заполнению", "Лист «Индивидуальные результаты» содержит результаты участников.",
        "Не изменяйте структуру листа."])
    _set_mtime(p, ts)
    add(w_txt["new"], "extra_sheet_numbers_as_text", "loaded",
        note="первый лист «Инструкция»; все числа сохранены как текст")

    # ---------------------------------------------------------------- file-level outcomes
    w_dup = pick("vpr", [Y], "История", 6) if any(
        f["kind"] == "vpr" and f.get("year") == Y and f.get("subject") == "История" for f in files) else pick("vpr", [Y])
    dup_rel = "входящие/повторно/ВПР_копия.xlsx"
    (inbox / dup_rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(inbox / w_dup["new"], inbox / dup_rel)
    _set_mtime(inbox / dup_rel, _mtime(inbox / w_dup["new"]) + 86400)
    newfile(dup_rel, "vpr", "duplicate", w_dup["file"])
    add(dup_rel, "same_file_twice", "duplicate", note=f"тот же файл, что {w_dup['new']} (тот же SHA-256)")

    (inbox / "readme.txt").write_text("Папка с выгрузками для РСОКО. Не удалять!\n", encoding="utf-8")
    newfile("readme.txt", "unrecognised", "unrecognised")
    add("readme.txt", "stray_text_file", "unrecognised")
    _write_xlsx(inbox / "разное/budget.xlsx", [["Статья", "Сумма, руб.", "Доля"],
                                              ["Учебники", 1250000.5, 0.25], ["Ремонт", 3400000, 0.68],
                                              ["Прочее", 349999.5, 0.07]], sheet="Бюджет")
    newfile("разное/budget.xlsx", "unrecognised", "unrecognised")
    add("разное/budget.xlsx", "stray_workbook", "unrecognised")

    (inbox / "входящие/пустой.csv").parent.mkdir(parents=True, exist_ok=True)
    (inbox / "входящие/пустой.csv").write_bytes(b"")
    newfile("входящие/пустой.csv", "unrecognised", "error")
    add("входящие/пустой.csv", "empty_file", "file_error", note="пустой файл (0 байт)")

    w_trunc = pick("vpr", [y2], "Русский язык", 5)
    data = (inbox / w_trunc["new"]).read_bytes()
    trunc_rel = "почта 2025-10/ВПР_рус_5_обрезан.xlsx"
    (inbox / trunc_rel).parent.mkdir(parents=True, exist_ok=True)
    (inbox / trunc_rel).write_bytes(data[: int(len(data) * 0.55)])
    newfile(trunc_rel, "vpr", "error", w_trunc["file"])
    add(trunc_rel, "truncated_xlsx", "file_error", note=f"копия {w_trunc['new']}, обрезана до 55 % байт")

    g9_old = pick("gia9", [y2])
    rows = rcsv(g9_old["new"])
    col = rows[0].index("Код предмета")
    miss_rel = "входящие/от МОУО/ГИА9_без_предмета.csv"
    _write_csv(inbox / miss_rel, [r[:col] + r[col + 1:] for r in rows])
    newfile(miss_rel, "gia9", "error", g9_old["file"])
    add(miss_rel, "missing_required_column", "file_error", column="Код предмета",
        note=f"копия {g9_old['new']} без обязательного столбца")

    # ---------------------------------------------------------------- bad rows: ГИА-11 (year Y)
    g11 = pick("gia11", [Y])
    rows = rcsv(g11["new"])
    h = {c: i for i, c in enumerate(rows[0])}
    ok = [i for i in range(1, len(rows)) if rows[i][h["Статус"]] == "Явка" and rows[i][h["Код ОО"]] not in avoid_codes
          and rows[i][h["Тестовый балл"]] != ""]
    chosen = sorted(rng.choice(ok, size=4, replace=False).tolist())
    edits = {}
    edits[chosen[0]] = ("unknown_school_code", "Код ОО", "869999")
    bad = rows[chosen[1]][h["Дата экзамена"]]
    edits[chosen[1]] = ("date_outside_year", "Дата экзамена", bad[:6] + str(int(bad[6:]) - 1))
    edits[chosen[2]] = ("test_score_above_maximum", "Тестовый балл", "105")
    for i, (kind, c, v) in edits.items():
        rows[i][h[c]] = v
    dup_src = chosen[3]
    wcsv(g11["new"], rows[: dup_src + 1] + [list(rows[dup_src])] + rows[dup_src + 1:])
    for i, (kind, c, v) in edits.items():
        row_no = i + 1 + (1 if i > dup_src else 0)
        add(g11["new"], kind, "quarantine", row=row_no, column=c, value=v)
    add(g11["new"], "duplicated_row", "quarantine", row=dup_src + 2, column=None,
        note=f"точная копия строки {dup_src + 1}")

    # ---------------------------------------------------------------- bad rows: ГИА-9 (year Y)
    g9 = pick("gia9", [Y])
    rows = rcsv(g9["new"])
    h = {c: i for i, c in enumerate(rows[0])}
    ok = [i for i in range(1, len(rows)) if rows[i][h["Статус"]] == "Явка" and rows[i][h["Код ОО"]] not in avoid_codes
          and rows[i][h["Задания с кратким ответом"]] != ""]
    a, b = sorted(rng.choice(ok, size=2, replace=False).tolist())
    rows[a][h["Код предмета"]] = "99"
    add(g9["new"], "unknown_subject_code", "quarantine", row=a + 1, column="Код предмета", value="99")
    v = str(int(rows[b][h["Первичный балл"]]) + 2)
    rows[b][h["Первичный балл"]] = v
    add(g9["new"], "primary_not_sum_of_tasks", "quarantine", row=b + 1, column="Первичный балл", value=v,
        note="первичный балл не равен сумме баллов в строках ответов")
    wcsv(g9["new"], rows)

    # ---------------------------------------------------------------- bad rows: one ВПР work (year Y)
    wv = pick("vpr", [Y], "Русский язык", 6)
    p = inbox / wv["new"]
    ts = _mtime(p)
    rows = _read_xlsx(p)
    header = [str(x) for x in rows[7]]
    t0, tp = 6, header.index("Первичный балл")
    tmax = [int(hh.split("(")[1].rstrip("б)")) for hh in header[t0:tp]]
    scale = _scale_of(inbox, files, Y, "Русский язык", 6)
    data = rows[8:]
    ok = [i for i, r in enumerate(data) if str(r[0]) not in avoid_logins
          and all(isinstance(v, int) for v in r[t0:tp])]
    idx = sorted(rng.choice(ok, size=7, replace=False).tolist())
    kinds = []
    i = idx[0]; j = int(np.argmax(tmax)); data[i][t0 + j] = tmax[j] + 2
    kinds.append((i, "task_score_above_maximum", header[t0 + j], tmax[j] + 2))
    i = idx[1]; data[i][t0] = -1
    kinds.append((i, "negative_score", header[t0], -1))
    i = idx[2]; data[i][t0 + 1] = "н/д"
    kinds.append((i, "non_numeric_score", header[t0 + 1], "н/д"))
    i = idx[3]
    prim = int(data[i][tp])
    # a primary score one off the sum, not crossing a boundary (so only the sum is wrong)
    new_prim = prim + 1 if _mark(prim + 1, scale) == _mark(prim, scale) else prim - 1
    data[i][tp] = new_prim
    kinds.append((i, "primary_not_sum_of_tasks", "Первичный балл", new_prim))
    i = idx[4]
    m = int(data[i][tp + 1])
    data[i][tp + 1] = 5 if m != 5 else 3
    kinds.append((i, "mark_inconsistent_with_scale", "Отметка", data[i][tp + 1]))
    i = idx[5]; data[i][0] = "sch869999"
    kinds.append((i, "unknown_login", "Логин ОО", "sch869999"))
    dup_i = idx[6]
    data = data[: dup_i + 1] + [list(data[dup_i])] + data[dup_i + 1:]
    _write_xlsx(p, rows[:8] + data)
    _set_mtime(p, ts)
    for i, kind, c, v in kinds:
        add(wv["new"], kind, "quarantine", row=VPR_DATA_ROW + i + (1 if i > dup_i else 0), column=c, value=v)
    add(wv["new"], "repeated_pupil", "quarantine", row=VPR_DATA_ROW + dup_i + 1, column="Код участника",
        note=f"повтор Логин ОО + Код участника строки {VPR_DATA_ROW + dup_i}")

    # ---------------------------------------------------------------- line endings, mixed encodings, junk
    _plant_text_defects(inbox, files, fmt, pick, add, newfile, status, reg, y1, y2, rng)
    _plant_protocol_defects(inbox, files, add, Y)

    # ---------------------------------------------------------------- corrected re-delivery
    wc = pick("vpr", [Y], "Математика", 8)
    p = inbox / wc["new"]
    ts = _mtime(p)
    rows = _read_xlsx(p)
    header = [str(x) for x in rows[7]]
    tp = header.index("Первичный балл")
    tmax = [int(hh.split("(")[1].rstrip("б)")) for hh in header[6:tp]]
    scale = _scale_of(inbox, files, Y, "Математика", 8)
    old_rows = [list(r) for r in rows]
    changed = 0
    for i in rng.permutation(len(rows) - 8):
        r = old_rows[8 + i]
        if str(r[0]) in avoid_logins or not all(isinstance(v, int) for v in r[6:tp]):
            continue
        j = int(rng.integers(len(tmax)))
        r[6 + j] = (r[6 + j] + 1) % (tmax[j] + 1)  # a wrong but valid score
        r[tp] = sum(r[6:tp])
        r[tp + 1] = _mark(r[tp], scale)
        changed += 1
        if changed == 3:
            break
    # the older (wrong) delivery keeps the path, the corrected one arrives later under a new name
    _write_xlsx(p, old_rows)
    _set_mtime(p, ts)
    corr_rel = "входящие/ВПР_исправленная.xlsx"
    _write_xlsx(inbox / corr_rel, rows)
    _set_mtime(inbox / corr_rel, ts + 10 * 86400)
    status[wc["new"]]["expect_status"] = "superseded"
    newfile(corr_rel, "vpr", "loaded", wc["file"])
    add(wc["new"], "superseded_delivery", "superseded",
        note=f"заменено исправленной выгрузкой {corr_rel} (новее по времени изменения; 3 ячейки исправлены)")

    result = {
        "seed": seed, "inbox": str(inbox), "year": Y,
        "defects": defects,
        "files": sorted(status.values(), key=lambda s: s["file"]),
        "renamed": mapping,
    }
    (truth_dir / "defects.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def _csv_lines(rows: list[list]) -> list[str]:
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\n").writerows(rows)
    return buf.getvalue().splitlines(keepends=True)


def _plant_text_defects(inbox: Path, files, fmt, pick, add, newfile, status, reg, y1: int, y2: int, rng) -> None:
    """Defects that once stopped or damaged a run (issue 10): CR-only line endings, a stray CR
    inside a field, a UTF-8 BOM over a windows-1251 body, UTF-8 lines in a windows-1251 file,
    binary junk without NUL bytes, and a corrected register whose values differ only in
    spelling (case, ё/е, thousands separators) from the list's."""
    def raw_rows(f):
        enc, sep = fmt.get(f["new"], ("utf-8", ";"))
        return _read_csv(inbox / f["new"], encoding=enc, delimiter=sep)

    def rewrite(f, data: bytes):
        p = inbox / f["new"]
        ts = _mtime(p)
        p.write_bytes(data)
        _set_mtime(p, ts)
        fmt[f["new"]] = ("binary", ";")   # not to be read again as plain CSV

    scale = pick("vpr_scale", [y2])
    rewrite(scale, "".join(_csv_lines(raw_rows(scale))).replace("\n", "\r").encode("utf-8"))
    add(scale["new"], "line_endings_cr_only", "loaded", note="строки разделены символом CR")

    plan = pick("vpr_plan", [y2])
    rewrite(plan, b"\xef\xbb\xbf" + "".join(_csv_lines(raw_rows(plan))).encode("cp1251"))
    add(plan["new"], "bom_over_cp1251", "loaded", note="метка BOM UTF-8, текст в windows-1251")

    g11 = pick("gia11", [y1])
    rows = raw_rows(g11)
    h = rows[0].index("Предмет")
    i = next(i for i in range(1, len(rows)) if " " in rows[i][h])
    rows[i][h] = rows[i][h].replace(" ", "\r", 1)   # reads back as the same name
    rewrite(g11, "".join(_csv_lines(rows)).encode("utf-8"))
    add(g11["new"], "stray_cr_in_field", "loaded", row=i + 1, column="Предмет")

    g9 = pick("gia9", [y1])   # windows-1251 (planted above): two lines arrive in UTF-8
    lines = _csv_lines(raw_rows(g9))
    bad = sorted(int(x) for x in rng.choice(np.arange(1, len(lines)), size=min(2, len(lines) - 1), replace=False))
    rewrite(g9, b"".join(line.encode("utf-8" if k in bad else "cp1251") for k, line in enumerate(lines)))
    for k in bad:
        add(g9["new"], "mixed_encoding", "quarantine", row=k + 1, note="строка в UTF-8 в файле windows-1251")

    junk_rel = "разное/скан.csv"
    (inbox / junk_rel).parent.mkdir(parents=True, exist_ok=True)
    (inbox / junk_rel).write_bytes(bytes(rng.integers(1, 256, size=20000, dtype=np.uint8)))
    newfile(junk_rel, "unrecognised", "unrecognised")
    add(junk_rel, "binary_junk", "unrecognised", note="двоичные данные без байтов NUL")

    rows = raw_rows(reg)
    h = {c: i for i, c in enumerate(rows[0])}
    spelled = {"Тип ОО": str.lower, "Местность": str.capitalize,
               "Транспортная доступность": lambda v: v.replace("ё", "е").upper()}
    for k, (col, spell) in enumerate(spelled.items()):
        rows[1 + k][h[col]] = spell(rows[1 + k][h[col]])
    big = next((i for i in range(1, len(rows)) if int(rows[i][h["Численность обучающихся"]]) >= 1000), None)
    if big is not None:
        rows[big][h["Численность обучающихся"]] = f"{int(rows[big][h['Численность обучающихся']]):,}".replace(",", "\xa0")
    corr_rel = "входящие/Реестр ОО (исправленный).csv"
    (inbox / corr_rel).write_bytes(b"\xef\xbb\xbf" + "".join(_csv_lines(rows)).encode("utf-8"))
    _set_mtime(inbox / corr_rel, _mtime(inbox / reg["new"]) + 86400)
    newfile(corr_rel, "register", "loaded", reg["file"])
    add(corr_rel, "encoding_utf8_bom", "loaded", note="UTF-8 с BOM")
    add(corr_rel, "register_spelling_variants", "loaded",
        note="Тип ОО, Местность, Транспортная доступность в другом регистре и с «е»; численность с разделителем тысяч")
    status[reg["new"]]["expect_status"] = "superseded"
    add(reg["new"], "register_superseded", "superseded", note=f"заменён исправленным реестром {corr_rel}")


def _plain_protocols(files, year: int) -> list[dict]:
    """РЦОИ result protocols of `year` in the dense windows-1251 CSV form, title in the first cell."""
    return [f for f in files if f.get("layout") == "rcoi" and f["kind"] in ("gia11", "gia9") and f["year"] == year
            and f["variant"]["format"] == "csv-cp1251" and not f["variant"]["sparse"]
            and f["variant"]["title_col"] == 0 and f["rows"] >= 5]


def _plant_protocol_defects(inbox: Path, files, add, year: int) -> None:
    """Contract defects in the РЦОИ protocol layout (§10): a name slipped into the «Первичный балл»
    cell (the row is quarantined; neither the ledger nor the quarantine may repeat the name) and a
    protocol cut short (its «Всего участников» announces more rows than it has: a ledger note)."""
    plain = _plain_protocols(files, year)
    if len(plain) < 2:
        return
    for f, what in zip(plain[:2], ("name_in_score_cell", "protocol_cut_short")):
        p = inbox / f["new"]
        ts = _mtime(p)
        rows = _read_csv(p, encoding="cp1251")
        h = rows[1]
        if what == "name_in_score_cell":
            i = 2 + 2   # the third participant: spreadsheet row 5
            rows[i][h.index("Первичный балл")] = rows[i][h.index("Фамилия")]
            add(f["new"], what, "quarantine", row=i + 1, column="Первичный балл",
                note="фамилия участника в ячейке «Первичный балл»: строка в карантин, фамилия нигде не повторяется")
        else:
            total = next(r for r in rows if r and r[0] == "Всего участников")
            total[-1] = str(int(total[-1]) + 5)
            add(f["new"], what, "loaded", note=f"«Всего участников» {total[-1]}, строк участников {f['rows']}")
        _write_csv(p, rows, encoding="cp1251")
        _set_mtime(p, ts)


def _scale_of(inbox: Path, files: list[dict], year: int, subject: str, grade: int) -> tuple[int, int, int]:
    f = next(f for f in files if f["kind"] == "vpr_scale" and f.get("year") == year)
    for r in _read_csv(inbox / f["new"])[1:]:
        if r[1] == subject and r[2] == str(grade):
            return int(r[3]), int(r[4]), int(r[5])
    raise KeyError((year, subject, grade))


def _mark(primary: int, scale: tuple[int, int, int]) -> int:
    return 2 + sum(primary >= t for t in scale)
