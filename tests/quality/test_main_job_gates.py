"""The main job stops at the raw gate when a load comes back partial, and publishes nothing.

A portal whose deals list comes back empty on the next run (an extraction cut short, a user that
lost access to deals), and one that answers every CRM list empty (a webhook that lost its CRM
access): the nightly reconciliation marks the missing records deleted, the live row counts fall
far below the last passing run, the raw gate fails and `crm-warehouse run` stops before dbt."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

RUN = [str(Path(sys.executable).parent / "crm-warehouse"), "run", "--sandbox", "tiny", "--seed", "11"]


def crm_warehouse_run(directory: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*RUN, "--data-dir", str(directory / "data"), "--warehouse",
                           str(directory / "data" / "warehouse.duckdb")],
                          cwd=directory, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "CRM_WAREHOUSE_QUALITY_DIR": str(directory / "quality")})


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """One good run of the main job on the tiny sandbox portal (raw gate, build, marts gate, publish)."""
    directory = tmp_path_factory.mktemp("main-job")
    result = crm_warehouse_run(directory)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "raw gate passed" in result.stdout and "marts gate passed" in result.stdout
    return directory


def empty_lists(portal: Path, pattern: str) -> list[str]:
    emptied = sorted(path.name for path in portal.glob(pattern))
    for name in emptied:
        (portal / name).write_text("[]\n")
    shutil.rmtree(portal / ".sandbox" / "index.duckdb", ignore_errors=True)
    (portal / ".sandbox" / "index.duckdb").unlink(missing_ok=True)
    return emptied


def published_state(directory: Path) -> dict[str, float]:
    return {str(path): path.stat().st_mtime for path in (directory / "data").rglob("*published*") if path.is_file()}


def copy_of(first_run: Path, tmp_path: Path) -> Path:
    directory = tmp_path / "job"
    shutil.copytree(first_run, directory)
    return directory


@pytest.mark.parametrize(("lists", "failing_tables"), [
    ("crm.deal.list.json", {"deals"}),
    ("crm.*.list*.json", {"deals", "leads", "contacts", "companies", "activities"}),
], ids=["deals-empty", "every-crm-list-empty"])
def test_a_partial_load_fails_the_raw_gate_and_nothing_is_published(first_run, tmp_path, lists, failing_tables):
    directory = copy_of(first_run, tmp_path)
    portal = directory / "data" / "sandbox" / "tiny-seed11"
    assert empty_lists(portal, lists)
    published_before = published_state(directory)
    result = crm_warehouse_run(directory)
    assert result.returncode != 0
    assert "raw gate FAILED" in result.stdout
    assert "the raw gate failed" in result.stderr and "publishes nothing" in result.stderr
    # stopped before dbt, the marts gate and publishing
    assert "transform (dbt build)" not in result.stdout and "marts gate" not in result.stdout
    assert published_state(directory) == published_before
    with duckdb.connect(str(directory / "data" / "warehouse.duckdb"), read_only=True) as connection:
        fell = {table for (table,) in connection.execute(
            "select table_name from quality.gate_failures where check_name = 'volume' and severity = 'error' "
            "and run_id = (select run_id from quality.gate_runs where gate = 'raw' order by finished_at desc limit 1)"
        ).fetchall()}
    assert failing_tables <= fell
