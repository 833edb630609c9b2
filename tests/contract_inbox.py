"""An inbox written from the input contract alone — a second, independent implementation.

Why this exists: the bundled generator (`synthetic/`) and the readers were written by the same
hands and may share a misreading of `inputs.md`. This builder was written from the contract text
only (no import from, and no look at, `synthetic/`), for one tiny region (2 municipalities,
4 schools, 2025) with one or more files of every layout and variant the contract names, a few bad
inputs, and the facts a reader of the contract expects: each file's kind and row counts, the pupils
of each school and the indicators computed by hand from the rows written.

Region 59 is deliberately not the generator's region; the second municipality has a 3-character
`Код МО` (`102`, contract §1: 2–3 characters, the РЦОИ's `Код МСУ`); the login of one school is
written under the other ФИС ОКО prefix (`edu`) than the register's (`sch`).
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

YEAR = 2025
REGION = "59"
REGION_NAME = "Пермский край"

# ------------------------------------------------------------------ register (contract §1)
MUNIS = {"01": "Альфинский городской округ", "102": "Бетинский муниципальный район"}
SCHOOLS = [
    # code, login, short name, MO, type, locality, access, pupils, ШНОР
    ("590001", "sch590001", "МБОУ «СОШ № 1»", "01", "СОШ", "город", "доступная", "612", "нет"),
    ("590002", "sch590002", "МАОУ «Гимназия № 2»", "01", "Гимназия", "город", "доступная", "830", "нет"),
    ("590101", "sch590101", "МБОУ «Бетинская СОШ»", "102", "СОШ", "село", "удалённая", "240", "нет"),
    ("590102", "sch590102", "МКОУ «Гаммовская ООШ»", "102", "ООШ", "село", "труднодоступная", "88", "да"),
]
SCHOOL_MO = {s[0]: s[3] for s in SCHOOLS}
SCHOOL_NAME = {s[0]: s[2] for s in SCHOOLS}
# the login each ФИС ОКО file prints: 590101 appears as `edu` although the register says `sch`
FISOKO_LOGIN = {"590001": "sch590001", "590002": "sch590002", "590101": "edu590101", "590102": "sch590102"}


# ------------------------------------------------------------------ ВПР works (contract §4, §5)
@dataclass
class Task:
    label: str
    max: int
    level: str        # Б / П
    skill: str
    practice: bool


@dataclass
class Work:
    subject: str
    abbr: str
    grade: int
    date: str                         # ДД.ММ.ГГГГ
    tasks: list[Task]
    scale: tuple[int, int, int]       # minimum primary score for 3, 4, 5

    @property
    def max(self) -> int:
        return sum(t.max for t in self.tasks)

    def mark(self, primary: int) -> int:
        return 5 if primary >= self.scale[2] else 4 if primary >= self.scale[1] else 3 if primary >= self.scale[0] else 2

    def header(self) -> list[str]:
        return [f"{t.label} ({t.max}б)" for t in self.tasks]


MATH4 = Work("Математика", "МА", 4, "22.04.2025", [
    Task("1", 1, "Б", "1.1", False), Task("2", 2, "Б", "1.2", True),
    Task("3.1", 1, "П", "2.1", False), Task("4К1", 2, "П", "3.1", True)], (2, 4, 5))
RUS4 = Work("Русский язык", "РУ", 4, "15.04.2025", [
    Task("1", 2, "Б", "1.1", False), Task("2", 1, "Б", "2.1", False), Task("3", 1, "П", "3.1", False)], (2, 3, 4))
OKR4 = Work("Окружающий мир", "ОМ", 4, "17.04.2025", [
    Task("1", 1, "Б", "1.1", False), Task("2", 2, "П", "2.1", True)], (1, 2, 3))
WORKS = [MATH4, RUS4, OKR4]


@dataclass
class Pupil:
    school: str
    code: str
    klass: str
    variant: int
    cells: list          # int or a null token (X, Х, -, —)
    journal: object      # 2..5, 'нет отметки' or ''
    primary: int | None = None   # override (a defect)
    mark: int | None = None      # override (a defect)

    def scores(self) -> list[int | None]:
        return [c if isinstance(c, int) else None for c in self.cells]

    def primary_score(self) -> int:
        return self.primary if self.primary is not None else sum(s or 0 for s in self.scores())


def _p(school, code, klass, variant, cells, journal, **kw) -> Pupil:
    return Pupil(school, str(code), str(klass), variant, cells, journal, **kw)


# Математика 4 — the regional download, current layout; 590002's group row announces 6 pupils, 4 present
MATH4_PUPILS = [
    _p("590001", 10001, 1, 1, [1, 2, 1, 2], 5), _p("590001", 10002, 1, 2, [1, 1, 0, 1], 4),
    _p("590001", 10003, 2, 1, [0, 1, 0, 0], 3), _p("590001", 10004, 2, 2, [1, "X", 1, 2], "нет отметки"),
    _p("590001", 10005, 2, 1, [1, 2, 0, 1], 4),
    _p("590002", 20001, 1, 1, [1, 2, 1, 2], 5), _p("590002", 20002, 1, 2, [1, 2, 1, 1], 5),
    _p("590002", 20003, 1, 1, [1, 1, 1, 1], 5), _p("590002", 20004, 1, 2, [0, 0, 1, 0], ""),
    _p("590101", 30001, 1, 1, [0, 1, 0, 0], 2), _p("590101", 30002, 1, 2, [1, 0, 1, 0], 3),
    _p("590101", 30003, 1, 1, [1, 2, 0, 2], 3),
    _p("590102", 40001, 1, 1, [1, 1, 0, 0], 3), _p("590102", 40002, 1, 2, ["-", 1, 0, 0], 2),
]
MATH4_ANNOUNCED = {"590001": 5, "590002": 6, "590101": 3, "590102": 2}
MATH4_MISSING_MARKS = {"590002": [4, 5]}   # the two pupils of 590002 the download lost

# Русский язык 4 — second layout (title with dots, `Логин ОО`, class names), one file per municipality
RUS4_PUPILS = [
    _p("590001", 11001, "4А", 1, [2, 1, 1], 5), _p("590001", 11002, "4А", 2, [1, 0, 0], 3),
    _p("590001", 11003, "4Б", 1, [0, 1, 0], 3), _p("590002", 21001, "4А", 1, [2, 1, 0], 4),
    _p("590002", 21002, "4А", 2, [0, 0, 0], 3),
    _p("590101", 31001, "4А", 1, [2, 0, 1], 4), _p("590102", 41001, "4А", 1, [1, 0, "Х"], 2),
]

# Окружающий мир 4 — current layout as CSV (municipality 02) and a school XLSX without the blank row 2
OKR4_GOOD = [
    _p("590101", 32001, 1, 1, [1, 2], 5), _p("590101", 32002, "4Б", 2, [0, 1], 3),
    _p("590102", 42001, 1, 1, [1, "—"], 3),
    _p("590001", 12001, 1, 1, [1, 1], 4), _p("590001", 12002, 2, 2, [0, 0], 2),
]
# rows the contract says must be quarantined (column, why) — in the municipal CSV, after the good rows
OKR4_BAD = [
    (_p("590101", 32003, 1, 1, [3, 1], 4), "1 (1б)", "балл выше максимума задания"),
    (_p("590101", 32004, 1, 2, [1, 1], 4, primary=3), "Первичный балл", "не равен сумме баллов"),
    (_p("590102", 42002, 1, 1, [0, 1], 4, mark=5), "Отметка", "не соответствует шкале"),
    (_p("590102", 42003, 1, 2, [1, "abc"], 4), "2 (2б)", "не число"),
]
OKR4_UNKNOWN_SCHOOL = _p("599999", 52001, 1, 1, [1, 1], 4)   # a group row of a login not in the register


# ------------------------------------------------------------------ ГИА people and results (§10, §11)
@dataclass
class Person:
    key: str
    surname: str
    name: str
    patronymic: str
    doc: str            # `СССС НННННН`
    school: str
    klass: str


PEOPLE = {p.key: p for p in [
    Person("E1", "Иванов", "Пётр", "Сергеевич", "6501 123456", "590001", "11А"),
    Person("E2", "Смирнова", "Анна", "Игоревна", "6502 234567", "590001", "11А"),
    Person("E3", "Кузнецов", "Илья", "Олегович", "6503 345678", "590002", "11"),
    Person("E4", "Попова", "Мария", "Дмитриевна", "6504 456789", "590002", "11"),
    Person("E5", "Васильев", "Артём", "Андреевич", "6505 567890", "590101", "11А"),
    Person("E6", "Соколова", "Ольга", "Петровна", "6506 678901", "590101", "11А"),
    Person("E7", "Морозов", "Денис", "Викторович", "6507 789012", "599001", ""),    # ВПЛ/СПО
    Person("E8", "Новиков", "Семён", "Ильич", "6508 890123", "590101", "11А"),      # ГВЭ-11
    Person("O1", "Лебедев", "Кирилл", "Антонович", "6510 111111", "590001", "9А"),
    Person("O2", "Козлова", "Дарья", "Максимовна", "6511 222222", "590001", "9А"),
    Person("O3", "Новикова", "Алёна", "Юрьевна", "6512 333333", "590101", "9"),
    Person("O4", "Фёдоров", "Глеб", "Романович", "6513 444444", "590102", "9"),
    Person("O5", "Егорова", "Вера", "Львовна", "6514 555555", "590102", "9"),
    Person("O6", "Белов", "Станислав", "Игоревич", "6515 666666", "590102", "9"),   # ГВЭ-9
]}


def person_id(key: bytes, p: Person) -> str:
    """§10: first 16 hex of HMAC-SHA256 over `Фамилия|Имя|Отчество|document digits`, upper case, Ё→Е."""
    norm = lambda s: " ".join(s.split()).upper().replace("Ё", "Е")
    msg = "|".join([norm(p.surname), norm(p.name), norm(p.patronymic), "".join(ch for ch in p.doc if ch.isdigit())])
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


@dataclass
class Exam:
    code: str
    subject: str
    date: str            # ГГГГ.ММ.ДД as a protocol title prints it
    form: str            # ЕГЭ / ГВЭ / ОГЭ
    gia: str             # gia11 / gia9
    results: dict        # person key -> test score (ЕГЭ) or mark


RUS11 = Exam("01", "Русский язык", "2025.05.30", "ЕГЭ", "gia11",
             {"E1": 78, "E2": 85, "E3": 62, "E4": 20, "E5": 55, "E6": 90, "E7": 40})
MATHP = Exam("02", "Математика профильная", "2025.06.03", "ЕГЭ", "gia11", {"E1": 70, "E3": 22, "E6": 88, "E7": 50})
MATHB = Exam("22", "Математика (базовый уровень)", "2025.06.02", "ЕГЭ", "gia11", {"E2": 5, "E4": 2, "E5": 4})
ENG11 = Exam("09", "Английский язык", "2025.06.10", "ЕГЭ", "gia11", {"E2": 91, "E6": 77})
KEGE = Exam("25", "Информатика", "2025.06.19", "ЕГЭ", "gia11", {"E1": 84})
GVE11 = Exam("01", "Русский язык", "2025.05.30", "ГВЭ", "gia11", {"E8": 4})
RUS9 = Exam("01", "Русский язык", "2025.06.03", "ОГЭ", "gia9", {"O1": 5, "O2": 4, "O3": 3, "O4": 2, "O5": 3})
MATH9 = Exam("02", "Математика", "2025.06.06", "ОГЭ", "gia9", {"O1": 4, "O2": 2, "O3": 3, "O4": 3, "O5": 4})
PHYS9 = Exam("03", "Физика", "2025.05.22", "ОГЭ", "gia9", {"O1": 5, "O3": 3})
GVE9 = Exam("02", "Математика", "2025.06.06", "ГВЭ", "gia9", {"O6": 3})
EXAMS = [RUS11, MATHP, MATHB, ENG11, KEGE, GVE11, RUS9, MATH9, PHYS9, GVE9]
# appeals/re-checks that change a result: (exam, person, new score)
APPEAL_CHANGES = [(RUS11, "E3", 66), (MATHP, "E3", 27)]
APPEAL_REJECTED = [(RUS11, "E5")]
EGE_MIN = {"01": 24, "02": 27, "09": 22, "05": 40}
MIN_OF = {**EGE_MIN, "25": EGE_MIN["05"]}   # §10: КЕГЭ counts as Информатика


def _answers(score: int, n_short: int = 5) -> tuple[str, str, int]:
    """Answer strings whose primary score is plausible: short `+`/`-`, long `k(3)` criteria."""
    short_ok = min(n_short, score // 10)
    short = "+" * short_ok + "-" * (n_short - short_ok)
    k = min(3, score % 4)
    long_ = f"{k}(3)0(2)"
    return short, long_, short_ok + k


# ------------------------------------------------------------------ writing helpers
def _csv_bytes(rows: list[list], delimiter: str = ";", encoding: str = "utf-8", bom: bool = False) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    data = buf.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _xlsx(path: Path, sheets: list[tuple[str, list[list]]], merges: dict[str, list[str]] | None = None,
          as_text: bool = False) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title[:31])
        for r in rows:
            ws.append([None if v == "" else (str(v) if as_text and v is not None else v) for v in r])
        for rng in (merges or {}).get(title, []):
            ws.merge_cells(rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# ------------------------------------------------------------------ expected facts
@dataclass
class FileFact:
    kind: str
    rows_read: int
    rows_loaded: int
    status: str
    message_has: list[str] = field(default_factory=list)
    quarantined: list[tuple[int, str]] = field(default_factory=list)   # (row as a spreadsheet shows it, column)


@dataclass
class Inbox:
    root: Path
    key: bytes
    files: dict[str, FileFact]
    bad: dict[str, str]            # file -> what the contract prescribes (kind unrecognised/error)
    names: set[str]
    docs: set[str]

    def pid(self, person: str) -> str:
        return person_id(self.key, PEOPLE[person])


# ------------------------------------------------------------------ the files
def _register(root: Path, files: dict) -> None:
    # cp1251, `;`, headers in mixed case with stray spaces (compared case-insensitively after trimming)
    header = [" код ОО", "Логин ОО ", "Краткое наименование", "ПОЛНОЕ НАИМЕНОВАНИЕ", "Код МО",
              "Муниципальное образование", "Тип ОО", "Местность", "Транспортная доступность",
              "Численность обучающихся", "ШНОР"]
    rows = [header] + [[c, lg, nm, nm.replace("«", "«Муниципальное ").replace("»", "»"), mo, MUNIS[mo], t, loc, acc, n, sh]
                       for c, lg, nm, mo, t, loc, acc, n, sh in SCHOOLS]
    _write(root / "spravochniki/reestr.csv", _csv_bytes(rows, encoding="cp1251"))
    files["spravochniki/reestr.csv"] = FileFact("register", 4, 4, "loaded")


def _plan_scale(root: Path, files: dict) -> None:
    plan = [["Год", "Предмет", "Класс", "Задание", "Макс. балл", "Уровень", "Код умения", "Проверяемое умение",
             "Практико-ориентированное"]]
    for w in WORKS:
        for t in w.tasks:
            plan.append([YEAR, w.subject, w.grade, t.label, t.max, t.level, t.skill, f"Умение {t.skill}",
                         "да" if t.practice else "нет"])
    _write(root / "vpr/plan.csv", _csv_bytes(plan, encoding="utf-8", bom=True))
    files["vpr/plan.csv"] = FileFact("vpr_plan", len(plan) - 1, len(plan) - 1, "loaded")
    scale = [["Год", "Предмет", "Класс", "Отметка 3 от", "Отметка 4 от", "Отметка 5 от"]]
    scale += [[YEAR, w.subject, w.grade, *w.scale] for w in WORKS]
    _write(root / "vpr/shkala.txt", _csv_bytes(scale, delimiter="\t", encoding="cp1251"))
    files["vpr/shkala.txt"] = FileFact("vpr_scale", 3, 3, "loaded")


def _pupil_row(w: Work, p: Pupil, login: str, current: bool) -> list:
    school = p.school
    name = SCHOOL_NAME.get(school, "МБОУ «Неизвестная школа»")
    muni = MUNIS.get(SCHOOL_MO.get(school, ""), "Неизвестный район")
    mark = p.mark if p.mark is not None else w.mark(p.primary_score())
    return [login, muni, f"{name}({login})", p.code, p.klass, p.variant, *p.cells, p.primary_score(), mark, p.journal]


def _vpr_current_rows(w: Work, groups: list[tuple[str, str, int, list[Pupil]]], blank_row_2: bool = True,
                      double_blank: bool = False) -> tuple[list[list], list[int]]:
    """Rows of the current ФИС ОКО layout; also the spreadsheet row number of every pupil row."""
    rows: list[list] = [["Индивидуальные результаты"]]
    if blank_row_2:
        rows.append([])
    rows += [[f"ВПР {YEAR} {w.subject} {w.grade} класс"], ["Предмет:", w.subject],
             ["Максимальный первичный балл:", w.max], ["Дата:", w.date]]
    if double_blank:
        rows.append([])
    rows.append(["", "", "Уровень сложности задания", "", "", "", *[t.level for t in w.tasks]])
    rows.append(["ОО", "Муниципалитет", "Название ОО", "Код участника", "Класс", "Вариант", *w.header(),
                 "Первичный балл", "Отметка", "Отметка по журналу"])
    numbers = []
    for login, name, announced, pupils in groups:
        rows.append([f"{name}({login})", f"Кол-во участников: {announced}"])
        for p in pupils:
            rows.append(_pupil_row(w, p, login, True))
            numbers.append(len(rows))
    return rows, numbers


def _groups(w: Work, pupils: list[Pupil], announced: dict[str, int] | None = None):
    out = []
    for school in dict.fromkeys(p.school for p in pupils):
        mine = [p for p in pupils if p.school == school]
        login = FISOKO_LOGIN.get(school, f"sch{school}")
        out.append((login, SCHOOL_NAME.get(school, "МБОУ «Неизвестная школа»"),
                    (announced or {}).get(school, len(mine)), mine))
    return out


def _vpr(root: Path, files: dict) -> None:
    # Математика 4: regional download, XLSX, current layout, task cells stored as text in one file
    rows, _ = _vpr_current_rows(MATH4, _groups(MATH4, MATH4_PUPILS, MATH4_ANNOUNCED))
    _xlsx(root / "vpr/2025/region/ma4_individ.xlsx", [("МА 4 Индивидуальные результаты", rows)],
          merges={"МА 4 Индивидуальные результаты": ["A1:H1", "A3:H3"]})
    files["vpr/2025/region/ma4_individ.xlsx"] = FileFact(
        "vpr", len(MATH4_PUPILS), len(MATH4_PUPILS), "loaded", ["заявлено 6 участников, в файле 4"])

    # Русский язык 4: second layout, one workbook per municipality; the 02 one has an extra first sheet
    for mo, path in (("01", "vpr/2025/mo01/РУ4 (1).xlsx"), ("102", "vpr/2025/mo02/rus4.xlsx")):
        pupils = [p for p in RUS4_PUPILS if SCHOOL_MO[p.school] == mo]
        # the 02 file's work date is a year off (a bad input: a ledger note, the rows load)
        date = RUS4.date if mo == "01" else RUS4.date.replace(str(YEAR), str(YEAR - 1))
        rows = [[f"ВПР {YEAR}. {RUS4.subject}. {RUS4.grade} класс"], ["Предмет:", RUS4.subject],
                ["Класс:", RUS4.grade], ["Максимальный первичный балл:", RUS4.max], ["Дата:", date], [],
                ["", "", "Уровень сложности задания", "", "", "", *[t.level for t in RUS4.tasks]],
                ["Логин ОО", "Муниципалитет", "Название ОО", "Код участника", "Класс", "Вариант", *RUS4.header(),
                 "Первичный балл", "Отметка", "Отметка по журналу"]]
        rows += [_pupil_row(RUS4, p, f"sch{p.school}", False) for p in pupils]
        sheets = [("Инструкция", [["Файл сформирован в ФИС ОКО"]])] if mo == "102" else []
        _xlsx(root / path, sheets + [("Лист1", rows)], as_text=(mo == "01"))
        note = [] if mo == "01" else [f"дата работы {date} (строка 5) вне года файла {YEAR}"]
        files[path] = FileFact("vpr", len(pupils), len(pupils), "loaded", note)

    # Окружающий мир 4: municipality 02 as a cp1251 CSV of the current layout (8-row layout, a doubled
    # blank row) with the defects of «What bad input gets»; school 590001 as XLSX without blank row 2
    mo2 = [p for p in OKR4_GOOD if SCHOOL_MO[p.school] == "102"] + [b[0] for b in OKR4_BAD]
    groups = _groups(OKR4, mo2) + [("sch599999", "МБОУ «Неизвестная школа»", 1, [OKR4_UNKNOWN_SCHOOL])]
    rows, numbers = _vpr_current_rows(OKR4, groups, double_blank=True)
    width = max(len(r) for r in rows)
    _write(root / "vpr/2025/mo02/okr4.csv", _csv_bytes([r + [""] * (width - len(r)) for r in rows], encoding="cp1251"))
    by_code = dict(zip([p.code for _, _, _, ps in groups for p in ps], numbers))
    quarantined = [(by_code[p.code], col) for p, col, _ in OKR4_BAD] + [(by_code[OKR4_UNKNOWN_SCHOOL.code], "ОО")]
    n = len(mo2) + 1
    files["vpr/2025/mo02/okr4.csv"] = FileFact("vpr", n, n - len(quarantined), "partial", [], quarantined)
    # a current-layout file whose `Предмет:` row (row 4) contradicts its title: the file is rejected
    wrong = [_p("590102", 42301, 1, 1, [1, 1], 4), _p("590102", 42302, 1, 2, [0, 1], 3)]
    rows, _ = _vpr_current_rows(OKR4, _groups(OKR4, wrong))
    rows[3] = ["Предмет:", "Математика"]
    _xlsx(root / "vpr/2025/mo02/okr4_predmet.xlsx", [("ОМ 4 Индивидуальные результаты", rows)])
    files["vpr/2025/mo02/okr4_predmet.xlsx"] = FileFact("vpr", 2, 0, "error", ["Предмет:"], [(4, "Предмет:")])
    s1 = [p for p in OKR4_GOOD if p.school == "590001"]
    rows, _ = _vpr_current_rows(OKR4, _groups(OKR4, s1), blank_row_2=False)
    _xlsx(root / "vpr/2025/sch590001/Окружающий мир.xlsx", [("ОМ 4 Индивидуальные результаты", rows)])
    files["vpr/2025/sch590001/Окружающий мир.xlsx"] = FileFact("vpr", len(s1), len(s1), "loaded")


def math4_marks_full() -> dict[str, list[int]]:
    """Marks of every pupil of Математика 4 as ФИС ОКО knows them (the download lost two of 590002's)."""
    out: dict[str, list[int]] = {}
    for p in MATH4_PUPILS:
        out.setdefault(p.school, []).append(MATH4.mark(p.primary_score()))
    for s, marks in MATH4_MISSING_MARKS.items():
        out[s] += marks
    return out


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 2) if whole else 0.0


def _forms(root: Path, files: dict) -> None:
    """§9: «Статистика по отметкам» (with «Вся выборка») and «Сравнение…» for Математика 4."""
    full = math4_marks_full()
    groups = [("region", REGION_NAME, list(full))]
    groups += [("mo", f"{MUNIS[mo]}(reg{REGION}_m{int(mo):03d})", [s for s in full if SCHOOL_MO[s] == mo]) for mo in MUNIS]
    groups += [("school", f"{SCHOOL_NAME[s]}({FISOKO_LOGIN[s]})", [s]) for s in full]
    head = [["Статистика по отметкам"], [], [f"ВПР {YEAR} {MATH4.subject} {MATH4.grade} класс"],
            ["Предмет:", MATH4.subject], ["Максимальный первичный балл:", MATH4.max], ["Дата:", MATH4.date], []]
    rows = head + [["Группы участников", "Кол-во ОО", "Кол-во участников", "2", "3", "4", "5"],
                   ["Вся выборка", 38211, 1402113, 4.71, 28.12, 46.33, 20.84]]
    for _, label, schools in groups:
        marks = [m for s in schools for m in full[s]]
        rows.append([label, len(schools), len(marks), *[_pct(marks.count(k), len(marks)) for k in (2, 3, 4, 5)]])
    _xlsx(root / "vpr/2025/formy/ma4_stat.xlsx", [("МА 4 Статистика по отметкам", rows)])
    files["vpr/2025/formy/ma4_stat.xlsx"] = FileFact("vpr_forms", len(groups) + 1, len(groups) + 1, "loaded",
                                                     [FISOKO_LOGIN["590002"]])

    journal = {p.code: p.journal for p in MATH4_PUPILS}
    head[0] = ["Сравнение отметок с отметками по журналу"]
    rows = head + [["Группы участников", "Кол-во участников(всего)",
                    "Понизили (Отметка < Отметка по журналу) %", "Кол-во участников",
                    "Подтвердили (Отметка = Отметке по журналу) %", "Кол-во участников",
                    "Повысили (Отметка > Отметка по журналу) %", "Кол-во участников"]]
    for _, label, schools in groups:
        pairs = [(MATH4.mark(p.primary_score()), journal[p.code]) for p in MATH4_PUPILS
                 if p.school in schools and isinstance(journal[p.code], int)]
        lo = sum(m < j for m, j in pairs); eq = sum(m == j for m, j in pairs); hi = sum(m > j for m, j in pairs)
        n = len(pairs)
        rows.append([label, n, _pct(lo, n), lo, _pct(eq, n), eq, _pct(hi, n), hi])
    _xlsx(root / "vpr/2025/formy/ma4_sravn.xlsx", [("МА 4 Сравнение отметок с отметками по журналу", rows)])
    files["vpr/2025/formy/ma4_sravn.xlsx"] = FileFact("vpr_forms", len(groups), len(groups), "loaded")


# ------------------------------------------------------------------ РЦОИ protocols
def _title(e: Exam) -> str:
    gve = " (ГВЭ)" if e.form == "ГВЭ" else ""
    return f"{e.code} - {e.subject}{gve} {e.date}"


def _protocol_rows(e: Exam, *, doc_split: bool, result_col: str, with_msu: bool = True) -> list[list]:
    header = ["№"] + (["Код МСУ"] if with_msu else []) + ["Код ОО", "Класс", "Код ППЭ", "Аудитория", "Фамилия", "Имя",
                                                          "Отчество"]
    header += ["Серия", "Номер"] if doc_split else ["Документ"]
    header += ["Задания с кратким ответом", "Задания с развёрнутым ответом", "Первичный балл", result_col]
    rows = [header]
    for i, (who, score) in enumerate(e.results.items(), 1):
        p = PEOPLE[who]
        short, long_, primary = _answers(score if result_col != "Оценка" else score * 6)
        row = [i] + ([SCHOOL_MO.get(p.school, "99")] if with_msu else []) + [p.school, p.klass, "1111", "0012",
                                                                            p.surname, p.name, p.patronymic]
        row += p.doc.split() if doc_split else [p.doc]
        row += [short, long_, primary, score]
        rows.append(row)
    return rows


def _footer(width: int, count: int) -> list[list]:
    return [["Средние"] + [""] * (width - 1), ["Минимальная граница"] + [""] * (width - 2) + [24],
            ["Всего участников"] + [""] * (width - 2) + [count]]


def _sparse(rows: list[list]) -> list[list]:
    """The print form whose merged cells leave an empty column after every field."""
    return [[v for c in r for v in (c, "")] for r in rows]


def _protocols(root: Path, files: dict) -> None:
    def fact(e: Exam, note: list[str] | None = None) -> FileFact:
        return FileFact(e.gia, len(e.results), len(e.results), "loaded", note or [])

    # ЕГЭ Русский язык: dense CSV, windows-1251, Серия + Номер, `Балл`, all three footer rows
    body = _protocol_rows(RUS11, doc_split=True, result_col="Балл")
    rows = [[_title(RUS11)]] + body + _footer(len(body[0]), len(RUS11.results))
    _write(root / "gia/2025/protokol_rus.csv", _csv_bytes(rows, encoding="cp1251"))
    files["gia/2025/protokol_rus.csv"] = fact(RUS11)

    # ЕГЭ Математика профильная: sparse XLSX, title in column C, `Документ`, `Тестовый балл`, no Код МСУ,
    # footer count 5 for 4 rows (a ledger note)
    body = _sparse(_protocol_rows(MATHP, doc_split=False, result_col="Тестовый балл", with_msu=False))
    rows = [["", "", _title(MATHP)]] + body + [["Всего участников"] + [""] * (len(body[0]) - 3) + [5, ""]]
    merges = [f"{chr(65 + 2 * j)}{i}:{chr(66 + 2 * j)}{i}" for i in range(2, len(body) + 2) for j in range(len(body[0]) // 2)]
    _xlsx(root / "gia/2025/ЕГЭ/математика профиль.xlsx", [("Протокол", rows)], merges={"Протокол": merges})
    files["gia/2025/ЕГЭ/математика профиль.xlsx"] = fact(MATHP, ["5", "4"])

    # Математика базовая: UTF-8 with BOM, `Оценка`, spelling variant of the name in the title
    body = _protocol_rows(MATHB, doc_split=False, result_col="Оценка")
    _write(root / "gia/2025/baza.csv", _csv_bytes([[_title(MATHB)]] + body, bom=True))
    files["gia/2025/baza.csv"] = fact(MATHB)

    # Английский язык: written and oral parts; `Код ППЭ` / `Аудитория` hold both parts
    header = ["№", "Код МСУ", "Код ОО", "Класс", "Код ППЭ", "Аудитория", "Фамилия", "Имя", "Отчество", "Документ",
              "Часть с кратким ответом", "Часть с развёрнутым ответом", "Устная часть", "Первичный балл устной части",
              "Первичный балл письм. части", "Первичный балл", "Тестовый балл"]
    rows = [[f"{ENG11.code} - {ENG11.subject} п:2025.06.10; у:2025.06.16"], header]
    for i, (who, score) in enumerate(ENG11.results.items(), 1):
        p = PEOPLE[who]
        rows.append([i, SCHOOL_MO[p.school], p.school, p.klass, "п:1111 у:1081", "п:0012 у:0003", p.surname, p.name,
                     p.patronymic, p.doc, "++++-", "2(2)1(3)", "1(2)2(2)", 3, 7, 10, score])
    _xlsx(root / "gia/2025/ЕГЭ/англ.xlsx", [("Лист1", rows)])
    files["gia/2025/ЕГЭ/англ.xlsx"] = fact(ENG11)

    # КЕГЭ (code 25, counts as Информатика): dense XLSX, numbers stored as text; its footer's
    # «Минимальная граница» 44 disagrees with the minimum-score table's 40 (a ledger note)
    body = _protocol_rows(KEGE, doc_split=True, result_col="Балл")
    footer = [["Минимальная граница"] + [""] * (len(body[0]) - 2) + [44]]
    _xlsx(root / "gia/2025/ЕГЭ/kege.xlsx", [("Протокол", [[_title(KEGE)]] + body + footer)], as_text=True)
    files["gia/2025/ЕГЭ/kege.xlsx"] = fact(KEGE, ["«Минимальная граница» 44", "— 40"])

    # ГВЭ-11 Русский язык (the title says ГВЭ), `Оценка`
    body = _protocol_rows(GVE11, doc_split=False, result_col="Оценка")
    _write(root / "gia/2025/gve11_rus.csv", _csv_bytes([[_title(GVE11)]] + body, encoding="cp1251"))
    files["gia/2025/gve11_rus.csv"] = fact(GVE11)

    # ОГЭ Русский язык: the sparse print form as a cp1251 CSV (`№;;Код МСУ;;…`) with a footer
    body = _sparse(_protocol_rows(RUS9, doc_split=True, result_col="Оценка"))
    rows = [[_title(RUS9)]] + body + _sparse(_footer(len(body[0]) // 2, len(RUS9.results)))
    _write(root / "gia/2025/oge/rus9.csv", _csv_bytes(rows, encoding="cp1251"))
    files["gia/2025/oge/rus9.csv"] = fact(RUS9)

    for e, path in ((MATH9, "gia/2025/oge/math9.xlsx"), (PHYS9, "gia/2025/oge/fiz9.xlsx"), (GVE9, "gia/2025/oge/gve9.xlsx")):
        body = _protocol_rows(e, doc_split=False, result_col="Оценка")
        # the physics title names another subject: the code decides, the disagreement is a note
        title = _title(e).replace("Физика", "Химия")
        _xlsx(root / path, [("Протокол", [[title]] + body + _footer(len(body[0]), len(e.results)))])
        files[path] = fact(e, ["Химия", "не соответствует коду"] if e is PHYS9 else None)


def _appeals(root: Path, files: dict) -> None:
    """§11: an appeal protocol (title row, `Текущие` over two columns) and a re-check list (`Экзамен`)."""
    top = ["№", "Код ОО", "Класс", "Код ППЭ", "Аудитория", "Фамилия", "Имя", "Отчество", "Документ",
           "Тип апелляции / перепроверки", "Состояние", "Дата отправки на обработку", "Дата изменений",
           "Балл до изменения", "Текущие:", "", "Разница"]
    sub = [""] * 14 + ["Первичный балл", "Балл", ""]
    rows = [[_title(RUS11)], top, sub]
    changes = [(who, new) for e, who, new in APPEAL_CHANGES if e is RUS11]
    for i, (who, new) in enumerate(changes, 1):
        p, old = PEOPLE[who], RUS11.results[who]
        rows.append([i, p.school, p.klass, "1111", "0012", p.surname, p.name, p.patronymic, p.doc,
                     "Апелляция на результат", "Апелляция удовлетворена", "04.06.2025 10:15:00", "09.06.2025 16:20:05",
                     old, 30, new, new - old])
    for who in [w for e, w in APPEAL_REJECTED if e is RUS11]:
        p, old = PEOPLE[who], RUS11.results[who]
        rows.append([len(rows) - 2, p.school, p.klass, "1111", "0012", p.surname, p.name, p.patronymic, p.doc,
                     "Апелляция на результат", "Апелляция отклонена", "04.06.2025 11:00:00", "09.06.2025 16:25:00",
                     old, 21, old, 0])
    _xlsx(root / "gia/2025/apell/rus_apell.xlsx", [("Апелляции", rows)], merges={"Апелляции": ["O2:P2"]})
    files["gia/2025/apell/rus_apell.xlsx"] = FileFact("gia_appeals", 2, 2, "loaded")

    top = ["№", "Экзамен", "Код ОО", "Класс", "Код ППЭ", "Аудитория", "Фамилия", "Имя", "Отчество", "Документ",
           "Тип апелляции / перепроверки", "Состояние", "Дата отправки на обработку", "Дата изменений",
           "Балл до изменения", "Текущие:", "", "Разница"]
    sub = [""] * 15 + ["Первичный балл", "Балл", ""]
    rows = [top, sub]
    for i, (e, who, new) in enumerate([c for c in APPEAL_CHANGES if c[0] is MATHP], 1):
        p, old = PEOPLE[who], e.results[who]
        rows.append([i, f"Математика({e.date})", p.school, p.klass, "1111", "0012", p.surname, p.name, p.patronymic,
                     p.doc, "Перепроверка", "Апелляция удовлетворена", "10.06.2025 9:05:00", "16.06.2025 12:00:00",
                     old, 7, new, new - old])
    _write(root / "gia/2025/apell/pereproverka.csv", _csv_bytes(rows, encoding="cp1251"))
    files["gia/2025/apell/pereproverka.csv"] = FileFact("gia_appeals", 1, 1, "loaded")


def _other(root: Path, files: dict, key: bytes) -> None:
    # minimum scores (optional CSV), admissions with the pseudonymous ids (§8), НИКО (§6), Меры (§12)
    mins = [["Год", "Код предмета", "Минимальный балл"]] + [[YEAR, c, m] for c, m in EGE_MIN.items()]
    _write(root / "spravochniki/min_bally.csv", _csv_bytes(mins, delimiter=","))
    files["spravochniki/min_bally.csv"] = FileFact("ege_min", len(EGE_MIN), len(EGE_MIN), "loaded")

    adm = [["ID участника", "Код ОО", "Год выпуска", "Уровень образования", "Код специальности", "Субъект обучения",
            "Профиль обучения"]]
    for who, level, spec, where, prof in ADMISSIONS:
        adm.append([person_id(key, PEOPLE[who]), PEOPLE[who].school, YEAR, level, spec, where, prof])
    _write(root / "postuplenie.csv", _csv_bytes(adm, encoding="cp1251"))
    files["postuplenie.csv"] = FileFact("admissions", len(ADMISSIONS), len(ADMISSIONS), "loaded")

    res = [[f"НИКО {YEAR}. Математика. 6 класс"],
           ["Логин ОО", "Код участника", "Класс", "1 (1б)", "2 (2б)", "Первичный балл", "Уровень подготовки",
            "Примечание"]]
    res += [["sch590001", "61001", "6А", 1, 2, 3, "Высокий", ""], ["sch590001", "61002", "6А", 0, 1, 1, "Базовый", ""],
            ["edu590101", "63001", "6", 1, 0, 1, "Ниже базового", "лишний столбец"]]
    ank = [["Код участника", "В1", "В2"], ["61001", 1, 3], ["61002", 2, 1], ["63001", 4, 2]]
    _xlsx(root / "niko/niko_ma6.xlsx", [("Результаты", res), ("Анкета", ank)])
    # «Анкета» rows count towards rows_read too (3 results + 3 questionnaire rows)
    files["niko/niko_ma6.xlsx"] = FileFact("niko", 6, 6, "loaded")

    mery = [["Год", "Уровень", "Код", "Мера", "Работа", "Коды умений", "Дата начала", "Дата окончания",
             "Ответственный"],
            [YEAR, "ОО", "590002", "независимые наблюдатели", "ВПР Математика 4", "", "01.04.2025", "30.04.2025",
             "Центр оценки качества"],
            [YEAR, "МО", "102", "курсы повышения квалификации", "ВПР Русский язык 4", "1.1, 3.1", "10.01.2025",
             "20.02.2025", "Институт развития образования"]]
    _write(root / "mery.csv", _csv_bytes(mery))
    files["mery.csv"] = FileFact("measures", 2, 2, "loaded")

    # «План ГИА» (optional; methodology «ГИА tasks and risk zones»): the columns of «План ВПР» (§5) and
    # an `Экзамен` column, under a title naming ГИА. The answer strings of ЕГЭ Русский язык have 5
    # short tasks and 2 criteria: tasks 1–5 are К1–К5, the criteria 6К1, 6К2 are Р1, Р2
    plan_gia = [["План ГИА на 2025 год (по спецификациям КИМ)"],
                ["Год", "Предмет", "Класс", "Задание", "Макс. балл", "Уровень", "Код умения", "Проверяемое умение",
                 "Практико-ориентированное", "Экзамен"]]
    plan_gia += [[YEAR, "Русский язык", 11, label, top, level, f"1.{i}", f"Умение 1.{i}", "нет", "ЕГЭ"]
                 for i, (label, top, level) in enumerate(GIA_PLAN_RUS11, start=1)]
    plan_gia.append([YEAR, "Русский язык", 11, "7", 1, "Г", "1.8", "Умение 1.8", "нет", "ЕГЭ"])  # row 10: level
    _xlsx(root / "spravochniki/plan_gia.xlsx", [("План", plan_gia)])
    files["spravochniki/plan_gia.xlsx"] = FileFact("gia_plan", len(GIA_PLAN_RUS11) + 1, len(GIA_PLAN_RUS11), "partial",
                                                   quarantined=[(10, "Уровень")])


# «План ГИА» of ЕГЭ Русский язык: (label, max, level) and the task key of the answer strings it names
GIA_PLAN_RUS11 = [("1", 1, "Б"), ("2", 1, "Б"), ("3", 1, "П"), ("4", 1, "Б"), ("5", 1, "П"), ("6К1", 3, "В"),
                  ("6К2", 2, "В")]
GIA_PLAN_KEYS = {"К1": "Б", "К2": "Б", "К3": "П", "К4": "Б", "К5": "П", "Р1": "В", "Р2": "В"}

ADMISSIONS = [("E1", "ВО", "09.03.01", "в регионе", "технологический"),
              ("E2", "ВО", "45.03.02", "за пределами", "гуманитарный"),
              ("E3", "СПО", "38.02.01", "в регионе", "технологический"),
              ("E6", "ВО", "31.05.01", "в регионе", "естественно-научный"),
              ("E4", "", "", "", "универсальный")]


# a corrected download of one school (newer): 30003's task cells change, not its mark
MATH4_CORRECTED = {"30003": [1, 2, 1, 1]}
NORMALISED_STAGE = "Основной"


def _set_mtime(path: Path, ts: float) -> None:
    os.utime(path, (ts, ts))


def _redeliveries(root: Path, files: dict, key: bytes) -> None:
    """«Re-delivered files»: an identical copy, a corrected school download replacing the rows of
    that school in the (older) regional download, and a normalised export of a protocol's exam."""
    base = 1_750_000_000.0      # every file gets an mtime relative to this: the order is the contract's
    for p in sorted(root.rglob("*")):
        if p.is_file():
            _set_mtime(p, base)
    dup = _write(root / "vpr/копия/plan (2).csv", (root / "vpr/plan.csv").read_bytes())
    _set_mtime(dup, base + 10)
    files["vpr/копия/plan (2).csv"] = FileFact("vpr_plan", 0, 0, "duplicate")

    pupils = [Pupil(p.school, p.code, p.klass, p.variant, MATH4_CORRECTED.get(p.code, p.cells), p.journal)
              for p in MATH4_PUPILS if p.school == "590101"]
    rows, _ = _vpr_current_rows(MATH4, [("sch590101", SCHOOL_NAME["590101"], len(pupils), pupils)])
    path = "vpr/2025/sch590101/ma4_ispr.xlsx"
    _set_mtime(_xlsx(root / path, [("МА 4 Индивидуальные результаты", rows)]), base + 100)
    files[path] = FileFact("vpr", len(pupils), len(pupils), "loaded")
    region = files["vpr/2025/region/ma4_individ.xlsx"]
    region.rows_loaded -= len(pupils)
    region.status = "partial"
    region.quarantined = [(r, "") for r in _school_rows(MATH4, MATH4_PUPILS, MATH4_ANNOUNCED, "590101")]

    # the Russian language exam again as the regional ГИА system's normalised export (newer)
    header = ["ID участника", "Код ОО", "Код МО", "Категория", "Класс", "Пол", "ОВЗ", "Форма ГИА", "Код предмета",
              "Предмет", "Этап", "Дата экзамена", "Вариант", "Задания с кратким ответом",
              "Задания с развернутым ответом", "Первичный балл", "Тестовый балл", "Отметка", "Статус"]
    rows = [header]
    y, m, d = RUS11.date.split(".")
    for who, score in RUS11.results.items():
        p = PEOPLE[who]
        if not vtg(who):     # an earlier graduate has no register school to stand under here
            continue
        short, long_, primary = _answers(score)
        rows.append([person_id(key, p), p.school, SCHOOL_MO.get(p.school, "99"), "ВТГ" if vtg(who) else "ВПЛ",
                     p.klass, "М", 0, "ЕГЭ", 1, "Русский язык", NORMALISED_STAGE, f"{d}.{m}.{y}", 301, short, long_,
                     primary, score, "", "Явка"])
    path = "gia/2025/normalised/ege_rus.csv"
    _set_mtime(_write(root / path, _csv_bytes(rows, encoding="cp1251")), base + 100)
    n = len(rows) - 1
    files[path] = FileFact("gia11", n, n, "loaded")
    # the protocol's rows of those participants are superseded; the earlier graduate's row stays
    prot = files["gia/2025/protokol_rus.csv"]
    prot.rows_loaded, prot.status = len(RUS11.results) - n, "partial"
    prot.quarantined = [(i + 3, "") for i, who in enumerate(RUS11.results) if vtg(who)]
    prot.message_has.append(f"{n} строк заменены исправленной выгрузкой {path}")


def _school_rows(w: Work, pupils: list[Pupil], announced: dict, school: str) -> list[int]:
    rows, numbers = _vpr_current_rows(w, _groups(w, pupils, announced))
    return [n for n, p in zip(numbers, pupils) if p.school == school]


def _bad(root: Path, bad: dict) -> None:
    _write(root / "musor/pusto.csv", b"")
    bad["musor/pusto.csv"] = "empty"
    data = (root / "vpr/2025/mo02/rus4.xlsx").read_bytes()
    _write(root / "musor/obrezan.xlsx", data[: len(data) // 2])
    bad["musor/obrezan.xlsx"] = "truncated"
    _write(root / "musor/junk.dat", bytes((i * 37 + 11) % 255 + 1 for i in range(3000)))
    bad["musor/junk.dat"] = "junk"
    outside = _write(root.parent / "outside" / "reestr_kopiya.csv", (root / "spravochniki/reestr.csv").read_bytes())
    (root / "musor").mkdir(exist_ok=True)
    os.symlink(outside, root / "musor/ssylka.csv")
    bad["musor/ssylka.csv"] = "symlink out of the inbox"


def build(root: Path, key_path: Path) -> Inbox:
    """Write the inbox under `root`; create the pseudonymisation key (hex, 0600) at `key_path`."""
    if not key_path.exists():
        key_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, hashlib.sha256(b"contract inbox key").hexdigest().encode("ascii") + b"\n")
        os.close(fd)
    key = bytes.fromhex(key_path.read_text().strip())
    files: dict[str, FileFact] = {}
    bad: dict[str, str] = {}
    _register(root, files)
    _plan_scale(root, files)
    _vpr(root, files)
    _forms(root, files)
    _protocols(root, files)
    _appeals(root, files)
    _other(root, files, key)
    _redeliveries(root, files, key)
    _bad(root, bad)
    names = {v for p in PEOPLE.values() for v in (p.surname, p.name, p.patronymic)}
    docs = {p.doc.replace(" ", "") for p in PEOPLE.values()}
    return Inbox(root, key, files, bad, names, docs)


# ------------------------------------------------------------------ indicators by hand
def _final(e: Exam) -> dict[str, int]:
    out = dict(e.results)
    for ex, who, new in APPEAL_CHANGES:
        if ex is e:
            out[who] = new
    return out


def vtg(who: str) -> bool:
    p = PEOPLE[who]
    return p.school in SCHOOL_MO and bool(p.klass)


def expected_indicators() -> dict[tuple[str, str, str], tuple[float, float]]:
    """(indicator, level, entity) → (numerator, denominator), computed from the rows written above."""
    out: dict[tuple[str, str, str], tuple[float, float]] = {}

    def put(code: str, rows: list[tuple[str, float, float]]) -> None:
        # rows: (school, numerator part, denominator part) → region, municipality, school
        for level, key in (("region", lambda s: REGION), ("municipality", lambda s: SCHOOL_MO[s]), ("school", lambda s: s)):
            acc: dict[str, list[float]] = {}
            for s, n, d in rows:
                a = acc.setdefault(key(s), [0.0, 0.0])
                a[0] += n
                a[1] += d
            for ent, (n, d) in acc.items():
                if d:   # a value whose denominator is 0 has no row (methodology, Conventions)
                    out[(code, level, ent)] = (n, d)

    rus = _final(RUS11)
    put("R01", [(PEOPLE[w].school, s, 1) for w, s in rus.items() if vtg(w)])
    ege = []   # (school, below minimum?) per ВТГ ЕГЭ result
    for e in (RUS11, MATHP, MATHB, ENG11, KEGE):
        for w, s in _final(e).items():
            if vtg(w):
                below = s == 2 if e.code == "22" else s < MIN_OF[e.code]
                ege.append((PEOPLE[w].school, 1 if below else 0, 1))
    put("R03", ege)
    best: dict[str, int] = {}
    for e in (RUS11, MATHP, ENG11, KEGE):
        for w, s in _final(e).items():
            if vtg(w):
                best[w] = max(best.get(w, 0), s)
    for w in _final(MATHB):
        if vtg(w):
            best.setdefault(w, 0)
    put("R02", [(PEOPLE[w].school, s, 1) for w, s in _final(MATHP).items() if vtg(w)])
    # R05: ВТГ of ГИА-11 lacking a satisfactory Russian or mathematics result
    gia11 = {w for e in EXAMS if e.gia == "gia11" for w in e.results if vtg(w)}
    rus_ok = {w for w, s in _final(RUS11).items() if s >= MIN_OF["01"]} | {w for w, m in GVE11.results.items() if m >= 3}
    math_ok = {w for w, s in _final(MATHP).items() if s >= MIN_OF["02"]} | {w for w, m in MATHB.results.items() if m >= 3}
    put("R05", [(PEOPLE[w].school, 0 if w in rus_ok and w in math_ok else 1, 1) for w in gia11])
    put("P01", [(PEOPLE[w].school, 1 if w in MATHP.results else 0, 1) for w in gia11])
    gia9 = {w for e in EXAMS if e.gia == "gia9" for w in e.results}
    put("P05", [(PEOPLE[w].school, 1 if w in PHYS9.results else 0, 1) for w in gia9])
    put("R09", [(PEOPLE[w].school, 1 if m >= 4 else 0, 1) for w, m in PHYS9.results.items()])
    put("R04", [(PEOPLE[w].school, 1 if s >= 81 else 0, 1) for w, s in best.items()])
    put("R06", [(PEOPLE[w].school, 1 if m == 2 else 0, 1) for w, m in RUS9.results.items()])
    put("R07", [(PEOPLE[w].school, 1 if m == 2 else 0, 1) for w, m in MATH9.results.items()])
    put("R08", [(PEOPLE[w].school, 1 if m >= 4 else 0, 1) for e in (RUS9, MATH9) for w, m in e.results.items()])
    put("R11", [(p.school, 1 if MATH4.mark(p.primary_score()) == 2 else 0, 1) for p in MATH4_PUPILS])
    put("R14", [(p.school, 1 if MATH4.mark(p.primary_score()) >= 4 else 0, 1) for p in MATH4_PUPILS])
    put("R10", [(p.school, 1 if RUS4.mark(p.primary_score()) == 2 else 0, 1) for p in RUS4_PUPILS])
    put("R13", [(p.school, 1 if RUS4.mark(p.primary_score()) >= 4 else 0, 1) for p in RUS4_PUPILS])
    put("R15", [(p.school, 1 if OKR4.mark(p.primary_score()) >= 4 else 0, 1) for p in OKR4_GOOD])
    okr = [i for i, t in enumerate(OKR4.tasks) if t.practice]
    put("R17", [(p.school, sum(p.scores()[i] for i in okr if p.scores()[i] is not None),
                 sum(OKR4.tasks[i].max for i in okr if p.scores()[i] is not None)) for p in OKR4_GOOD])
    practice = [i for i, t in enumerate(MATH4.tasks) if t.practice]
    corrected = [Pupil(p.school, p.code, p.klass, p.variant, MATH4_CORRECTED.get(p.code, p.cells), p.journal)
                 for p in MATH4_PUPILS]
    put("R16", [(p.school, sum(p.scores()[i] for i in practice if p.scores()[i] is not None),
                 sum(MATH4.tasks[i].max for i in practice if p.scores()[i] is not None)) for p in corrected])
    return out
