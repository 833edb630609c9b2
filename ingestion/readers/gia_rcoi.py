"""ГИА result protocols of the РЦОИ (input contract §10): ЕГЭ, ГВЭ-11, ОГЭ, ГВЭ-9.

One protocol = one exam sitting (subject × date) for the region, a municipality or a school:

    01 - Русский язык 2025.06.03                       (title; may stand in a later column)
    № | Код МСУ | Код ОО | Класс | Код ППЭ | Аудитория | Фамилия | Имя | Отчество | Серия | Номер |
        Задания с кратким ответом | Задания с развёрнутым ответом | Первичный балл | Балл
    … one row per participant who sat the exam …
    Средние | … ;  Минимальная граница | … ;  Всего участников | … N

The reader turns it into rows of the *normalised* ГИА shape (`gia.SPEC` fields), so a protocol
lands in `raw.gia11` / `raw.gia9` beside the regional system's files and everything downstream
(suites, supersede, dbt, indicators) treats both alike. Its kinds are therefore `gia11`/`gia9`:
a protocol and a normalised export of the same exam supersede each other row by row.

Names and the identity document are read only to compute `ID участника` (`ingestion.pseudonym`)
and are dropped before the frame leaves this module; bad-cell texts that could be a name are
masked, so no quarantine row or ledger message repeats one.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import partial

import numpy as np
import pandas as pd

from ingestion import pseudonym
from ingestion.convert import object_frame, set_object
from ingestion.readers.base import (Col, FileError, ParsedFile, RECOGNISE_SHARE, find_header, map_header,
                                    match_count, require, row_keys, typed_frame)
from ingestion.readers.gia import _LONG_FULL, add_answer_columns
from ingestion.source import Source, Table, column_text
from ingestion.text import norm_header

SPEC = [
    Col("mo_code", ("Код МСУ", "Код МО"), width=2, required=False),
    Col("school_code", ("Код ОО",), width=6),
    Col("class_name", ("Класс",), required=False),
    Col("surname", ("Фамилия",)),
    Col("first_name", ("Имя",)),
    Col("patronymic", ("Отчество",), required=False),
    Col("doc_series", ("Серия", "Серия документа"), required=False),
    Col("doc_number", ("Номер", "Номер документа"), required=False),
    Col("document", ("Документ", "Документ, удостоверяющий личность"), required=False),
    Col("short_answers", ("Задания с кратким ответом", "Часть с кратким ответом"), required=False),
    Col("long_answers", ("Задания с развернутым ответом", "Часть с развернутым ответом"), required=False),
    Col("oral_answers", ("Устная часть",), required=False),
    Col("oral_primary", ("Первичный балл устной части",), "int", required=False),
    Col("written_primary", ("Первичный балл письм. части", "Первичный балл письменной части"), "int", required=False),
    Col("primary_score", ("Первичный балл",), "int"),
    Col("test_score", ("Тестовый балл", "Балл"), "int", required=False),
    Col("mark", ("Оценка",), "int", required=False),
]
# what recognises a protocol: these columns (a result column and a document column count once)
_CORE = [Col("school_code", ("Код ОО",)), Col("class_name", ("Класс",)), Col("surname", ("Фамилия",)),
         Col("first_name", ("Имя",)), Col("patronymic", ("Отчество",)), Col("primary_score", ("Первичный балл",)),
         Col("result", ("Балл", "Тестовый балл", "Оценка")), Col("document", ("Документ", "Серия", "Номер")),
         Col("ppe", ("Код ППЭ",)), Col("room", ("Аудитория",))]
# headers only appeal / re-check protocols have (§11): such a file is not a result protocol
APPEAL_MARKERS = {norm_header(h) for h in ("Тип апелляции / перепроверки", "Тип апелляции", "Состояние",
                                           "Балл до изменения", "Дата отправки на обработку")}
PERSONAL = ("surname", "first_name", "patronymic", "doc_series", "doc_number", "document")
_PERSONAL_HEADER = re.compile(r"фамил|имя|отчеств|сери|номер|документ|паспорт|снилс|рожд|фио|адрес|телефон|e-?mail")
_WORDISH = re.compile(r"[^\W\d_]{3,}")
_ANSWER_MARK = re.compile(r"[+\-−–(]")
_NOT_DIGITS = re.compile(r"\D")
_SCHOOL_CODE = re.compile(r"\d{4,8}")
_ANSWER_CHARS = str.maketrans("", "", "+-−–()0123456789 ")   # deleting these leaves nothing in an answer string
MASK = "скрытый текст"

FOOTERS = ("средн", "минимальная граница", "всего участников")
_DATE = re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})")
_TITLE = re.compile(r"(?<!\d)(\d{1,2})\s*[-–—]\s*([^\d]+?)\s*(?=\d{4}\.\d|п\.?\s*:|$)")
_WRITTEN = re.compile(r"п\.?\s*:\s*(\d{4}\.\d{1,2}\.\d{1,2})")
_ORAL = re.compile(r"у\.?\s*:\s*(\d{4}\.\d{1,2}\.\d{1,2})")
_GRADE = re.compile(r"^\s*(\d{1,2})")

# subject codes of protocols that count as another subject (КЕГЭ, oral parts of foreign languages)
CODE_AS = {25: 5, 29: 9, 30: 10, 31: 11, 33: 13}
# stems a subject's name must contain (spelling variants: «Математика (базовый уровень)», «КЕГЭ»)
SUBJECT_STEMS: dict[int, tuple[tuple[str, ...], ...]] = {
    1: (("русск",),), 2: (("математ",),), 22: (("математ", "базов"),), 3: (("физик",),), 4: (("хими",),),
    5: (("информат",), ("кегэ",)), 6: (("биолог",),), 7: (("истор",),), 8: (("географ",),), 9: (("английск",),),
    10: (("немецк",),), 11: (("французск",),), 13: (("испанск",),), 12: (("обществ",),), 18: (("литератур",),),
}
SUBJECT_NAMES = {1: "Русский язык", 2: "Математика", 22: "Математика базовая", 3: "Физика", 4: "Химия",
                 5: "Информатика", 6: "Биология", 7: "История", 8: "География", 9: "Английский язык",
                 10: "Немецкий язык", 11: "Французский язык", 13: "Испанский язык", 12: "Обществознание",
                 18: "Литература"}


# ------------------------------------------------------------------ titles and subjects
def _words(name: str) -> list[str]:
    return re.findall(r"[а-яa-z]+", name.lower().replace("ё", "е"))


def name_matches(code: int, name: str) -> bool:
    """Does a title's subject name agree with the code (allowing spelling variants)?"""
    words = _words(name)
    stems = SUBJECT_STEMS.get(CODE_AS.get(code, code))
    if stems is None:
        return True  # an unknown code is reported by the suite
    ok = any(all(any(w.startswith(s) for w in words) for s in alt) for alt in stems)
    if ok and CODE_AS.get(code, code) == 2:
        return not any(w.startswith("базов") for w in words)
    return ok


def subject_from_name(name: str) -> int | None:
    """The subject code a name stands for (appeal protocols' `Экзамен` column names no code)."""
    hits = [c for c in SUBJECT_STEMS if name_matches(c, name)]
    if 22 in hits:
        return 22
    return hits[0] if len(hits) == 1 else None


def _date(text: str) -> dt.date | None:
    m = _DATE.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_title(text: str) -> dict | None:
    """Code, name, written (or only) date, oral date, ГВЭ/ЕГЭ/ОГЭ hints of a protocol title."""
    m = _TITLE.search(text)
    if not m:
        return None
    written = _WRITTEN.search(text)
    oral = _ORAL.search(text)
    date = _date(written.group(1)) if written else _date(text[m.end(2):])
    if date is None:
        return None
    upper = text.upper()
    return {"code": int(m.group(1)), "name": m.group(2).strip(" :;,.-"), "date": date,
            "oral_date": _date(oral.group(1)) if oral else None, "gve": "ГВЭ" in upper,
            "ege": "ЕГЭ" in upper or "КЕГЭ" in upper, "oge": "ОГЭ" in upper, "text": text.strip()}


def find_title(rows: list[list]) -> dict | None:
    """The first row above the header (any column) that reads as a protocol title."""
    for row in rows:
        text = " ".join(str(c) for c in row if c not in (None, ""))
        got = parse_title(text) if text else None
        if got:
            return got
    return None


def stage_of(date: dt.date) -> str:
    """`Этап` from the date (a protocol names none): March–April early, September additional."""
    if date.month in (2, 3, 4):
        return "Досрочный"
    if date.month in (8, 9, 10, 11, 12):
        return "Дополнительный"
    return "Основной"


# ------------------------------------------------------------------ table shape
def merge_sparse(table: Table) -> None:
    """The sparse print form: a field's value may sit in the blank-headed column after it."""
    header = table.header
    moved = False
    for p in range(len(header) - 1):
        if header[p] and not header[p + 1]:
            here, there = table.cells[:, p], table.cells[:, p + 1]
            empty = np.array([v is None or (isinstance(v, str) and not v.strip()) for v in here], dtype=bool)
            full = np.array([v is not None and not (isinstance(v, str) and not v.strip()) for v in there], dtype=bool)
            take = empty & full
            if take.any():
                here[take] = there[take]
                there[take] = None
                moved = True
    if moved:
        table._text = {}


def split_footer(table: Table) -> dict[str, str]:
    """Take the footer rows (Средние, Минимальная граница, Всего участников) out of the table.

    Returns {label: the row's last number as text}. A footer row is recognised by its first
    non-blank cell; the rest of the table is data.
    """
    n = len(table.rows)
    found: dict[str, str] = {}
    keep = np.ones(n, dtype=bool)
    for i in _footer_candidates(table):
        row = table.cells[i]
        first = next((str(v).strip() for v in row[: min(len(row), 8)] if v not in (None, "") and str(v).strip()), "")
        key = norm_header(first)
        label = next((f for f in FOOTERS if key.startswith(f)), None)
        if label:
            keep[i] = False
            nums = [str(v).strip() for v in row if v not in (None, "") and re.fullmatch(r"\d+(?:[.,]\d+)?", str(v).strip())]
            found[label] = nums[-1] if nums else ""
    if not keep.all():
        table.cells = table.cells[keep]
        table.rows = table.rows[keep]
        table._text = {}
    return found


def _footer_candidates(table: Table) -> np.ndarray:
    """Rows whose first non-blank cell (of the first 8) starts with a letter: only they can be
    footer rows. Found a column at a time: a participant row starts with its number (`№`) or a
    code, so nearly every row is settled by the first column, and `split_footer` looks row by
    row only at the few rows found here."""
    n, width = len(table.rows), min(table.width, 8)
    found: list[np.ndarray] = []
    open_rows = np.arange(n)
    for j in range(width):
        if not len(open_rows):
            break
        texts = column_text(table.cells[open_rows, j], all_text=table.all_text)
        filled = pd.notna(texts)
        lead = [t.lstrip("\ufeff")[:1].isalpha() for t in texts[filled]]
        found.append(open_rows[filled][np.array(lead, dtype=bool)] if lead else open_rows[:0])
        open_rows = open_rows[~filled]
    return np.sort(np.concatenate(found)) if found else np.arange(0)


def _mask(values: np.ndarray, numeric_like: bool) -> np.ndarray:
    """Bad-cell texts as quarantine may show them: anything word-like (a name?) is masked.

    Judged once per distinct text: a column of codes or classes repeats a few values.
    """
    out = values.copy()
    seen: dict[str, bool] = {}
    for i, v in enumerate(values):
        if isinstance(v, str):
            hide = seen.get(v)
            if hide is None:
                hide = seen[v] = bool(_WORDISH.search(v) or (numeric_like and len(_NOT_DIGITS.sub("", v)) >= 7))
            if hide:
                out[i] = MASK
    return out


def strip_personal(frame: pd.DataFrame, extras: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Drop name/document fields, personal extras; mask word-like bad or code texts.

    Returns the frame without them and the kept extras. The frame is built anew from its
    columns: deleting and replacing a dozen columns of a wide frame one by one copies its
    blocks each time, which cost more than the rest of reading a protocol.
    """
    columns, kept = personal_stripped(frame, extras)
    return object_frame(columns), kept


def personal_stripped(frame: pd.DataFrame, extras: list[str]) -> tuple[dict[str, np.ndarray], list[str]]:
    """`strip_personal`'s columns as arrays (column → values) and the kept extras."""
    drop = {c for c in frame.columns if c in PERSONAL or c.removesuffix("__bad") in PERSONAL}
    kept = []
    for e in extras:
        label = e.split(":", 1)[1]
        if _PERSONAL_HEADER.search(norm_header(label)) or label.startswith("столбец "):
            drop.add(e)
        else:
            kept.append(e)
    out: dict[str, np.ndarray] = {}
    for c in frame.columns:
        if c in drop:
            continue
        values = frame[c].to_numpy()
        if c in kept:
            values = _mask(values.astype(object), False)
        elif c.endswith("__bad"):
            values = _mask(values.astype(object), True)
        elif c in ("school_code", "mo_code", "class_name"):
            values = _mask(values.astype(object), c != "class_name")
        elif c in ("short_answers", "long_answers", "oral_answers"):
            values = _mask_answers(values.astype(object))
        out[c] = values
    return out, kept


def _mask_answers(values: np.ndarray) -> np.ndarray:
    """Answer strings as stored: a real one (`++-+1-+`, `2(3)1(2)…`) has many digits, so only a
    value without any answer mark (`+`, `-`, `(`) and with 7+ digits — a document? — is masked,
    besides anything word-like (a name?).

    A string of answer characters only (signs, digits, brackets, spaces: nearly every one) has
    no letters, so only the digit rule can apply; the regular expressions run on the rest.
    """
    out = values.copy()
    for i, v in enumerate(values):
        if not isinstance(v, str):
            continue
        if not v.translate(_ANSWER_CHARS):
            hide = not _ANSWER_MARK.search(v) and sum(c.isdigit() for c in v) >= 7
        else:
            hide = bool(_WORDISH.search(v) or (len(_NOT_DIGITS.sub("", v)) >= 7 and not _ANSWER_MARK.search(v)))
        if hide:
            out[i] = MASK
    return out


def person_columns(frame: pd.DataFrame) -> tuple:
    """(surname, first name, patronymic, document digits) arrays; `Документ` or `Серия`+`Номер`."""
    n = len(frame)
    none = np.full(n, None, dtype=object)
    doc = frame["document"].to_numpy(dtype=object) if "document" in frame else none
    series = frame["doc_series"].to_numpy(dtype=object) if "doc_series" in frame else none
    number = frame["doc_number"].to_numpy(dtype=object) if "doc_number" in frame else none
    joined = np.array([d if d is not None else (None if s is None and m is None else f"{s or ''}{m or ''}")
                       for d, s, m in zip(doc, series, number)], dtype=object)
    return (frame["surname"].to_numpy(dtype=object), frame["first_name"].to_numpy(dtype=object),
            frame["patronymic"].to_numpy(dtype=object) if "patronymic" in frame else none, joined)


def decide_exam(classes: np.ndarray, title: dict, has_test: bool, code: int) -> str:
    """ГИА-11 or ГИА-9: by the rows' classes (11/12 vs 9/10), else the title, test scores, code 22."""
    eleven = nine = 0
    for c in classes:
        m = _GRADE.match(c) if isinstance(c, str) else None
        if m:
            g = int(m.group(1))
            eleven += g >= 11
            nine += g in (9, 10)
    if eleven != nine:
        return "gia11" if eleven > nine else "gia9"
    if title["oge"] != title["ege"]:
        return "gia9" if title["oge"] else "gia11"
    return "gia11" if has_test or code == 22 else "gia9"


# ------------------------------------------------------------------ the reader
class ParsedOnce:
    """recognise / year / read over one parse of the Source, kept in `src.cache[cache_key]`
    (both ГИА kinds' protocol readers ask, and recognition itself needs the parsed rows)."""

    cache_key = ""

    def parse(self, src: Source) -> ParsedFile:
        raise NotImplementedError

    def recognise(self, src: Source) -> bool:
        return self.score(src) >= RECOGNISE_SHARE

    def year(self, src: Source) -> int | None:
        got = self._parsed(src)
        return got.year if isinstance(got, ParsedFile) else None

    def read(self, src: Source) -> ParsedFile:
        got = self._parsed(src)
        if isinstance(got, Exception):
            raise got
        return got

    def _parsed(self, src: Source):
        if self.cache_key not in src.cache:
            try:
                src.cache[self.cache_key] = self.parse(src)
            except FileError as exc:
                src.cache[self.cache_key] = exc
        return src.cache[self.cache_key]


class RcoiProtocolReader(ParsedOnce):
    """A РЦОИ result protocol of ГИА-11 (kind `gia11`) or ГИА-9 (kind `gia9`)."""

    cache_key = "rcoi"

    def __init__(self, kind: str):
        self.kind = kind

    def parse(self, src: Source) -> ParsedFile:
        return read_protocol(src)

    def score(self, src: Source) -> float:
        share = protocol_share(src)
        if share < RECOGNISE_SHARE:
            return 0.0
        got = self._parsed(src)
        kind = got.kind if isinstance(got, ParsedFile) else getattr(got, "kind", "gia11")
        return share if kind == self.kind else 0.0



def protocol_share(src: Source) -> float:
    """Share of the protocol's core columns in its best header row (0 for an appeal protocol).

    Kept on the source: both ГИА kinds' protocol readers ask for every file of the inbox."""
    if "rcoi_share" not in src.cache:
        src.cache["rcoi_share"] = _protocol_share(src)
    return src.cache["rcoi_share"]


def _protocol_share(src: Source) -> float:
    best = 0.0
    for head in src.heads:
        for row in head.rows:
            keys = row_keys(tuple(row))   # the header keys of the row's cells (remembered per row)
            if keys & APPEAL_MARKERS:
                continue
            if not ({"фамилия", "имя"} <= keys):
                continue
            best = max(best, match_count(row, _CORE) / len(_CORE))
    return best


def header_table(src: Source, spec: list, what: str):
    """(table under the best header row for `spec`, that row's number); a FileError naming `what` if none."""
    found = find_header(src, spec)
    if found is None:
        raise FileError(f"не найдена строка заголовка {what}")
    sheet, header_row, _ = found
    return src.table(sheet, header_row), header_row


def read_protocol(src: Source) -> ParsedFile:
    table, header_row = header_table(src, SPEC, "протокола")
    title = find_title(table.top)
    if title is None:
        err = FileError("в протоколе не найден заголовок экзамена «<код> - <предмет> <ГГГГ.ММ.ДД>» над строкой "
                        "заголовка", row=header_row, column="заголовок протокола", rows_read=len(table.rows))
        err.kind = "gia11"
        raise err
    merge_sparse(table)
    footer = split_footer(table)
    fields, extras = map_header(table.header, SPEC)
    require(fields, SPEC, header_row, len(table.rows))
    if not ({"document"} & fields.keys() or {"doc_series", "doc_number"} <= fields.keys() or "doc_number" in fields):
        raise FileError(f"в строке заголовка {header_row} нет столбца документа: ожидается «Документ» или "
                        "«Серия» и «Номер»", row=header_row, column="Документ", rows_read=len(table.rows))
    frame = typed_frame(table, SPEC, fields, extras)
    extra_cols = [f"extra:{e}" for e in extras]
    notes: list[str] = []

    # who: the pseudonymous id, then the names are gone
    ids = pseudonym.person_ids(pseudonym.current_key(), *person_columns(frame))
    cols, extra_cols = personal_stripped(frame, extra_cols)
    cols["participant_id"] = np.asarray(ids, dtype=object)

    # what: subject, date, exam, form from the title (columns set as arrays, the frame built
    # once: column by column, a per-file frame cost more than the file's rows)
    code = title["code"]
    subject = CODE_AS.get(code, code)
    if subject != code:
        notes.append(f"код предмета {code} в заголовке учтён как {subject} ({SUBJECT_NAMES.get(subject, '')})")
    if not name_matches(code, title["name"]):
        notes.append(f"название предмета «{title['name']}» в заголовке не соответствует коду {code}"
                     f" ({SUBJECT_NAMES.get(subject, 'неизвестный код')})")
    has_test = "test_score" in fields and bool(pd.notna(cols["test_score"]).any())
    kind = decide_exam(np.asarray(cols["class_name"], dtype=object), title, has_test, subject)
    form = "ГВЭ" if title["gve"] else ("ЕГЭ" if kind == "gia11" else "ОГЭ")
    result_header = table.header[fields["test_score"]] if "test_score" in fields else None
    n = len(frame)
    nothing = np.full(n, None, dtype=object)
    if form != "ЕГЭ" or subject == 22:
        # «Балл» of an ОГЭ/ГВЭ/базовая protocol is the mark (2–5); there is no test score
        if "mark" not in fields and "test_score" in fields:
            cols["mark"], cols["mark__bad"] = cols["test_score"], cols["test_score__bad"]
        cols["test_score"] = np.full(n, np.nan)
        cols["test_score__bad"] = nothing
    cols["exam_date"] = np.full(n, np.datetime64(title["date"], "ns"))
    cols["exam_date__bad"] = nothing
    cols["subject_code"] = np.full(n, float(subject))
    cols["subject_code__bad"] = nothing
    cols["subject_name"] = np.full(n, SUBJECT_NAMES.get(subject, title["name"]), dtype=object)
    cols["gia_form"] = np.full(n, form, dtype=object)
    cols["stage"] = np.full(n, stage_of(title["date"]), dtype=object)
    cols["status"] = np.full(n, "Явка", dtype=object)
    classes = np.asarray(cols["class_name"], dtype=object)
    cols["category"] = np.where(pd.notna(classes), "ВТГ", "ВПЛ/СПО").astype(object)
    cols["sex"] = nothing
    for f in ("ovz", "variant"):
        cols[f], cols[f"{f}__bad"] = np.full(n, np.nan), nothing
    cols["_protocol"] = np.full(n, True)
    frame = object_frame(cols)

    # foreign languages: the oral part joins the criteria, its score the written part's
    if "oral_answers" in frame:
        oral = frame["oral_answers"].to_numpy(dtype=object)
        long = frame["long_answers"].to_numpy(dtype=object)
        ok = np.array([isinstance(o, str) and bool(_LONG_FULL.match(o.replace(" ", ""))) for o in oral], dtype=bool)
        set_object(frame, "long_answers", np.where(ok, [f"{l or ''}{o}" if isinstance(o, str) else l
                                                         for l, o in zip(long, oral)], long))
    add_answer_columns(frame)
    if "oral_answers" in frame and "oral_primary" in frame:
        unparsed = ~ok & frame["oral_primary"].notna().to_numpy() & frame["_long_sum"].notna().to_numpy()
        frame.loc[unparsed, "_long_sum"] = frame.loc[unparsed, "_long_sum"] + frame.loc[unparsed, "oral_primary"]
    if title["oral_date"] is not None:
        oral_date = title["oral_date"].strftime("%d.%m.%Y")
        set_object(frame, "extra:Дата устной части", np.full(n, oral_date, dtype=object))
        extra_cols.append("extra:Дата устной части")
    gone = []   # dropped at once: deleting columns of a wide frame one by one copies its blocks each time
    for c in ("oral_answers", "oral_primary", "written_primary"):
        if c in frame:  # kept as extras: not in the normalised shape
            label = {"oral_answers": "Устная часть", "oral_primary": "Первичный балл устной части",
                     "written_primary": "Первичный балл письменной части"}[c]
            if c in fields:
                values = frame[c].to_numpy(dtype=object)
                set_object(frame, f"extra:{label}", np.array([None if v is None or v != v else
                                                              (str(int(v)) if isinstance(v, float) else v)
                                                              for v in values], dtype=object))
                extra_cols.append(f"extra:{label}")
            gone += [d for d in (c, f"{c}__bad") if d in frame]
    frame = frame.drop(columns=gone)
    frame["year"] = float(title["date"].year)

    # footer: the participant count must equal the rows read
    total = footer.get("всего участников")
    if total:
        try:
            announced = int(float(total.replace(",", ".")))
        except ValueError:
            announced = None
        if announced is not None and announced != n:
            notes.append(f"в итоговой строке «Всего участников» {announced}, а строк участников в протоколе {n}")
    columns = {"participant_id": "ID участника (Фамилия, Имя, Отчество, документ)", "school_code": "Код ОО",
               "mo_code": table.header[fields["mo_code"]] if "mo_code" in fields else "Код МСУ",
               "class_name": "Класс", "primary_score": "Первичный балл",
               "test_score": result_header or "Тестовый балл", "mark": "Оценка", "exam_date": "заголовок протокола",
               "subject_code": "заголовок протокола", "category": "Категория", "gia_form": "Форма ГИА",
               "stage": "Этап", "status": "Статус", "short_answers": "Задания с кратким ответом",
               "long_answers": "Задания с развёрнутым ответом"}
    boundary = footer.get("минимальная граница") if form == "ЕГЭ" and subject != 22 else None
    complete = partial(complete_with_register, boundary=(title["date"].year, subject, boundary)) if boundary \
        else complete_with_register
    meta = {"protocol": True, "title": title, "footer": footer, "complete": complete}
    return ParsedFile(kind, title["date"].year, frame, columns, extra_cols, meta=meta, notes=notes)


def boundary_note(boundary: tuple[int, int, str], params) -> list[str]:
    """The footer's `Минимальная граница` against the minimum-score table (contract §10): a
    disagreement means the protocol or the table is wrong, and R03/R05 depend on the table."""
    year, subject, text = boundary
    try:
        printed = int(float(str(text).replace(",", ".")))
    except ValueError:
        return [f"в итоговой строке «Минимальная граница» не число: «{text}»"]
    table = getattr(params, "ege_minimum", None)
    expected = table(year, subject) if table is not None else None
    if expected is None or expected == printed:
        return []
    return [f"в итоговой строке «Минимальная граница» {printed}, а в таблице минимальных баллов {year} года "
            f"по предмету {subject} — {expected}"]


def complete_with_register(frame: pd.DataFrame, params, boundary: tuple | None = None) -> list[str]:
    """What a protocol leaves to the register (at validation, where the register is known).

    `Код МО` of a file without `Код МСУ` comes from the school's register row; a participant
    whose `Код ОО` is no school of the register (the РЦОИ's codes for earlier graduates and
    college students) is `ВПЛ/СПО` (contract §10). Returns ledger notes (the footer's minimum
    boundary checked against the minimum-score table, known only here).
    """
    codes = getattr(params, "school_codes", None)
    mo_of = getattr(params, "school_mo", None) or {}
    school = frame["school_code"].to_numpy(dtype=object)
    if mo_of:
        mo = frame["mo_code"].to_numpy(dtype=object)
        missing = np.flatnonzero(np.array([m is None for m in mo], dtype=bool))
        if len(missing):  # only the rows without one are looked up (a protocol of a municipality has it)
            mo = mo.copy()
            mo[missing] = [mo_of.get(s) for s in school[missing]]
            set_object(frame, "mo_code", mo)
    if codes is not None:
        # only a code-like value is the РЦОИ's code for ВПЛ/СПО; anything else stays an unknown Код ОО
        unknown = np.flatnonzero(~pd.Series(school, dtype=object).isin(codes).to_numpy())
        outside = unknown[np.array([isinstance(s, str) and _SCHOOL_CODE.fullmatch(s) is not None
                                    for s in school[unknown]], dtype=bool)] if len(unknown) else unknown
        if len(outside):
            cat = frame["category"].to_numpy(dtype=object).copy()
            cat[outside] = "ВПЛ/СПО"
            set_object(frame, "category", cat)
    return boundary_note(boundary, params) if boundary is not None else []
