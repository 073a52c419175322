"""`crm-warehouse validate`: the quality gates (Great Expectations) over the warehouse."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click

from orchestration.cli.extract_command import warehouse_options


def validate_warehouse(warehouse, gate: str, portal_ids: list[str] | None = None, now: datetime | None = None,
                       config_path: Path | None = None):
    """Runs one gate, prints its summary; returns the GateResult (the caller decides what a failure stops)."""
    from expectations.config import GateConfigError
    from expectations.gates import run_gate
    from pipelines.warehouse import WarehouseConfigError

    try:
        result = run_gate(warehouse, gate, portal_ids=portal_ids, now=now, config_path=config_path)
    except (GateConfigError, WarehouseConfigError, ValueError, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from None
    for line in result.summary_lines():
        click.echo(line)
    return result


def require_gate(result) -> None:
    """Stops the main job when a gate found an error: nothing after it runs, nothing is published."""
    if not result.success:
        raise click.ClickException(
            f"the {result.gate} gate failed ({result.errors} errors): the run stops here and publishes nothing; "
            f"BI keeps the last published version. See {result.report_path}")


@click.command()
@warehouse_options
@click.option("--gate", type=click.Choice(["raw", "marts", "all"]), default="all", show_default=True,
              help="raw: after extraction (keys, volume, references, dates, amounts, freshness); "
                   "marts: after the dbt build (invariants, dimensions).")
@click.option("--portal-id", "portal_ids", multiple=True, help="Raw gate: only this portal (repeatable).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              envvar="CRM_WAREHOUSE_GATES_CONFIG",
              help="Thresholds and severities [env CRM_WAREHOUSE_GATES_CONFIG; default expectations/gates.yml].")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"]), default=None,
              help="The gates' clock for freshness and future dates (default: now; UTC unless an offset is given).")
def validate(destination: str, duckdb_path: Path | None, postgres_dsn: str | None, gate: str,
             portal_ids: tuple[str, ...], config_path: Path | None, as_of: datetime | None) -> None:
    """Run the quality gates; exit non-zero when an error-severity expectation fails.

    Prints each gate's summary and the worst failures, and rebuilds the steward's HTML report."""
    from pipelines.warehouse import WarehouseConfig

    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=timezone.utc)
    warehouse = WarehouseConfig(destination=destination, duckdb_path=duckdb_path, postgres_dsn=postgres_dsn)
    results = [validate_warehouse(warehouse, name, list(portal_ids) or None, as_of, config_path)
               for name in (["raw", "marts"] if gate == "all" else [gate])]
    failed = [result.gate for result in results if not result.success]
    if failed:
        raise click.ClickException(f"{' and '.join(failed)} gate failed: see {results[-1].report_path}")
