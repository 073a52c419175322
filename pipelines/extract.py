"""One extraction run: the unit `crm-warehouse extract`, the main job and Dagster call."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Sequence

from dlt.common.pipeline import LoadInfo

from pipelines.bitrix24 import bitrix24_source
from pipelines.bitrix24.entities import DICTIONARY_CALLS, ENTITIES
from pipelines.bitrix24.preflight import check_webhook
from pipelines.bitrix24.reconcile import RECONCILED, mark_deleted, portal_ids_resource
from pipelines.bitrix24.source import portal_context
from pipelines.bitrix24.stats import ExtractionStats
from pipelines.bitrix24.webhook import Webhook
from pipelines.warehouse import WarehouseConfig, build_pipeline

# Extract files are temporary: compressing them costs CPU for nothing on one machine.
os.environ.setdefault("DATA_WRITER__DISABLE_COMPRESSION", "true")


class ExtractionFailed(RuntimeError):
    """An extraction that stopped after the portal had answered: names the portal, the entity
    (raw table) being read and the error, never the token. `cause` is the portal's error."""

    def __init__(self, portal_id: str, entity: str | None, error: str, cause: BaseException) -> None:
        super().__init__(f"portal {portal_id}, entity {entity or '?'}: {error}")
        self.portal_id = portal_id
        self.entity = entity
        self.cause = cause


def _failure(portal: str, webhook: Webhook, error: Exception) -> ExtractionFailed:
    """dlt wraps a resource's exception (PipelineStepFailed > ResourceExtractionError > cause):
    find the resource's name and the innermost error."""
    entity, cause = None, error
    seen: BaseException | None = error
    while seen is not None:
        entity = getattr(seen, "resource_name", None) or entity
        cause = seen
        seen = seen.__cause__ or seen.__context__
    if entity is None:  # a call made while the source was built (field metadata, dictionaries)
        entity = _entity_of_method(getattr(cause, "method", ""))
    text = str(cause) if type(cause).__name__ == "Bitrix24Error" else f"{type(cause).__name__}: {cause}"
    return ExtractionFailed(portal, entity, webhook.scrub(text), cause)


def _entity_of_method(method: str) -> str | None:
    for spec in ENTITIES:
        if method in (spec.query.method, spec.fields_method):
            return spec.name
    return next((name for name, (called, _, _) in DICTIONARY_CALLS.items() if called == method), None)


@dataclass
class ExtractionResult:
    portal_id: str
    load_info: LoadInfo
    stats: ExtractionStats
    seconds: float
    requests: int
    tables: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)  # seconds of dlt's extract, normalize, load


def _loader_format(warehouse: WarehouseConfig) -> str | None:
    # DuckDB reads JSON lines in bulk (3x faster than INSERT statements); Postgres takes its default.
    return "jsonl" if warehouse.destination == "duckdb" else None


def run_extraction(
    webhook_url: str,
    warehouse: WarehouseConfig,
    portal_id: str | None = None,
    entities: Sequence[str] | None = None,
    requests_per_second: float = 2.0,
    burst: int = 50,
    full_refresh: bool = False,
    reconcile: bool = False,
    product_rows: bool = True,
    stats: ExtractionStats | None = None,
    preflight: bool = True,
) -> ExtractionResult:
    """Loads the portal's changes into the raw layer; with `reconcile`, also marks deletions.

    Checks the webhook first (pre-flight: PreflightError in seconds; `preflight=False` when the
    portal already answered, e.g. a retried run); a failure after the portal answered raises
    ExtractionFailed naming the portal and entity."""
    webhook = Webhook.parse(webhook_url)
    portal = portal_id or webhook.portal_host
    stats = stats or ExtractionStats()
    if preflight:
        check_webhook(webhook)
    pipeline = build_pipeline(portal, warehouse)
    context = portal_context(webhook_url, portal, requests_per_second, burst, stats=stats)
    context.transport.on_retry = stats.note_failed_attempt
    started = time.monotonic()
    try:
        # building the source reads the portal's field metadata: its failures are named too
        source = bitrix24_source(webhook_url=webhook_url, portal_id=portal, entities=entities,
                                 requests_per_second=requests_per_second, burst=burst, product_rows=product_rows,
                                 stats=stats, context=context)
        load_info = pipeline.run(source, refresh="drop_sources" if full_refresh else None,
                                 loader_file_format=_loader_format(warehouse))
    except Exception as error:
        raise _failure(portal, webhook, error) from None
    trace = pipeline.last_trace
    normalized = trace.last_normalize_info.row_counts if trace and trace.last_normalize_info else {}
    phases = {step.step: (step.finished_at - step.started_at).total_seconds()
              for step in (trace.steps if trace else []) if step.finished_at and step.step != "run"}
    deleted: dict[str, int] = {}
    if reconcile:
        specs = [spec for spec in RECONCILED if entities is None or spec.name in entities]
        try:
            ids_load = pipeline.run(portal_ids_resource(context, specs), loader_file_format=_loader_format(warehouse))
        except Exception as error:
            raise _failure(portal, webhook, error) from None
        deleted = mark_deleted(pipeline, portal, specs, ids_load.loads_ids[-1] if ids_load.loads_ids else None)
    return ExtractionResult(
        portal_id=portal, load_info=load_info, stats=stats, seconds=time.monotonic() - started,
        requests=sum(counters.requests for counters in stats.entities.values()),
        tables={name: count for name, count in normalized.items() if not name.startswith("_dlt")},
        deleted=deleted, phases=phases,
    )
