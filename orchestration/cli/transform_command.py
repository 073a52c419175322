"""`crm-warehouse transform`: dbt builds staging, intermediate and marts in the warehouse."""

from __future__ import annotations

from pathlib import Path

import click

from orchestration.cli.extract_command import warehouse_options


def transform_warehouse(warehouse, select: str | None = None, full_refresh: bool = False) -> None:
    from orchestration.transform import run_dbt

    command = "dbt build" + (" --select " + select if select else "") + (" --full-refresh" if full_refresh else "")
    click.echo(f"transform ({command}) -> {warehouse.describe()}")
    result = run_dbt(warehouse, select=select, full_refresh=full_refresh)
    if not result.success:
        failures = [line for line in result.output.splitlines() if "ERROR" in line or "FAIL" in line]
        raise click.ClickException("dbt build failed:\n" + "\n".join(failures[-20:] or [result.summary]))
    click.echo(f"transform: {result.summary}")


@click.command()
@warehouse_options
@click.option("--select", default=None, help="dbt selection (default: the whole project).")
@click.option("--full-refresh", is_flag=True,
              help="Rebuild incremental models from scratch (needed after a pipeline's stages are reordered).")
def transform(destination: str, duckdb_path: Path | None, postgres_dsn: str | None, select: str | None,
              full_refresh: bool) -> None:
    """Build the dbt project (models and their tests) into the warehouse.

    Incremental models (stage history with supposed rows, first activities) process only the
    records that changed since the last build; the marts are rebuilt from them."""
    from pipelines.warehouse import WarehouseConfig

    transform_warehouse(WarehouseConfig(destination=destination, duckdb_path=duckdb_path, postgres_dsn=postgres_dsn),
                        select, full_refresh)
