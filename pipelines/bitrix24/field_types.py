"""Field types per entity: from the portal's metadata (`crm.<entity>.fields`) or, for methods that
have none, from the API reference (§5.4–5.12).
"""

from __future__ import annotations

from typing import Any

from pipelines.bitrix24.record_types import FieldType as T

# crm.<entity>.fields `type` -> our type (reference §5.10).
METADATA_TYPES: dict[str, T] = {
    "integer": T.INT,
    "double": T.DOUBLE,
    "char": T.BOOL,
    "boolean": T.BOOL,
    "date": T.DATE,
    "datetime": T.DATETIME,
    "user": T.INT,
    "crm_company": T.INT,
    "crm_contact": T.INT,
    "crm_lead": T.INT,
    "crm_deal": T.INT,
    "crm_quote": T.INT,
    "crm_category": T.INT,
    "crm_multifield": T.JSON,
    "string": T.TEXT,
    "crm_status": T.TEXT,
    "crm_currency": T.TEXT,
    "enumeration": T.TEXT,
    "url": T.TEXT,
    "money": T.TEXT,
    "address": T.TEXT,
    "file": T.JSON,
    "crm": T.JSON,
    "location": T.TEXT,
}
MONEY_FIELDS = frozenset({"OPPORTUNITY", "TAX_VALUE", "REVENUE"})

# Fields every legacy CRM record has, used when a portal's metadata misses them.
_LEGACY_COMMON: dict[str, T] = {
    "ID": T.INT, "ASSIGNED_BY_ID": T.INT, "CREATED_BY_ID": T.INT, "MODIFY_BY_ID": T.INT,
    "DATE_CREATE": T.DATETIME, "DATE_MODIFY": T.DATETIME, "OPENED": T.BOOL,
    "LAST_ACTIVITY_TIME": T.DATETIME, "LAST_ACTIVITY_BY": T.INT,
}
LEGACY_DEFAULTS: dict[str, dict[str, T]] = {
    "lead": {**_LEGACY_COMMON, "OPPORTUNITY": T.DECIMAL, "COMPANY_ID": T.INT, "CONTACT_ID": T.INT,
             "IS_RETURN_CUSTOMER": T.BOOL, "IS_MANUAL_OPPORTUNITY": T.BOOL, "HAS_PHONE": T.BOOL,
             "HAS_EMAIL": T.BOOL, "HAS_IMOL": T.BOOL, "DATE_CLOSED": T.DATETIME, "MOVED_TIME": T.DATETIME,
             "MOVED_BY_ID": T.INT, "BIRTHDATE": T.DATE, "PHONE": T.JSON, "EMAIL": T.JSON,
             "WEB": T.JSON, "IM": T.JSON},
    "deal": {**_LEGACY_COMMON, "OPPORTUNITY": T.DECIMAL, "TAX_VALUE": T.DECIMAL, "CATEGORY_ID": T.INT,
             "PROBABILITY": T.INT, "COMPANY_ID": T.INT, "CONTACT_ID": T.INT, "LEAD_ID": T.INT, "QUOTE_ID": T.INT,
             "IS_NEW": T.BOOL, "IS_RECURRING": T.BOOL, "IS_RETURN_CUSTOMER": T.BOOL,
             "IS_REPEATED_APPROACH": T.BOOL, "IS_MANUAL_OPPORTUNITY": T.BOOL, "CLOSED": T.BOOL,
             "BEGINDATE": T.DATE, "CLOSEDATE": T.DATE, "MOVED_TIME": T.DATETIME, "MOVED_BY_ID": T.INT},
    "contact": {**_LEGACY_COMMON, "COMPANY_ID": T.INT, "LEAD_ID": T.INT, "HAS_PHONE": T.BOOL,
                "HAS_EMAIL": T.BOOL, "HAS_IMOL": T.BOOL, "EXPORT": T.BOOL, "BIRTHDATE": T.DATE,
                "PHONE": T.JSON, "EMAIL": T.JSON, "WEB": T.JSON, "IM": T.JSON},
    "company": {**_LEGACY_COMMON, "REVENUE": T.DECIMAL, "LEAD_ID": T.INT, "IS_MY_COMPANY": T.BOOL,
                "HAS_PHONE": T.BOOL, "HAS_EMAIL": T.BOOL, "HAS_IMOL": T.BOOL,
                "PHONE": T.JSON, "EMAIL": T.JSON, "WEB": T.JSON, "IM": T.JSON},
}

# Methods without metadata: types from the reference.
STATIC_TYPES: dict[str, dict[str, T]] = {
    "activities": {
        "ID": T.INT, "OWNER_ID": T.INT, "OWNER_TYPE_ID": T.INT, "TYPE_ID": T.INT, "ASSOCIATED_ENTITY_ID": T.INT,
        "RESPONSIBLE_ID": T.INT, "AUTHOR_ID": T.INT, "EDITOR_ID": T.INT, "PRIORITY": T.INT, "STATUS": T.INT,
        "DIRECTION": T.INT, "DESCRIPTION_TYPE": T.INT, "NOTIFY_TYPE": T.INT, "NOTIFY_VALUE": T.INT,
        "COMPLETED": T.BOOL, "CREATED": T.DATETIME, "LAST_UPDATED": T.DATETIME, "START_TIME": T.DATETIME,
        "END_TIME": T.DATETIME, "DEADLINE": T.DATETIME, "RESULT_MARK": T.INT, "RESULT_STATUS": T.INT,
        "RESULT_STREAM": T.INT, "RESULT_SUM": T.DECIMAL, "AUTOCOMPLETE_RULE": T.INT,
        "SETTINGS": T.JSON, "PROVIDER_PARAMS": T.JSON, "PROVIDER_DATA": T.JSON, "COMMUNICATIONS": T.JSON,
        "FILES": T.JSON, "BINDINGS": T.JSON, "IS_INCOMING_CHANNEL": T.BOOL,
    },
    "calls": {
        "ID": T.INT, "PORTAL_USER_ID": T.INT, "CALL_DURATION": T.INT, "CALL_START_DATE": T.DATETIME,
        "CALL_TYPE": T.INT, "CRM_ENTITY_ID": T.INT, "CRM_ACTIVITY_ID": T.INT, "CALL_VOTE": T.INT,
        "COST": T.DECIMAL, "RECORD_DURATION": T.INT, "RECORD_FILE_ID": T.INT, "REDIAL_ATTEMPT": T.INT,
        "TRANSCRIPT_ID": T.INT, "TRANSCRIPT_PENDING": T.BOOL, "REST_APP_ID": T.INT, "SESSION_ID": T.TEXT,
        "CALL_FAILED_CODE": T.TEXT, "PHONE_NUMBER": T.TEXT, "PORTAL_NUMBER": T.TEXT,
    },
    "stage_history": {
        "ID": T.INT, "TYPE_ID": T.INT, "OWNER_ID": T.INT, "CREATED_TIME": T.DATETIME, "CATEGORY_ID": T.INT,
    },
    "invoices": {
        "id": T.INT, "categoryId": T.INT, "opportunity": T.DECIMAL, "taxValue": T.DECIMAL,
        "companyId": T.INT, "contactId": T.INT, "mycompanyId": T.INT, "assignedById": T.INT, "createdBy": T.INT,
        "updatedBy": T.INT, "movedBy": T.INT, "parentId2": T.INT, "parentId7": T.INT,
        "createdTime": T.DATETIME, "updatedTime": T.DATETIME, "movedTime": T.DATETIME,
        "begindate": T.DATE, "closedate": T.DATE, "isManualOpportunity": T.BOOL, "opened": T.BOOL,
        "entityTypeId": T.INT, "contactIds": T.JSON, "observers": T.JSON,
    },
    "product_rows": {
        "ID": T.INT, "OWNER_ID": T.INT, "PRODUCT_ID": T.INT, "PRICE": T.DECIMAL, "PRICE_EXCLUSIVE": T.DECIMAL,
        "PRICE_NETTO": T.DECIMAL, "PRICE_BRUTTO": T.DECIMAL, "PRICE_ACCOUNT": T.DECIMAL, "QUANTITY": T.DECIMAL,
        "DISCOUNT_TYPE_ID": T.INT, "DISCOUNT_RATE": T.DECIMAL, "DISCOUNT_SUM": T.DECIMAL, "TAX_RATE": T.DECIMAL,
        "TAX_INCLUDED": T.BOOL, "CUSTOMIZED": T.BOOL, "MEASURE_CODE": T.INT, "SORT": T.INT, "TYPE": T.INT,
        "STORE_ID": T.INT, "RESERVE_ID": T.INT, "RESERVE_QUANTITY": T.DECIMAL, "DATE_RESERVE_END": T.DATE,
    },
    "users": {
        "ID": T.INT, "ACTIVE": T.BOOL, "IS_ONLINE": T.BOOL, "DATE_REGISTER": T.DATETIME,
        "LAST_LOGIN": T.DATETIME, "PERSONAL_BIRTHDAY": T.DATE, "TIMESTAMP_X": T.TEXT, "UF_DEPARTMENT": T.JSON,
        "LAST_ACTIVITY_DATE": T.TEXT, "UF_EMPLOYMENT_DATE": T.DATE,
    },
    "departments": {"ID": T.INT, "SORT": T.INT, "PARENT": T.INT, "UF_HEAD": T.INT},
    "statuses": {"ID": T.INT, "SORT": T.INT, "SYSTEM": T.BOOL, "CATEGORY_ID": T.INT, "EXTRA": T.JSON},
    "categories": {"id": T.INT, "sort": T.INT, "entityTypeId": T.INT, "isDefault": T.BOOL},
    "currencies": {"AMOUNT_CNT": T.INT, "AMOUNT": T.DECIMAL, "SORT": T.INT, "BASE": T.BOOL,
                   "DECIMALS": T.INT, "DATE_UPDATE": T.DATETIME},
    "products": {"id": T.INT, "iblockId": T.INT, "active": T.BOOL, "purchasingPrice": T.DECIMAL,
                 "measure": T.INT, "quantity": T.DECIMAL, "dateCreate": T.DATETIME, "timestampX": T.DATETIME},
}


def types_from_metadata(entity: str, fields: dict[str, Any] | None) -> dict[str, T]:
    """The portal's own field types, with the reference's defaults under them."""
    types = dict(LEGACY_DEFAULTS.get(entity, {}))
    for name, meta in (fields or {}).items():
        kind = METADATA_TYPES.get(str(meta.get("type", "")).lower(), T.TEXT)
        if meta.get("isMultiple"):
            kind = T.JSON  # a list of values, kept whole
        if name in MONEY_FIELDS and kind is T.DOUBLE:
            kind = T.DECIMAL
        types[name] = kind
    return types
