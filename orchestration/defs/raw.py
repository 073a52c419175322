"""Each portal's raw tables: one asset per raw table, partitioned by portal, produced by one
extraction (pipelines/extract.py: run_extraction, the step `crm-warehouse extract` runs).

The keys are the dbt source keys (`bitrix24/<table>`), so the graph is one lineage from the API
to the marts. dagster-dlt's `@dlt_assets` is not used here, on purpose: its asset specs need the
dlt source built, and building ours reads the portal's field metadata (the definitions would call
every portal when they load), and its resource drops the pipeline's local state and runs the
pipeline itself, which would write the extraction step a second time (pre-flight, deletion pass,
loader format, counters). The specs come from the extractor's own table catalogue instead.
"""

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from orchestration.defs.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.portals import PortalConfig
from pipelines.bitrix24.entities import DICTIONARY_CALLS, ENTITY_NAMES

SOURCE = "bitrix24"  # the dlt source's and the dbt source's name
# Every table the extraction writes: list entities, the product rows read per deal, the
# dictionaries, field metadata, the portal row, load issues, and the deletion pass's two tables.
RAW_TABLES: tuple[str, ...] = (*ENTITY_NAMES, "deal_product_rows", *DICTIONARY_CALLS, "field_metadata",
                               "portals", "load_issues", "portal_ids", "deleted_records")
RAW_KEYS = [dg.AssetKey([SOURCE, table]) for table in RAW_TABLES]
# Whole re-runs of an extraction the extractor's own retries gave up on (429, 5xx, dropped
# connections): CRM_WAREHOUSE_EXTRACTION_RETRIES of them (3), waiting CRM_WAREHOUSE_RETRY_SECONDS
# (60) x 1, 2, 4... before each.


def extraction_retries() -> int:
    return int(os.environ.get("CRM_WAREHOUSE_EXTRACTION_RETRIES", "3"))



def portal_partitions(portals: Sequence[PortalConfig]) -> dg.StaticPartitionsDefinition:
    """One partition per portal entry, keyed by its name."""
    return dg.StaticPartitionsDefinition([portal.name for portal in portals])


class ExtractConfig(dg.Config):
    reconcile: bool = False  # also mark records deleted in the portal (reads every ID; nightly)
    full_refresh: bool = False  # forget incremental state and reload the portal (then dbt full refresh)


def portal_for(context: dg.OpExecutionContext | dg.AssetCheckExecutionContext,
               portals: Sequence[PortalConfig]) -> PortalConfig:
    key = context.run.tags.get("dagster/partition")  # the run's portal (checks have no partition_key)
    for portal in portals:
        if portal.name == key:
            return portal
    raise dg.Failure(f"no portal {key!r} in {os.environ.get('CRM_WAREHOUSE_PORTALS') or 'orchestration/portals.toml'}")


@contextmanager
def portal_webhook(portal: PortalConfig, warehouse: WarehouseResource,
                   log: dg.DagsterLogManager | None = None) -> Iterator[tuple[str, Path | None]]:
    """The webhook URL of a run (secret), and for a sandbox entry its portal directory: a sandbox
    portal is generated on first use and served on 127.0.0.1 while the run lasts."""
    if portal.sandbox is None:
        yield portal.webhook_url(), None
        return
    from orchestration.steps import ensure_sandbox_portal, serving_sandbox

    portal_dir, generated = ensure_sandbox_portal(warehouse.path(warehouse.data_dir), portal.sandbox, portal.seed)
    if generated is not None and log is not None:
        log.info(f"generated the {portal.sandbox} sandbox portal: {generated:,} records in {portal_dir}")
    with serving_sandbox(portal_dir) as running:
        yield running.webhook_url, portal_dir


def portal_id_of(portal: PortalConfig) -> str:
    """The portal_id its rows carry: configured, else the webhook's host (127.0.0.1 for a sandbox)."""
    if portal.portal_id:
        return portal.portal_id
    if portal.sandbox is not None:
        return "127.0.0.1"
    from pipelines.bitrix24.webhook import Webhook

    return Webhook.parse(portal.webhook_url()).portal_host


def _transient(error: BaseException) -> bool:
    """Worth running the extraction again later: the portal was busy, failing or unreachable."""
    from pipelines.bitrix24.preflight import PreflightError
    from pipelines.bitrix24.transport import Bitrix24Error

    if isinstance(error, PreflightError):
        return error.transient
    cause = getattr(error, "cause", error)
    if isinstance(cause, Bitrix24Error):
        return (cause.status is None or cause.status == 429 or cause.status >= 500
                or cause.code in ("QUERY_LIMIT_EXCEEDED", "OPERATION_TIME_LIMIT", "INVALID_RESPONSE"))
    return False


def _retry_or_fail(context: dg.AssetExecutionContext, portal: PortalConfig, error: BaseException) -> None:
    attempt = context.retry_number + 1
    retries = extraction_retries()
    if _transient(error) and context.retry_number < retries:
        wait = float(os.environ.get("CRM_WAREHOUSE_RETRY_SECONDS", "60")) * 2 ** context.retry_number
        context.log.warning(f"extraction of portal {portal.name} failed (attempt {attempt}): {error}; "
                            f"running it again in {wait:g} s")
        raise dg.RetryRequested(max_retries=retries, seconds_to_wait=wait) from None
    gave_up = f" (gave up after {attempt} attempts)" if _transient(error) else ""
    raise dg.Failure(description=f"{error}{gave_up}",
                     metadata={"portal": portal.name, "entity": str(getattr(error, "entity", None) or "-"),
                               "error": str(error)}) from None


def raw_specs() -> list[dg.AssetSpec]:
    return [dg.AssetSpec(key, group_name="raw", kinds={"dlt", "bitrix24"},
                         description=f"Raw table {SOURCE}.{key.path[-1]} (schema raw_bitrix24): every portal's "
                                     "rows, one partition per portal of orchestration/portals.toml.")
            for key in RAW_KEYS]


def raw_asset(portals: Sequence[PortalConfig]) -> dg.AssetsDefinition:
    """The extraction of the portals' entries, one partition each."""

    @dg.multi_asset(name="bitrix24_raw", specs=raw_specs(), partitions_def=portal_partitions(portals),
                    pool=WAREHOUSE_POOL, can_subset=False, op_tags={"crm/step": "extract"})
    def bitrix24_raw(context: dg.AssetExecutionContext, config: ExtractConfig,
                     warehouse: WarehouseResource) -> Iterator[dg.MaterializeResult]:
        """Extracts one portal (the run's partition) into the raw layer: incremental, merged by key."""
        from orchestration.steps import write_sandbox_plans
        from pipelines.bitrix24.preflight import PreflightError
        from pipelines.bitrix24.stats import ExtractionStats
        from pipelines.extract import ExtractionFailed, run_extraction

        portal = portal_for(context, portals)
        stats = ExtractionStats()
        try:
            with portal_webhook(portal, warehouse, context.log) as (webhook_url, portal_dir):
                result = run_extraction(webhook_url, warehouse.config(), portal_id=portal.portal_id,
                                        requests_per_second=portal.requests_per_second, burst=portal.burst,
                                        reconcile=config.reconcile, full_refresh=config.full_refresh, stats=stats,
                                        # a retried run: the portal answered the first attempt's check
                                        preflight=context.retry_number == 0)
        except (PreflightError, ExtractionFailed) as error:
            _retry_or_fail(context, portal, error)
            raise  # not reached: _retry_or_fail always raises
        if portal_dir is not None:  # without a plan file of the user's, the sandbox's own plans
            write_sandbox_plans(portal_dir, result.portal_id)
        retried = stats.retry_note()
        context.log.info(f"portal {portal.name} ({result.portal_id}): {stats.rows:,} rows, {result.requests:,} "
                         f"requests in {result.seconds:.1f} s" + (f"; {retried}" if retried else ""))
        for key in RAW_KEYS:
            table = key.path[-1]
            counters = stats.entities.get(table)
            metadata: dict[str, object] = {
                "portal": portal.name, "portal_id": result.portal_id,
                "rows_loaded": result.tables.get(table, 0),
                "requests": counters.requests if counters else 0,
                "extraction_seconds": round(result.seconds, 2),
                "run_requests": result.requests, "failed_attempts_retried": sum(stats.failed_attempts.values()),
            }
            if table in result.deleted:
                metadata["newly_marked_deleted"] = result.deleted[table]
            yield dg.MaterializeResult(asset_key=key, metadata=metadata)

    return bitrix24_raw


def sandbox_plan_files(portals: Sequence[PortalConfig], warehouse: WarehouseResource) -> list[Path]:
    """The derived plan files of the sandbox entries (written by their extraction)."""
    from orchestration.steps import sandbox_plans_path, sandbox_portal_dir

    data_dir = warehouse.path(warehouse.data_dir)
    return [sandbox_plans_path(sandbox_portal_dir(data_dir, portal.sandbox, portal.seed))
            for portal in portals if portal.sandbox is not None]
