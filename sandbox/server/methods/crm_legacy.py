"""Legacy `crm.*` methods: string-typed records, CDBResult paging, errors with an empty code."""

from __future__ import annotations

from typing import Any

import orjson

from sandbox.server.envelope import MethodResult, legacy_error
from sandbox.server.methods.listing import (
    ListRequest,
    Paging,
    parse_filter,
    parse_order,
    parse_select,
    parse_start,
    run_list,
)
from sandbox.server.methods.registry import CallContext, method
from sandbox.server.params import get_merged_param, get_param

_ENTITIES = ("lead", "deal", "contact", "company", "activity")
# crm.activity.list sorts by START_TIME unless told otherwise (reference §2).
_DEFAULT_ORDER = {"activity": [("START_TIME", "ASC")]}


def _list_handler(entity: str):
    def handle(ctx: CallContext, params: dict[str, Any]) -> MethodResult:
        request = ListRequest(
            conditions=parse_filter(get_merged_param(params, "filter")),
            order=parse_order(get_param(params, "order")) or _DEFAULT_ORDER.get(entity, []),
            start=parse_start(params.get("start")),
            select=parse_select(get_param(params, "select")),
        )
        _, outcome = run_list(ctx.store.table(f"crm.{entity}.list"), request, Paging.LEGACY, ctx.cost_model)
        return outcome

    return handle


def _get_handler(entity: str):
    def handle(ctx: CallContext, params: dict[str, Any]) -> MethodResult:
        record_id = _record_id(get_param(params, "id"))
        record = ctx.store.table(f"crm.{entity}.list").get(record_id)
        if record is None:
            raise legacy_error("Not found")
        return MethodResult(result=record, cost=ctx.cost_model.base)

    return handle


def _record_id(raw: Any) -> int:
    try:
        record_id = int(str(raw))
    except (TypeError, ValueError):
        raise legacy_error("ID is not defined or invalid.") from None
    if record_id <= 0:
        raise legacy_error("ID is not defined or invalid.")
    return record_id


for _entity in _ENTITIES:
    method(f"crm.{_entity}.list")(_list_handler(_entity))
    method(f"crm.{_entity}.get")(_get_handler(_entity))


@method("crm.deal.productrows.get")
def deal_product_rows(ctx: CallContext, params: dict[str, Any]) -> MethodResult:
    """All rows of one deal, no paging; a deal that does not exist is `Not found`."""
    deal_id = _record_id(get_param(params, "id"))
    if ctx.store.table("crm.deal.list").get(deal_id) is None:
        raise legacy_error("Not found")
    table = ctx.store.table("crm.deal.productrows.get")
    page = table.page(parse_filter({"=OWNER_ID": deal_id}), [("SORT", "ASC")], 0, None, count=False)
    rows = [orjson.loads(doc) for doc in page.docs]
    return MethodResult(result=rows, cost=ctx.cost_model.base)


def _fields_handler(fields_method: str):
    def handle(ctx: CallContext, params: dict[str, Any]) -> MethodResult:
        return MethodResult(result=ctx.store.fields(fields_method) or {}, cost=ctx.cost_model.base)

    return handle


for _entity in ("lead", "deal", "contact", "company"):
    method(f"crm.{_entity}.fields")(_fields_handler(f"crm.{_entity}.fields"))
