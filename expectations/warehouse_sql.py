"""One SQLAlchemy engine onto the warehouse, for GE's SQL datasource and the gates' own bookkeeping."""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

from expectations import duckdb_dialect
from pipelines.warehouse import RAW_DATASET, WarehouseConfig

RAW_SCHEMA = RAW_DATASET
MARTS_SCHEMA = "marts"
INTERMEDIATE_SCHEMA = "intermediate"
QUALITY_SCHEMA = "quality"


def connection_url(warehouse: WarehouseConfig) -> str:
    """A SQLAlchemy URL; it may hold a password, so it is never printed (see `describe()`)."""
    if warehouse.destination == "duckdb":
        return f"{duckdb_dialect.URL_SCHEME}:///{warehouse.resolved_duckdb_path().resolve()}"
    warehouse.postgres()  # a missing or malformed DSN: one line naming the setting
    # psycopg2 finds a password the DSN leaves out itself (PGPASSWORD, ~/.pgpass), or needs none
    return "postgresql+psycopg2://" + warehouse.resolved_postgres_dsn().split("://", 1)[1]


def create_engine(warehouse: WarehouseConfig) -> sa.Engine:
    if warehouse.destination == "duckdb" and not warehouse.resolved_duckdb_path().exists():
        raise FileNotFoundError(f"no warehouse at {warehouse.resolved_duckdb_path()}: run `crm-warehouse extract` first")
    return sa.create_engine(connection_url(warehouse))


def report_dir(warehouse: WarehouseConfig) -> Path:
    """The steward's site: beside a DuckDB warehouse (data/quality/), else data/quality/."""
    configured = os.environ.get("CRM_WAREHOUSE_QUALITY_DIR")
    if configured:
        return Path(configured)
    if warehouse.destination == "duckdb":
        return warehouse.resolved_duckdb_path().parent / "quality"
    return Path("data/quality")


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
