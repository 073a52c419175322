"""`crm.item.productrow.list`: the product rows of many CRM objects, typed camelCase, paged by 50.

The rows are the same records `crm.deal.productrows.get` serves (one fixture file,
`crm.deal.productrows.get.json`), shown the new-style way: camelCase keys and typed values
(reference §5.8, data type `crm_item_product_row`), wrapped in `result.productRows`.

Semantics follow the controller (`Bitrix\\Crm\\Controller\\Item\\ProductRow::listAction`): the
filter must name `=ownerType` and `=ownerId` (else 400 `REQUIRED_ARG_MISSING`, "Argument
'=ownerType' is required"); `=` takes a single value or an array (the ORM reads an array as IN, so
one call lists the rows of many deals); a `>`/`<` key with a non-scalar value is 400
`INVALID_ARG_VALUE`; ORM paging (exact `start`, `start=-1` without counting). Cost: an owner filter
is an indexed lookup (the base cost of a call); counting matching rows costs as for every list.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from sandbox.server.envelope import ApiError, MethodResult, invalid_arg
from sandbox.server.methods.listing import (
    PAGE_SIZE,
    ListRequest,
    Paging,
    parse_filter,
    parse_order,
    parse_start,
    run_list,
)
from sandbox.server.methods.registry import CallContext, method
from sandbox.server.params import get_param
from sandbox.store.filters import Condition, as_list
from sandbox.store.table import FixtureTable

ROWS_METHOD = "crm.deal.productrows.get"  # the fixture file holding every product row
_OWNER_TYPES = {"D": 2}  # short owner-type codes whose rows the fixture holds (deals)
# Legacy row field -> (camelCase field, type) of `crm_item_product_row`; the others (reserves,
# ORIGINAL_PRODUCT_NAME, PRODUCT_DESCRIPTION) are not part of the new method's answer.
FIELDS: dict[str, tuple[str, str]] = {
    "ID": ("id", "int"), "OWNER_ID": ("ownerId", "int"), "OWNER_TYPE": ("ownerType", "str"),
    "PRODUCT_ID": ("productId", "int"), "PRODUCT_NAME": ("productName", "str"),
    "PRICE": ("price", "num"), "PRICE_ACCOUNT": ("priceAccount", "num"),
    "PRICE_EXCLUSIVE": ("priceExclusive", "num"), "PRICE_NETTO": ("priceNetto", "num"),
    "PRICE_BRUTTO": ("priceBrutto", "num"), "QUANTITY": ("quantity", "num"),
    "DISCOUNT_TYPE_ID": ("discountTypeId", "int"), "DISCOUNT_RATE": ("discountRate", "num"),
    "DISCOUNT_SUM": ("discountSum", "num"), "TAX_RATE": ("taxRate", "num"),
    "TAX_INCLUDED": ("taxIncluded", "str"), "CUSTOMIZED": ("customized", "str"),
    "MEASURE_CODE": ("measureCode", "int"), "MEASURE_NAME": ("measureName", "str"),
    "SORT": ("sort", "int"), "XML_ID": ("xmlId", "str"), "TYPE": ("type", "int"), "STORE_ID": ("storeId", "int"),
}
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def upper_snake(key: str) -> str:
    """`>ownerId` -> `>OWNER_ID`: the controller's convertKeysToUpper (the prefix is kept)."""
    return _CAMEL.sub(r"_\1", key).upper()


def _typed(value: Any, kind: str) -> Any:
    if value is None or value == "" and kind != "str":
        return None
    if kind == "str":
        return str(value)
    number = float(value)
    if kind == "int" or number == int(number):
        return int(number)
    return number


def typed_row(record: dict[str, Any], select: Any = None, key_field: str = "ID") -> dict[str, Any]:
    """One legacy row as `crm_item_product_row`: camelCase keys, numbers as numbers."""
    return {camel: _typed(record.get(field), kind) for field, (camel, kind) in FIELDS.items()}


def _required(raw_filter: Any) -> tuple[Any, Any]:
    """The `=ownerType` and `=ownerId` values, or the controller's error for the first missing.
    The keys must carry the `=` prefix: `ownerId` alone is another key to the controller."""
    found: dict[str, Any] = {}
    for key, value in (raw_filter.items() if isinstance(raw_filter, dict) else ()):
        key = str(key).strip()
        name = key[1:].replace("_", "").lower()
        if key.startswith("=") and name in ("ownertype", "ownerid"):
            found[name] = value
    owner_type = found.get("ownertype")
    if owner_type in (None, "", []):
        raise ApiError("REQUIRED_ARG_MISSING", "Argument '=ownerType' is required", 400)
    owner_id = found.get("ownerid")
    ids = as_list(owner_id)
    if ids is None:  # a single id: `$ownerId <= 0` is missing (PHP compares an array as greater)
        try:
            single = float(str(owner_id).strip())
        except (TypeError, ValueError):
            single = 0
        if single <= 0:
            raise ApiError("REQUIRED_ARG_MISSING", "Argument '=ownerId' is required", 400)
    return owner_type, owner_id


def _check_scalar_comparisons(raw_filter: Any) -> None:
    """`>`/`<` keys (not `><`) take a string or a number only (`isFilterValid`)."""
    if not isinstance(raw_filter, dict):
        return
    for key, value in raw_filter.items():
        key = str(key)
        if re.search(r"[<>]", key) and "><" not in key and not isinstance(value, (str, int, float)):
            raise invalid_arg(f"Value for filter key '{upper_snake(key)}' should be either string or number")


_KEY_BOUNDS = (">", ">=", "<", "<=", "=")


def _owner_lookup(table: FixtureTable, conditions: list[Condition], raw_order: Any, start: int,
                  ctx: CallContext) -> MethodResult | None:
    """The indexed path (`=ownerType`, `=ownerId`, bounds on `id`, ordered by `id`): what every
    keyset reader asks; None for any other shape, which goes through SQL."""
    order = parse_order(raw_order, invalid_arg)
    if len(order) != 1 or order[0][0].lower() != "id":
        return None
    owner_type, owners, bounds = None, None, []
    for condition in conditions:
        name = condition.field.replace("_", "").lower()
        if name == "ownertype" and condition.operator == "=":
            owner_type = str(condition.value)
        elif name == "ownerid" and condition.operator == "=":
            owners = as_list(condition.value)
            owners = [condition.value] if owners is None else owners
        elif name == "id" and condition.operator in _KEY_BOUNDS and as_list(condition.value) is None:
            if condition.value in (None, ""):
                if condition.operator != "=":
                    continue  # an empty bound is no bound
                return None
            try:
                bounds.append((condition.operator, float(condition.value)))
            except (TypeError, ValueError):
                return None
        else:
            return None
    if owner_type is None or owners is None:
        return None
    counted = start >= 0
    page = table.owner_page("OWNER_ID", "OWNER_TYPE", owner_type.upper(), owners, bounds, order[0][1] == "DESC",
                            max(start, 0), PAGE_SIZE, count=counted)
    if page is None:
        return None
    rows = [typed_row(orjson.loads(doc)) for doc in page.docs]
    if not counted:
        return MethodResult(result={"productRows": rows}, total=0, cost=ctx.cost_model.of(None, 0))
    total = page.total or 0
    following = start + len(rows)
    return MethodResult(result={"productRows": rows}, total=total, next=following if following < total and rows else None,
                        cost=ctx.cost_model.of(total, start))


@method("crm.item.productrow.list")
def product_row_list(ctx: CallContext, params: dict[str, Any]) -> MethodResult:
    raw_filter = get_param(params, "filter")
    conditions = parse_filter(raw_filter, invalid_arg)
    owner_type, owner_id = _required(raw_filter)
    _check_scalar_comparisons(raw_filter)
    table = ctx.store.table(ROWS_METHOD)
    if str(owner_type).upper() not in _OWNER_TYPES:  # leads, quotes, invoices: no rows in the fixture
        return MethodResult(result={"productRows": []}, total=0, cost=ctx.cost_model.base)
    if as_list(owner_id) is None and ctx.store.table("crm.deal.list").get(owner_id) is None:
        raise ApiError("ACCESS_DENIED", "Access denied", 400)  # no such deal (the docs' error table)
    fast = _owner_lookup(table, conditions, get_param(params, "order"), parse_start(params.get("start")), ctx)
    if fast is not None:
        return fast
    request = ListRequest(
        conditions=conditions,
        # Without `order` the rows come by `sort` (ties by id), as the method documents.
        order=parse_order(get_param(params, "order"), invalid_arg) or [("SORT", "ASC")],
        start=parse_start(params.get("start")),
        select=None,  # the method has no `select`: every field, always
    )
    rows, outcome = run_list(table, request, Paging.ORM, ctx.cost_model, project=typed_row,
                             strict_fields=table.count() > 0, error=invalid_arg)
    outcome.result = {"productRows": rows}
    return outcome
