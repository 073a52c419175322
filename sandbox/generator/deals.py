"""Deals with everything hanging off them: stage path, product rows, invoices, activities.

One rendering task takes a contiguous range of deal ids and writes the deals, their product
rows, smart invoices, activities and call statistics, and hands back the packed stage-history
rows and the deliberately dirty records it produced. The stage path decides the current stage,
MOVED_TIME and closing; amounts come from the product rows, so OPPORTUNITY always equals the sum
of the rows unless the amount is manual.
"""

from __future__ import annotations

import math
from array import array

from . import activities as act
from .business import (DEAL_STAGES, DEAL_TYPES, FURNITURE, LOST_REASON_WEIGHTS, PIPELINES,
                       REAL_ESTATE, SOURCES, UF_DEAL_AREA, UF_DEAL_ASSEMBLY,
                       UF_DEAL_LOST_REASON, UF_DEAL_OBJECT, UF_DEAL_PAYMENT_FORM,
                       UF_DEAL_PRIORITY, UF_DEAL_SALES_CHANNEL)
from .clock import DAY, work_time_after
from .history import DEAL_CATEGORY, DEAL_FINAL, history_types, pack
from .invoices import invoice_record, plan_furniture, plan_real_estate
from .paths import ScenarioPicker, build_path, open_last_move, path_times
from .products import furniture_basket, real_estate_basket, row_record
from .skeleton import (CREATED_FINAL, LOST, NO_SOURCE, OPEN, REPEATED_APPROACH, RETURN_CUSTOMER,
                       WON)
from .writer import PartSink

DEAL_FILE = "crm.deal.list.json"
ROWS_FILE = "crm.deal.productrows.get.json"
INVOICE_FILE = "crm.item.list.smart_invoice.json"

OPEN_TARGET = {FURNITURE: (0.25, 0.5, 0.75, 1.0), REAL_ESTATE: (0.2, 0.45, 0.65, 0.82, 1.0)}
LOST_TARGET = {FURNITURE: (0.2, 0.5, 0.8, 1.0), REAL_ESTATE: (0.15, 0.4, 0.65, 0.85, 1.0)}
MANUAL_AMOUNT = 0.12
NO_CURRENCY = 0.002
HISTORY_MISMATCH = 0.001
RECURRING = 0.0005
UTM = {"WEB": ("google", "organic", None), "ADVERTISING": ("yandex", "cpc", "autumn_sale"),
       "WEBFORM": ("vk", "social", "lead_form"), "UC_Z3K8QF": ("avito", "classified", None),
       "UC_7TN2WD": ("cian", "classified", "new_build")}
PAYMENT_IDS = {name: item for item, name in UF_DEAL_PAYMENT_FORM.items}
_LOST_CDF = []
_acc = 0.0
for _w in LOST_REASON_WEIGHTS:
    _acc += _w / sum(LOST_REASON_WEIGHTS)
    _LOST_CDF.append(_acc)
_LOST_CDF[-1] = 1.0


def _cum_pick(cdf: tuple[float, ...], x: float) -> int:
    for i, c in enumerate(cdf):
        if x < c:
            return i
    return len(cdf) - 1


def render_deals(world, chunk_index: int, sink: PartSink) -> dict:
    lo, hi = world.deal_chunks[chunk_index]
    sk = world.skeleton
    clock = world.clock
    iso, iso_date = clock.iso, clock.iso_date
    now = clock.now
    r = world.rng("deals", chunk_index)
    rnd = r.random
    identity = world.identity
    catalog = world.catalog
    blocks = world.blocks
    rows_ids = act.IdBlock(blocks.rows[chunk_index],
                           blocks.rows[chunk_index] + blocks.row_size[chunk_index] - 1)
    inv_ids = act.IdBlock(blocks.invoices[chunk_index],
                          blocks.invoices[chunk_index] + blocks.invoice_size[chunk_index] - 1)
    acts = act.ActivityRenderer(
        clock, sink,
        act.IdBlock(blocks.deal_acts[chunk_index],
                    blocks.deal_acts[chunk_index] + blocks.deal_act_size[chunk_index] - 1),
        act.IdBlock(blocks.deal_calls[chunk_index],
                    blocks.deal_calls[chunk_index] + blocks.deal_call_size[chunk_index] - 1),
        world.call_salt, r)
    first = chunk_index == 0
    picker = ScenarioPicker(r, force=first, pipelines=True)
    lost_seen = {FURNITURE: [0] * 4, REAL_ESTATE: [0] * 5}
    events = array("q")
    dirty: dict[str, list[int]] = {"deal_history_mismatch": [], "deal_amount_without_currency": [],
                                   "recurring_templates": []}
    scenario_counts: dict[str, int] = {}
    n_rows = n_invoices = 0
    forced_recurring = forced_mismatch = forced_nocur = 0

    for d in range(lo, hi + 1):
        cat = sk.deal_cat[d]
        outcome = sk.deal_outcome[d]
        t0 = sk.deal_t[d]
        close = sk.deal_close[d]
        flags = sk.deal_flags[d]
        pipe = PIPELINES[cat]
        process = pipe.process
        recurring = outcome == OPEN and (rnd() < RECURRING or (first and d > 10
                                                               and forced_recurring < 2))
        if recurring:
            forced_recurring += 1
            codes = [process[0]]
            scenario = "recurring_template"
        elif flags & CREATED_FINAL:
            codes = [pipe.won if outcome == WON else pipe.lost[0]]
            scenario = "created_final_stage"
        else:
            scenario = picker.pick(outcome)
            if outcome == LOST:
                seen = lost_seen[cat]
                if first and min(seen) < 2:
                    target = seen.index(min(seen))
                else:
                    target = _cum_pick(LOST_TARGET[cat], rnd())
                seen[target] += 1
            elif outcome == OPEN:
                target = _cum_pick(OPEN_TARGET[cat], rnd())
            else:
                target = len(process) - 1
            codes = build_path(process, pipe.won, pipe.lost, outcome, target, scenario, r,
                               PIPELINES[1 - cat].process)
        scenario_counts[scenario] = scenario_counts.get(scenario, 0) + 1
        m = len(codes)
        if outcome != OPEN:
            t_end = close
        else:
            t_end = open_last_move(t0, now, r) if m > 1 else t0
        times = path_times(m, t0, t_end, r)
        types = history_types(codes, DEAL_CATEGORY, DEAL_FINAL)
        for i in range(m):
            events.append(pack(times[i], d, i, types[i], codes[i]))
        current, moved = codes[-1], times[-1]
        if (outcome == OPEN and not recurring and current in process[:-1]
                and (rnd() < HISTORY_MISMATCH or (first and forced_mismatch < 2 and d > 30))):
            # dirty: the stage changed without a history row (e.g. a direct import/update)
            forced_mismatch += 1
            current = process[process.index(current) + 1]
            moved = min(now, work_time_after(moved + int(DAY * (1 + rnd() * 5)), r))
            dirty["deal_history_mismatch"].append(d)
        if recurring:
            dirty["recurring_templates"].append(d)
        stage = DEAL_STAGES[current]
        entries: dict[int, int] = {}
        for code, t in zip(codes, times):
            if code not in entries:
                entries[code] = t

        # ---- amount, currency, product rows
        x = rnd()
        currency: str | None = "USD" if x < 0.035 else "EUR" if x < 0.05 else "RUB"
        manual = recurring or rnd() < MANUAL_AMOUNT
        opportunity = 0.0
        tax = 0.0
        area = None
        first_name = None
        assembly = False
        if not manual:
            basket = (furniture_basket if cat == FURNITURE else real_estate_basket)(catalog, r)
            ids = [rows_ids.take() for _ in basket]
            if ids and ids[-1] is not None:
                sort = 10
                for (product, qty, disc), row_id in zip(basket, ids):
                    rec, total = row_record(row_id, d, product, product.price, qty, disc,
                                            currency, sort, cat == FURNITURE)
                    sink.add(ROWS_FILE, rec)
                    n_rows += 1
                    opportunity += total
                    sort += 10
                    if first_name is None:
                        first_name = product.name
                    if product.area is not None and area is None:
                        area = qty
                    if product.group == "assembly":
                        assembly = True
                opportunity = round(opportunity, 2)
                if cat == FURNITURE:
                    tax = round(opportunity * 20 / 120, 2)
            else:
                manual = True
        if manual and not recurring:
            if cat == FURNITURE:
                opportunity = round(65_000 * math.exp(0.8 * r.gauss(0.0, 1.0)), -2)
            else:
                opportunity = round(9_000_000 * math.exp(0.45 * r.gauss(0.0, 1.0)), -3)
                area = round(30 + rnd() * 70, 1)
            if currency != "RUB":
                opportunity = round(opportunity / (92.45 if currency == "USD" else 100.18), 2)
            if stage.code == process[0] and rnd() < 0.3:
                opportunity = 0.0  # new deals are often created without an amount
        if opportunity > 0 and (rnd() < NO_CURRENCY or (first and forced_nocur < 2
                                                        and d > 40)):
            forced_nocur += 1
            currency = None
            dirty["deal_amount_without_currency"].append(d)

        # ---- custom fields
        if cat == REAL_ESTATE:
            y = rnd()
            pay_form = "Mortgage" if y < 0.55 else "Instalment" if y < 0.8 else "Cash"
            channel = "50" if rnd() < 0.3 else "49"
        else:
            pay_form = "Instalment" if rnd() < 0.2 else "Cash"
            channel = "50" if rnd() < 0.05 else "49"
        pay_value = PAYMENT_IDS[pay_form] if not (stage.semantics == "P" and rnd() < 0.15) else None
        lost_reason = None
        if stage.semantics == "F" and rnd() < 0.85:
            lost_reason = UF_DEAL_LOST_REASON.items[_cum_pick(tuple(_LOST_CDF), rnd())][0]
        z = rnd()
        priority = None if z < 0.1 else "61" if z < 0.3 else "62" if z < 0.75 else "63"

        # ---- invoices
        assigned = sk.deal_assigned[d]
        contact = sk.deal_contact[d]
        company = sk.deal_company[d]
        source_index = sk.deal_source[d]
        source = None if source_index == NO_SOURCE else SOURCES[source_index][0]
        if opportunity > 0 and not recurring:
            final_close = moved if stage.semantics != "P" else 0
            if cat == FURNITURE:
                plan = plan_furniture(opportunity, outcome, entries, final_close, 2, 3,
                                      pipe.won, now, r)
            else:
                plan = plan_real_estate(opportunity, currency or "RUB", outcome, entries,
                                        final_close, 9, 10, 11, pipe.won, pay_form, now, r)
            for amount, created, due, state, paid_at in plan.items:
                inv_id = inv_ids.take()
                if inv_id is None:
                    break
                sink.add(INVOICE_FILE, invoice_record(
                    inv_id, d, amount, currency, created, due, state, paid_at, company,
                    contact, assigned, source, cat == FURNITURE, clock))
                n_invoices += 1

        # ---- activities
        if contact:
            party = act.Party("CONTACT", contact, identity.contact_phone(contact),
                              " ".join(identity.contact_person(contact)[1:3]))
        elif company:
            party = act.Party("COMPANY", company, identity.company_phone(company),
                              identity.company_title(company))
        else:
            party = act.Party(None, None, None, "client")
        act_end = moved if stage.semantics != "P" else now
        n_act = 0 if recurring else act.activity_count(act.MEAN_PER_DEAL[cat], r)
        showing = first_name if cat == REAL_ESTATE else None
        if cat == REAL_ESTATE and showing is None:
            showing = "apartment, RC Severny Park"
        last_act, last_by = acts.render(
            act.OWNER_DEAL, d, t0, act_end, stage.semantics == "P", n_act,
            act.FURNITURE_MIX if cat == FURNITURE else act.REAL_ESTATE_MIX, assigned, party,
            cat, showing)
        if contact and rnd() < 0.04:
            acts.render(act.OWNER_CONTACT, contact, t0, act_end, False, 1, act.FURNITURE_MIX,
                        assigned, party, cat, None)

        # ---- the deal record
        modify = max(moved, last_act)
        if modify < now and rnd() < 0.3:
            modify = min(now, modify + int(rnd() * 5 * DAY))
        if stage.semantics == "P":
            planned = t0 + int(DAY * (10 if cat == FURNITURE else 45) * (0.5 + rnd()))
            closedate = iso_date(planned)
        else:
            closedate = iso_date(moved)
        if first_name:
            title = first_name if cat == REAL_ESTATE else first_name.split(",")[0]
        else:
            title = f"{'Furniture order' if cat == FURNITURE else 'Property purchase'} #{d}"
        y = rnd()
        if cat == FURNITURE:
            type_id = DEAL_TYPES[0 if y < 0.7 else 2 if y < 0.95 else 4][0]
        else:
            type_id = DEAL_TYPES[1 if y < 0.7 else 0][0]
        utm = UTM.get(source or "")
        lead = sk.deal_lead[d]
        record = {
            "ID": str(d), "TITLE": title, "TYPE_ID": type_id, "CATEGORY_ID": str(cat),
            "STAGE_ID": stage.status_id, "STAGE_SEMANTIC_ID": stage.semantics,
            "IS_NEW": "Y" if current == process[0] else "N",
            "IS_RECURRING": "Y" if recurring else "N",
            "IS_RETURN_CUSTOMER": "Y" if flags & RETURN_CUSTOMER else "N",
            "IS_REPEATED_APPROACH": "Y" if flags & REPEATED_APPROACH else "N",
            "PROBABILITY": str(stage.probability), "CURRENCY_ID": currency,
            "OPPORTUNITY": f"{opportunity:.2f}",
            "IS_MANUAL_OPPORTUNITY": "Y" if manual else "N", "TAX_VALUE": f"{tax:.2f}",
            "COMPANY_ID": str(company), "CONTACT_ID": str(contact) if contact else None,
            "QUOTE_ID": None, "BEGINDATE": iso_date(t0), "CLOSEDATE": closedate,
            "OPENED": "Y", "CLOSED": "N" if stage.semantics == "P" else "Y",
            "COMMENTS": None if rnd() < 0.85 else "Client asked to call in the evening",
            "ASSIGNED_BY_ID": str(assigned), "CREATED_BY_ID": str(assigned),
            "MODIFY_BY_ID": str(assigned), "MOVED_BY_ID": str(assigned),
            "DATE_CREATE": iso(t0), "DATE_MODIFY": iso(modify), "MOVED_TIME": iso(moved),
            "SOURCE_ID": source, "SOURCE_DESCRIPTION": None,
            "LEAD_ID": str(lead) if lead else None, "ADDITIONAL_INFO": None,
            "LOCATION_ID": None, "ORIGINATOR_ID": None, "ORIGIN_ID": None,
            "UTM_SOURCE": utm[0] if utm else None, "UTM_MEDIUM": utm[1] if utm else None,
            "UTM_CAMPAIGN": utm[2] if utm else None, "UTM_CONTENT": None, "UTM_TERM": None,
            "LAST_ACTIVITY_TIME": iso(last_act if last_act else t0),
            "LAST_ACTIVITY_BY": str(last_by if last_act else assigned),
            UF_DEAL_PAYMENT_FORM.name: pay_value,
            UF_DEAL_SALES_CHANNEL.name: channel,
            UF_DEAL_AREA.name: (f"{area:.1f}" if area is not None else None),
            UF_DEAL_LOST_REASON.name: lost_reason,
            UF_DEAL_PRIORITY.name: priority,
            UF_DEAL_ASSEMBLY.name: assembly,
            UF_DEAL_OBJECT.name: (f"{('SP', 'ZR', 'RS', 'SR')[d % 4]}-{1 + d % 5}-{d % 997:04d}"
                                  if cat == REAL_ESTATE else None),
        }
        sink.add(DEAL_FILE, record)

    return {
        "events": events.tobytes(),
        "dirty": dirty,
        "scenarios": scenario_counts,
        "overdue_activities": acts.overdue,
        "counts": {DEAL_FILE: hi - lo + 1, ROWS_FILE: n_rows, INVOICE_FILE: n_invoices,
                   "crm.activity.list.json": acts.count,
                   "voximplant.statistic.get.json": acts.call_count},
    }
