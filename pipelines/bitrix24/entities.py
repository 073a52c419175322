"""What we extract: one spec per raw table, naming the method, key, cursor and load rule."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pipelines.bitrix24.keyset import ListQuery


class LoadRule(str, enum.Enum):
    MODIFIED = "modified"  # incremental on a modification time, merged by key
    APPEND_ONLY = "append_only"  # incremental on the ever-growing key, never rewritten
    DICTIONARY = "dictionary"  # small: read whole, replaced each run


@dataclass(frozen=True)
class EntitySpec:
    name: str  # raw table name
    query: ListQuery
    rule: LoadRule
    types: str  # which type map: "lead"/"deal"/... (metadata) or a STATIC_TYPES key
    cursor: str | None = None  # MODIFIED: the modification-time field
    fields_method: str | None = None  # crm.<entity>.fields: types, custom fields
    stage_field: str | None = None  # checked against the stage dictionaries


_LEGACY_SELECT = ["*", "UF_*"]
_WITH_MULTIFIELDS = ["*", "UF_*", "PHONE", "EMAIL", "WEB", "IM"]

ENTITIES: tuple[EntitySpec, ...] = (
    EntitySpec("leads", ListQuery("crm.lead.list", params={"select": _WITH_MULTIFIELDS}), LoadRule.MODIFIED,
               "lead", cursor="DATE_MODIFY", fields_method="crm.lead.fields", stage_field="STATUS_ID"),
    EntitySpec("deals", ListQuery("crm.deal.list", params={"select": _LEGACY_SELECT}), LoadRule.MODIFIED,
               "deal", cursor="DATE_MODIFY", fields_method="crm.deal.fields", stage_field="STAGE_ID"),
    EntitySpec("contacts", ListQuery("crm.contact.list", params={"select": _WITH_MULTIFIELDS}), LoadRule.MODIFIED,
               "contact", cursor="DATE_MODIFY", fields_method="crm.contact.fields"),
    EntitySpec("companies", ListQuery("crm.company.list", params={"select": _WITH_MULTIFIELDS}), LoadRule.MODIFIED,
               "company", cursor="DATE_MODIFY", fields_method="crm.company.fields"),
    EntitySpec("activities", ListQuery("crm.activity.list", params={"select": ["*"]}), LoadRule.MODIFIED,
               "activities", cursor="LAST_UPDATED"),
    EntitySpec("invoices", ListQuery("crm.item.list", key="id", wrapper="items", params={"entityTypeId": 31}),
               LoadRule.MODIFIED, "invoices", cursor="updatedTime", stage_field="stageId"),
    EntitySpec("deal_stage_history",
               ListQuery("crm.stagehistory.list", wrapper="items", params={"entityTypeId": 2}),
               LoadRule.APPEND_ONLY, "stage_history", stage_field="STAGE_ID"),
    EntitySpec("lead_stage_history",
               ListQuery("crm.stagehistory.list", wrapper="items", params={"entityTypeId": 1}),
               LoadRule.APPEND_ONLY, "stage_history", stage_field="STATUS_ID"),
    EntitySpec("calls", ListQuery("voximplant.statistic.get", filter_param="FILTER", order_style="sort"),
               LoadRule.APPEND_ONLY, "calls"),
    EntitySpec("users", ListQuery("user.get", filter_param="FILTER", order_style="sort"), LoadRule.DICTIONARY,
               "users"),
    EntitySpec("departments", ListQuery("department.get", filter_param="", order_style="sort"),
               LoadRule.DICTIONARY, "departments"),
    EntitySpec("products", ListQuery("catalog.product.list", key="id", wrapper="products", params={"select": ["*"]}),
               LoadRule.DICTIONARY, "products"),
)
ENTITY_NAMES = tuple(spec.name for spec in ENTITIES)
# Read by single calls, not keyset: small, unpaged dictionaries.
DICTIONARY_CALLS = {
    "statuses": ("crm.status.list", {}, None),
    "deal_categories": ("crm.category.list", {"entityTypeId": 2}, "categories"),
    "invoice_categories": ("crm.category.list", {"entityTypeId": 31}, "categories"),
    "currencies": ("crm.currency.list", {}, None),
}
FIELD_METHODS = {
    "lead": "crm.lead.fields",
    "deal": "crm.deal.fields",
    "contact": "crm.contact.fields",
    "company": "crm.company.fields",
}
