"""Static fixture files: `crm.status.list`, pipelines, currencies, users and departments."""

from __future__ import annotations

import random

from .business import (CATEGORY_NAMES, COMPANY_TYPES, CONTACT_TYPES, CURRENCIES, DEAL_STAGES,
                       DEAL_TYPES, INDUSTRIES, INVOICE_CATEGORY_ID, INVOICE_STAGES,
                       LEAD_STATUSES, SOURCES)
from .clock import DAY, Clock
from .people import Staff

EMPLOYEES = [("EMPLOYEES_1", "fewer than 50"), ("EMPLOYEES_2", "50-250"),
             ("EMPLOYEES_3", "250-500"), ("EMPLOYEES_4", "over 500")]
SYSTEM_STATUS_IDS = {"NEW", "CONVERTED", "JUNK", "WON", "LOSE", "C1:NEW", "C1:WON", "C1:LOSE"}


def status_records() -> list[dict]:
    """Every dictionary the records reference, as `crm.status.list` returns them."""
    out: list[dict] = []

    def add(entity: str, status_id: str, name: str, sort: int, category: str | None = None,
            semantics: str | None = None, color: str | None = None,
            extra: str | None = None) -> None:
        record = {
            "ID": str(len(out) + 1), "ENTITY_ID": entity, "STATUS_ID": status_id,
            "NAME": name, "NAME_INIT": name if status_id in SYSTEM_STATUS_IDS else "",
            "SORT": str(sort), "SYSTEM": "Y" if status_id in SYSTEM_STATUS_IDS else "N",
            "CATEGORY_ID": category, "COLOR": color, "SEMANTICS": semantics,
        }
        if extra is not None:
            record["EXTRA"] = {"SEMANTICS": extra, "COLOR": color}
        out.append(record)

    for s in LEAD_STATUSES:
        add("STATUS", s.status_id, s.name, s.sort, None,
            None if s.semantics == "P" else s.semantics, s.color, s.extra)
    for i, (sid, name, _, _) in enumerate(SOURCES):
        add("SOURCE", sid, name, (i + 1) * 10)
    for s in DEAL_STAGES:
        entity = "DEAL_STAGE" if s.category == 0 else f"DEAL_STAGE_{s.category}"
        add(entity, s.status_id, s.name, s.sort, None if s.category == 0 else str(s.category),
            None if s.semantics == "P" else s.semantics, s.color, s.extra)
    for entity, items in (("DEAL_TYPE", DEAL_TYPES), ("CONTACT_TYPE", CONTACT_TYPES),
                          ("COMPANY_TYPE", COMPANY_TYPES), ("INDUSTRY", INDUSTRIES),
                          ("EMPLOYEES", EMPLOYEES)):
        for i, (sid, name) in enumerate(items):
            add(entity, sid, name, (i + 1) * 10)
    for sid, name, sem, sort, color, _ in INVOICE_STAGES:
        add(f"SMART_INVOICE_STAGE_{INVOICE_CATEGORY_ID}", sid, name, sort,
            str(INVOICE_CATEGORY_ID), sem, color)
    return out


def deal_category_records() -> list[dict]:
    return [{"id": cid, "name": name, "sort": 100 * (cid + 1), "entityTypeId": 2,
             "isDefault": "Y" if cid == 0 else "N", "originId": "", "originatorId": ""}
            for cid, name in CATEGORY_NAMES.items()]


def invoice_category_records() -> list[dict]:
    return [{"id": INVOICE_CATEGORY_ID, "name": "Invoices", "sort": 500, "entityTypeId": 31,
             "isDefault": "Y", "originId": "", "originatorId": ""}]


def currency_records(clock: Clock) -> list[dict]:
    updated = clock.iso(clock.now - 6 * 3600)
    return [{"CURRENCY": code, "AMOUNT_CNT": str(cnt), "AMOUNT": amount, "SORT": str(sort),
             "BASE": "Y" if code == "RUB" else "N", "FULL_NAME": name, "LID": "en",
             "FORMAT_STRING": fmt, "DEC_POINT": ".", "THOUSANDS_SEP": " ", "DECIMALS": "2",
             "DATE_UPDATE": updated}
            for code, name, cnt, amount, sort, fmt in CURRENCIES]


def department_records(staff: Staff) -> list[dict]:
    out = []
    for dep in staff.departments:
        record: dict = {"ID": str(dep.id), "NAME": dep.name, "SORT": dep.sort}
        if dep.parent is not None:
            record["PARENT"] = str(dep.parent)
        if dep.head is not None:
            record["UF_HEAD"] = str(dep.head)
        out.append(record)
    return out


def user_records(staff: Staff, clock: Clock, r: random.Random) -> list[dict]:
    out = []
    now = clock.now
    for u in staff.users:
        registered = u.start_day * DAY + 9 * 3600
        if u.end_day is not None:
            last_login = u.end_day * DAY + 17 * 3600
        else:
            last_login = now - int(r.random() * 3 * DAY)
        digits = f"{9_160_000_000 + u.id * 7_919_113 % 90_000_000:010d}"
        out.append({
            "ID": str(u.id), "ACTIVE": u.active, "NAME": u.name, "LAST_NAME": u.last_name,
            "SECOND_NAME": "", "EMAIL": f"{u.name[0].lower()}.{u.last_name.lower()}@uyut.example",
            "LAST_LOGIN": clock.iso(last_login), "DATE_REGISTER": clock.iso_date(registered),
            "TIME_ZONE": "", "IS_ONLINE": "Y" if u.active and r.random() < 0.3 else "N",
            "TIMESTAMP_X": {}, "LAST_ACTIVITY_DATE": {}, "PERSONAL_GENDER": u.gender,
            "PERSONAL_WWW": "", "PERSONAL_BIRTHDAY": "", "PERSONAL_MOBILE": "+7" + digits,
            "PERSONAL_CITY": "Moscow", "WORK_PHONE": f"+7495777{5500 + u.id:04d}",
            "WORK_POSITION": u.position, "UF_EMPLOYMENT_DATE": clock.iso_date(registered),
            "UF_DEPARTMENT": [u.department], "UF_PHONE_INNER": str(100 + u.id),
            "USER_TYPE": "employee",
        })
    return out
