"""`crm.<entity>.fields` maps: the metadata an extractor uses to type and label every column.

Each map covers every field the records of that entity carry (a test checks it), standard fields
with their API types (`crm_status` fields name their dictionary in `statusType`), custom fields
with `isDynamic`, labels and enumeration items.
"""

from __future__ import annotations

from .business import (COMPANY_CUSTOM_FIELDS, CONTACT_CUSTOM_FIELDS, DEAL_CUSTOM_FIELDS,
                       LEAD_CUSTOM_FIELDS, CustomField)

RO, REQ, IMM, MULTI = "ro", "req", "imm", "multi"

_UTM = [("UTM_SOURCE", "string", "UTM source"), ("UTM_MEDIUM", "string", "Medium"),
        ("UTM_CAMPAIGN", "string", "Ad campaign UTM"), ("UTM_CONTENT", "string",
                                                          "Campaign contents"),
        ("UTM_TERM", "string", "Campaign search term")]
_ADDRESS = [("ADDRESS", "string", "Address"), ("ADDRESS_2", "string", "Address (line 2)"),
            ("ADDRESS_CITY", "string", "City"), ("ADDRESS_POSTAL_CODE", "string", "Zip"),
            ("ADDRESS_REGION", "string", "Region"),
            ("ADDRESS_PROVINCE", "string", "State / Province"),
            ("ADDRESS_COUNTRY", "string", "Country"), ("ADDRESS_COUNTRY_CODE", "string",
                                                      "Country code"),
            ("ADDRESS_LOC_ADDR_ID", "integer", "Location address ID")]
_PEOPLE = [("ASSIGNED_BY_ID", "user", "Responsible person"),
           ("CREATED_BY_ID", "user", "Created by", RO), ("MODIFY_BY_ID", "user", "Modified by", RO),
           ("DATE_CREATE", "datetime", "Created on", RO),
           ("DATE_MODIFY", "datetime", "Modified on", RO)]
_MULTI = [("PHONE", "crm_multifield", "Phone", MULTI), ("EMAIL", "crm_multifield", "E-mail", MULTI),
          ("WEB", "crm_multifield", "Website", MULTI), ("IM", "crm_multifield", "Messenger", MULTI)]
_ACTIVITY = [("LAST_ACTIVITY_TIME", "datetime", "Last activity", RO),
             ("LAST_ACTIVITY_BY", "user", "Last activity by", RO)]

DEAL_FIELDS = [
    ("ID", "integer", "ID", RO), ("TITLE", "string", "Name"),
    ("TYPE_ID", "crm_status", "Type", "DEAL_TYPE"),
    ("CATEGORY_ID", "crm_category", "Pipeline", IMM),
    ("STAGE_ID", "crm_status", "Deal stage", "DEAL_STAGE"),
    ("STAGE_SEMANTIC_ID", "string", "Stage group", RO), ("IS_NEW", "char", "New deal", RO),
    ("IS_RECURRING", "char", "Recurring deal"),
    ("IS_RETURN_CUSTOMER", "char", "Repeat deal", RO),
    ("IS_REPEATED_APPROACH", "char", "Repeat inquiry", RO),
    ("PROBABILITY", "integer", "Probability"), ("CURRENCY_ID", "crm_currency", "Currency"),
    ("OPPORTUNITY", "double", "Amount"), ("IS_MANUAL_OPPORTUNITY", "char", "Manual amount"),
    ("TAX_VALUE", "double", "Tax rate"), ("COMPANY_ID", "crm_company", "Company"),
    ("CONTACT_ID", "crm_contact", "Contact"),
    ("CONTACT_IDS", "crm_contact", "Contacts", MULTI), ("QUOTE_ID", "crm_quote", "Quote", RO),
    ("BEGINDATE", "date", "Start date"), ("CLOSEDATE", "date", "End date"),
    ("OPENED", "char", "Available to everyone"), ("CLOSED", "char", "Closed"),
    ("COMMENTS", "string", "Comment"), *_PEOPLE,
    ("MOVED_BY_ID", "user", "Stage changed by", RO),
    ("MOVED_TIME", "datetime", "Stage changed on", RO),
    ("SOURCE_ID", "crm_status", "Source", "SOURCE"),
    ("SOURCE_DESCRIPTION", "string", "Source information"),
    ("LEAD_ID", "crm_lead", "Lead", RO), ("ADDITIONAL_INFO", "string", "Additional information"),
    ("LOCATION_ID", "location", "Location"), ("ORIGINATOR_ID", "string", "External source"),
    ("ORIGIN_ID", "string", "Item ID in data source"), *_UTM, *_ACTIVITY,
]
LEAD_FIELDS = [
    ("ID", "integer", "ID", RO), ("TITLE", "string", "Lead name"),
    ("HONORIFIC", "crm_status", "Salutation", "HONORIFIC"), ("NAME", "string", "First name"),
    ("SECOND_NAME", "string", "Second name"), ("LAST_NAME", "string", "Last name"),
    ("COMPANY_TITLE", "string", "Company name"), ("COMPANY_ID", "crm_company", "Company"),
    ("CONTACT_ID", "crm_contact", "Contact"), ("CONTACT_IDS", "crm_contact", "Contacts", MULTI),
    ("IS_RETURN_CUSTOMER", "char", "Repeat lead", RO), ("BIRTHDATE", "date", "Date of birth"),
    ("SOURCE_ID", "crm_status", "Source", "SOURCE"),
    ("SOURCE_DESCRIPTION", "string", "Source information"),
    ("STATUS_ID", "crm_status", "Stage", "STATUS"),
    ("STATUS_DESCRIPTION", "string", "Stage information"), ("POST", "string", "Position"),
    ("COMMENTS", "string", "Comment"), ("CURRENCY_ID", "crm_currency", "Currency"),
    ("OPPORTUNITY", "double", "Amount"), ("IS_MANUAL_OPPORTUNITY", "char", "Manual amount"),
    ("HAS_PHONE", "char", "Has phone", RO), ("HAS_EMAIL", "char", "Has e-mail", RO),
    ("HAS_IMOL", "char", "Has Open Channel", RO), *_PEOPLE,
    ("DATE_CLOSED", "datetime", "Closed on", RO),
    ("STATUS_SEMANTIC_ID", "string", "Status details", RO),
    ("OPENED", "char", "Available to everyone"), ("ORIGINATOR_ID", "string", "External source"),
    ("ORIGIN_ID", "string", "Item ID in data source"),
    ("MOVED_BY_ID", "user", "Stage changed by", RO),
    ("MOVED_TIME", "datetime", "Stage changed on", RO), *_ADDRESS, *_UTM, *_ACTIVITY, *_MULTI,
]
CONTACT_FIELDS = [
    ("ID", "integer", "ID", RO), ("HONORIFIC", "crm_status", "Salutation", "HONORIFIC"),
    ("NAME", "string", "First name"), ("SECOND_NAME", "string", "Second name"),
    ("LAST_NAME", "string", "Last name"), ("PHOTO", "file", "Photo"),
    ("BIRTHDATE", "date", "Date of birth"), ("TYPE_ID", "crm_status", "Contact type",
                                              "CONTACT_TYPE"),
    ("SOURCE_ID", "crm_status", "Source", "SOURCE"),
    ("SOURCE_DESCRIPTION", "string", "Source information"), ("POST", "string", "Position"),
    *_ADDRESS, ("COMMENTS", "string", "Comment"), ("OPENED", "char", "Available to everyone"),
    ("EXPORT", "char", "Included in export"), ("HAS_PHONE", "char", "Has phone", RO),
    ("HAS_EMAIL", "char", "Has e-mail", RO), ("HAS_IMOL", "char", "Has Open Channel", RO),
    *_PEOPLE, ("COMPANY_ID", "crm_company", "Company"),
    ("COMPANY_IDS", "crm_company", "Companies", MULTI), ("LEAD_ID", "crm_lead", "Lead", RO),
    ("ORIGINATOR_ID", "string", "External source"),
    ("ORIGIN_ID", "string", "Item ID in data source"),
    ("ORIGIN_VERSION", "string", "Original version"), ("FACE_ID", "integer", "Face ID"),
    *_UTM, *_ACTIVITY, *_MULTI,
]
COMPANY_FIELDS = [
    ("ID", "integer", "ID", RO), ("TITLE", "string", "Company name", REQ),
    ("COMPANY_TYPE", "crm_status", "Company type", "COMPANY_TYPE"), ("LOGO", "file", "Logo"),
    *_ADDRESS, ("ADDRESS_LEGAL", "string", "Legal address"),
    ("BANKING_DETAILS", "string", "Payment details"),
    ("INDUSTRY", "crm_status", "Industry", "INDUSTRY"),
    ("EMPLOYEES", "crm_status", "Employees", "EMPLOYEES"),
    ("CURRENCY_ID", "crm_currency", "Currency"), ("REVENUE", "double", "Annual revenue"),
    ("OPENED", "char", "Available to everyone"), ("COMMENTS", "string", "Comment"),
    ("HAS_PHONE", "char", "Has phone", RO), ("HAS_EMAIL", "char", "Has e-mail", RO),
    ("HAS_IMOL", "char", "Has Open Channel", RO), ("IS_MY_COMPANY", "char", "My company"),
    *_PEOPLE, ("CONTACT_ID", "crm_contact", "Contact", MULTI),
    ("LEAD_ID", "crm_lead", "Lead", RO), ("ORIGINATOR_ID", "string", "External source"),
    ("ORIGIN_ID", "string", "Item ID in data source"),
    ("ORIGIN_VERSION", "string", "Original version"), *_UTM, *_ACTIVITY, *_MULTI,
]


def _standard(spec: tuple) -> tuple[str, dict]:
    name, type_, title, *rest = spec
    meta = {"type": type_, "isRequired": REQ in rest, "isReadOnly": RO in rest,
            "isImmutable": IMM in rest, "isMultiple": MULTI in rest, "isDynamic": False,
            "title": title}
    for extra in rest:
        if extra not in (RO, REQ, IMM, MULTI):
            meta["statusType"] = extra
    if type_ == "crm_category":
        meta["isImmutable"] = True
    return name, meta


def _custom(field: CustomField) -> tuple[str, dict]:
    settings: dict
    if field.type == "enumeration":
        settings = {"DISPLAY": "LIST", "LIST_HEIGHT": 1, "CAPTION_NO_VALUE": "",
                    "SHOW_NO_VALUE": "Y"}
    elif field.type == "double":
        settings = {"PRECISION": 1, "SIZE": 20, "MIN_VALUE": 0, "MAX_VALUE": 0,
                    "DEFAULT_VALUE": None}
    elif field.type == "boolean":
        settings = {"DEFAULT_VALUE": 0, "DISPLAY": "CHECKBOX", "LABEL": ["", ""],
                    "LABEL_CHECKBOX": field.label}
    else:
        settings = {"SIZE": 20, "ROWS": 1, "REGEXP": "", "MIN_LENGTH": 0, "MAX_LENGTH": 0,
                    "DEFAULT_VALUE": ""}
    meta = {"type": field.type, "isRequired": False, "isReadOnly": False,
            "isImmutable": False, "isMultiple": False, "isDynamic": True, "title": field.name,
            "listLabel": field.label, "formLabel": field.label, "filterLabel": field.label,
            "settings": settings}
    if field.items:
        meta["items"] = [{"ID": item_id, "VALUE": value} for item_id, value in field.items]
    return field.name, meta


def fields_map(entity: str) -> dict[str, dict]:
    standard, custom = {
        "deal": (DEAL_FIELDS, DEAL_CUSTOM_FIELDS), "lead": (LEAD_FIELDS, LEAD_CUSTOM_FIELDS),
        "contact": (CONTACT_FIELDS, CONTACT_CUSTOM_FIELDS),
        "company": (COMPANY_FIELDS, COMPANY_CUSTOM_FIELDS),
    }[entity]
    out = dict(_standard(spec) for spec in standard)
    out.update(_custom(f) for f in custom)
    return out
