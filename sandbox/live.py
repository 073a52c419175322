"""Live mode: between two reads the portal changes the way a real one does.

Each step advances the portal clock and applies a deterministic (seed, step) set of changes:
new contacts, leads, deals and activities; leads and deals moved through their stages with the
stage-history rows a portal writes (reference §5.5); edits that bump DATE_MODIFY (several in one
second, to test cursors at a second's boundary); new call records; invoices paid; deals whose
product rows gain, change or lose a row (the deal's DATE_MODIFY moves with them); deletions
(a deleted deal takes its stage history and product rows with it, as on a portal).
New records copy the shape of existing ones, so live mode works on any portal, even a
hand-written one. `PortalStore.dump` afterwards gives the known truth to compare a load with.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson

from sandbox.store.portal import PortalStore
from sandbox.store.table import FixtureTable


@dataclass(frozen=True)
class ChangePlan:
    """How many changes of each kind one step makes."""

    new_contacts: int = 2
    new_leads: int = 3
    new_deals: int = 3
    lead_moves: int = 3
    deal_moves: int = 4
    edits: int = 5
    new_activities: int = 5
    completed_activities: int = 2
    new_calls: int = 3
    paid_invoices: int = 1
    deletions: int = 1
    product_row_changes: int = 2  # deals whose product rows gain, change or lose a row

    @classmethod
    def fraction(cls, store: PortalStore, share: float) -> "ChangePlan":
        """A step touching about `share` of the records (the benchmark's "1% changed")."""
        deals = store.table("crm.deal.list").count()
        leads = store.table("crm.lead.list").count()
        contacts = store.table("crm.contact.list").count()
        activities = store.table("crm.activity.list").count()

        def part(total: int, weight: float = 1.0) -> int:
            return max(1, math.ceil(total * share * weight))

        return cls(
            new_contacts=part(contacts, 0.3), new_leads=part(leads, 0.3), new_deals=part(deals, 0.2),
            lead_moves=part(leads, 0.4), deal_moves=part(deals, 0.5), edits=part(deals + contacts, 0.3),
            new_activities=part(activities, 0.5), completed_activities=part(activities, 0.3),
            new_calls=part(activities, 0.2), paid_invoices=part(deals, 0.05), deletions=part(deals, 0.02),
            product_row_changes=part(deals, 0.1),
        )


@dataclass(frozen=True)
class LiveConfig:
    seed: int = 0
    every_requests: int | None = None  # advance automatically after this many API requests
    step_minutes: int = 60
    plan: ChangePlan = field(default_factory=ChangePlan)


@dataclass
class _Stage:
    stage_id: str
    sort: int
    semantics: str  # P, S or F
    category_id: int | None


class LivePortal:
    def __init__(self, store: PortalStore, config: LiveConfig) -> None:
        self.store = store
        self.config = config
        self.step = 0
        self._requests = 0
        self._lock = threading.Lock()
        self._stages = self._read_stages()

    # -- triggers ------------------------------------------------------------------------------

    def on_request(self) -> None:
        every = self.config.every_requests
        if not every:
            return
        with self._lock:
            self._requests += 1
            due = self._requests % every == 0
        if due:
            self.advance(1)

    def advance(self, steps: int = 1, plan: ChangePlan | None = None) -> dict[str, int]:
        """Applies `steps` steps; returns how many records of each kind changed."""
        summary: dict[str, int] = {}
        with self._lock:
            for _ in range(steps):
                self.step += 1
                for key, value in self._apply_step(plan or self.config.plan).items():
                    summary[key] = summary.get(key, 0) + value
            self.store.mark_live_step(self.step)
        return summary

    # -- one step ------------------------------------------------------------------------------

    def _apply_step(self, plan: ChangePlan) -> dict[str, int]:
        rng = random.Random(f"{self.config.seed}:{self.step}")
        start = self.store.now()
        window = timedelta(minutes=self.config.step_minutes)
        self.store.advance_clock(window)
        moments = _Moments(rng, start, window)
        changes: dict[str, int] = {}
        users = self._user_ids()
        contacts = self._new_contacts(rng, moments, plan.new_contacts)
        changes["contacts_created"] = len(contacts)
        changes["leads_created"] = self._new_leads(rng, moments, plan.new_leads, users)
        changes["deals_created"] = self._new_deals(rng, moments, plan.new_deals, users)
        changes["leads_moved"] = self._move(rng, moments, "lead", plan.lead_moves)
        changes["deals_moved"] = self._move(rng, moments, "deal", plan.deal_moves)
        changes["records_edited"] = self._edit(rng, moments, plan.edits)
        changes["activities_created"] = self._new_activities(rng, moments, plan.new_activities)
        changes["activities_completed"] = self._complete_activities(rng, moments, plan.completed_activities)
        changes["calls_created"] = self._new_calls(rng, moments, plan.new_calls)
        changes["invoices_paid"] = self._pay_invoices(rng, moments, plan.paid_invoices)
        changes["deals_deleted"] = self._delete_deals(rng, plan.deletions)
        # Its own random stream (the step's moments go on after the other changes), so the changes
        # above stay what they were before product rows changed.
        rows_rng = random.Random(f"{self.config.seed}:{self.step}:product-rows")
        changes["product_rows_changed"] = self._change_product_rows(rows_rng, moments, plan.product_row_changes)
        return changes

    # -- helpers -------------------------------------------------------------------------------

    def _table(self, method: str, entity_type_id: int | None = None) -> FixtureTable:
        return self.store.table(method, entity_type_id)

    def _fmt(self, moment: datetime) -> str:
        return self.store.format_datetime(moment)

    def _date(self, moment: datetime) -> str:
        local = moment.astimezone(self.store.tz)
        return local.replace(hour=0, minute=0, second=0, microsecond=0).isoformat()

    def _sample(self, table: FixtureTable, rng: random.Random, count: int, where: dict[str, Any] | None = None) -> list[dict]:
        """`count` distinct random records (matching `where`), deterministic for the rng state."""
        if count <= 0 or table.count() == 0:
            return []
        key_column = table.column(table.key_field)
        if key_column is None:
            return []
        from sandbox.store.filters import parse_conditions

        page = table.page(parse_conditions(where or {}), [], 0, None, count=False)
        if not page.docs:
            return []
        chosen = rng.sample(range(len(page.docs)), min(count, len(page.docs)))
        return [orjson.loads(page.docs[index]) for index in sorted(chosen)]

    def _next_ids(self, table: FixtureTable, count: int) -> list[int]:
        column = table.column(table.key_field)
        if column is None:
            first = 1
        else:
            with self.store.reading():
                first = int(self.store.reader().execute(
                    f"select coalesce(max({column[0]}), 0) from {table.name}").fetchone()[0]) + 1
        return list(range(first, first + count))

    def _user_ids(self) -> list[str]:
        """Active users, by ID: who new records are assigned to (read once per step)."""
        from sandbox.store.filters import parse_conditions

        page = self._table("user.get").page(parse_conditions({"ACTIVE": True}), [], 0, None, count=False)
        return [str(orjson.loads(doc)["ID"]) for doc in page.docs] or ["1"]

    def _read_stages(self) -> dict[str, list[_Stage]]:
        """Stage dictionaries by ENTITY_ID, in SORT order."""
        table = self.store.table("crm.status.list")
        stages: dict[str, list[_Stage]] = {}
        for doc in table.all_docs():
            row = orjson.loads(doc)
            entity = str(row.get("ENTITY_ID"))
            if not (entity == "STATUS" or entity.startswith("DEAL_STAGE") or entity.startswith("SMART_INVOICE_STAGE")):
                continue
            semantics = row.get("SEMANTICS") or "P"
            category = row.get("CATEGORY_ID")
            stages.setdefault(entity, []).append(
                _Stage(str(row["STATUS_ID"]), int(row.get("SORT") or 0), semantics,
                       int(category) if category not in (None, "") else None)
            )
        for entity in stages:
            stages[entity].sort(key=lambda stage: stage.sort)
        return stages

    def _deal_stages(self, category_id: int) -> list[_Stage]:
        return self._stages.get("DEAL_STAGE" if category_id == 0 else f"DEAL_STAGE_{category_id}", [])

    # -- creations -----------------------------------------------------------------------------

    def _new_contacts(self, rng: random.Random, moments: "_Moments", count: int) -> list[dict]:
        table = self._table("crm.contact.list")
        templates = self._sample(table, rng, count)
        created = []
        for new_id, template in zip(self._next_ids(table, len(templates)), templates):
            moment = moments.next()
            record = dict(template)
            record.update({"ID": str(new_id), "DATE_CREATE": self._fmt(moment), "DATE_MODIFY": self._fmt(moment)})
            if "NAME" in record:
                record["NAME"] = f"Live contact {self.step}-{new_id}"
            for multi in ("PHONE", "EMAIL"):
                if isinstance(record.get(multi), list):
                    record[multi] = [
                        {**item, "ID": f"{new_id}{index}{self.step}",
                         "VALUE": f"+7900{new_id:07d}" if multi == "PHONE" else f"live{new_id}@example.com"}
                        for index, item in enumerate(record[multi])
                    ]
            created.append(record)
        table.upsert(created)
        return created

    def _new_leads(self, rng: random.Random, moments: "_Moments", count: int, users: list[str]) -> int:
        table = self._table("crm.lead.list")
        statuses = [stage for stage in self._stages.get("STATUS", []) if stage.semantics == "P"]
        templates = self._sample(table, rng, count)
        if not statuses or not templates:
            return 0
        first = statuses[0]
        records, history = [], []
        for new_id, template in zip(self._next_ids(table, len(templates)), templates):
            moment = moments.next()
            stamp = self._fmt(moment)
            record = dict(template)
            record.update({
                "ID": str(new_id), "TITLE": f"Live lead {new_id}", "STATUS_ID": first.stage_id,
                "STATUS_SEMANTIC_ID": "P", "DATE_CREATE": stamp, "DATE_MODIFY": stamp, "MOVED_TIME": stamp,
                "DATE_CLOSED": None, "ASSIGNED_BY_ID": rng.choice(users),
            })
            records.append(record)
            history.append({"TYPE_ID": 1, "OWNER_ID": new_id, "CREATED_TIME": stamp,
                            "STATUS_SEMANTIC_ID": "P", "STATUS_ID": first.stage_id})
        table.upsert(records)
        self._append_history("lead", history)
        return len(records)

    def _new_deals(self, rng: random.Random, moments: "_Moments", count: int, users: list[str]) -> int:
        table = self._table("crm.deal.list")
        templates = self._sample(table, rng, count, {"IS_RECURRING": "N"})
        records, history = [], []
        for new_id, template in zip(self._next_ids(table, len(templates)), templates):
            category_id = int(template.get("CATEGORY_ID") or 0)
            stages = [stage for stage in self._deal_stages(category_id) if stage.semantics == "P"]
            if not stages:
                continue
            moment = moments.next()
            stamp = self._fmt(moment)
            record = dict(template)
            record.update({
                "ID": str(new_id), "TITLE": f"Live deal {new_id}", "STAGE_ID": stages[0].stage_id,
                "STAGE_SEMANTIC_ID": "P", "IS_NEW": "Y", "CLOSED": "N", "DATE_CREATE": stamp,
                "DATE_MODIFY": stamp, "MOVED_TIME": stamp, "BEGINDATE": self._date(moment),
                "CLOSEDATE": self._date(moment + timedelta(days=30)), "LEAD_ID": None,
                "ASSIGNED_BY_ID": rng.choice(users),
            })
            records.append(record)
            history.append({"TYPE_ID": 1, "OWNER_ID": new_id, "CREATED_TIME": stamp, "CATEGORY_ID": category_id,
                            "STAGE_SEMANTIC_ID": "P", "STAGE_ID": stages[0].stage_id})
        table.upsert(records)
        self._append_history("deal", history)
        return len(records)

    def _append_history(self, entity: str, rows: list[dict]) -> None:
        if not rows:
            return
        table = self._table("crm.stagehistory.list", 1 if entity == "lead" else 2)
        with_ids = [{"ID": new_id, **row} for new_id, row in zip(self._next_ids(table, len(rows)), rows)]
        table.upsert(with_ids)

    # -- moves ---------------------------------------------------------------------------------

    def _move(self, rng: random.Random, moments: "_Moments", entity: str, count: int) -> int:
        """Moves open records one stage on, or closes them (won/lost), with their history rows."""
        table = self._table(f"crm.{entity}.list")
        semantic_field = "STATUS_SEMANTIC_ID" if entity == "lead" else "STAGE_SEMANTIC_ID"
        stage_field = "STATUS_ID" if entity == "lead" else "STAGE_ID"
        candidates = self._sample(table, rng, count, {semantic_field: "P"})
        records, history = [], []
        for record in candidates:
            category_id = None if entity == "lead" else int(record.get("CATEGORY_ID") or 0)
            stages = self._stages.get("STATUS", []) if entity == "lead" else self._deal_stages(category_id or 0)
            current = next((stage for stage in stages if stage.stage_id == record.get(stage_field)), None)
            if current is None:
                continue
            process = [stage for stage in stages if stage.semantics == "P"]
            later = [stage for stage in process if stage.sort > current.sort]
            roll = rng.random()
            if roll < 0.6 and later:
                target = later[0]
            elif roll < 0.8:
                target = next((stage for stage in stages if stage.semantics == "S"), None)
            else:
                target = next((stage for stage in stages if stage.semantics == "F"), None)
            if target is None:
                continue
            moment = moments.next()
            stamp = self._fmt(moment)
            final = target.semantics in ("S", "F")
            updated = dict(record)
            updated.update({stage_field: target.stage_id, semantic_field: target.semantics,
                            "DATE_MODIFY": stamp, "MOVED_TIME": stamp})
            if entity == "deal":
                updated["IS_NEW"] = "N"
                updated["CLOSED"] = "Y" if final else "N"
                if final:
                    updated["CLOSEDATE"] = self._date(moment)
            elif final:
                updated["DATE_CLOSED"] = stamp
            records.append(updated)
            row = {"TYPE_ID": 3 if final else 2, "OWNER_ID": int(record["ID"]), "CREATED_TIME": stamp}
            if entity == "lead":
                row.update({"STATUS_SEMANTIC_ID": target.semantics, "STATUS_ID": target.stage_id})
            else:
                row.update({"CATEGORY_ID": category_id, "STAGE_SEMANTIC_ID": target.semantics,
                            "STAGE_ID": target.stage_id})
            history.append(row)
        table.upsert(records)
        self._append_history(entity, history)
        return len(records)

    # -- edits ---------------------------------------------------------------------------------

    def _edit(self, rng: random.Random, moments: "_Moments", count: int) -> int:
        """Edits bump DATE_MODIFY; a few share one second with each other, as bulk edits do."""
        edited = 0
        shared = moments.next()
        for method in ("crm.deal.list", "crm.contact.list", "crm.company.list", "crm.lead.list"):
            table = self._table(method)
            records = []
            for index, record in enumerate(self._sample(table, rng, max(1, count // 4))):
                moment = shared if index % 2 == 0 else moments.next()
                updated = dict(record)
                updated["DATE_MODIFY"] = self._fmt(moment)
                if "COMMENTS" in updated or method != "crm.contact.list":
                    updated["COMMENTS"] = f"Edited in live step {self.step}"
                if method == "crm.deal.list" and updated.get("IS_MANUAL_OPPORTUNITY") == "Y":
                    amount = float(updated.get("OPPORTUNITY") or 0)
                    updated["OPPORTUNITY"] = f"{round(amount * rng.uniform(0.9, 1.1), -2):.2f}"
                records.append(updated)
            table.upsert(records)
            edited += len(records)
        return edited

    # -- activities, calls, invoices -------------------------------------------------------------

    def _new_activities(self, rng: random.Random, moments: "_Moments", count: int) -> int:
        table = self._table("crm.activity.list")
        deals = self._sample(self._table("crm.deal.list"), rng, count, {"STAGE_SEMANTIC_ID": "P"})
        templates = self._sample(table, rng, len(deals), {"!TYPE_ID": "2"})
        records = []
        for new_id, template, deal in zip(self._next_ids(table, len(templates)), templates, deals):
            moment = moments.next()
            deadline = moment + timedelta(days=rng.randint(0, 5), hours=rng.randint(1, 8))
            record = dict(template)
            record.update({
                "ID": str(new_id), "OWNER_ID": str(deal["ID"]), "OWNER_TYPE_ID": "2",
                "RESPONSIBLE_ID": deal.get("ASSIGNED_BY_ID"), "CREATED": self._fmt(moment),
                "LAST_UPDATED": self._fmt(moment), "START_TIME": self._fmt(deadline),
                "END_TIME": self._fmt(deadline + timedelta(hours=1)), "DEADLINE": self._fmt(deadline),
                "COMPLETED": "N", "STATUS": "1", "ORIGIN_ID": None,
            })
            records.append(record)
        table.upsert(records)
        return len(records)

    def _complete_activities(self, rng: random.Random, moments: "_Moments", count: int) -> int:
        table = self._table("crm.activity.list")
        records = []
        for record in self._sample(table, rng, count, {"COMPLETED": "N"}):
            updated = dict(record)
            updated.update({"COMPLETED": "Y", "STATUS": "2", "LAST_UPDATED": self._fmt(moments.next())})
            records.append(updated)
        table.upsert(records)
        return len(records)

    def _new_calls(self, rng: random.Random, moments: "_Moments", count: int) -> int:
        calls = self._table("voximplant.statistic.get")
        templates = self._sample(calls, rng, count)
        records = []
        for new_id, template in zip(self._next_ids(calls, len(templates)), templates):
            moment = moments.next()
            answered = rng.random() < 0.75
            record = dict(template)
            record.update({
                "ID": str(new_id), "CALL_ID": f"live.{self.config.seed}.{self.step}.{new_id}",
                "CALL_START_DATE": self._fmt(moment), "CALL_DURATION": str(rng.randint(20, 600) if answered else 0),
                "CALL_FAILED_CODE": "200" if answered else "304",
                "CALL_FAILED_REASON": "" if answered else "Missed call", "CRM_ACTIVITY_ID": None,
            })
            records.append(record)
        calls.upsert(records)
        return len(records)

    def _pay_invoices(self, rng: random.Random, moments: "_Moments", count: int) -> int:
        table = self._table("crm.item.list", 31)
        unpaid = [stage for stage in self._stages_of_prefix("SMART_INVOICE_STAGE") if stage.semantics == "S"]
        if not unpaid:
            return 0
        paid_stage = unpaid[0]
        records = []
        for record in self._sample(table, rng, count):
            if record.get("stageId") == paid_stage.stage_id:
                continue
            stamp = self._fmt(moments.next())
            updated = dict(record)
            updated.update({"previousStageId": record.get("stageId"), "stageId": paid_stage.stage_id,
                            "movedTime": stamp, "updatedTime": stamp})
            records.append(updated)
        table.upsert(records)
        return len(records)

    def _stages_of_prefix(self, prefix: str) -> list[_Stage]:
        return [stage for entity, stages in self._stages.items() if entity.startswith(prefix) for stage in stages]

    # -- product rows ----------------------------------------------------------------------------

    def _change_product_rows(self, rng: random.Random, moments: "_Moments", count: int) -> int:
        """Open deals gain a row, change a row's quantity or lose a row (a deal's only row too);
        like a portal, the deal's DATE_MODIFY moves and an automatic amount follows its rows."""
        from sandbox.store.filters import parse_conditions

        rows_table = self._table("crm.deal.productrows.get")
        deals_table = self._table("crm.deal.list")
        if rows_table.count() == 0:
            return 0
        templates = self._sample(rows_table, rng, 20)
        changed = 0
        for deal in self._sample(deals_table, rng, count, {"STAGE_SEMANTIC_ID": "P"}):
            deal_id = int(deal["ID"])
            page = rows_table.page(parse_conditions({"=OWNER_ID": deal_id}), [("ID", "ASC")], 0, None, count=False)
            rows = [orjson.loads(doc) for doc in page.docs]
            roll = rng.random()
            if not rows or roll < 0.4:
                new_id = self._next_ids(rows_table, 1)[0]
                row = dict(rng.choice(templates))
                row.update({"ID": str(new_id), "OWNER_ID": str(deal_id), "XML_ID": f"sale_basket_{new_id}",
                            "SORT": max([int(r.get("SORT") or 0) for r in rows] + [0]) + 10})
                rows_table.upsert([row])
                rows.append(row)
            elif roll < 0.7:
                row = dict(rng.choice(rows))
                quantity = float(row.get("QUANTITY") or 0) + 1
                row["QUANTITY"] = int(quantity) if quantity == int(quantity) else quantity
                rows_table.upsert([row])
                rows = [row if r["ID"] == row["ID"] else r for r in rows]
            else:
                victim = rng.choice(rows)
                rows_table.delete([victim["ID"]])
                rows = [r for r in rows if r["ID"] != victim["ID"]]
            updated = dict(deal)
            updated["DATE_MODIFY"] = self._fmt(moments.next())
            if updated.get("IS_MANUAL_OPPORTUNITY") != "Y":
                total = sum(float(r.get("PRICE") or 0) * float(r.get("QUANTITY") or 0) for r in rows)
                updated["OPPORTUNITY"] = f"{total:.2f}"
            deals_table.upsert([updated])
            changed += 1
        return changed

    # -- deletions -----------------------------------------------------------------------------

    def _delete_deals(self, rng: random.Random, count: int) -> int:
        deals = self._table("crm.deal.list")
        victims = [int(record["ID"]) for record in self._sample(deals, rng, count)]
        if not victims:
            return 0
        deals.delete(victims)
        self._table("crm.stagehistory.list", 2).delete_where("OWNER_ID", victims)
        self._table("crm.deal.productrows.get").delete_where("OWNER_ID", victims)
        return len(victims)


class _Moments:
    """Ascending timestamps inside a step's window; about one in five repeats the previous second."""

    def __init__(self, rng: random.Random, start: datetime, window: timedelta) -> None:
        self._rng = rng
        self._current = start
        self._end = start + window
        self._step = window / 200

    def next(self) -> datetime:
        if self._rng.random() >= 0.2:
            self._current = min(self._end, self._current + self._step * self._rng.uniform(0.2, 1.0))
        return self._current.replace(microsecond=0)
