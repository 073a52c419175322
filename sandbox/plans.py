"""Sales plans for a sandbox portal, so the main job shows plan/fact on generated data.

The plans a sales director would set: for every active manager with won deals, each of the three
months before the portal's clock and the current month get 110 % of the manager's average monthly
won deals (count and amount, account currency at the fixture's rates) and leads over the six months
before — rounded, as people round plans. Reads the fixture files line by line (one record a line).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Iterator

from sandbox.fixture import PortalMeta, fixture_path

PLAN_MONTHS = 4  # the last three full months and the current one
HISTORY_MONTHS = 6


def _records(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip().rstrip(",")
            if line.startswith("{"):
                yield json.loads(line)


def _month(value: str) -> date:
    return date(int(value[:4]), int(value[5:7]), 1)


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def write_sandbox_plans(portal_dir: Path, out_path: Path, portal_id: str) -> int:
    """Writes sales_plans.csv for the portal; returns the number of plan rows."""
    now = PortalMeta.read(portal_dir).now
    current = _month(now) if now else date.today().replace(day=1)
    rates = {row["CURRENCY"]: Decimal(row["AMOUNT"]) / Decimal(row["AMOUNT_CNT"])
             for row in _records(fixture_path(portal_dir, "crm.currency.list"))}
    active = {row["ID"] for row in _records(fixture_path(portal_dir, "user.get")) if row.get("ACTIVE") in (True, "Y")}
    won: dict[tuple[str, date], list[Decimal]] = defaultdict(list)
    for deal in _records(fixture_path(portal_dir, "crm.deal.list")):
        if deal.get("STAGE_SEMANTIC_ID") == "S" and deal.get("IS_RECURRING") != "Y" and deal.get("CLOSEDATE"):
            amount = Decimal(deal.get("OPPORTUNITY") or 0) * rates.get(deal.get("CURRENCY_ID"), Decimal(1))
            won[(deal["ASSIGNED_BY_ID"], _month(deal["CLOSEDATE"]))].append(amount)
    leads: dict[tuple[str, date], int] = defaultdict(int)
    for lead in _records(fixture_path(portal_dir, "crm.lead.list")):
        leads[(lead["ASSIGNED_BY_ID"], _month(lead["DATE_CREATE"]))] += 1
    managers = sorted({user for user, _ in won if user in active}, key=int)
    rows = []
    for offset in range(-(PLAN_MONTHS - 1), 1):
        month = _shift(current, offset)
        history = [_shift(month, -back) for back in range(1, HISTORY_MONTHS + 1)]
        for user in managers:
            deals = [amount for past in history for amount in won.get((user, past), [])]
            if not deals:
                continue
            monthly = Decimal(len(deals)) / HISTORY_MONTHS
            plans = {
                "units": max(1, round(monthly * Decimal("1.1"))),
                "deal_value": round(sum(deals) / HISTORY_MONTHS * Decimal("1.1"), -4),
                "leads": round(Decimal(sum(leads.get((user, past), 0) for past in history)) / HISTORY_MONTHS
                               * Decimal("1.1")),
            }
            for metric, plan in plans.items():
                if plan > 0:
                    rows.append([portal_id, f"{month:%Y-%m}", "manager", user, metric, f"{Decimal(plan):f}"])
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", newline="", encoding="utf-8") as handle:
        handle.write("# Plans derived from the sandbox portal's own history by sandbox/plans.py\n")
        writer = csv.writer(handle)
        writer.writerow(["portal_id", "month", "scope", "scope_id", "metric", "plan"])
        writer.writerows(rows)
    return len(rows)
