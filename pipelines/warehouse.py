"""Where raw data lands: DuckDB at data/warehouse.duckdb by default, PostgreSQL by configuration.

dlt's own conventions apply: `DESTINATION__DUCKDB__CREDENTIALS` (a file path) and
`DESTINATION__POSTGRES__CREDENTIALS` (a DSN) are read from the environment or .dlt/secrets.toml.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import dlt
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

RAW_DATASET = "raw_bitrix24"
DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")
DEFAULT_PIPELINES_DIR = Path("data/.dlt/pipelines")


@dataclass(frozen=True)
class WarehouseConfig:
    destination: str = "duckdb"  # duckdb | postgres
    duckdb_path: Path | None = None
    postgres_dsn: str | None = None
    pipelines_dir: Path = DEFAULT_PIPELINES_DIR

    def resolved_duckdb_path(self) -> Path:
        return Path(self.duckdb_path or os.environ.get("DESTINATION__DUCKDB__CREDENTIALS") or DEFAULT_WAREHOUSE)

    def describe(self) -> str:
        """Where the data goes, without secrets."""
        if self.destination == "duckdb":
            return f"duckdb {self.resolved_duckdb_path()}"
        dsn = self.postgres_dsn or os.environ.get("DESTINATION__POSTGRES__CREDENTIALS") or ""
        return "postgres " + re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", dsn)

    def destination_factory(self):
        if self.destination == "duckdb":
            path = self.resolved_duckdb_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            return dlt.destinations.duckdb(credentials=DuckDbCredentials(str(path), global_config=loader_settings(path)))
        if self.destination == "postgres":
            dsn = self.postgres_dsn or os.environ.get("DESTINATION__POSTGRES__CREDENTIALS")
            if not dsn:
                raise ValueError("postgres destination needs --postgres-dsn or DESTINATION__POSTGRES__CREDENTIALS")
            return dlt.destinations.postgres(credentials=dsn)
        raise ValueError(f"unknown destination {self.destination!r}: use duckdb or postgres")


def loader_settings(path: Path) -> dict:
    """DuckDB settings of the loader. Merging millions of rows holds them all in memory while
    DuckDB keeps their insertion order (4.5 GiB for the four big tables of a large portal); without
    that order and with a cap, DuckDB streams and spills to disk next to the warehouse instead.
    `CRM_WAREHOUSE_LOADER_MEMORY` sets the cap."""
    return {
        "preserve_insertion_order": False,
        "memory_limit": os.environ.get("CRM_WAREHOUSE_LOADER_MEMORY", "3GB"),
        "temp_directory": str(path.parent / f".{path.stem}.tmp"),
    }


def pipeline_name(portal_id: str) -> str:
    """One pipeline (and so one incremental state) per portal."""
    return "bitrix24_" + re.sub(r"[^a-z0-9]+", "_", portal_id.lower()).strip("_")


def build_pipeline(portal_id: str, warehouse: WarehouseConfig) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=pipeline_name(portal_id),
        destination=warehouse.destination_factory(),
        dataset_name=RAW_DATASET,
        pipelines_dir=str(warehouse.pipelines_dir),
    )
