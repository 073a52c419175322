"""`crm-warehouse inputs load`: sales plans, working calendar and business rules into the warehouse."""

from __future__ import annotations

from pathlib import Path

import click

from orchestration.cli.extract_command import warehouse_options


def load_input_files(warehouse, directory: Path, default_plans: Path | None = None) -> None:
    """Loads the inputs of `directory`; `default_plans` stands in when it has no sales_plans.csv."""
    from dataclasses import replace

    from pipelines.inputs import InputError, InputFiles, load_inputs

    files = InputFiles.from_directory(directory)
    if files.sales_plans is None and default_plans is not None:
        files = replace(files, sales_plans=default_plans)
    try:
        loaded = load_inputs(warehouse, files)
    except InputError as error:
        raise click.ClickException(f"inputs not loaded, nothing changed:\n{error}") from None
    plans = f"{loaded.plans} plan rows from {files.sales_plans}" if files.sales_plans else "no plans"
    rules = loaded.rules
    click.echo(f"inputs: {plans}; calendar {loaded.calendar_days} days ({files.working_calendar}); "
               f"rules: {len(rules.event_stages)} event stages, {len(rules.activity_rules)} activity rules, "
               f"{len(rules.deal_fields)} deal fields ({files.business_rules})")


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
