"""The plan/fact portal (hand-written: exact records and owners) built once, copied per test and
changed the way a broken load or a data-entry slip would change it."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.warehouse import WarehouseConfig
from tests.dbt.conftest import planfact_build, planfact_portal, planfact_warehouse  # noqa: F401 - fixtures

# the gates' clock: two days after the plan/fact portal's last deal change (2025-03-20 11:00 local),
# within the freshness bound (72 h); its last record is an activity of 03-21
PORTAL_NOW = datetime.fromisoformat("2025-03-22T12:00:00+03:00")
PORTAL = "127.0.0.1"


@pytest.fixture
def warehouse_copy(planfact_warehouse, tmp_path):
    """A fresh copy of the built plan/fact warehouse, and a function that runs SQL on it."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(planfact_warehouse, path)

    def change(*statements: str) -> None:
        with duckdb.connect(str(path)) as connection:
            for statement in statements:
                connection.execute(statement)

    return WarehouseConfig(duckdb_path=path), change
