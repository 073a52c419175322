"""`crm-warehouse publish`: make the newest green, gated build what BI tools read (docs/bi.md)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from orchestration.cli.extract_command import warehouse_options

BI_PASSWORD_ENV = "CRM_WAREHOUSE_BI_PASSWORD"


def publish_warehouse(warehouse) -> None:
    """The publish step with its output; PublishRefused becomes one clear error."""
    from orchestration.cli.progress import Progress
    from orchestration.publish import PublishRefused, publish_marts

    progress = Progress("publish")
    last = [0.0]

    def report(text: str) -> None:  # one line every 2 s, not one per mart
        if time.monotonic() - last[0] >= 2.0:
            last[0] = time.monotonic()
            progress.message(text)

    try:
        result = publish_marts(warehouse, progress=report)
    except PublishRefused as error:
        raise click.ClickException(f"publish refused: {error}") from None
    finally:
        progress.clear()
    for line in result.lines():
        click.echo(line)


@click.command()
@warehouse_options
@click.option("--published-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              envvar="CRM_WAREHOUSE_PUBLISHED_DIR",
              help="DuckDB: where BI's published file lives [env CRM_WAREHOUSE_PUBLISHED_DIR; "
                   "default: published/ beside the warehouse file].")
@click.option("--rollback", is_flag=True, help="Put the previously published version back.")
@click.option("--create-bi-role", "bi_role", metavar="NAME", default=None,
              help=f"PostgreSQL: create (or update) login role NAME that reads schema marts only; its password "
                   f"comes from {BI_PASSWORD_ENV} (none: trust/peer or ~/.pgpass on the server).")
def publish(destination: str, duckdb_path: Path | None, postgres_dsn: str | None, published_dir: Path | None,
            rollback: bool, bi_role: str | None) -> None:
    """Publish the marts for BI tools, after a green dbt build and a passing marts gate.

    DuckDB: a new version of the published file (data/published/warehouse.duckdb), swapped in atomically;
    readers holding the old one keep it. PostgreSQL: a copy of marts_build swapped in as schema marts in
    one transaction. Refuses, saying why, when the newest build or marts gate failed: BI keeps its version.
    """
    from orchestration.publish import PublishRefused
    from pipelines.warehouse import WarehouseConfig

    warehouse = WarehouseConfig(destination=destination, duckdb_path=duckdb_path, postgres_dsn=postgres_dsn,
                                published_dir=published_dir)
    if bi_role:
        if destination != "postgres":
            raise click.BadParameter("BI roles are PostgreSQL roles: DuckDB readers open the published file "
                                     "read-only", param_hint="--create-bi-role")
        from orchestration.publish.postgres_schema import create_bi_role
        from orchestration.publish.step import postgres_connection_help

        warehouse.postgres()  # a malformed DSN: one line naming the setting
        create_bi_role(warehouse.resolved_postgres_dsn(), bi_role, os.environ.get(BI_PASSWORD_ENV) or None)
        click.echo(f"BI role {bi_role}: reads schema marts only; connect with "
                   f"{postgres_connection_help(warehouse).replace('<bi role>', bi_role)}")
        return
    if rollback:
        from orchestration.publish import rollback as rollback_publication

        try:
            click.echo(rollback_publication(warehouse))
        except PublishRefused as error:
            raise click.ClickException(f"rollback refused: {error}") from None
        return
    publish_warehouse(warehouse)
