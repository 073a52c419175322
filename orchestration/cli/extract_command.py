"""`crm-warehouse extract`: the portal's CRM entities into the raw layer, with a progress display."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from pathlib import Path

import click

from orchestration.cli.progress import Progress


def configure_logging(verbose: bool) -> None:
    """Our warnings (bad records) on stderr; dlt's own chatter only when asked for."""
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "INFO" if verbose else "ERROR")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("crm_warehouse")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False


def warehouse_options(function):
    """Flags shared by every command that writes the warehouse."""
    options = [
        click.option("--destination", type=click.Choice(["duckdb", "postgres"]), default="duckdb",
                     envvar="CRM_WAREHOUSE_DESTINATION", show_default=True,
                     help="Warehouse engine [env CRM_WAREHOUSE_DESTINATION]."),
        click.option("--warehouse", "duckdb_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="DuckDB file [env DESTINATION__DUCKDB__CREDENTIALS; default data/warehouse.duckdb]."),
        click.option("--postgres-dsn", default=None, envvar="DESTINATION__POSTGRES__CREDENTIALS",
                     help="PostgreSQL DSN [env DESTINATION__POSTGRES__CREDENTIALS]; never printed."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _progress_loop(stats, transport_requests, stop: threading.Event, progress: Progress) -> None:
    while not stop.wait(2.0):
        elapsed = time.monotonic() - stats.started
        busiest = sorted(stats.entities.items(), key=lambda item: -item[1].rows)[:3]
        detail = ", ".join(f"{name} {counters.rows:,}" for name, counters in busiest)
        retrying = stats.retry_note()
        progress.message(f"{stats.rows:,} rows ({stats.rows / max(elapsed, 1e-9):,.0f} rows/s), "
                         f"{transport_requests():,} requests; {detail}" + (f" — {retrying}" if retrying else ""))


@click.command()
@click.option("--webhook-url", envvar="SOURCES__BITRIX24__WEBHOOK_URL", default=None,
              help="https://<portal>/rest/<user_id>/<token>/ [env SOURCES__BITRIX24__WEBHOOK_URL]; "
                   "the token is never printed.")
@click.option("--portal-id", default=None, help="Portal id on every row [default: the webhook's host].")
@warehouse_options
@click.option("--entities", default=None, help="Comma-separated subset of list entities (default: all).")
@click.option("--reconcile", is_flag=True, help="Also mark records deleted in the portal (reads every ID).")
@click.option("--full-refresh", is_flag=True,
              help="Forget incremental state and reload everything (then run `transform --full-refresh`).")
@click.option("--no-product-rows", is_flag=True,
              help="Skip deal product rows (the API gives them one deal per call: slow on a first load).")
@click.option("--requests-per-second", type=float, default=2.0, show_default=True,
              help="The portal's sustained request rate (Enterprise: 5); 0 = unpaced.")
@click.option("--burst", type=int, default=50, show_default=True, help="The portal's burst (Enterprise: 250).")
@click.option("--verbose", is_flag=True, help="Also show dlt's log.")
def extract(webhook_url: str | None, portal_id: str | None, destination: str, duckdb_path: Path | None,
            postgres_dsn: str | None, entities: str | None, reconcile: bool, full_refresh: bool,
            no_product_rows: bool, requests_per_second: float, burst: int, verbose: bool) -> None:
    """Extract every CRM entity of a Bitrix24 portal into the raw layer (incremental)."""
    configure_logging(verbose)
    from pipelines.bitrix24.entities import ENTITY_NAMES
    from pipelines.bitrix24.stats import ExtractionStats
    from pipelines.bitrix24.webhook import Webhook, WebhookError
    from pipelines.warehouse import WarehouseConfig

    try:
        webhook = Webhook.parse(webhook_url or "")
    except WebhookError as error:
        raise click.BadParameter(str(error), param_hint="--webhook-url") from None
    chosen = [name.strip() for name in entities.split(",")] if entities else None
    unknown = sorted(set(chosen or []) - set(ENTITY_NAMES))
    if unknown:
        raise click.BadParameter(f"unknown entities {', '.join(unknown)}; known: {', '.join(ENTITY_NAMES)}",
                                 param_hint="--entities")
    warehouse = WarehouseConfig(destination=destination, duckdb_path=duckdb_path, postgres_dsn=postgres_dsn)
    click.echo(f"extract {webhook.redacted} -> {warehouse.describe()}")
    result = run_with_progress(webhook.base_url, warehouse, portal_id=portal_id, entities=chosen,
                               reconcile=reconcile, full_refresh=full_refresh, product_rows=not no_product_rows,
                               requests_per_second=requests_per_second, burst=burst, stats=ExtractionStats())
    print_summary(result)
    if full_refresh:
        # incremental models drop records the raw layer marks deleted; a reload leaves no marks
        click.echo("raw layer reloaded: run `crm-warehouse transform --full-refresh` next")


def run_with_progress(webhook_url: str, warehouse, stats, **options):
    """Runs an extraction while a thread prints its progress every 2 s."""
    from pipelines.bitrix24.preflight import PreflightError
    from pipelines.bitrix24.transport import Bitrix24Error
    from pipelines.extract import ExtractionFailed, run_extraction
    from pipelines.warehouse import WarehouseConfigError

    progress = Progress("extract")
    stop = threading.Event()
    printer = threading.Thread(target=_progress_loop, args=(stats, lambda: sum(
        counters.requests for counters in stats.entities.values()), stop, progress), daemon=True)
    printer.start()
    try:
        return run_extraction(webhook_url, warehouse, stats=stats, **options)
    except (Bitrix24Error, PreflightError, ExtractionFailed, WarehouseConfigError) as error:
        raise click.ClickException(str(error)) from None
    except Exception as error:  # dlt wraps failures; show the cause, never a URL with the token
        from pipelines.bitrix24.webhook import Webhook

        cause = error.__cause__ or error
        raise click.ClickException(Webhook.parse(webhook_url).scrub(f"{type(cause).__name__}: {cause}")) from None
    finally:
        stop.set()


def print_summary(result) -> None:
    stats = result.stats
    click.echo(f"extracted {stats.rows:,} rows in {result.seconds:.1f}s "
               f"({stats.rows / max(result.seconds, 1e-9):,.0f} rows/s), {result.requests:,} requests"
               + (" — " + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in result.phases.items())
                  if result.phases else ""))
    for name, counters in sorted(stats.entities.items()):
        if (counters.rows or counters.requests) and not name.startswith("reconcile "):
            click.echo(f"  {name:<26} {counters.rows:>10,} rows {counters.requests:>7,} requests")
    if stats.issues:
        click.echo(f"  {stats.issues:,} values could not be typed: see raw_bitrix24.load_issues")
    if result.deleted:
        flagged = sum(result.deleted.values())
        click.echo(f"  deletion check: {stats.reconciled_ids:,} ids read; {flagged:,} newly marked deleted "
                   f"({', '.join(f'{k} {v}' for k, v in result.deleted.items() if v) or 'none'})")
