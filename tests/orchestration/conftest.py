"""Fixtures of the orchestration tests: portals files, a warehouse resource in a temporary
directory, and a Dagster instance of our dagster.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestration.defs.resources import WarehouseResource
from orchestration.portals import PortalConfig

REPO = Path(__file__).resolve().parents[2]


def warehouse_in(directory: Path) -> WarehouseResource:
    """A DuckDB warehouse (file name warehouse.duckdb, stack notes P4), sandbox portals and inputs
    under `directory`."""
    return WarehouseResource(duckdb_path=str(directory / "wh" / "warehouse.duckdb"),
                             pipelines_dir=str(directory / "wh" / "pipelines"),
                             data_dir=str(directory / "data"), inputs_dir=str(directory / "inputs"))


def place_sandbox(generated: Path, data_dir: Path, scale: str, seed: int) -> Path:
    """Puts an already generated portal where a sandbox entry of this scale and seed finds it."""
    from orchestration.steps import sandbox_portal_dir

    target = sandbox_portal_dir(data_dir, scale, seed)
    if not target.exists():
        shutil.copytree(generated, target, ignore=shutil.ignore_patterns(".sandbox"))
    return target


@pytest.fixture
def tiny_sandbox_entry() -> PortalConfig:
    return PortalConfig(name="sandbox", sandbox="tiny", seed=11, requests_per_second=0)


@pytest.fixture
def dagster_home(tmp_path: Path) -> Path:
    """A DAGSTER_HOME holding the repository's dagster.yaml."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").symlink_to(REPO / "dagster.yaml")
    return home
