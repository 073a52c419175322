"""Leads: requests from calls, the website, forms and classifieds, with their status paths.

Leads the skeleton linked to a deal end CONVERTED exactly when that deal was created; the rest
are worked and either still open (mostly recent ones), junked, stopped, marked duplicate, or
converted into a contact only (no deal). A few leads have no status history at all (dirty).
"""

from __future__ import annotations

import math
from array import array

from . import activities as act
from .business import (LEAD_CONVERTED, LEAD_PROCESS, LEAD_STATUSES, SOURCES, UF_LEAD_CONSENT,
                       UF_LEAD_INTEREST, UF_LEAD_PRIORITY)
from .clock import DAY, work_time_after
from .history import LEAD_CATEGORY, LEAD_FINAL, history_types, pack
from .identity import multifields
from .paths import ScenarioPicker, build_path, open_last_move, path_times
from .skeleton import LEAD_REAL_ESTATE, LEAD_RETURN, LOST, NO_SOURCE, OPEN, WON
from .writer import PartSink

LEAD_FILE = "crm.lead.list.json"
NO_HISTORY = 0.003
OPEN_TARGET = (0.4, 0.7, 1.0)
LOST_TARGET = (0.35, 0.6, 1.0)
# non-converted closed leads: contact-only conversion, junk, stopped, duplicate
CLOSED_MIX = ((0.08, LEAD_CONVERTED), (0.58, 4), (0.88, 5), (1.0, 6))
_TOPICS = (("sofa", "kitchen", "wardrobe", "dining table", "bedroom set", "office furniture"),
           ("studio", "1-room apartment", "2-room apartment", "3-room apartment", "parking space",
            "apartment with mortgage"))
_TITLE_PREFIX = {"CALL": "Call", "EMAIL": "E-mail", "WEB": "Website request",
                 "ADVERTISING": "Advertising", "WEBFORM": "CRM form", "CALLBACK": "Callback",
                 "STORE": "Online store order", "UC_Z3K8QF": "Avito", "UC_7TN2WD": "CIAN"}


def _cum_pick(cdf: tuple[float, ...], x: float) -> int:
    for i, c in enumerate(cdf):
        if x < c:
            return i
    return len(cdf) - 1


def render_leads(world, chunk_index: int, sink: PartSink) -> dict:
    lo, hi = world.lead_chunks[chunk_index]
    sk = world.skeleton
    clock = world.clock
    iso = clock.iso
    now = clock.now
    r = world.rng("leads", chunk_index)
    rnd = r.random
    identity = world.identity
    blocks = world.blocks
    acts = act.ActivityRenderer(
        clock, sink,
        act.IdBlock(blocks.lead_acts[chunk_index],
                    blocks.lead_acts[chunk_index] + blocks.lead_act_size[chunk_index] - 1),
        act.IdBlock(blocks.lead_calls[chunk_index],
                    blocks.lead_calls[chunk_index] + blocks.lead_call_size[chunk_index] - 1),
        world.call_salt, r)
    first = chunk_index == 0
    picker = ScenarioPicker(r, force=first, pipelines=False)
    events = array("q")
    dirty: dict[str, list[int]] = {"lead_without_history": [], "lead_converted_without_deal": []}
    scenario_counts: dict[str, int] = {}
    lost_seen = [0, 0, 0]
    forced_nohist = 0
    forced_final = 0

    for ld in range(lo, hi + 1):
        t0 = sk.lead_t[ld]
        deal = sk.lead_deal[ld]
        flags = sk.lead_flags[ld]
        interest = 1 if flags & LEAD_REAL_ESTATE else 0
        if deal:
            outcome, final_code, t_end = WON, LEAD_CONVERTED, sk.deal_t[deal]
        else:
            age = now - t0
            if rnd() < (0.6 if age < 14 * DAY else 0.05):
                outcome, final_code, t_end = OPEN, -1, 0
            else:
                final_code = CLOSED_MIX[_cum_pick(tuple(c for c, _ in CLOSED_MIX), rnd())][1]
                outcome = WON if final_code == LEAD_CONVERTED else LOST
                t_end = work_time_after(
                    t0 + int(DAY * 2 * math.exp(1.0 * r.gauss(0.0, 1.0))) + 600, r)
                if t_end > now:
                    outcome, final_code, t_end = OPEN, -1, 0
        if outcome == WON and not deal:
            dirty["lead_converted_without_deal"].append(ld)
        created_final = outcome == LOST and (
            (final_code == 6 and rnd() < 0.3) or (first and forced_final < 2 and ld > 10))
        if created_final:
            forced_final += 1
            codes = [final_code]
            scenario = "created_final_stage"
            t_end = t0
        else:
            scenario = picker.pick(outcome)
            if outcome == LOST:
                if first and min(lost_seen) < 2:
                    target = lost_seen.index(min(lost_seen))
                else:
                    target = _cum_pick(LOST_TARGET, rnd())
                lost_seen[target] += 1
            elif outcome == OPEN:
                target = _cum_pick(OPEN_TARGET, rnd())
            else:
                target = 2
            lost = (final_code,) if outcome == LOST else (4,)
            codes = build_path(LEAD_PROCESS, LEAD_CONVERTED, lost, outcome, target, scenario, r)
        scenario_counts[scenario] = scenario_counts.get(scenario, 0) + 1
        m = len(codes)
        if outcome == OPEN:
            t_end = open_last_move(t0, now, r) if m > 1 else t0
        times = path_times(m, t0, t_end, r)
        if rnd() < NO_HISTORY or (first and forced_nohist < 2 and ld > 5):
            forced_nohist += 1
            dirty["lead_without_history"].append(ld)
        else:
            types = history_types(codes, LEAD_CATEGORY, LEAD_FINAL)
            for i in range(m):
                events.append(pack(times[i], ld, i, types[i], codes[i]))
        status = LEAD_STATUSES[codes[-1]]
        moved = times[-1]

        # ---- who
        contact = sk.lead_contact[ld]
        company = sk.lead_company[ld]
        if contact:
            gender, name, last, patronymic = identity.contact_person(contact)
            phone = identity.contact_phone(contact)
            email = identity.contact_email(contact)
        else:
            gender, name, last, patronymic = identity.person(0, ld)
            phone = identity.lead_phone(ld)
            email = identity.lead_email(ld, name, last)
        company_title = identity.company_title(company) if company else (
            None if rnd() < 0.95 else identity.company_title(1000 + ld))
        phones, emails = multifields(identity, 1, ld, phone, email, "MOBILE", "HOME")
        source_index = sk.lead_source[ld]
        source = None if source_index == NO_SOURCE else SOURCES[source_index][0]
        topic = _TOPICS[interest][int(rnd() * 6)]
        title = f"{_TITLE_PREFIX.get(source or '', 'Request')}: {topic}"
        x = rnd()
        if x < 0.4:
            opportunity = 0.0
        elif interest:
            opportunity = round(8_000_000 * math.exp(0.4 * r.gauss(0.0, 1.0)), -3)
        else:
            opportunity = round(50_000 * math.exp(0.7 * r.gauss(0.0, 1.0)), -2)
        assigned = sk.lead_assigned[ld]

        # ---- activities
        party = act.Party("LEAD", ld, phone, f"{name} {last}")
        act_end = moved if status.semantics != "P" else now
        last_act, last_by = acts.render(
            act.OWNER_LEAD, ld, t0, act_end, status.semantics == "P",
            act.activity_count(act.MEAN_PER_LEAD, r), act.LEAD_MIX, assigned, party, 2, None)

        modify = max(moved, last_act)
        if modify < now and rnd() < 0.25:
            modify = min(now, modify + int(rnd() * 3 * DAY))
        z = rnd()
        record = {
            "ID": str(ld), "TITLE": title, "HONORIFIC": None, "NAME": name,
            "SECOND_NAME": patronymic if rnd() < 0.3 else None, "LAST_NAME": last,
            "COMPANY_TITLE": company_title, "COMPANY_ID": str(company),
            "CONTACT_ID": str(contact) if contact else None,
            "IS_RETURN_CUSTOMER": "Y" if flags & LEAD_RETURN else "N",
            "BIRTHDATE": "", "SOURCE_ID": source, "SOURCE_DESCRIPTION": None,
            "STATUS_ID": status.status_id, "STATUS_DESCRIPTION": None, "POST": None,
            "COMMENTS": None, "CURRENCY_ID": "RUB", "OPPORTUNITY": f"{opportunity:.2f}",
            "IS_MANUAL_OPPORTUNITY": "Y" if opportunity else "N",
            "HAS_PHONE": "Y" if phone else "N", "HAS_EMAIL": "Y" if email else "N",
            "HAS_IMOL": "N", "ASSIGNED_BY_ID": str(assigned), "CREATED_BY_ID": str(assigned),
            "MODIFY_BY_ID": str(assigned), "DATE_CREATE": iso(t0), "DATE_MODIFY": iso(modify),
            "DATE_CLOSED": iso(moved) if status.semantics != "P" else None,
            "STATUS_SEMANTIC_ID": status.semantics, "OPENED": "Y", "ORIGINATOR_ID": None,
            "ORIGIN_ID": None, "MOVED_BY_ID": str(assigned), "MOVED_TIME": iso(moved),
            "ADDRESS": None, "ADDRESS_2": None, "ADDRESS_CITY": None,
            "ADDRESS_POSTAL_CODE": None, "ADDRESS_REGION": None, "ADDRESS_PROVINCE": None,
            "ADDRESS_COUNTRY": None, "ADDRESS_COUNTRY_CODE": None, "ADDRESS_LOC_ADDR_ID": None,
            "UTM_SOURCE": None, "UTM_MEDIUM": None, "UTM_CAMPAIGN": None, "UTM_CONTENT": None,
            "UTM_TERM": None, "LAST_ACTIVITY_BY": str(last_by if last_act else assigned),
            "LAST_ACTIVITY_TIME": iso(last_act if last_act else t0),
            UF_LEAD_PRIORITY.name: None if z < 0.15 else "71" if z < 0.35 else
            "72" if z < 0.8 else "73",
            UF_LEAD_INTEREST.name: "76" if interest else "75",
            UF_LEAD_CONSENT.name: rnd() < 0.62,
        }
        if phones:
            record["PHONE"] = phones
        if emails:
            record["EMAIL"] = emails
        sink.add(LEAD_FILE, record)

    return {
        "events": events.tobytes(),
        "dirty": dirty,
        "scenarios": scenario_counts,
        "overdue_activities": acts.overdue,
        "counts": {LEAD_FILE: hi - lo + 1, "crm.activity.list.json": acts.count,
                   "voximplant.statistic.get.json": acts.call_count},
    }
