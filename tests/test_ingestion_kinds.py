"""Each export kind is declared once (ingestion/kinds.py), and everything that names kinds agrees with it:
the raw DDL, the dbt sources, the Dagster assets, the suites, the report's table of sources — and the
supersede rules declared there are the ones loading applies."""
from __future__ import annotations

import re

import yaml

from ingestion.kinds import KINDS, UNRECOGNISED, ledger_kinds, load_order, reference_kinds, school_references, titles
from ingestion.schema import RAW_TABLES
from rsoko import settings
from tests.fixtures.ingestion.craft import (
    VPR_PUPILS, load_checked, reference_inbox, set_mtime, vpr_rows, write_xlsx,
)


def ddl_columns(table: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"(\w+)\s+\w+(?:\([^)]*\))?\s*(?:,|$)", RAW_TABLES[table].strip())}


def test_every_raw_table_belongs_to_exactly_one_kind_and_has_its_ddl():
    owned = [t for k in KINDS.values() for t in k.tables]
    assert len(owned) == len(set(owned))
    assert set(owned) == set(RAW_TABLES)


def test_every_kind_table_is_a_dbt_source_with_its_dagster_asset_key():
    sources = yaml.safe_load((settings.DBT_PROJECT_DIR / "models" / "staging" / "_sources.yml").read_text())
    raw = next(s for s in sources["sources"] if s["name"] == "raw")
    keys = {t["name"]: t["meta"]["dagster"]["asset_key"] for t in raw["tables"]}
    for k in KINDS.values():
        for table in k.tables:
            assert keys.get(table) == ["raw", table], (k.name, table)


def test_dependencies_are_kinds_and_load_first():
    order = load_order()
    assert set(order) == set(KINDS)
    for k in KINDS.values():
        for dep in k.depends_on:
            assert dep in KINDS and order.index(dep) < order.index(k.name), (k.name, dep)
    # the disagreement of issue 10: Dagster made ГИА-11 depend on the minimum scores, the loader did not
    assert "ege_min" in KINDS["gia11"].depends_on and "ege_min" in reference_kinds()


def test_the_dagster_assets_are_built_from_the_declarations():
    from dagster import StaticPartitionsDefinition

    from dagster_project.assets.ingestion import build_raw_assets

    raw_assets = build_raw_assets(StaticPartitionsDefinition(["2025"]))
    by_name = {a.node_def.name: a for a in raw_assets}
    assert set(by_name) == {f"ingest_{k}" for k in KINDS}
    for name, k in KINDS.items():
        asset = by_name[f"ingest_{name}"]
        assert {key.path[1] for key in asset.keys} == set(k.tables)
        deps = {d.asset_key.path[1] for spec in asset.specs for d in spec.deps}
        assert deps == {KINDS[u].main_table for u in k.depends_on}
        assert all(spec.description.startswith(k.title) for spec in asset.specs)


def test_one_russian_title_per_kind_shared_by_the_report():
    from reports.sections.introduction import KIND_NAMES

    t = titles()
    assert len(set(t.values())) == len(t)
    assert KIND_NAMES == t and list(t)[-1] == UNRECOGNISED
    assert set(ledger_kinds()) == set(t)


def test_readers_suites_and_columns_named_by_a_kind_exist():
    from expectations import suites

    builders = suites()
    for k in KINDS.values():
        assert k.readers and all(r.kind == k.name for r in k.readers), k.name
        assert k.name in k.suites and set(k.suites) <= set(builders)
        main = ddl_columns(k.main_table)
        assert set(k.supersede.keys) <= main, k.name
        fields = {c.field for r in k.readers for c in getattr(r, "spec", [])}
        assert set(k.nullable) <= fields, k.name
    for kind, (table, column) in school_references().items():
        assert column in ddl_columns(table) and column in ddl_columns("register"), kind


# ------------------------------------------------------------------ the declared supersede rules, applied
def school_file(tmp_path, name: str, logins: set[str], seconds_ago: float, *, corrected: bool = False):
    pupils = [p for p in VPR_PUPILS if p[0] in logins]
    if corrected:   # one score changed: a corrected download is never byte-identical to the first
        login, code, cls, scores = pupils[0]
        pupils[0] = (login, code, cls, [1 - scores[0], *scores[1:]])
    path = write_xlsx(tmp_path / "inbox" / name, {"Лист1": vpr_rows(pupils=pupils)})
    set_mtime(path, seconds_ago)
    return path


def test_vpr_downloads_per_school_add_up_and_a_regional_file_replaces_them(tmp_path):
    reference_inbox(tmp_path / "inbox")
    school_file(tmp_path, "s1.xlsx", {"sch860001"}, 300)
    school_file(tmp_path, "s2.xlsx", {"sch860002"}, 200)
    got = load_checked(tmp_path, tmp_path / "inbox")
    assert got.entry("s1.xlsx")["status"] == got.entry("s2.xlsx")["status"] == "loaded"
    assert got.count("vpr_results") == 8
    # a corrected download of school 1 only replaces school 1
    school_file(tmp_path, "s1_fixed.xlsx", {"sch860001"}, 100, corrected=True)
    got = load_checked(tmp_path, tmp_path / "inbox")
    assert got.entry("s1.xlsx")["status"] == "superseded" and got.entry("s2.xlsx")["status"] == "loaded"
    assert got.count("vpr_results") == 8 and got.count("vpr_tasks", "_source_file = 's1.xlsx'") == 0
    # the regional file replaces every school's rows
    school_file(tmp_path, "region.xlsx", {"sch860001", "sch860002", "sch860003"}, 0)
    got = load_checked(tmp_path, tmp_path / "inbox")
    assert {got.entry(f)["status"] for f in ("s1_fixed.xlsx", "s2.xlsx")} == {"superseded"}
    assert got.count("vpr_results") == len(VPR_PUPILS) == got.count("vpr_results", "_source_file = 'region.xlsx'")


def test_a_corrected_niko_file_supersedes_rows_not_questionnaire_cells(tmp_path):
    from tests.fixtures.ingestion.craft import niko_sheets

    inbox = tmp_path / "inbox"
    reference_inbox(inbox)
    old = write_xlsx(inbox / "niko_old.xlsx", niko_sheets())
    set_mtime(old, 3600)
    sheets = niko_sheets()   # the same work, one answer corrected: a different file
    sheets["Анкета"][1][1] = 2
    write_xlsx(inbox / "niko_new.xlsx", sheets)
    got = load_checked(tmp_path, inbox)
    e = got.entry("niko_old.xlsx")
    assert (e["status"], e["rows_read"], e["rows_loaded"], e["rows_quarantined"]) == ("superseded", 6, 0, 6)
    assert got.count("niko_questionnaire", "_source_file = 'niko_old.xlsx'") == 0


# ------------------------------------------------------------------ a new kind is one entry
def test_a_new_kind_is_one_entry_plus_the_ddl_of_its_table(tmp_path, monkeypatch):
    from expectations.core import gx_expectations
    from expectations.reference import text_required
    from ingestion import kinds, schema
    from ingestion.families import COLUMN_TABLES
    from ingestion.readers.base import Col, ColumnTableReader
    from tests.fixtures.ingestion.craft import write_csv

    class NotesReader(ColumnTableReader):
        kind = "school_notes"
        spec = [Col("year", ("Год",), "int"), Col("school_code", ("Код ОО",), width=6), Col("note", ("Замечание",))]

    def notes_suite(df, params):
        return df, [text_required(gx_expectations(), "note", "Замечание")]

    entry = kinds.Kind("school_notes", "Замечания по ОО", (NotesReader(),), COLUMN_TABLES, {"school_notes": notes_suite},
                       ("school_notes",), kinds.Supersede(("year",)), depends_on=("register",),
                       school_column="school_code")
    monkeypatch.setitem(kinds.KINDS, "school_notes", entry)
    monkeypatch.setitem(schema.RAW_TABLES, "school_notes", "year integer, school_code varchar, note varchar, _extra json")
    kinds.clear_caches()
    try:
        inbox = tmp_path / "inbox"
        reference_inbox(inbox)
        write_csv(inbox / "notes.csv", [["Год", "Код ОО", "Замечание"], ["2025", "860001", "проверка"],
                                        ["2025", "860002", ""]], delimiter=",")
        got = load_checked(tmp_path, inbox)
        e = got.entry("notes.csv")
        assert (e["kind"], e["status"], e["rows_loaded"], e["rows_quarantined"]) == ("school_notes", "partial", 1, 1)
        assert "разделитель «,»" in e["message"]   # the new columns help sniffing the delimiter
        assert got.reasons_at("notes.csv", 3)[0][0] == "Замечание"
        assert kinds.load_order().index("school_notes") > kinds.load_order().index("register")
    finally:
        monkeypatch.undo()
        kinds.clear_caches()


def test_a_corrected_niko_download_replaces_only_its_schools_rows(tmp_path):
    from tests.fixtures.ingestion.craft import niko_sheets

    inbox = tmp_path / "inbox"
    reference_inbox(inbox)
    set_mtime(write_xlsx(inbox / "niko_all.xlsx", niko_sheets()), 3600)
    sheets = niko_sheets()   # a corrected download of school sch860001: its 2 pupils and their answers
    sheets["Результаты"] = [r for r in sheets["Результаты"] if r[0] != "sch860003"]
    sheets["Анкета"] = [r for r in sheets["Анкета"] if r[0] != "10003"]
    sheets["Анкета"][1][1] = 2
    write_xlsx(inbox / "niko_860001.xlsx", sheets)
    got = load_checked(tmp_path, inbox)
    e = got.entry("niko_all.xlsx")
    assert (e["status"], e["rows_read"], e["rows_loaded"], e["rows_quarantined"]) == ("partial", 6, 2, 4)
    kept = got.con.execute("select distinct school_login from raw.niko_results where _source_file = 'niko_all.xlsx'"
                           " union all select distinct school_login from raw.niko_questionnaire"
                           " where _source_file = 'niko_all.xlsx'").fetchall()
    assert kept == [("sch860003",), ("sch860003",)]
    assert got.count("niko_tasks", "_source_file = 'niko_all.xlsx' and school_login <> 'sch860003'") == 0
