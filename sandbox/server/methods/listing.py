"""The list contract shared by every list method: 50-row pages, `start`, `next`, `total`, `select`.

Two paging families exist on a real portal (reference §2): legacy CDBResult lists floor `start`
to a multiple of 50; ORM lists (stage history, items, categories) use it as an exact offset.
`start=-1` (any negative start) returns one page without counting: no `next`, `total` 0.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from typing import Any, Callable

import orjson

from sandbox.server.envelope import ApiError, MethodResult, legacy_error
from sandbox.server.params import get_param
from sandbox.store.columns import MULTI_FIELDS
from sandbox.store.filters import Condition, FilterError, as_list, parse_conditions
from sandbox.store.table import FixtureTable

PAGE_SIZE = 50


class Paging(enum.Enum):
    LEGACY = "legacy"  # CDBResult: start floored to a page
    ORM = "orm"  # exact offset
    ALL = "all"  # dictionaries: everything in one answer


@dataclass(frozen=True)
class CostModel:
    """Simulated server seconds of a call, like a real portal's database work (issue: limits).

    A real portal spends ~50 s counting 2.4 million leads (~21 µs a row) and ~0.1 s on a page
    without the count; a deep offset makes the database walk past every skipped row.
    """

    base: float = 0.05
    per_counted_row: float = 50.0 / 2_400_000
    per_skipped_row: float = 10.0 / 1_000_000

    def of(self, counted: int | None, skipped: int) -> float:
        cost = self.base
        if counted:
            cost += counted * self.per_counted_row
        if skipped:
            cost += skipped * self.per_skipped_row
        return cost


def parse_start(raw: Any) -> int:
    """PHP intval: missing or garbage is 0; "-1" is -1."""
    if raw is None or raw == "":
        return 0
    try:
        return int(float(str(raw).strip()))
    except ValueError:
        return 0


def parse_order(raw: Any, error: Callable[[str], ApiError] = legacy_error) -> list[tuple[str, str]]:
    if raw in (None, "", []):
        return []
    if not isinstance(raw, dict):
        raise error("Parameter 'order' must be array.")
    order = []
    for field, direction in raw.items():
        text = str(direction).strip().upper()
        order.append((str(field), "DESC" if text == "DESC" else "ASC"))
    return order


def parse_sort_and_order(params: dict[str, Any]) -> list[tuple[str, str]]:
    """`sort` names a field and `order` its direction (user.get, department.get, voximplant);
    clients also send `order` as a map {field: direction}, which the portal accepts too."""
    field = get_param(params, "sort")
    direction = get_param(params, "order")
    if isinstance(direction, dict):
        return parse_order(direction) or [("ID", "ASC")]
    text = str(direction or "ASC").upper()
    if isinstance(field, str) and field:
        return [(field.upper(), "DESC" if text == "DESC" else "ASC")]
    return [("ID", "DESC" if text == "DESC" else "ASC")]


def parse_filter(raw: Any, error: Callable[[str], ApiError] = legacy_error) -> list[Condition]:
    try:
        return parse_conditions(raw)
    except FilterError:
        raise error("Parameter 'filter' must be array.") from None


def parse_select(raw: Any) -> list[str] | None:
    if raw in (None, "", []):
        return None
    values = as_list(raw)
    if values is None:
        values = [raw] if isinstance(raw, str) else list(raw.values()) if isinstance(raw, dict) else []
    return [str(value) for value in values]


def project_legacy(record: dict[str, Any], select: list[str] | None, key_field: str) -> dict[str, Any]:
    """Legacy `select`: default `*` + `UF_*`; multi-fields and multiple UF only when named."""
    keys = tuple(record)
    multiple_uf = tuple(key for key in keys if key[:3].upper() == "UF_" and isinstance(record[key], list))
    kept = _legacy_kept_fields(keys, multiple_uf, tuple(select) if select is not None else None, key_field)
    if kept is None:
        return record
    return {field: record[field] for field in kept}


@functools.lru_cache(maxsize=4096)
def _legacy_kept_fields(keys: tuple[str, ...], multiple_uf: tuple[str, ...], select: tuple[str, ...] | None,
                        key_field: str) -> tuple[str, ...] | None:
    """Which fields a select keeps (None = all); records of one table share a few key sets."""
    named = {field.upper() for field in (select if select is not None else ("*", "UF_*"))}
    everything, custom = "*" in named, "UF_*" in named
    kept = []
    for field in keys:
        upper = field.upper()
        if upper in named or field == key_field:
            kept.append(field)
        elif upper.startswith("UF_"):
            if custom and field not in multiple_uf:
                kept.append(field)
        elif everything and upper not in MULTI_FIELDS:
            kept.append(field)
    return None if len(kept) == len(keys) else tuple(kept)


def project_plain(record: dict[str, Any], select: list[str] | None, key_field: str) -> dict[str, Any]:
    """New-style `select`: field names or `*`; the key is always returned."""
    if select is None or "*" in select:
        return record
    named = set(select)
    return {field: value for field, value in record.items() if field in named or field == key_field}


@dataclass(frozen=True)
class ListRequest:
    conditions: list[Condition]
    order: list[tuple[str, str]]
    start: int
    select: list[str] | None


def run_list(
    table: FixtureTable,
    request: ListRequest,
    paging: Paging,
    cost_model: CostModel,
    project: Callable[[dict[str, Any], list[str] | None, str], dict[str, Any]] = project_legacy,
    strict_fields: bool = False,
    error: Callable[[str], ApiError] = legacy_error,
) -> tuple[list[dict[str, Any]], MethodResult]:
    """One page of `table`; returns the projected rows and the paging/cost skeleton."""
    start = request.start
    try:
        if paging is Paging.ALL:
            page = table.page(request.conditions, request.order, 0, None, count=False, strict_fields=strict_fields)
            rows = _decode(page.docs, request.select, table.key_field, project)
            return rows, MethodResult(result=rows, total=len(rows), cost=cost_model.of(len(rows), 0))
        if start < 0:
            page = table.page(request.conditions, request.order, 0, PAGE_SIZE, count=False, strict_fields=strict_fields)
            rows = _decode(page.docs, request.select, table.key_field, project)
            return rows, MethodResult(result=rows, total=0, cost=cost_model.of(None, 0))
        offset = (start // PAGE_SIZE) * PAGE_SIZE if paging is Paging.LEGACY else start
        page = table.page(request.conditions, request.order, offset, PAGE_SIZE, count=True, strict_fields=strict_fields)
    except FilterError as failure:
        raise error(str(failure)) from None
    rows = _decode(page.docs, request.select, table.key_field, project)
    total = page.total or 0
    following = offset + len(rows)
    next_start = following if following < total and rows else None
    return rows, MethodResult(
        result=rows, total=total, next=next_start, cost=cost_model.of(total, offset)
    )


def _decode(docs: list[bytes], select: list[str] | None, key_field: str, project) -> list[dict[str, Any]]:
    return [project(orjson.loads(doc), select, key_field) for doc in docs]
