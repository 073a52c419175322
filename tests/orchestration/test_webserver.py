"""Smoke test: dagster-webserver on 127.0.0.1 serves the asset graph through GraphQL, offline."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.orchestration.conftest import REPO

pytestmark = pytest.mark.slow
PORT = 3157


def no_network_prefix() -> list[str]:
    """`unshare -n`: a network namespace with only loopback (needs root); else the host's network,
    which on the build machine has no route to the internet either."""
    if shutil.which("unshare") and os.geteuid() == 0:
        probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
        if probe.returncode == 0:
            return ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"']
    return []


def test_the_webserver_serves_the_asset_graph_offline(dagster_home: Path) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home)}
    command = [*no_network_prefix(), sys.executable, str(Path(__file__).with_name("webserver_probe.py")),
               str(PORT), str(REPO)]
    process = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, process.stderr[-3000:]
    data = json.loads(process.stdout.strip().splitlines()[-1])["data"]
    nodes = {"/".join(node["assetKey"]["path"]): node for node in data["assetNodes"]}
    assert len([key for key in nodes if key.startswith("bitrix24/")]) == 22
    assert len([key for key in nodes if key.startswith("marts/")]) == 40
    assert "published/marts" in nodes
    # one lineage: a mart reaches back to a raw table through staging and intermediate models
    assert {"staging/stg_bitrix24__deals"} <= {"/".join(dep["path"]) for dep in
                                              nodes["intermediate/int_deals_enriched"]["dependencyKeys"]}
    assert ["bitrix24", "deals"] in [dep["path"] for dep in nodes["staging/stg_bitrix24__deals"]["dependencyKeys"]]
    assert nodes["bitrix24/deals"]["groupName"] == "raw" and nodes["marts/fct_deals"]["groupName"] == "marts"
    [repository] = data["repositoriesOrError"]["nodes"]
    assert repository["location"]["name"] == "crm_warehouse"
    assert {(s["name"], s["cronSchedule"], s["executionTimezone"]) for s in repository["schedules"]} == \
        {("sandbox_incremental", "0 * * * *", "UTC"), ("sandbox_nightly", "30 2 * * *", "UTC")}
    assert [sensor["name"] for sensor in repository["sensors"]] == ["input_files_changed"]
