"""Shared fixtures: one generated demo region, run once per test session through the real CLI."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

DEMO_SEED = 2025
# The demo inbox has РЦОИ protocols, so runs need the pseudonymisation key: the test session keeps
# its own (every run of the session, in process or through the CLI, shares it), never the user's.
os.environ.setdefault("RSOKO_KEY", str(Path(tempfile.mkdtemp(prefix="rsoko-test-key-")) / "pseudonym.key"))


@pytest.fixture(scope="session")
def demo_region(tmp_path_factory) -> dict:
    """A synthetic demo region (inbox + ground truth outside it)."""
    from synthetic import generate_region

    base = tmp_path_factory.mktemp("demo_region")
    summary = generate_region(base / "inbox", base / "truth", seed=DEMO_SEED, scale="demo")
    return {"inbox": base / "inbox", "truth": base / "truth", "years": summary["years"],
            "year": max(summary["years"]), "summary": summary, "base": base}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """The installed command line, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "rsoko.cli", *args], capture_output=True, text=True)


@pytest.fixture(scope="session")
def demo_run(demo_region) -> dict:
    """`rsoko run` on the demo region: the published year with its data and public folders."""
    out = demo_region["base"] / "out"
    proc = run_cli("run", "--data", str(demo_region["inbox"]), "--year", str(demo_region["year"]), "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-4000:] + proc.stdout[-2000:]
    year_dir = out / str(demo_region["year"])
    return {**demo_region, "out": out, "year_dir": year_dir, "data": year_dir / "data",
            "public": year_dir / "public", "warehouse": out / "warehouse.duckdb", "stdout": proc.stdout}


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def suppression_minima_from_the_seed():
    """Every test starts with the suppression minima of the shipped seed (dbt/seeds/analysis_params.csv),
    as a Context built on a seeded warehouse would set them: tests of cells, rules and writers that
    make no Context still apply the seed's numbers, and a test that edits the seed rows cannot leak
    its minima into the next test."""
    import pandas as pd

    from reports import suppression
    from reports.methodology import suppression_minima

    seed = Path(__file__).resolve().parents[1] / "dbt" / "seeds" / "analysis_params.csv"
    suppression.configure(suppression_minima(pd.read_csv(seed)))
    yield
