"""`crm-warehouse run`: every step of the main job, end to end.

Today: generate (once) and serve a sandbox portal, extract it into the warehouse, load the business
inputs (plans — derived from the sandbox's history unless data/inputs/sales_plans.csv exists —,
working calendar, business rules), build the dbt project (staging, intermediate, marts and their
tests) and print the latest month's deal funnel. The raw gate stands between extraction and dbt, the
marts gate between dbt and publishing: an error in either stops the run (expectations/, docs/quality.md).
"""

from __future__ import annotations

from pathlib import Path

import click

from orchestration.cli.extract_command import configure_logging, print_summary, run_with_progress, warehouse_options
from orchestration.cli.inputs_command import load_input_files
from orchestration.cli.progress import Progress
from orchestration.cli.publish_command import publish_warehouse
from orchestration.cli.transform_command import transform_warehouse
from orchestration.cli.validate_command import require_gate, validate_warehouse


@click.command()
@click.option("--sandbox", "scale", type=click.Choice(["tiny", "small", "medium", "large"]), default="small",
              show_default=True, help="Run against a generated sandbox portal of this size.")
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("data"),
              show_default=True, help="Where sandbox portals live.")
@warehouse_options
@click.option("--limits", type=click.Choice(["off", "cloud"]), default="off", show_default=True,
              help="Serve the sandbox with a cloud portal's request limits (and pace the extractor to them).")
@click.option("--inputs", "inputs_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("data/inputs"),
              show_default=True, help="Plans, calendar and business rules (missing ones: data/templates/).")
def run(scale: str, seed: int, data_dir: Path, destination: str, duckdb_path: Path | None,
        postgres_dsn: str | None, limits: str, inputs_dir: Path) -> None:
    """Run the main job end to end on the sandbox portal."""
    configure_logging(verbose=False)
    from orchestration.steps import ensure_sandbox_portal, sandbox_clock, serving_sandbox, write_sandbox_plans
    from pipelines.bitrix24.stats import ExtractionStats
    from pipelines.warehouse import WarehouseConfig

    progress = Progress(f"generate {scale} portal")
    portal_dir, generated = ensure_sandbox_portal(data_dir, scale, seed, progress=progress.rows)
    if generated is None:
        click.echo(f"portal: {portal_dir} (already generated)")
    else:
        progress.done(f"{generated:,} records in {portal_dir}")
    cloud = limits == "cloud"
    warehouse = WarehouseConfig(destination=destination, duckdb_path=duckdb_path, postgres_dsn=postgres_dsn)
    with serving_sandbox(portal_dir, cloud_limits=cloud, progress=Progress("sandbox").message) as running:
        click.echo(f"sandbox portal at {running.redacted_webhook_url} -> {warehouse.describe()}")
        result = run_with_progress(running.webhook_url, warehouse, stats=ExtractionStats(),
                                   requests_per_second=2.0 if cloud else 0, reconcile=True)
    print_summary(result)
    clock = sandbox_clock(portal_dir)  # a generated portal's world stops at its generation date
    require_gate(validate_warehouse(warehouse, "raw", [result.portal_id], now=clock))
    # without a plan file of the user's, plans derived from the sandbox's own history
    sandbox_plans = write_sandbox_plans(portal_dir, result.portal_id)
    load_input_files(warehouse, inputs_dir, default_plans=sandbox_plans)
    transform_warehouse(warehouse)
    require_gate(validate_warehouse(warehouse, "marts", now=clock))
    publish_warehouse(warehouse)  # BI's published marts (docs/bi.md)

    from orchestration.summary import funnel_summary

    click.echo(funnel_summary(warehouse))
