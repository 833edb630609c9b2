"""DDL of the raw layer and the load bookkeeping (ledger, quarantine).

The raw layer is the contract between the readers in `ingestion/` and the dbt staging models:
one or more tables per export kind (`ingestion.kinds` says which), columns already renamed to English and typed, task-level scores kept
long (one row per pupil x task). Every raw table carries the same audit columns so any value in a
mart can be traced back to a file, a load and a spreadsheet row.

All tables are created up front (empty) so that dbt sources always exist, even for an inbox
that lacks a kind (an inbox without НИКО still builds).
"""
from __future__ import annotations

import duckdb

AUDIT_COLUMNS = """
    _load_id varchar not null,
    _source_file varchar not null,
    _source_sha256 varchar not null,
    _source_row integer not null,
    _loaded_at timestamp not null
"""

# name -> column definitions (without audit columns). `_extra` keeps unknown columns as JSON text.
RAW_TABLES: dict[str, str] = {
    "register": """
        school_code varchar, school_login varchar, short_name varchar, full_name varchar,
        mo_code varchar, mo_name varchar, school_type varchar, locality varchar,
        transport_access varchar, pupils integer, shnor boolean, _extra json
    """,
    # ГИА-11 and ГИА-9 share the participant-row layout.
    "gia11": """
        year integer, participant_id varchar, school_code varchar, mo_code varchar,
        category varchar, class_name varchar, sex varchar, ovz integer, gia_form varchar,
        subject_code integer, subject_name varchar, stage varchar, exam_date date,
        variant integer, short_answers varchar, long_answers varchar, primary_score integer,
        test_score integer, mark integer, status varchar, _extra json
    """,
    "gia9": """
        year integer, participant_id varchar, school_code varchar, mo_code varchar,
        category varchar, class_name varchar, sex varchar, ovz integer, gia_form varchar,
        subject_code integer, subject_name varchar, stage varchar, exam_date date,
        variant integer, short_answers varchar, long_answers varchar, primary_score integer,
        test_score integer, mark integer, status varchar, _extra json
    """,
    # Answer strings expanded: one row per participant sitting x task.
    # part 'short' (task_no within the short-answer string) or 'long' (criterion number).
    # max_score is null for a short-answer digit (the string does not carry the maximum).
    "gia11_tasks": """
        year integer, participant_id varchar, subject_code integer, exam_date date,
        part varchar, task_no integer, score integer, max_score integer
    """,
    "gia9_tasks": """
        year integer, participant_id varchar, subject_code integer, exam_date date,
        part varchar, task_no integer, score integer, max_score integer
    """,
    # ВПР: one row per pupil x work ...
    "vpr_results": """
        year integer, subject varchar, grade integer, work_max integer, work_date date,
        school_login varchar, mo_name varchar, school_name varchar, participant_code varchar,
        class_name varchar, variant integer, primary_score integer, mark integer,
        journal_mark integer, _extra json
    """,
    # ... and long task scores: one row per pupil x task; score null for X/Х.
    # (_load_id, _source_row) links a task row to its vpr_results row.
    "vpr_tasks": """
        year integer, subject varchar, grade integer, school_login varchar,
        participant_code varchar, task varchar, task_max integer, task_level varchar,
        score integer
    """,
    "vpr_plan": """
        year integer, subject varchar, grade integer, task varchar, task_max integer,
        task_level varchar, skill_code varchar, skill_name varchar, practice_oriented boolean,
        _extra json
    """,
    # «План ГИА» (optional): one row per task (or criterion `NК<m>`) of an exam; exam ЕГЭ/ОГЭ/ГВЭ-11/ГВЭ-9
    # (defaulted from the grade), subject_code of contract §2 found from the subject's name; task `27К3`
    # is task_no 27, criterion 3 (null for a task scored as one)
    "gia_plan": """
        year integer, exam varchar, subject varchar, subject_code integer, grade integer, task varchar,
        task_no integer, criterion integer, task_max integer, task_level varchar, skill_code varchar, skill_name varchar,
        practice_oriented boolean, _extra json
    """,
    "vpr_scale": """
        year integer, subject varchar, grade integer, min_mark3 integer, min_mark4 integer,
        min_mark5 integer, _extra json
    """,
    "niko_results": """
        year integer, subject varchar, grade integer, school_login varchar,
        participant_code varchar, class_name varchar, primary_score integer,
        level_name varchar, _extra json
    """,
    "niko_tasks": """
        year integer, subject varchar, grade integer, school_login varchar,
        participant_code varchar, task varchar, task_max integer, score integer
    """,
    # «Анкета»: long, one row per participant x question.
    "niko_questionnaire": """
        year integer, subject varchar, grade integer, school_login varchar,
        participant_code varchar, question varchar, answer integer
    """,
    # ФИС ОКО aggregate forms of a ВПР work: one row per group row of a form.
    # form 'marks' («Статистика по отметкам»: mark2..mark5 are percentages) or 'journal'
    # («Сравнение отметок с отметками по журналу»: *_pct percentages, lowered/confirmed/raised counts).
    # group_level russia | region | municipality | school, from the group's text; group_login and
    # group_mo_number are the codes in its brackets; group_order keeps the form's row order.
    "vpr_forms": """
        year integer, subject varchar, grade integer, form varchar, group_name varchar,
        group_order integer, group_level varchar, group_login varchar, group_mo_number varchar,
        schools integer, participants integer, mark2 double, mark3 double, mark4 double,
        mark5 double, lowered_pct double, lowered integer, confirmed_pct double, confirmed integer,
        raised_pct double, raised integer
    """,
    # ГИА appeal and re-check protocols (§11): the results that replace originals (applied downstream)
    "gia_appeals": """
        year integer, participant_id varchar, school_code varchar, class_name varchar,
        subject_code integer, exam_date date, appeal_type varchar, appeal_state varchar,
        sent_at timestamp, changed_at timestamp, score_before integer, primary_score integer,
        score integer, score_diff integer, replaces boolean, _extra json
    """,
    "ege_min": """
        year integer, subject_code integer, min_score integer, _extra json
    """,
    "admissions": """
        participant_id varchar, school_code varchar, grad_year integer, edu_level varchar,
        specialty_code varchar, study_region varchar, profile varchar, _extra json
    """,
    # «Меры» (§12): one row per measure and addressee (level 'МО' or 'ОО', code of that level);
    # work as «ВПР <Предмет> <класс>» with its subject and grade; skill_codes comma-separated
    "measures": """
        year integer, level varchar, code varchar, measure varchar, work varchar, subject varchar,
        grade integer, skill_codes varchar, start_date date, end_date date, responsible varchar,
        _extra json
    """,
}

META_DDL = """
create schema if not exists meta;
create table if not exists meta.ingestion_ledger (
    load_id varchar primary key,
    file varchar not null,          -- path relative to the inbox
    kind varchar not null,          -- a kind of ingestion.kinds (register, gia11, vpr, ...) or unrecognised
    sha256 varchar not null,
    year integer,
    work_key varchar,               -- what a corrected delivery supersedes (e.g. 'vpr|2025|Математика|4')
    file_mtime timestamp,
    rows_read integer not null,
    rows_loaded integer not null,
    rows_quarantined integer not null,
    status varchar not null,        -- loaded, partial, error, duplicate, superseded, unrecognised
    message varchar,
    loaded_at timestamp not null
);
create table if not exists meta.quarantine (
    load_id varchar not null,
    file varchar not null,
    "row" integer,                  -- spreadsheet row number: 1-based, title and header rows counted
    "column" varchar,
    "value" varchar,
    reason varchar not null         -- in Russian, for analysts
);
-- one row per load x expectation of its Great Expectations suite(s); Dagster reports asset checks from it
create table if not exists meta.validation_results (
    load_id varchar not null,
    kind varchar not null,          -- suite: register, gia11, gia9, vpr_header, vpr, vpr_tasks, niko, ...
    expectation varchar not null,   -- e.g. expect_column_values_to_be_between(primary_score)
    "column" varchar,
    success boolean not null,
    unexpected_count integer not null
);
"""

# ledger kinds: ingestion.kinds.ledger_kinds(); every kind's tables have their DDL above
LEDGER_STATUSES = ("loaded", "partial", "error", "duplicate", "superseded", "unrecognised")


def create_all(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw and meta schemas and every table in them, if missing."""
    con.execute("create schema if not exists raw")
    for name, columns in RAW_TABLES.items():
        con.execute(f"create table if not exists raw.{name} ({columns.rstrip().rstrip(',')}, {AUDIT_COLUMNS})")
    con.execute(META_DDL)
