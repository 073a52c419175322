"""The cross-record plan: who buys what when, which lead became which deal, who owns what.

Everything that links records of different files is decided here, sequentially and cheaply, in
creation order, so that rendering tasks can then run independently per chunk: creation times of
all primary records, lead -> deal conversions, the client (contact/company) of every deal and
lead, the owner, the final outcome and closing time of every deal, and the "repeat" flags that
depend on a client's earlier won deals.
"""

from __future__ import annotations

import math
import random
from array import array
from dataclasses import dataclass

from .business import FURNITURE, REAL_ESTATE, SOURCES
from .clock import DAY, Clock, creation_times, day_weights, ids_created_by, work_time_after
from .people import CALL_CENTER_LINE, FURNITURE_LINE, REAL_ESTATE_LINE, Staff
from .scales import Scale

OPEN, WON, LOST = 0, 1, 2
NO_SOURCE = 255

# deal_flags bits
RETURN_CUSTOMER, REPEATED_APPROACH, CREATED_FINAL = 1, 2, 4
# lead_flags bits
LEAD_RETURN, LEAD_REAL_ESTATE = 1, 2

LEAD_CONVERSION_RATE = 0.27  # share of leads that become deals
SHARE_REAL_ESTATE = 0.35
CLIENT_EXISTING = 0.27  # deal goes to a client who already had a deal
DEAL_WITHOUT_CLIENT = 0.015  # dirty: neither contact nor company
DEAL_COMPANY_ONLY = 0.02
REPEAT_LEAD = 0.12  # lead linked to an existing contact at creation
CREATED_IN_FINAL = 0.012
EVENTUALLY_CLOSED = 0.9
WIN_RATE = {FURNITURE: 0.5, REAL_ESTATE: 0.36}
# (median days, sigma) of the time from creation to closing
CYCLE = {(FURNITURE, WON): (14.0, 0.7), (FURNITURE, LOST): (9.0, 0.9),
         (REAL_ESTATE, WON): (50.0, 0.6), (REAL_ESTATE, LOST): (21.0, 0.9)}


def _cdf(weights: list[float]) -> list[float]:
    total, acc, out = float(sum(weights)), 0.0, []
    for w in weights:
        acc += w
        out.append(acc / total)
    out[-1] = 1.0
    return out


LEAD_SOURCE_CDF = _cdf([s[2] for s in SOURCES])
DEAL_SOURCE_CDF = _cdf([s[3] for s in SOURCES])


def pick_cdf(cdf: list[float], x: float) -> int:
    lo, hi = 0, len(cdf) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cdf[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


@dataclass
class Skeleton:
    """Column arrays indexed by record id (index 0 unused)."""

    lead_t: array
    deal_t: array
    contact_t: array
    company_t: array
    contact_company: array
    lead_deal: array
    lead_contact: array
    lead_company: array
    lead_assigned: array
    lead_source: bytearray
    lead_flags: bytearray
    deal_cat: bytearray
    deal_outcome: bytearray
    deal_close: array
    deal_contact: array
    deal_company: array
    deal_lead: array
    deal_assigned: array
    deal_source: bytearray
    deal_flags: bytearray


def build_skeleton(scale: Scale, clock: Clock, staff: Staff, r: random.Random) -> Skeleton:
    n_l, n_d, n_k, n_c = scale.leads, scale.deals, scale.contacts, scale.companies
    weights = day_weights(clock)
    lead_t = creation_times(n_l, weights, clock, r)
    deal_t = creation_times(n_d, weights, clock, r)
    contact_t = creation_times(n_k, day_weights(clock, trend=0.3), clock, r)
    company_t = creation_times(n_c, day_weights(clock, trend=0.2), clock, r)
    now = clock.now
    rnd = r.random

    # Contacts working for a company (B2B buyers); company 1 is our own legal entity.
    contact_company = array("l", [0]) * (n_k + 1)
    for k in range(1, n_k + 1):
        if n_c > 1 and rnd() < 0.15:
            hi = ids_created_by(company_t, contact_t[k])
            if hi >= 2:
                contact_company[k] = 2 + int(rnd() * (hi - 1))

    z = lambda: array("l", [0]) * (n_l + 1)  # noqa: E731
    lead_deal, lead_contact, lead_company, lead_assigned = z(), z(), z(), z()
    lead_source = bytearray(n_l + 1)
    lead_flags = bytearray(n_l + 1)
    zd = lambda: array("l", [0]) * (n_d + 1)  # noqa: E731
    deal_contact, deal_company, deal_lead, deal_assigned = zd(), zd(), zd(), zd()
    deal_close = array("q", [0]) * (n_d + 1)
    deal_cat = bytearray(n_d + 1)
    deal_outcome = bytearray(n_d + 1)
    deal_source = bytearray(n_d + 1)
    deal_flags = bytearray(n_d + 1)

    # "largest free lead id <= x" with path halving: each lead converts at most once.
    free = array("l", range(n_l + 1))

    def take_free(x: int) -> int:
        while free[x] != x:
            free[x] = free[free[x]]
            x = free[x]
        if x:
            free[x] = x - 1
        return x

    p_from_lead = min(0.9, LEAD_CONVERSION_RATE * n_l / max(1, n_d))
    clients: list[tuple[int, int]] = []  # (contact, company) of every earlier deal
    next_contact = 1
    next_company = 2
    won_contact = array("q", [1 << 62]) * (n_k + 1)
    won_company = array("q", [1 << 62]) * (n_c + 1)
    had_contact = bytearray(n_k + 1)
    had_company = bytearray(n_c + 1)
    forced_final = {WON: 0, LOST: 0}
    lines = (FURNITURE_LINE, REAL_ESTATE_LINE)
    for d in range(1, n_d + 1):
        t = deal_t[d]
        cat = REAL_ESTATE if rnd() < SHARE_REAL_ESTATE else FURNITURE
        deal_cat[d] = cat
        # outcome and closing time
        outcome, close = OPEN, 0
        if rnd() < EVENTUALLY_CLOSED:
            outcome = WON if rnd() < WIN_RATE[cat] else LOST
            median, sigma = CYCLE[(cat, outcome)]
            cycle = int(DAY * median * math.exp(sigma * r.gauss(0.0, 1.0)))
            close = work_time_after(t + max(600, cycle), r)
            final_now = rnd() < CREATED_IN_FINAL or (d > 20 and forced_final[outcome] < 2)
            if final_now:
                forced_final[outcome] += 1
                close = t
                deal_flags[d] |= CREATED_FINAL
            elif close > now:
                outcome, close = OPEN, 0
        deal_outcome[d] = outcome
        deal_close[d] = close
        # client
        contact = company = 0
        x = rnd()
        if x < DEAL_WITHOUT_CLIENT:
            pass
        elif x < DEAL_WITHOUT_CLIENT + CLIENT_EXISTING and clients:
            contact, company = clients[int(rnd() * len(clients))]
        elif x < DEAL_WITHOUT_CLIENT + CLIENT_EXISTING + DEAL_COMPANY_ONLY and n_c > 1:
            if next_company <= n_c and company_t[next_company] <= t:
                company = next_company
                next_company += 1
            else:
                hi = ids_created_by(company_t, t)
                company = 2 + int(rnd() * (hi - 1)) if hi >= 2 else 0
        else:
            if next_contact <= n_k and contact_t[next_contact] <= t:
                contact = next_contact
                next_contact += 1
            else:
                hi = ids_created_by(contact_t, t)
                contact = 1 + int(rnd() * hi) if hi else 0
            if contact:
                company = contact_company[contact]
        if contact or company:
            clients.append((contact, company))
        deal_contact[d] = contact
        deal_company[d] = company
        flags = deal_flags[d]
        if (contact and won_contact[contact] < t) or (company and won_company[company] < t):
            flags |= RETURN_CUSTOMER
        elif (contact and had_contact[contact]) or (company and had_company[company]):
            flags |= REPEATED_APPROACH
        deal_flags[d] = flags
        if contact:
            had_contact[contact] = 1
            if outcome == WON and close < won_contact[contact]:
                won_contact[contact] = close
        if company:
            had_company[company] = 1
            if outcome == WON and close < won_company[company]:
                won_company[company] = close
        month = clock.month_index(t // DAY)
        assigned = staff.pick(lines[cat], month, r)
        deal_assigned[d] = assigned
        # converted from a lead?
        source = pick_cdf(DEAL_SOURCE_CDF, rnd())
        if rnd() < p_from_lead and n_l:
            lag = int(DAY * 2.5 * math.exp(1.1 * r.gauss(0.0, 1.0))) + 900
            lead = take_free(ids_created_by(lead_t, t - lag))
            if lead:
                deal_lead[d] = lead
                lead_deal[lead] = d
                lead_contact[lead] = contact
                lead_company[lead] = company
                lead_assigned[lead] = assigned
                lf = LEAD_REAL_ESTATE if cat == REAL_ESTATE else 0
                if (contact and contact_t[contact] <= lead_t[lead]) or (
                        company and company_t[company] <= lead_t[lead]):
                    lf |= LEAD_RETURN
                lead_flags[lead] = lf
                source = pick_cdf(LEAD_SOURCE_CDF, rnd())
                lead_source[lead] = source
        if rnd() < (0.04 if deal_lead[d] else 0.06):
            source = NO_SOURCE
        deal_source[d] = source

    for ld in range(1, n_l + 1):
        if lead_deal[ld]:
            continue
        t = lead_t[ld]
        lf = LEAD_REAL_ESTATE if rnd() < 0.4 else 0
        if rnd() < REPEAT_LEAD:
            hi = ids_created_by(contact_t, t)
            if hi:
                contact = 1 + int(rnd() * hi)
                lead_contact[ld] = contact
                lead_company[ld] = contact_company[contact]
                lf |= LEAD_RETURN
        lead_flags[ld] = lf
        month = clock.month_index(t // DAY)
        line = CALL_CENTER_LINE if rnd() < 0.3 else lines[1 if lf & LEAD_REAL_ESTATE else 0]
        lead_assigned[ld] = staff.pick(line, month, r)
        lead_source[ld] = NO_SOURCE if rnd() < 0.04 else pick_cdf(LEAD_SOURCE_CDF, rnd())

    return Skeleton(lead_t, deal_t, contact_t, company_t, contact_company, lead_deal,
                    lead_contact, lead_company, lead_assigned, lead_source, lead_flags, deal_cat,
                    deal_outcome, deal_close, deal_contact, deal_company, deal_lead,
                    deal_assigned, deal_source, deal_flags)
