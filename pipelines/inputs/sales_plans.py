"""Monthly sales plans (`sales_plans.csv`): one figure per portal × month × scope × metric.

Scopes follow Bitrix24's sales targets (reference §7.8: company, pipeline, user) plus departments:
a manager's plan is given; a department's or the company's, when not given, is the sum of its
managers' plans (marts say which); a pipeline's is given or absent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from pipelines.inputs.csv_rows import parse_amount, read_rows
from pipelines.inputs.errors import InputError, raise_all
from pipelines.inputs.reference import WarehouseReference

COLUMNS = ("portal_id", "month", "scope", "scope_id", "metric", "plan")
SCOPES = ("manager", "department", "pipeline", "company")
# Plan metrics and the CRM facts that count against them (business_rules.yml says which stages,
# activities and fields stand for bookings, meetings, area…).
METRICS = {
    "leads": "leads taken: leads created with the manager responsible",
    "calls": "calls made or answered (call activities completed)",
    "meetings": "meetings held (meeting activities completed, showings excluded)",
    "showings": "showings held (activities the rules call showings, completed)",
    "bookings": "deals that entered a booking stage for the first time",
    "contracts": "deals that entered a contract stage for the first time",
    "payment_deals": "deals that entered a payment stage for the first time",
    "units": "deals won (Bitrix24's quantity target): success stage, CLOSEDATE in the period",
    "deal_value": "amount of the deals won, account currency (Bitrix24's sum target)",
    "area_m2": "square metres of the deals won (the area field of the rules)",
    "payments": "paid invoices, account currency, by payment time",
}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class PlanRow:
    portal_id: str
    month_start: date
    scope: str
    scope_id: str | None
    metric: str
    plan: Decimal
    line: int


def read_sales_plans(path: Path, reference: WarehouseReference) -> list[PlanRow]:
    """Every row of the file, checked; all the problems are reported together."""
    rows: list[PlanRow] = []
    errors: list[InputError] = []
    seen: dict[tuple, int] = {}
    for line, values in read_rows(path, COLUMNS):
        if isinstance(values, InputError):
            errors.append(values)
            continue
        try:
            row = _parse(path, line, values)
            _check_reference(path, row, reference)
        except InputError as error:
            errors.append(error)
            continue
        key = (row.portal_id, row.month_start, row.scope, row.scope_id, row.metric)
        if key in seen:
            errors.append(InputError(path, line, f"duplicate plan: {row.scope} {row.scope_id or ''} {row.metric} "
                                     f"{values['month']} is already planned on line {seen[key]}".replace("  ", " ")))
            continue
        seen[key] = line
        rows.append(row)
    raise_all(errors)
    return rows


def _parse(path: Path, line: int, values: dict) -> PlanRow:
    month = _MONTH.match(values["month"])
    if not month or not 1 <= int(month.group(2)) <= 12:
        raise InputError(path, line, f"month {values['month']!r} is not YYYY-MM")
    scope = values["scope"]
    if scope not in SCOPES:
        raise InputError(path, line, f"scope {scope!r} is not one of {', '.join(SCOPES)}")
    scope_id = values["scope_id"] or None
    if scope == "company" and scope_id:
        raise InputError(path, line, f"scope_id {scope_id!r} must be empty for the company scope")
    if scope != "company" and not scope_id:
        raise InputError(path, line, f"scope_id is empty: a {scope} plan names the {scope}'s ID")
    metric = values["metric"]
    if metric not in METRICS:
        raise InputError(path, line, f"metric {metric!r} is not one of {', '.join(METRICS)}")
    if not values["portal_id"]:
        raise InputError(path, line, "portal_id is empty")
    return PlanRow(values["portal_id"], date(int(month.group(1)), int(month.group(2)), 1), scope, scope_id,
                   metric, parse_amount(path, line, "plan", values["plan"]), line)


def _check_reference(path: Path, row: PlanRow, reference: WarehouseReference) -> None:
    if row.portal_id not in reference.portals:
        raise InputError(path, row.line, f"portal_id {row.portal_id!r} is not a portal in the warehouse "
                         f"(known: {', '.join(sorted(reference.portals)) or 'none'})")
    known = {"manager": reference.users, "department": reference.departments,
             "pipeline": reference.pipelines}.get(row.scope)
    if known is not None and (row.portal_id, row.scope_id) not in known:
        raise InputError(path, row.line, f"{row.scope} {row.scope_id!r} is not a "
                         f"{'user' if row.scope == 'manager' else row.scope} of portal {row.portal_id}")
