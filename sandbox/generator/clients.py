"""Contacts and companies: the clients deals and leads point at.

Identity (names, phones, e-mails, duplicates) comes from identity.py so other tasks can quote it;
this module adds the record fields and the dirty share of missing sources. Company 1 is the
portal's own legal entity (IS_MY_COMPANY "Y"), the `mycompanyId` of every invoice.
"""

from __future__ import annotations

from .business import COMPANY_TYPES, INDUSTRIES, SOURCES, UF_COMPANY_INN, UF_CONTACT_CARD
from .clock import DAY
from .identity import multifields
from .names import CITIES, POSITIONS, STREETS
from .people import FURNITURE_LINE, REAL_ESTATE_LINE
from .skeleton import DEAL_SOURCE_CDF, pick_cdf
from .writer import PartSink

CONTACT_FILE = "crm.contact.list.json"
COMPANY_FILE = "crm.company.list.json"
NO_SOURCE = 0.05


def render_contacts(world, chunk_index: int, sink: PartSink) -> dict:
    lo, hi = world.contact_chunks[chunk_index]
    sk = world.skeleton
    clock = world.clock
    iso = clock.iso
    now = clock.now
    identity = world.identity
    staff = world.staff
    r = world.rng("contacts", chunk_index)
    rnd = r.random
    stats = {"contacts_without_phone": 0, "contacts_without_email": 0,
             "contacts_duplicate_phone": 0, "contacts_duplicate_email": 0}
    for k in range(lo, hi + 1):
        t = sk.contact_t[k]
        gender, name, last, patronymic = identity.contact_person(k)
        phone = identity.contact_phone(k)
        email = identity.contact_email(k)
        phones, emails = multifields(identity, 3, k, phone, email, "MOBILE", "HOME")
        stats["contacts_without_phone"] += phone is None
        stats["contacts_without_email"] += email is None
        dup_kind = identity.duplicate_of(k)[1]
        if (dup_kind == 1 and phone) or (dup_kind == 2 and email):
            stats["contacts_duplicate_phone" if dup_kind == 1 else "contacts_duplicate_email"] += 1
        month = clock.month_index(t // DAY)
        assigned = staff.pick(REAL_ESTATE_LINE if rnd() < 0.35 else FURNITURE_LINE, month, r)
        modify = min(now, t + int(rnd() * 120 * DAY)) if rnd() < 0.4 else t
        company = sk.contact_company[k]
        x = rnd()
        birth = ""
        if x < 0.2:
            birth = clock.iso_date(t - int(DAY * 365.25 * (22 + rnd() * 45)))
        y = rnd()
        type_id = "CLIENT" if y < 0.92 else "PARTNER" if y < 0.95 else "SUPPLIER" if y < 0.97 \
            else "OTHER"
        source = None if rnd() < NO_SOURCE else SOURCES[pick_cdf(DEAL_SOURCE_CDF, rnd())][0]
        record = {
            "ID": str(k), "HONORIFIC": None, "NAME": name,
            "SECOND_NAME": patronymic if rnd() < 0.4 else None, "LAST_NAME": last,
            "PHOTO": None, "BIRTHDATE": birth, "TYPE_ID": type_id, "SOURCE_ID": source,
            "SOURCE_DESCRIPTION": None,
            "POST": POSITIONS[int(rnd() * len(POSITIONS))] if company else None,
            "ADDRESS": None, "ADDRESS_2": None, "ADDRESS_CITY": None,
            "ADDRESS_POSTAL_CODE": None, "ADDRESS_REGION": None, "ADDRESS_PROVINCE": None,
            "ADDRESS_COUNTRY": None, "ADDRESS_COUNTRY_CODE": None, "ADDRESS_LOC_ADDR_ID": None,
            "COMMENTS": None, "OPENED": "Y", "EXPORT": "Y",
            "HAS_PHONE": "Y" if phone else "N", "HAS_EMAIL": "Y" if email else "N",
            "HAS_IMOL": "N", "ASSIGNED_BY_ID": str(assigned), "CREATED_BY_ID": str(assigned),
            "MODIFY_BY_ID": str(assigned), "DATE_CREATE": iso(t), "DATE_MODIFY": iso(modify),
            "COMPANY_ID": str(company) if company else None, "LEAD_ID": None,
            "ORIGINATOR_ID": None, "ORIGIN_ID": None, "ORIGIN_VERSION": None, "FACE_ID": None,
            "UTM_SOURCE": None, "UTM_MEDIUM": None, "UTM_CAMPAIGN": None, "UTM_CONTENT": None,
            "UTM_TERM": None, "LAST_ACTIVITY_TIME": iso(t), "LAST_ACTIVITY_BY": str(assigned),
            UF_CONTACT_CARD.name: f"77{k * 7919 % 10_000_000:08d}" if rnd() < 0.3 else None,
        }
        if phones:
            record["PHONE"] = phones
        if emails:
            record["EMAIL"] = emails
        sink.add(CONTACT_FILE, record)
    return {"counts": {CONTACT_FILE: hi - lo + 1}, "stats": stats}


def render_companies(world, chunk_index: int, sink: PartSink) -> dict:
    lo, hi = world.company_chunks[chunk_index]
    sk = world.skeleton
    clock = world.clock
    iso = clock.iso
    now = clock.now
    identity = world.identity
    staff = world.staff
    r = world.rng("companies", chunk_index)
    rnd = r.random
    for c in range(lo, hi + 1):
        t = sk.company_t[c]
        mine = c == 1
        phone = identity.company_phone(c)
        email = identity.company_email(c)
        phones, emails = multifields(identity, 4, c, phone, email, "WORK", "WORK")
        month = clock.month_index(t // DAY)
        assigned = 1 if mine else staff.pick(
            REAL_ESTATE_LINE if rnd() < 0.3 else FURNITURE_LINE, month, r)
        modify = min(now, t + int(rnd() * 200 * DAY)) if rnd() < 0.4 else t
        y = rnd()
        company_type = "CUSTOMER" if y < 0.85 else COMPANY_TYPES[1 + int(rnd() * 4)][0]
        industry = INDUSTRIES[int(rnd() * len(INDUSTRIES))][0]
        source = None if rnd() < NO_SOURCE else SOURCES[pick_cdf(DEAL_SOURCE_CDF, rnd())][0]
        city = CITIES[int(rnd() * len(CITIES))]
        address = f"{STREETS[int(rnd() * len(STREETS))]}, {1 + int(rnd() * 120)}"
        record = {
            "ID": str(c), "TITLE": identity.company_title(c),
            "COMPANY_TYPE": "OTHER" if mine else company_type, "LOGO": None,
            "ADDRESS": address, "ADDRESS_2": None, "ADDRESS_CITY": city,
            "ADDRESS_POSTAL_CODE": f"1{int(rnd() * 50000):05d}", "ADDRESS_REGION": None,
            "ADDRESS_PROVINCE": "Moscow Oblast" if city != "Moscow" else "Moscow",
            "ADDRESS_COUNTRY": "Russia", "ADDRESS_COUNTRY_CODE": "RU",
            "ADDRESS_LOC_ADDR_ID": None, "ADDRESS_LEGAL": address, "BANKING_DETAILS": None,
            "INDUSTRY": "MANUFACTURING" if mine else industry,
            "EMPLOYEES": f"EMPLOYEES_{1 + int(rnd() * 4)}",
            "CURRENCY_ID": "RUB", "REVENUE": f"{round(rnd() * 5e7, -3):.2f}", "OPENED": "Y",
            "COMMENTS": None, "HAS_PHONE": "Y" if phone else "N",
            "HAS_EMAIL": "Y" if email else "N", "HAS_IMOL": "N",
            "IS_MY_COMPANY": "Y" if mine else "N", "ASSIGNED_BY_ID": str(assigned),
            "CREATED_BY_ID": str(assigned), "MODIFY_BY_ID": str(assigned),
            "DATE_CREATE": iso(t), "DATE_MODIFY": iso(modify), "LEAD_ID": None,
            "ORIGINATOR_ID": None, "ORIGIN_ID": None, "ORIGIN_VERSION": None,
            "UTM_SOURCE": None, "UTM_MEDIUM": None, "UTM_CAMPAIGN": None, "UTM_CONTENT": None,
            "UTM_TERM": None, "LAST_ACTIVITY_TIME": iso(t), "LAST_ACTIVITY_BY": str(assigned),
            UF_COMPANY_INN.name: f"77{(c * 104729) % 100_000_000:08d}",
        }
        if phones:
            record["PHONE"] = phones
        if emails:
            record["EMAIL"] = emails
        sink.add(COMPANY_FILE, record)
    return {"counts": {COMPANY_FILE: hi - lo + 1}}
