"""The DOCX and XLSX core properties come from the data, not the clock: two publications of the
same warehouse at different moments of one day give byte-identical report.docx and annex.xlsx
(before, both stored the moment of publication to the second)."""
from __future__ import annotations

from datetime import datetime

from reports.publication import publish
from reports_fixture import build_fixture_warehouse

YEAR = 2025


def test_docx_and_xlsx_do_not_embed_the_moment_of_publication(tmp_path):
    info = build_fixture_warehouse(tmp_path / "w.duckdb", n_mo=1, schools_per_mo=3)
    morning = publish(info.path, YEAR, tmp_path / "a", generated_at=datetime(2025, 12, 1, 9, 0, 1), workers=0)
    evening = publish(info.path, YEAR, tmp_path / "b", generated_at=datetime(2025, 12, 1, 18, 42, 17), workers=0)
    for name in ("report.docx", "annex.xlsx"):
        assert (morning.public_dir / name).read_bytes() == (evening.public_dir / name).read_bytes(), name
