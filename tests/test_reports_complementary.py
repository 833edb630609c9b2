"""Complementary suppression on real publications: no hidden cell can be computed from what is printed.

The tables are read back from the published HTML (and the annex), their lines — a total and the
groups that add up to it — are written here from what each table means, and `recoverable` (linear
algebra, no knowledge of the rule that hid the cells) says whether any «*» is fixed by the printed
numbers. A share with its n is a count (share × n), so a share is known only when its n is printed
too. Run on the fixture publication (every page, the annex) and on the demo region's real run,
where the issue saw Table 9 leak (all 183, ВТГ 174, ВПЛ/СПО 5†, ВПЛ * → ВПЛ = 4).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from recoverable import HtmlRow, html_tables, recoverable
from reports.publication import publish
from reports_checks import number
from reports_fixture import build_fixture_warehouse

YEAR = 2025


def _known(text: str) -> bool:
    return number(text) is not None


def _column_lines(rows: list[HtmlRow], total: int, parts: list[int], cols: dict[int, int | None],
                  prefix: tuple, elsewhere: frozenset[int] = frozenset()) -> tuple[list, set, int]:
    """Lines (one per column) over rows: the total row's cell = Σ the part rows' cells. `cols` maps a
    column to the column of its n (None: the column is a count, or its n is printed elsewhere); a
    cell is a hidden unknown when it is «*» or its n is «*» — a share or a mean without its n is no
    count. Rows of `elsewhere` have their n printed in another table of the page."""
    def printed(i: int, j: int) -> bool:
        return _known(rows[i].cells[j]) or (i in elsewhere and j in cols.values())

    lines, hidden = [], set()
    for j, n_col in cols.items():
        keys = [(*prefix, i, j) for i in (total, *parts)]
        for i, k in zip((total, *parts), keys):
            if rows[i].cells[j] == "—":          # known to be empty
                continue
            if not printed(i, j) or (n_col is not None and not printed(i, n_col)):
                hidden.add(k)
        lines.append((keys[0], keys[1:]))
    return lines, hidden, sum(k in hidden for line in lines for k in (line[0], *line[1]))


def _groups(rows: list[HtmlRow]) -> dict[str | None, list[int]]:
    out: dict[str | None, list[int]] = {}
    for i, r in enumerate(rows):
        out.setdefault(r.group, []).append(i)
    return out


def page_lines(page: Path) -> tuple[list, set, int]:
    """Every line of every table with totals on one published page, the hidden cells and how many
    hidden cells stand in a line (so a test can tell it checked something)."""
    tables = html_tables(page)
    lines, hidden, in_lines = [], set(), 0

    def add(res):
        nonlocal in_lines
        lines.extend(res[0])
        hidden.update(res[1])
        in_lines += res[2]

    # ЕГЭ by category: «Все категории» = Σ categories; the ВТГ row is also printed in «ЕГЭ по группам баллов»
    bands = {r.cells[0]: r.cells[1] for t in tables.get("ege_bands", []) for r in t.rows}
    for t in tables.get("ege_category", []):
        for g, idx in _groups(t.rows).items():
            tot = [i for i in idx if t.rows[i].cells[0] == "Все категории"]
            if tot:
                vtg = frozenset(i for i in idx if t.rows[i].cells[0] == "ВТГ" and _known(bands.get(g, "*")))
                add(_column_lines(t.rows, tot[0], [i for i in idx if i != tot[0]], {1: None, 2: 1, 3: 1, 4: 1},
                                  ("ege_category", g), vtg))
    # by municipality: the region's row (emphasised) = Σ municipalities
    for key in ("ege_mo", "oge_mo"):
        for t in tables.get(key, []):
            cols = {1: None, **{j: 1 for j in range(2, len(t.columns))}}
            for g, idx in _groups(t.rows).items():
                tot = [i for i in idx if t.rows[i].emphasis]
                add(_column_lines(t.rows, tot[0], [i for i in idx if i != tot[0]], cols, (key, g)))
    # НИКО: the region = Σ municipalities (regional report); a municipality = Σ its schools (its report)
    for t in tables.get("niko", []):
        for g, idx in _groups(t.rows).items():
            body = [i for i in idx if not t.rows[i].emphasis]
            tot, parts = (idx[0], body) if page.name == "report.html" else (body[0], body[1:]) if body else (None, [])
            if parts:
                add(_column_lines(t.rows, tot, parts, {1: None, 2: 1, 3: 1, 4: 1, 5: 1}, ("niko", g)))
    # admissions: «Всего» = Σ profiles — graduates, admitted (a share of graduates), matched (a share of admitted)
    for t in tables.get("admissions", []):
        total = len(t.rows) - 1
        add(_column_lines(t.rows, total, list(range(total)), {1: None, 2: None, 3: 1, 4: 2}, ("admissions",)))
    # ВПР tasks (regional report): a task's region cell = Σ its mark groups «2»–«5» (their n: elsewhere)
    for t in tables.get("vpr_tasks", []):
        for i, r in enumerate(t.rows):
            if r.emphasis and r.cells[0] == "Регион, %":
                cols = {j: None for j in range(1, len(r.cells)) if r.cells[j]}
                add(_column_lines(t.rows, i, [i + 1, i + 2, i + 3, i + 4], cols, ("vpr_tasks", i)))
    # ГИА tasks: «Все участники» = Σ score groups, per task row
    for key in [k for k in tables if k.startswith("gia_tasks")]:
        for t in tables[key]:
            # found by header: with a «План ГИА» the table has a «Уровень» column before «Все участники»
            total = t.columns.index("Все участники, %")
            groups = [j for j, c in enumerate(t.columns) if j > total and c not in ("Регион, %", "Зона риска")]
            for i, r in enumerate(t.rows):
                cells = [HtmlRow([r.cells[j]], r.group) for j in (total, *groups)]
                add(_column_lines(cells, 0, list(range(1, len(cells))), {0: None}, (key, i)))
    return lines, hidden, in_lines


def assert_nothing_recoverable(public: Path) -> int:
    """Checks every page; returns how many hidden cells stood in lines (the test's reach)."""
    reach = 0
    for page in [public / "report.html", *sorted((public / "mo").glob("*.html"))]:
        lines, hidden, in_lines = page_lines(page)
        leaked = recoverable(lines, hidden)
        assert not leaked, f"{page.name}: {sorted(leaked, key=repr)[:5]}"
        reach += in_lines
    return reach


@pytest.fixture(scope="module")
def fixture_publication(tmp_path_factory):
    root = tmp_path_factory.mktemp("complementary")
    info = build_fixture_warehouse(root / "warehouse.duckdb", year=YEAR, n_mo=3, schools_per_mo=6)
    return info, publish(info.path, YEAR, root / "out" / str(YEAR), generated_at=datetime(2025, 12, 1, 9, 0))


def test_fixture_publication_hides_nothing_recoverable(fixture_publication):
    _, result = fixture_publication
    assert assert_nothing_recoverable(result.public_dir) > 0


def test_demo_publication_hides_nothing_recoverable(demo_run):
    """The real run of the demo region; Table 9 («ЕГЭ по категориям») of the regional report first."""
    public = demo_run["public"]
    assert assert_nothing_recoverable(public) > 0
    con = duckdb.connect(str(demo_run["warehouse"]), read_only=True)
    try:
        small = con.execute(
            "select subject_name, category, participants from marts.mart_ege_score_bands where year = ? and "
            "level = 'region' and subject_code in (1, 2) and category not in ('all', 'ВТГ') and participants < 5",
            [demo_run["year"]]).fetchall()
    finally:
        con.close()
    t = html_tables(public / "report.html")["ege_category"][0]
    printed = {(r.group, r.cells[0]): r.cells[1] for r in t.rows}
    for subject, category, _ in small:
        assert printed[(subject, category)] == "*"
        others = [c for (g, c), v in printed.items() if g == subject and c not in ("Все категории", "ВТГ", category)]
        hidden_others = [c for c in others if printed[(subject, c)] == "*"]
        # a small category alone beside its total is a difference: another category (or the total) is hidden too
        assert hidden_others or printed[(subject, "Все категории")] == "*", printed


def test_the_check_sees_the_leak_the_issue_saw(tmp_path):
    """Table 9 as the demo printed it before complementary suppression: ВПЛ = 183 − 174 − 5."""
    def row(*cells):
        return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
    head = "<thead><tr>" + "".join(f"<th>{c}</th>" for c in ("Категория участников", "Участников", "Ниже минимального, %",
                                                               "81–100, %", "Средний балл")) + "</tr></thead>"
    group = '<tr class="group"><th colspan="5">Математика профильного уровня</th></tr>'
    before = [("Все категории", "183", "2,2", "21,3", "60,5"), ("ВТГ", "174", "2,3", "21,3", "60,5"),
              ("ВПЛ", "*", "*", "*", "*"), ("ВПЛ/СПО", "5†", "0,0†", "20,0†", "58,0†")]
    page = tmp_path / "report.html"
    for rows, leaks in ((before, True), ([*before[:3], ("ВПЛ/СПО", "*", "*", "*", "*")], False)):
        page.write_text(f'<table data-key="ege_category">{head}<tbody>{group}'
                        + "".join(row(*r) for r in rows) + "</tbody></table>", encoding="utf-8")
        lines, hidden, _ = page_lines(page)
        assert bool(recoverable(lines, hidden)) == leaks


# --- charts draw what the table beside prints ----------------------------------------------------

def _recorder(monkeypatch, name: str) -> list[tuple]:
    """The real chart function, its arguments kept: what the chart was asked to draw."""
    from reports import charts

    calls: list[tuple] = []
    real = getattr(charts, name)

    def record(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)
    monkeypatch.setattr(charts, name, record)
    return calls


def test_charts_draw_what_their_table_prints_with_its_marks(demo_run, monkeypatch):
    """ОГЭ and ВПР mark charts of every municipal report against the tables beside them: a row whose
    shares are «*» is not drawn, a «†» row is drawn with «†» in its label, the bars are the printed shares."""
    from reports.build import build_document
    from reports.charts import short_work
    from reports.context import Context
    from reports.data import load

    ctx = Context(load(demo_run["warehouse"], demo_run["year"]))
    oge, vpr = _recorder(monkeypatch, "marks_chart"), _recorder(monkeypatch, "marks_and_journal_chart")
    marked = 0
    for mo in ctx.mo_codes:
        oge.clear(), vpr.clear()
        doc = build_document(ctx, ctx.municipality(mo), generated_at=datetime(2025, 12, 1))
        tables = {t.key: t for t in doc.tables()}
        for key, calls, label_of, first in (("oge_marks", oge, lambda r: r.cells[0].text, lambda r: True),
                                            ("vpr_marks", vpr, lambda r: short_work(r.group), lambda r: r.cells[0].text != "Регион")):
            expected_labels, expected_shares = [], []
            for r in tables[key].rows:
                if not first(r) or r.cells[0].text.startswith("Россия"):
                    continue
                shares = r.cells[2:6]
                if all(c.status in ("ok", "small") for c in shares):
                    small = any(c.status == "small" for c in shares)
                    expected_labels.append(label_of(r) + ("†" if small else ""))
                    expected_shares.append([float(c.value) for c in shares])
                    marked += small
            assert len(calls) == (1 if expected_labels else 0), key
            if calls:
                labels, shares = calls[0][0][0], calls[0][0][1]
                assert list(labels) == expected_labels, (mo, key)
                flat = [v for s in shares for v in s]
                assert flat == pytest.approx([v for s in expected_shares for v in s], abs=0.051)
    assert marked > 0           # the demo has small subjects in municipalities: the marks were checked
