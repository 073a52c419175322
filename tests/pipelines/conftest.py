"""Helpers for extraction tests: a DuckDB warehouse in a directory, and one extraction run."""

from __future__ import annotations

from pathlib import Path

from pipelines.warehouse import WarehouseConfig


def duckdb_warehouse(directory: Path) -> WarehouseConfig:
    return WarehouseConfig(duckdb_path=directory / "warehouse.duckdb", pipelines_dir=directory / "pipelines")


def extract(sandbox, warehouse: WarehouseConfig, **options):
    from pipelines.extract import run_extraction

    options.setdefault("requests_per_second", 0)
    return run_extraction(sandbox.webhook_url, warehouse, **options)


def extract_portal(portal_dir: Path, directory: Path) -> WarehouseConfig:
    """Serves a portal, extracts it once into a DuckDB warehouse under `directory`, stops serving."""
    from tests.conftest import _serving

    warehouse = duckdb_warehouse(directory)
    serving = _serving()
    start = next(serving)
    try:
        extract(start(portal_dir), warehouse)
    finally:
        next(serving, None)
    return warehouse
