"""The dlt source: one resource per raw table of a Bitrix24 portal.

Load rules (issue "Extraction"): entities with a modification time are incremental on it
(closed range, with a lag so records edited while a long run was passing them are read again)
and merged by (portal_id, id); stage history and call records are incremental on their growing
ID and merged by key, so a re-run never duplicates; product rows are reloaded for the deals that
changed (in bulk, `product_rows.py`); dictionaries and metadata are replaced per portal. Every row carries `portal_id`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, Sequence

import dlt
from dlt.common.configuration import with_config
from dlt.common.normalizers.naming.snake_case import NamingConvention
from dlt.sources import DltResource

from pipelines.bitrix24 import field_types
from pipelines.bitrix24.entities import DICTIONARY_CALLS, ENTITIES, FIELD_METHODS, EntitySpec, LoadRule
from pipelines.bitrix24.keyset import read_keyset
from pipelines.bitrix24.product_rows import (
    BULK_METHOD,
    MAX_OWNER_IDS,
    PER_DEAL_METHOD,
    BulkProductRowReader,
    BulkRefused,
    ChangedDeals,
    ChunkRows,
    as_legacy_row,
    read_per_deal,
    remaining_chunks,
)
from pipelines.bitrix24.record_types import FieldType, RecordTyper
from pipelines.bitrix24.stats import ExtractionStats
from pipelines.bitrix24.transport import Bitrix24Transport, TransportConfig
from pipelines.bitrix24.pacing import PacingConfig
from pipelines.bitrix24.webhook import Webhook

logger = logging.getLogger("crm_warehouse.extract")
_naming = NamingConvention()
PORTAL_KEY = ("portal_id", "id")
# Per-portal replace: delete the portal's rows, insert the new ones (several portals, one table).
_PER_PORTAL_REPLACE = {"disposition": "merge", "strategy": "delete-insert"}


def column_name(field: str) -> str:
    return _naming.normalize_identifier(field)


class PortalContext:
    """What every resource of one extraction shares: transport, portal id, metadata, counters."""

    def __init__(self, webhook: Webhook, portal_id: str, transport: Bitrix24Transport, stats: ExtractionStats) -> None:
        self.webhook = webhook
        self.portal_id = portal_id
        self.transport = transport
        self.stats = stats
        self._lock = threading.Lock()
        self._fields: dict[str, dict[str, Any]] = {}
        self._statuses: list[dict[str, Any]] | None = None

    def fields(self, entity: str) -> dict[str, Any]:
        """`crm.<entity>.fields`, read once per extraction."""
        with self._lock:
            if entity not in self._fields:
                self._fields[entity] = self.transport.call(FIELD_METHODS[entity])["result"] or {}
                self.stats.add("field_metadata", requests=1)
            return self._fields[entity]

    def statuses(self) -> list[dict[str, Any]]:
        with self._lock:
            if self._statuses is None:
                self._statuses = self.transport.call("crm.status.list")["result"] or []
                self.stats.add("statuses", requests=1)
            return self._statuses

    def stage_ids(self, field: str) -> set[str]:
        """Known values of a stage field, for flagging records in unknown stages."""
        rows = self.statuses()
        if field == "STATUS_ID":
            return {row["STATUS_ID"] for row in rows if row.get("ENTITY_ID") == "STATUS"}
        if field == "stageId":
            return {row["STATUS_ID"] for row in rows if str(row.get("ENTITY_ID", "")).startswith("SMART_INVOICE_STAGE")}
        return {row["STATUS_ID"] for row in rows if str(row.get("ENTITY_ID", "")).startswith("DEAL_STAGE")}

    def typer(self, spec: EntitySpec) -> RecordTyper:
        if spec.fields_method:
            types = field_types.types_from_metadata(spec.types, self.fields(spec.types))
        else:
            types = dict(field_types.STATIC_TYPES.get(spec.types, {}))
        return RecordTyper(spec.name, spec.query.key, types)


# -- shaping rows --------------------------------------------------------------------------------

def _column_hints(types: dict[str, FieldType], labels: dict[str, str] | None = None) -> dict[str, Any]:
    hints: dict[str, Any] = {
        "portal_id": {"data_type": "text", "nullable": False},
        "_load_issues": {"data_type": "text", "nullable": True},
        "_is_deleted": {"data_type": "bool", "nullable": True},
        "_deleted_at": {"data_type": "timestamp", "timezone": True, "nullable": True},
    }
    for field, kind in types.items():
        hint = kind.dlt_hint()
        if labels and field in labels:
            hint = {**hint, "description": labels[field]}
        hints[column_name(field)] = hint
    return hints


def _custom_field_decoders(fields: dict[str, Any]) -> dict[str, dict[str, str]]:
    """UF enumeration field -> {item id: item value}, from the portal's metadata."""
    decoders = {}
    for name, meta in fields.items():
        if name.startswith("UF_") and meta.get("type") == "enumeration":
            decoders[name] = {str(item.get("ID")): item.get("VALUE") for item in meta.get("items") or []}
    return decoders


def _labels(fields: dict[str, Any]) -> dict[str, str]:
    labels = {}
    for name, meta in fields.items():
        label = meta.get("listLabel") or meta.get("formLabel") or meta.get("title")
        if isinstance(label, str) and label:
            labels[name] = label
    return labels


class RowShaper:
    """Types a page of records, decodes custom enumerations, adds portal_id and issue notes."""

    def __init__(self, context: PortalContext, spec: EntitySpec) -> None:
        self.context = context
        self.spec = spec
        self.typer = context.typer(spec)
        fields = context.fields(spec.types) if spec.fields_method else {}
        self.decoders = _custom_field_decoders(fields)
        self.labels = _labels(fields)
        self.stages = context.stage_ids(spec.stage_field) if spec.stage_field else None

    def column_hints(self) -> dict[str, Any]:
        hints = _column_hints(self.typer.types, self.labels)
        for field in self.decoders:
            hints[column_name(field + "_VALUE")] = {"data_type": "text", "nullable": True,
                                                   "description": f"{self.labels.get(field, field)} (decoded)"}
        return hints

    def __call__(self, records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rows, issues = [], []
        detected_at = datetime.now(timezone.utc)
        for record in records:
            record, problems = self.typer(record)
            notes = [f"{field}: {value!r} is not a valid {kind}" for field, value, kind in problems]
            for field, decode in self.decoders.items():
                value = record.get(field)
                if isinstance(value, list):
                    record[field + "_VALUE"] = ", ".join(str(decode.get(str(item), item)) for item in value)
                elif value not in (None, ""):
                    decoded = decode.get(str(value))
                    record[field + "_VALUE"] = decoded
                    if decoded is None:
                        notes.append(f"{field}: {value!r} is not an item of this list field")
            if self.stages is not None:
                stage = record.get(self.spec.stage_field)
                if stage not in (None, "") and stage not in self.stages:
                    notes.append(f"{self.spec.stage_field}: {stage!r} is not a known stage")
            record["portal_id"] = self.context.portal_id
            record["_load_issues"] = "; ".join(notes) if notes else None
            record["_is_deleted"] = False  # a record read from the portal is live (again)
            rows.append(record)
            if notes:
                key = record.get(self.spec.query.key)
                for note in notes:
                    logger.warning("%s %s=%s: %s", self.spec.name, self.spec.query.key, key, note)
                    issues.append({"portal_id": self.context.portal_id, "entity": self.spec.name,
                                   "record_id": str(key), "problem": note, "detected_at": detected_at})
        return rows, issues


def _issue_rows(issues: list[dict[str, Any]]) -> Any:
    return dlt.mark.with_hints(issues, dlt.mark.make_hints(
        table_name="load_issues", write_disposition="merge",
        primary_key=["portal_id", "entity", "record_id", "problem"],
    ))


# -- resources -----------------------------------------------------------------------------------

def _list_resource(context: PortalContext, spec: EntitySpec, modified_lag: float,
                   changed: ChangedDeals | None = None) -> DltResource:
    shaper = RowShaper(context, spec)

    def pages(query, after: Any = 0) -> Iterator[Any]:
        try:
            for page in read_keyset(context.transport, query, after=after):
                rows, issues = shaper(page)
                context.stats.add(spec.name, rows=len(rows), requests=1, issues=len(issues))
                if changed is not None:
                    changed.add([row[spec.query.key] for row in rows if row.get(spec.query.key) is not None])
                yield rows
                if issues:
                    yield _issue_rows(issues)
            context.stats.finish(spec.name)
        finally:
            if changed is not None:
                changed.close()

    if spec.rule is LoadRule.MODIFIED:
        def read_modified(
            modified=dlt.sources.incremental(spec.cursor, initial_value=None, lag=modified_lag,
                                             on_cursor_value_missing="include", primary_key=()),
        ) -> Iterator[Any]:
            query = spec.query
            if modified.start_value is not None:
                since = modified.start_value
                since_text = since.isoformat() if isinstance(since, datetime) else str(since)
                query = replace(query, filter={**query.filter, f">={spec.cursor}": since_text})
            yield from pages(query)

        function: Callable[..., Iterator[Any]] = read_modified
        disposition: Any = "merge"
    elif spec.rule is LoadRule.APPEND_ONLY:
        def read_appended(
            last_id=dlt.sources.incremental(spec.query.key, initial_value=0, on_cursor_value_missing="include", primary_key=()),
        ) -> Iterator[Any]:
            yield from pages(spec.query, after=last_id.start_value or 0)

        function = read_appended
        disposition = "merge"
    else:
        def read_dictionary() -> Iterator[Any]:
            yield from pages(spec.query)

        function = read_dictionary
        disposition = _PER_PORTAL_REPLACE

    return dlt.resource(
        function, name=spec.name, write_disposition=disposition, primary_key=PORTAL_KEY,
        merge_key="portal_id" if spec.rule is LoadRule.DICTIONARY else None, parallelized=True,
        columns=shaper.column_hints(),
    )


def _read_product_rows(context: PortalContext, changed: ChangedDeals, chunk: int) -> Iterator[tuple[ChunkRows, bool]]:
    """(rows, bulk?) of the changed deals: in bulk, or deal by deal if the portal refuses."""
    count_request = lambda: context.stats.add("deal_product_rows", requests=1)  # noqa: E731
    reader = BulkProductRowReader(context.transport, changed, max_owner_ids=chunk, on_request=count_request)
    try:
        for answer in reader.read():
            yield answer, True
        return
    except BulkRefused as refusal:
        logger.warning("deal_product_rows: the portal refuses %s (%s); reading product rows with %s, one deal "
                       "per call (50 deals a request)", BULK_METHOD, refusal, PER_DEAL_METHOD)
    for answer in read_per_deal(context.transport, remaining_chunks(reader.probe, changed, chunk),
                                on_request=count_request):
        yield answer, False


def _product_rows(context: PortalContext, changed: ChangedDeals, chunk: int = MAX_OWNER_IDS) -> DltResource:
    types = field_types.STATIC_TYPES["product_rows"]
    typer = RecordTyper("deal_product_rows", "ID", types)

    def deal_product_rows() -> Iterator[Any]:
        """Rows of the deals read in this run; a deal without rows gets a tombstone, which
        removes the rows it had before (merge key: the deal), and is itself never stored."""
        for answer, bulk in _read_product_rows(context, changed, chunk):
            rows: list[dict[str, Any]] = []
            for row in answer.rows:
                typed, _ = typer(as_legacy_row(row) if bulk else row)
                typed.update(portal_id=context.portal_id, _deleted=False, _is_deleted=False)
                rows.append(typed)
            for deal_id in answer.deals_without_rows:
                rows.append({"ID": -int(deal_id), "OWNER_ID": int(deal_id), "portal_id": context.portal_id,
                             "_deleted": True})
            context.stats.add("deal_product_rows", rows=len(answer.rows))
            if rows:
                yield rows
        context.stats.finish("deal_product_rows")

    # The bulk method does not return these; declared so the columns exist (NULL) either way.
    absent = {column_name(name): {"data_type": kind, "nullable": True} for name, kind in
              (("ORIGINAL_PRODUCT_NAME", "text"), ("PRODUCT_DESCRIPTION", "text"))}
    return dlt.resource(deal_product_rows, name="deal_product_rows", write_disposition="merge",
                        primary_key=PORTAL_KEY, merge_key=("portal_id", "owner_id"), parallelized=True,
                        columns={**_column_hints(types), **absent,
                                 "_deleted": {"data_type": "bool", "hard_delete": True}})


def _dictionary_call(context: PortalContext, name: str, method: str, params: dict[str, Any],
                     wrapper: str | None) -> DltResource:
    types = field_types.STATIC_TYPES["categories" if "categories" in name else name]
    key = "id" if "categories" in name else ("CURRENCY" if name == "currencies" else "ID")
    typer = RecordTyper(name, key, types)

    def read() -> Iterator[Any]:
        if name == "statuses":
            records = context.statuses()
        else:
            result = context.transport.call(method, params)["result"]
            records = (result or {}).get(wrapper, []) if wrapper else (result or [])
            context.stats.add(name, requests=1)
        rows = []
        for record in records:
            typed, _ = typer(dict(record))
            typed["portal_id"] = context.portal_id
            rows.append(typed)
        context.stats.add(name, rows=len(rows))
        yield rows

    primary_key = ("portal_id", column_name(key)) if name != "statuses" else ("portal_id", "entity_id", "status_id")
    return dlt.resource(read, name=name, write_disposition=_PER_PORTAL_REPLACE, primary_key=primary_key,
                        merge_key="portal_id", columns=_column_hints(types))


def _field_metadata(context: PortalContext) -> DltResource:
    def read() -> Iterator[Any]:
        rows = []
        for entity in FIELD_METHODS:
            for field, meta in context.fields(entity).items():
                rows.append({
                    "portal_id": context.portal_id, "entity": entity, "field": field,
                    "type": meta.get("type"), "title": meta.get("title"),
                    "label": meta.get("listLabel") or meta.get("formLabel") or meta.get("title"),
                    "is_required": meta.get("isRequired"), "is_read_only": meta.get("isReadOnly"),
                    "is_multiple": meta.get("isMultiple"), "is_custom": bool(meta.get("isDynamic")),
                    "status_type": meta.get("statusType"),
                    "items": [{"item_id": str(item.get("ID")), "value": item.get("VALUE")}
                              for item in meta.get("items") or []],
                })
        context.stats.add("field_metadata", rows=len(rows))
        yield rows

    return dlt.resource(read, name="field_metadata", write_disposition=_PER_PORTAL_REPLACE,
                        primary_key=("portal_id", "entity", "field"), merge_key="portal_id",
                        columns={"items": {"data_type": "json"}})


def _portal(context: PortalContext) -> DltResource:
    def read() -> Iterator[Any]:
        offset = _portal_offset(context)
        yield {"portal_id": context.portal_id, "host": context.webhook.host, "timezone_offset": offset,
               "extracted_at": datetime.now(timezone.utc)}

    return dlt.resource(read, name="portals", write_disposition="merge", primary_key="portal_id")


def _portal_offset(context: PortalContext) -> str | None:
    """The portal's UTC offset, as it writes it on every datetime (`time.date_start`)."""
    body = context.transport.call("crm.deal.list", {"select": ["ID"], "start": -1, "filter": {"ID": 0}})
    date_start = (body.get("time") or {}).get("date_start") or ""
    return date_start[19:] or None


@with_config(sections=("sources", "bitrix24"))
def portal_context(webhook_url: str = dlt.secrets.value, portal_id: str | None = None, requests_per_second: float = 2.0,
                   burst: int = 50, max_attempts: int = 12, stats: ExtractionStats | None = None) -> PortalContext:
    """One extraction's shared state: the paced transport to the portal and the counters. Arguments
    not given come from dlt config like the source's (SOURCES__BITRIX24__MAX_ATTEMPTS...)."""
    webhook = Webhook.parse(webhook_url)
    transport = Bitrix24Transport(webhook, TransportConfig(
        max_attempts=max_attempts, pacing=PacingConfig(burst=burst, requests_per_second=requests_per_second)))
    return PortalContext(webhook, portal_id or webhook.portal_host, transport, stats or ExtractionStats())


# max_table_nesting=0: multi-fields (PHONE, EMAIL), UF_DEPARTMENT and the like stay JSON columns of
# their record. Besides being one table per entity, this keeps merges exact after a crash: dlt
# 1.31 deduplicates a root table that has nested tables by row key, and a copy job retried after
# a kill stages the same rows (same row keys) twice, which then all reach the table.
@dlt.source(name="bitrix24", max_table_nesting=0,
            schema_contract={"tables": "evolve", "columns": "evolve", "data_type": "freeze"})
def bitrix24_source(
    webhook_url: str = dlt.secrets.value,
    portal_id: str | None = None,
    entities: Sequence[str] | None = None,
    modified_lag_seconds: float = 3600,
    requests_per_second: float = 2.0,
    burst: int = 50,
    max_attempts: int = 12,
    product_rows: bool = True,
    product_row_chunk: int = MAX_OWNER_IDS,
    stats: ExtractionStats | None = None,
    context: PortalContext | None = None,
) -> Any:
    """All raw tables of one portal. `entities` limits the list-method resources extracted;
    `product_rows=False` skips the product rows of the changed deals; `product_row_chunk` is how
    many deals one `crm.item.productrow.list` command asks for (SOURCES__BITRIX24__PRODUCT_ROW_CHUNK).
    `context` (from `portal_context`) lets a later pass of the same run — the deletion check —
    share this run's connection, pacing and counters.

    Every argument is also read from dlt config, e.g. SOURCES__BITRIX24__MAX_ATTEMPTS.
    """
    if not 1 <= product_row_chunk <= 1000:  # ids past PHP's max_input_vars (1,000) would be dropped
        raise ValueError(f"product_row_chunk (SOURCES__BITRIX24__PRODUCT_ROW_CHUNK) must be 1 to 1000 deals, "
                         f"not {product_row_chunk}")
    context = context or portal_context(webhook_url, portal_id, requests_per_second, burst, max_attempts, stats)
    chosen = [spec for spec in ENTITIES if entities is None or spec.name in entities]
    resources: list[DltResource] = []
    for spec in chosen:
        changed = ChangedDeals() if spec.name == "deals" and product_rows else None
        resources.append(_list_resource(context, spec, modified_lag_seconds, changed))
        if changed is not None:
            resources.append(_product_rows(context, changed, product_row_chunk))
    for name, (method, params, wrapper) in DICTIONARY_CALLS.items():
        resources.append(_dictionary_call(context, name, method, params, wrapper))
    resources.append(_field_metadata(context))
    resources.append(_portal(context))
    return resources
