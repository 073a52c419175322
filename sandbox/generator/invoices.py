"""Smart invoices (entityTypeId 31) and their payments.

Furniture orders are paid in two parts: a prepayment invoice (about half) when the deal reaches
"Prepayment invoice", and a final invoice on delivery. Real-estate deals pay a booking fee, then
by payment form: cash in one payment, a mortgage as a down payment plus the bank's tranche, an
instalment plan as a down payment plus monthly invoices due on schedule. An invoice is paid when
it sits in the success stage (`DT31_2:P`), and its movedTime is the payment time.
"""

from __future__ import annotations

import random

from .business import (INVOICE_CATEGORY_ID, INVOICE_DECLINED, INVOICE_NEW, INVOICE_PAID,
                       INVOICE_SENT, RATE_TO_RUB)
from .clock import DAY, Clock, work_time_after
from .products import num
from .skeleton import LOST, WON

PAY_MORTGAGE, PAY_INSTALMENT, PAY_CASH = "Mortgage", "Instalment", "Cash"
MEAN_PER_DEAL = 1.6  # used to size id blocks


class InvoicePlan:
    """(amount, created, due, state, paid_at) tuples for one deal, before ids are given."""

    def __init__(self) -> None:
        self.items: list[tuple[float, int, int, str, int]] = []

    def add(self, amount: float, created: int, due: int, state: str, paid_at: int = 0) -> None:
        self.items.append((round(amount, 2), created, due, state, paid_at))


def _settle(created: int, deadline: int, now: int, r: random.Random) -> int:
    """Payment time between creation and a deadline (the next stage move)."""
    lo = created + 3600
    hi = max(lo, min(deadline, now))
    at = work_time_after(lo + int(r.random() * (hi - lo)), r) if hi > lo else lo
    return max(created, min(at, now))


def plan_furniture(opportunity: float, outcome: int, entries: dict[int, int], close: int,
                   prepay_code: int, exec_code: int, won_code: int, now: int,
                   r: random.Random) -> InvoicePlan:
    plan = InvoicePlan()
    if opportunity <= 0:
        return plan
    t_prepay = entries.get(prepay_code)
    t_exec = entries.get(exec_code)
    t_won = entries.get(won_code)
    if t_prepay is None and t_exec is None and t_won is None:
        return plan
    share = 0.5 if r.random() < 0.8 else (0.3 if r.random() < 0.5 else 1.0)
    first_at = min(t for t in (t_prepay, t_exec, t_won) if t is not None)
    prepay = round(opportunity * share, 2)
    next_move = min([t for t in (t_exec, t_won) if t is not None and t > first_at] or [now])
    due = first_at + 5 * DAY
    if outcome == WON or t_exec is not None:
        paid = _settle(first_at, next_move, now, r)
        plan.add(prepay, first_at, due, INVOICE_PAID, paid)
    elif outcome == LOST:
        if r.random() < 0.3:
            plan.add(prepay, first_at, due, INVOICE_PAID, _settle(first_at, close, now, r))
        else:
            plan.add(prepay, first_at, due, INVOICE_DECLINED, max(close, first_at))
    else:
        if r.random() < 0.4:
            plan.add(prepay, first_at, due, INVOICE_PAID, _settle(first_at, now, now, r))
        else:
            plan.add(prepay, first_at, due, INVOICE_SENT, first_at + 600)
    rest = round(opportunity - prepay, 2)
    if rest <= 0:
        return plan
    final_at = t_exec if t_exec is not None and t_exec > first_at else t_won
    if final_at is None:
        return plan
    if outcome == WON:
        plan.add(rest, final_at, final_at + 3 * DAY, INVOICE_PAID,
                 max(final_at + 600, min(close, now)))
    elif outcome == LOST:
        plan.add(rest, final_at, final_at + 3 * DAY, INVOICE_DECLINED, max(close, final_at))
    else:
        plan.add(rest, final_at, final_at + 3 * DAY, INVOICE_SENT, final_at + 600)
    return plan


def plan_real_estate(opportunity: float, currency: str, outcome: int, entries: dict[int, int],
                     close: int, booking_code: int, contract_code: int, payment_code: int,
                     won_code: int, pay_form: str, now: int, r: random.Random) -> InvoicePlan:
    plan = InvoicePlan()
    if opportunity <= 0:
        return plan
    rnd = r.random
    t_book, t_contract = entries.get(booking_code), entries.get(contract_code)
    t_pay, t_won = entries.get(payment_code), entries.get(won_code)
    reached = [t for t in (t_book, t_contract, t_pay, t_won) if t is not None]
    if not reached:
        return plan
    first_at = min(reached)
    fee = round((100_000.0 if opportunity * RATE_TO_RUB.get(currency, 1.0) > 15e6 else 50_000.0)
                / RATE_TO_RUB.get(currency, 1.0), 2)
    fee = min(fee, opportunity)
    after_booking = [t for t in (t_contract, t_pay, t_won) if t is not None and t > first_at]
    went_on = bool(after_booking) or outcome == WON
    if went_on:
        plan.add(fee, first_at, first_at + 2 * DAY, INVOICE_PAID,
                 _settle(first_at, min(after_booking or [now]), now, r))
    elif outcome == LOST:
        if rnd() < 0.6:
            plan.add(fee, first_at, first_at + 2 * DAY, INVOICE_PAID,
                     _settle(first_at, close, now, r))
        else:
            plan.add(fee, first_at, first_at + 2 * DAY, INVOICE_DECLINED, max(close, first_at))
        return plan
    else:
        state = INVOICE_PAID if rnd() < 0.7 else INVOICE_SENT
        plan.add(fee, first_at, first_at + 2 * DAY, state,
                 _settle(first_at, now, now, r) if state == INVOICE_PAID else first_at + 600)
        return plan
    rest = round(opportunity - fee, 2)
    if rest <= 0:
        return plan
    start = t_contract if t_contract is not None and t_contract > first_at else (
        t_pay if t_pay is not None and t_pay > first_at else t_won)
    if start is None:
        return plan
    end = close if outcome in (WON, LOST) else now
    lost = outcome == LOST
    if pay_form == PAY_CASH:
        _one(plan, rest, start, end, outcome, now, r)
    elif pay_form == PAY_MORTGAGE:
        down = round(rest * 0.2, 2)
        _one(plan, down, start, start + 3 * DAY if not lost else end, outcome, now, r,
             early=True)
        tranche_at = t_pay if t_pay is not None and t_pay > start else start + DAY
        _one(plan, round(rest - down, 2), tranche_at, end, outcome, now, r)
    else:
        down = round(rest * 0.3, 2)
        _one(plan, down, start, start + 3 * DAY if not lost else end, outcome, now, r,
             early=True)
        months = 3 + int(rnd() * 10)
        left = round(rest - down, 2)
        part = round(left / months, 2)
        for i in range(months):
            amount = part if i < months - 1 else round(left - part * (months - 1), 2)
            due = start + (i + 1) * 30 * DAY
            created = due - 10 * DAY
            if lost and created > close:
                break
            if lost:
                plan.add(amount, created, due, INVOICE_DECLINED, max(close, created))
            elif due <= now:
                plan.add(amount, created, due, INVOICE_PAID,
                         max(created + 600, due - int(rnd() * 5 * DAY)))
            elif created <= now:
                plan.add(amount, created, due, INVOICE_SENT, created + 600)
            else:
                plan.add(amount, min(created, now), due, INVOICE_NEW, min(created, now))
    return plan


def _one(plan: InvoicePlan, amount: float, created: int, pay_by: int, outcome: int, now: int,
         r: random.Random, early: bool = False) -> None:
    if outcome == WON or (early and outcome != LOST):
        paid = _settle(created, max(pay_by, created + 3600), now, r)
        if paid <= now:
            plan.add(amount, created, created + 5 * DAY, INVOICE_PAID, paid)
            return
        plan.add(amount, created, created + 5 * DAY, INVOICE_SENT, created + 600)
    elif outcome == LOST:
        plan.add(amount, created, created + 5 * DAY, INVOICE_DECLINED, max(pay_by, created))
    else:
        plan.add(amount, created, created + 5 * DAY, INVOICE_SENT, created + 600)


PREVIOUS = {INVOICE_NEW: None, INVOICE_SENT: INVOICE_NEW, INVOICE_PAID: INVOICE_SENT,
            INVOICE_DECLINED: INVOICE_SENT}


def invoice_record(invoice_id: int, deal_id: int, amount: float, currency: str | None,
                   created: int, due: int, state: str, moved: int, company: int, contact: int,
                   assigned: int, source: str | None, vat: bool, clock: Clock) -> dict:
    """One `crm.item.list` smart-invoice item (camelCase, typed)."""
    iso = clock.iso
    moved = max(created, min(moved, clock.now))
    tax = round(amount * 20 / 120, 2) if vat else 0.0
    return {
        "id": invoice_id, "xmlId": None, "title": f"Invoice #{invoice_id}",
        "accountNumber": f"INV-{clock.day_text(created)[:4]}-{invoice_id:06d}",
        "categoryId": INVOICE_CATEGORY_ID, "stageId": state, "previousStageId": PREVIOUS[state],
        "begindate": clock.iso_date(created), "closedate": clock.iso_date(due),
        "opportunity": num(amount), "currencyId": currency or "RUB", "taxValue": num(tax),
        "isManualOpportunity": "Y", "companyId": company, "contactId": contact or None,
        "mycompanyId": 1, "sourceId": source, "assignedById": assigned, "createdBy": assigned,
        "updatedBy": assigned, "movedBy": assigned, "createdTime": iso(created),
        "updatedTime": iso(moved), "movedTime": iso(moved), "parentId2": deal_id,
        "opened": "Y", "entityTypeId": 31,
    }
