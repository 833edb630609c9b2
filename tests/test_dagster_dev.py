"""The README's Dagster command, run as a new user would: `.venv/bin/dagster dev` from the clone,
with the venv NOT on PATH, asked through Dagster's GraphQL whether the code location loaded.

`dagster definitions validate` never reaches `prepare_if_dev()` (it runs only under `dagster
dev`), so this test starts the real thing.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from rsoko import settings

QUERY = """
{
  workspaceOrError {
    __typename
    ... on Workspace { locationEntries { name loadStatus
        locationOrLoadError { __typename ... on PythonError { message } } } }
  }
  repositoriesOrError {
    __typename
    ... on RepositoryConnection { nodes { name location { name }
        assetNodes { assetKey { path } partitionKeys }
        schedules { name scheduleState { status } }
        sensors { name sensorState { status } } } }
  }
}
"""
STARTUP_LIMIT_S = 240


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ask(port: int) -> dict | None:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": QUERY}).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())["data"]
    except (OSError, ValueError, KeyError):
        return None


def _settled(data: dict | None) -> bool:
    """The location finished loading (successfully or not)."""
    if not data or data["workspaceOrError"]["__typename"] != "Workspace":
        return False
    entries = data["workspaceOrError"]["locationEntries"]
    return bool(entries) and all(e["loadStatus"] == "LOADED" for e in entries)


@pytest.mark.slow
def test_readme_dagster_dev_loads_the_location_without_the_venv_on_path(tmp_path, demo_region):
    venv_bin = Path(sys.executable).parent
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if p and Path(p).resolve() != venv_bin.resolve())
    out = tmp_path / "out"
    env = {**{k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "RSOKO_WAREHOUSE")},
           "PATH": path, "DAGSTER_HOME": str(tmp_path / "dagster"),
           "RSOKO_INBOX": str(demo_region["inbox"]), "RSOKO_OUT": str(out),
           "RSOKO_WAREHOUSE": str(out / "warehouse.duckdb")}
    (tmp_path / "dagster").mkdir()
    port = _free_port()
    proc = subprocess.Popen([str(venv_bin / "dagster"), "dev", "-p", str(port), "-h", "127.0.0.1"],
                            cwd=settings.PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(tmp_path / "dagster.log", "w"), start_new_session=True)
    try:
        data = None
        started = time.monotonic()
        while time.monotonic() - started < STARTUP_LIMIT_S and proc.poll() is None:
            data = _ask(port)
            if _settled(data):
                break
            time.sleep(2)
        log = (tmp_path / "dagster.log").read_text(errors="replace")[-3000:]
        assert data is not None, f"dagster dev never answered on /graphql:\n{log}"
        entries = data["workspaceOrError"]["locationEntries"]
        assert [e["name"] for e in entries] == ["rsoko"]
        assert entries[0]["locationOrLoadError"]["__typename"] == "RepositoryLocation", \
            f"{entries[0]['locationOrLoadError']}\n{log}"
        repos = data["repositoriesOrError"]["nodes"]
        assert len(repos) == 1 and repos[0]["location"]["name"] == "rsoko"
        keys = {"/".join(a["assetKey"]["path"]) for a in repos[0]["assetNodes"]}
        assert {"raw/gia11", "raw/vpr_results", "results_for_year", "data_tables", "published_report",
                "marts/dim_schools"} <= keys
        # year partitions fit the data: exactly the years of the demo inbox, on every asset
        partition_keys = {tuple(a["partitionKeys"]) for a in repos[0]["assetNodes"]}
        assert partition_keys == {tuple(str(y) for y in demo_region["years"])}
        assert {s["name"] for s in repos[0]["schedules"]} == {"annual_schedule", "deadline_schedule"}
        assert [s["name"] for s in repos[0]["sensors"]] == ["inbox_sensor"]
        # documented in the README: schedules and the sensor start switched off
        assert {s["scheduleState"]["status"] for s in repos[0]["schedules"]} == {"STOPPED"}
        assert repos[0]["sensors"][0]["sensorState"]["status"] == "STOPPED"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

