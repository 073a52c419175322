"""`crm-warehouse inputs load`: sales plans, working calendar and business rules into the warehouse."""

from __future__ import annotations

from pathlib import Path

import click

from orchestration.cli.extract_command import warehouse_options


def load_input_files(warehouse, directory: Path, default_plans: Path | None = None) -> None:
    """Loads the inputs of `directory`; `default_plans` stands in when it has no sales_plans.csv."""
    from orchestration.steps import describe_inputs, load_business_inputs
    from pipelines.inputs import InputError

    try:
        loaded = load_business_inputs(warehouse, directory, default_plans)
    except InputError as error:
        raise click.ClickException(f"inputs not loaded, nothing changed:\n{error}") from None
    click.echo(f"inputs: {describe_inputs(loaded)}")


@click.group()
def inputs() -> None:
    """Business inputs the CRM does not hold: plans, working calendar, business rules."""


@inputs.command("load")
@warehouse_options
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("data/inputs"),
              show_default=True,
              help="Where sales_plans.csv, working_calendar.csv and business_rules.yml are; a missing calendar "
                   "or rules file falls back to data/templates/ (docs/inputs.md).")
def load(destination: str, duckdb_path: Path | None, postgres_dsn: str | None, directory: Path) -> None:
    """Check the input files against the extracted portals and load them (schema `inputs`).

    Every problem is reported with its file, line and value; nothing is loaded unless all files are valid."""
    from pipelines.warehouse import WarehouseConfig

    load_input_files(WarehouseConfig(destination=destination, duckdb_path=duckdb_path, postgres_dsn=postgres_dsn),
                     directory)
