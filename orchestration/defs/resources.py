"""Resources: where the warehouse is, and dbt run offline."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource
from packaging import version

from pipelines.warehouse import DEFAULT_PIPELINES_DIR, DEFAULT_WAREHOUSE, WarehouseConfig

REPO_ROOT = Path(__file__).resolve().parents[2]
# Every op that writes (or holds a lock on) the warehouse takes a slot of this pool; dagster.yaml
# gives it one slot, so two writers never meet even across runs (DuckDB: one writing process).
WAREHOUSE_POOL = "warehouse"


class WarehouseResource(dg.ConfigurableResource):
    """Where a run reads and writes. Relative paths are taken from the repository root (the UI and
    the daemon may start elsewhere); the PostgreSQL DSN stays in DESTINATION__POSTGRES__CREDENTIALS."""

    destination: str = "duckdb"
    duckdb_path: str = str(DEFAULT_WAREHOUSE)
    pipelines_dir: str = str(DEFAULT_PIPELINES_DIR)
    data_dir: str = "data"  # generated sandbox portals live in <data_dir>/sandbox/
    inputs_dir: str = "data/inputs"  # plans, calendar, business rules (docs/inputs.md)

    @classmethod
    def from_environment(cls) -> "WarehouseResource":
        """data/ of the repository, or the directory CRM_WAREHOUSE_DATA_DIR names (its warehouse.duckdb,
        .dlt/pipelines, sandbox/ and inputs/); DESTINATION__DUCKDB__CREDENTIALS names another file."""
        data_dir = Path(os.environ.get("CRM_WAREHOUSE_DATA_DIR") or DEFAULT_WAREHOUSE.parent)
        return cls(destination=os.environ.get("CRM_WAREHOUSE_DESTINATION", "duckdb"),
                   duckdb_path=os.environ.get("DESTINATION__DUCKDB__CREDENTIALS") or str(data_dir / DEFAULT_WAREHOUSE.name),
                   pipelines_dir=str(data_dir / DEFAULT_PIPELINES_DIR.relative_to(DEFAULT_WAREHOUSE.parent)),
                   data_dir=str(data_dir), inputs_dir=str(data_dir / "inputs"))

    def path(self, value: str) -> Path:
        path = Path(value)
        return path if path.is_absolute() else REPO_ROOT / path

    def config(self) -> WarehouseConfig:
        return WarehouseConfig(destination=self.destination, duckdb_path=self.path(self.duckdb_path),
                               pipelines_dir=self.path(self.pipelines_dir))


class OfflineDbtCliResource(DbtCliResource):
    """dagster-dbt learns dbt's version from `dbt --version`, which also asks PyPI for newer
    adapters (1 s timeout offline, on every run; stack notes §0). dbt-core is a pinned package of
    this environment, so its version is read from the package metadata instead."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(package_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Any) -> None:
        """dagster-dbt opens a dbt adapter inside the Dagster process for `fetch_row_counts()` and
        column metadata, parsing every macro of the project first (15 s of a run on this machine).
        The row counts are read after dbt's process has ended instead (a DuckDB file has one writer,
        stack notes P1, P3), so no adapter is made; dagster-dbt carries on without one."""
        return None


@contextmanager
def environment(variables: dict[str, str]) -> Iterator[None]:
    """Sets environment variables for one dbt invocation (DbtCliResource hands dbt os.environ)."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
