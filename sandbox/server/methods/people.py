"""`user.get` and `department.get`: top-level parameters double as filters (old-style REST)."""

from __future__ import annotations

from typing import Any

from sandbox.server.envelope import MethodResult
from sandbox.server.methods.listing import (
    ListRequest,
    Paging,
    parse_filter,
    parse_sort_and_order,
    parse_start,
    project_plain,
    run_list,
)
from sandbox.server.methods.registry import CallContext, method
from sandbox.server.params import get_merged_param, get_param

_CONTROL = {"sort", "order", "start", "filter", "select", "admin_mode", "auth"}


def _top_level_filter(params: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in params.items() if key.lower() not in _CONTROL}


@method("user.get")
def user_get(ctx: CallContext, params: dict[str, Any]) -> MethodResult:
    raw_filter = dict(_top_level_filter(params))
    explicit = get_merged_param(params, "filter")
    if isinstance(explicit, dict):
        raw_filter.update(explicit)
    request = ListRequest(
        conditions=parse_filter(raw_filter), order=parse_sort_and_order(params), start=parse_start(get_param(params, "start")),
        select=None,
    )
    _, outcome = run_list(ctx.store.table("user.get"), request, Paging.LEGACY, ctx.cost_model, project=project_plain)
    return outcome


@method("department.get")
def department_get(ctx: CallContext, params: dict[str, Any]) -> MethodResult:
    request = ListRequest(
        conditions=parse_filter(_top_level_filter(params)), order=parse_sort_and_order(params),
        start=parse_start(get_param(params, "start")), select=None,
    )
    _, outcome = run_list(ctx.store.table("department.get"), request, Paging.LEGACY, ctx.cost_model, project=project_plain)
    return outcome
