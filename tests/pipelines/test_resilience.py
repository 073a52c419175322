"""Faults and kills: the load completes and equals the fault-free load; nothing lost or doubled."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from sandbox.server.faults import FaultConfig
from sandbox.server.limits import LimitConfig
from tests.pipelines.conftest import duckdb_warehouse, extract
from tests.pipelines.raw_compare import TABLES, compare_table

CLI = str(Path(sys.executable).parent / "crm-warehouse")


def assert_equals_fixture(warehouse, portal: Path, portal_id: str = "127.0.0.1") -> None:
    con = duckdb.connect(str(warehouse.duckdb_path), read_only=True)
    try:
        for table in TABLES:
            assert compare_table(con, "raw_bitrix24", portal, table, portal_id) == [], table
            total, distinct = con.execute(f"select count(*), count(distinct id) from raw_bitrix24.{table}").fetchone()
            assert total == distinct, f"{table}: duplicated rows"
    finally:
        con.close()


def test_load_with_faults_equals_the_fault_free_load(tiny_portal, serve, tmp_path):
    faults = FaultConfig(error500_rate=0.1, drop_rate=0.08, truncate_rate=0.08, storm_rate=0.1,
                         latency_rate=0.1, latency_ms=50, seed=3)
    sandbox = serve(tiny_portal, faults=faults)
    warehouse = duckdb_warehouse(tmp_path)
    extract(sandbox, warehouse)
    injected = sandbox.api.faults.injected
    assert min(injected["error500"], injected["drop"], injected["truncate"], injected["storm"]) >= 1, injected
    assert_equals_fixture(warehouse, tiny_portal)


def test_load_under_the_cloud_rate_limit_waits_instead_of_failing(tiny_portal, serve, tmp_path):
    # A small bucket, so the extractor must pace itself: nothing refused, nothing lost.
    sandbox = serve(tiny_portal, limits=LimitConfig(enabled=True, burst=8, drain_per_second=20.0))
    warehouse = duckdb_warehouse(tmp_path)
    extract(sandbox, warehouse, requests_per_second=20.0, burst=8)
    assert sandbox.api.counters.rejected_rate <= 2  # only clock skew may slip one through
    assert_equals_fixture(warehouse, tiny_portal)


def _extract_command(sandbox, warehouse) -> list[str]:
    return [CLI, "extract", "--webhook-url", sandbox.webhook_url, "--warehouse", str(warehouse.duckdb_path),
            "--requests-per-second", "12", "--burst", "4"]


def test_killed_runs_then_rerun_lose_and_duplicate_nothing(tiny_portal, serve, tmp_path):
    sandbox = serve(tiny_portal, faults=FaultConfig(latency_rate=1.0, latency_ms=30))
    rng = random.Random(20261122)
    environment = {**os.environ, "RUNTIME__LOG_LEVEL": "ERROR"}
    killed_at = []
    for trial in range(10):
        trial_dir = tmp_path / f"trial{trial}"
        trial_dir.mkdir()
        warehouse = duckdb_warehouse(trial_dir)
        delay = rng.uniform(0.8, 6.0)
        # the CLI keeps its dlt working directory under ./data: one per trial
        process = subprocess.Popen(_extract_command(sandbox, warehouse), env=environment, cwd=trial_dir,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        killed_at.append(round(delay, 1))
        rerun = subprocess.run(_extract_command(sandbox, warehouse), env=environment, capture_output=True,
                               text=True, timeout=300, cwd=trial_dir)
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        assert_equals_fixture(warehouse, tiny_portal)
    assert len(killed_at) == 10
