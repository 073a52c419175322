"""`catalog.product.list`: the product catalogue, where a portal keeps purchase prices."""

from __future__ import annotations

from typing import Any

from sandbox.server.envelope import MethodResult
from sandbox.server.methods.crm_universal import _list_request
from sandbox.server.methods.listing import Paging, project_plain, run_list
from sandbox.server.methods.registry import CallContext, method
from sandbox.server.envelope import invalid_arg


@method("catalog.product.list")
def product_list(ctx: CallContext, params: dict[str, Any]) -> MethodResult:
    rows, outcome = run_list(
        ctx.store.table("catalog.product.list"), _list_request(params), Paging.ORM, ctx.cost_model,
        project=project_plain, error=invalid_arg,
    )
    outcome.result = {"products": rows}
    return outcome
