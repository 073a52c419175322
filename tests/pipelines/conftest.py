"""Fixtures for extraction tests: a generated tiny portal and a helper that extracts it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.warehouse import WarehouseConfig


@pytest.fixture(scope="session")
def tiny_portal(tmp_path_factory) -> Path:
    from sandbox.generator import generate_portal

    portal = tmp_path_factory.mktemp("tiny-portal")
    generate_portal(portal, seed=11, scale="tiny")
    return portal


def duckdb_warehouse(directory: Path) -> WarehouseConfig:
    return WarehouseConfig(duckdb_path=directory / "warehouse.duckdb", pipelines_dir=directory / "pipelines")


def extract(sandbox, warehouse: WarehouseConfig, **options):
    from pipelines.extract import run_extraction

    options.setdefault("requests_per_second", 0)
    return run_extraction(sandbox.webhook_url, warehouse, **options)
