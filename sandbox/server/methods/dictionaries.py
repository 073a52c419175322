"""Dictionaries: statuses/stages/sources, currencies — small, unpaged, returned whole."""

from __future__ import annotations

from typing import Any

import orjson

from sandbox.server.envelope import ApiError, MethodResult
from sandbox.server.methods.listing import ListRequest, Paging, parse_filter, parse_order, project_plain, run_list
from sandbox.server.methods.registry import CallContext, method
from sandbox.server.params import get_param


@method("crm.status.list")
def status_list(ctx: CallContext, params: dict[str, Any]) -> MethodResult:
    request = ListRequest(
        conditions=parse_filter(get_param(params, "filter")),
        order=parse_order(get_param(params, "order")) or [("SORT", "ASC")],
        start=0,
        select=None,
    )
    _, outcome = run_list(ctx.store.table("crm.status.list"), request, Paging.ALL, ctx.cost_model, project=project_plain)
    return outcome


@method("crm.status.entity.items")
def status_entity_items(ctx: CallContext, params: dict[str, Any]) -> MethodResult:
    """`[{NAME, SORT (int), STATUS_ID}]` of one dictionary, by SORT (reference §5.6)."""
    entity_id = get_param(params, "entityId")
    if not entity_id:
        raise ApiError("", "The parameter entityId is not defined or invalid.", 400)
    table = ctx.store.table("crm.status.list")
    page = table.page(parse_filter({"=ENTITY_ID": entity_id}), [("SORT", "ASC")], 0, None, count=False)
    rows = []
    for doc in page.docs:
        record = orjson.loads(doc)
        rows.append({"NAME": record.get("NAME"), "SORT": int(record.get("SORT") or 0), "STATUS_ID": record.get("STATUS_ID")})
    return MethodResult(result=rows, cost=ctx.cost_model.base)


@method("crm.currency.list")
def currency_list(ctx: CallContext, params: dict[str, Any]) -> MethodResult:
    request = ListRequest(
        conditions=[], order=parse_order(get_param(params, "order")) or [("SORT", "ASC")], start=0, select=None
    )
    _, outcome = run_list(ctx.store.table("crm.currency.list"), request, Paging.ALL, ctx.cost_model, project=project_plain)
    outcome.total = None
    return outcome
