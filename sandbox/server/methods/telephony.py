"""`voximplant.statistic.get`: call records with upper-case FILTER/SORT/ORDER."""

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


@method("voximplant.statistic.get")
def call_statistics(ctx: CallContext, params: dict[str, Any]) -> MethodResult:
    request = ListRequest(
        conditions=parse_filter(get_merged_param(params, "filter")), order=parse_sort_and_order(params),
        start=parse_start(get_param(params, "start")), select=None,
    )
    _, outcome = run_list(
        ctx.store.table("voximplant.statistic.get"), request, Paging.LEGACY, ctx.cost_model, project=project_plain
    )
    return outcome
