"""What the inputs may name, read from the raw layer: portals, users, departments, pipelines, deal
stages and custom fields. Plans and rules are checked against it before anything is loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from pipelines.warehouse import RAW_DATASET

Query = Callable[[str], Iterable[tuple]]


@dataclass(frozen=True)
class WarehouseReference:
    portals: frozenset[str] = frozenset()
    users: frozenset[tuple[str, str]] = frozenset()  # (portal_id, user id as text)
    departments: frozenset[tuple[str, str]] = frozenset()
    pipelines: frozenset[tuple[str, str]] = frozenset()
    deal_stages: frozenset[str] = frozenset()  # stage ids of any portal (rules apply to every portal)
    custom_fields: dict[str, frozenset[str]] = field(default_factory=dict)  # entity -> UF_CRM_* codes


def read_reference(query: Query, schema: str = RAW_DATASET) -> WarehouseReference:
    """`query` runs one SQL statement on the warehouse and returns its rows."""
    def pairs(table: str) -> frozenset[tuple[str, str]]:
        return frozenset((portal, str(key)) for portal, key in query(f"select portal_id, id from {schema}.{table}"))

    custom: dict[str, set[str]] = {}
    for entity, code in query(f"select entity, field from {schema}.field_metadata where is_custom"):
        custom.setdefault(entity, set()).add(code)
    stages = query(f"select status_id from {schema}.statuses where entity_id like 'DEAL_STAGE%'")
    return WarehouseReference(
        portals=frozenset(portal for (portal,) in query(f"select distinct portal_id from {schema}.users")),
        users=pairs("users"),
        departments=pairs("departments"),
        pipelines=pairs("deal_categories"),
        deal_stages=frozenset(stage for (stage,) in stages),
        custom_fields={entity: frozenset(codes) for entity, codes in custom.items()},
    )
