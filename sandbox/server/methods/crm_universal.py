"""New-style (D7) methods: typed records wrapped in `result.items` / `result.categories`, exact offsets."""

from __future__ import annotations

from typing import Any

from sandbox.server.envelope import ApiError, MethodResult, invalid_arg
from sandbox.server.methods.listing import (
    ListRequest,
    Paging,
    parse_filter,
    parse_order,
    parse_select,
    parse_start,
    project_plain,
    run_list,
)
from sandbox.server.methods.registry import CallContext, method
from sandbox.server.params import get_param
from sandbox import fixture

# Entity types whose stage history the portal keeps (reference §5.5).
_STAGE_HISTORY_TYPES = {1: "LEAD", 2: "DEAL", 5: "INVOICE", 31: "SMART_INVOICE"}


def _entity_type_id(params: dict[str, Any]) -> int:
    raw = get_param(params, "entityTypeId")
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        raise ApiError("NOT_FOUND", "Smart process not found", 400) from None


def _list_request(params: dict[str, Any]) -> ListRequest:
    return ListRequest(
        conditions=parse_filter(get_param(params, "filter"), invalid_arg),
        order=parse_order(get_param(params, "order"), invalid_arg),
        start=parse_start(params.get("start")),
        select=parse_select(get_param(params, "select")),
    )


def _wrapped_list(ctx: CallContext, method_name: str, entity_type_id: int, params: dict[str, Any], wrapper: str) -> MethodResult:
    table = ctx.store.table(method_name, entity_type_id)
    # Unknown fields are refused (INVALID_ARG_VALUE) once the table has records to know them by.
    strict = table.count() > 0
    rows, outcome = run_list(
        table, _list_request(params), Paging.ORM, ctx.cost_model,
        project=project_plain, strict_fields=strict, error=invalid_arg,
    )
    outcome.result = {wrapper: rows}
    return outcome


@method("crm.stagehistory.list")
def stage_history(ctx: CallContext, params: dict[str, Any]) -> MethodResult:
    entity_type_id = _entity_type_id(params)
    if entity_type_id not in _STAGE_HISTORY_TYPES:
        name = fixture.ENTITY_TYPE_NAMES.get(entity_type_id, str(entity_type_id)).upper()
        raise ApiError("ENTITY_TYPE_NOT_SUPPORTED", f"{name} entity is not supported", 400)
    return _wrapped_list(ctx, "crm.stagehistory.list", entity_type_id, params, "items")


@method("crm.item.list")
def item_list(ctx: CallContext, params: dict[str, Any]) -> MethodResult:
    return _wrapped_list(ctx, "crm.item.list", _entity_type_id(params), params, "items")


@method("crm.category.list")
def category_list(ctx: CallContext, params: dict[str, Any]) -> MethodResult:
    return _wrapped_list(ctx, "crm.category.list", _entity_type_id(params), params, "categories")
