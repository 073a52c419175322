"""CRM activities (calls, meetings/showings, e-mails, to-dos, tasks) of leads and deals.

Activities fall between a record's creation and its closing (or the portal clock, plus planned
ones in the near future for open records), at working-hour peaks. Most past activities are
completed; a share stays incomplete past its deadline (overdue), which the activity plan/fact
reports must show. Call activities come with a telephony statistic record (see calls.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .calls import CallOutcome, call_id_text, call_record
from .clock import DAY, Clock, random_second_of_day

MEETING, CALL, TASK, EMAIL, TODO = 1, 2, 3, 4, 6
OWNER_LEAD, OWNER_DEAL, OWNER_CONTACT, OWNER_COMPANY = 1, 2, 3, 4
PROVIDERS = {MEETING: ("CRM_MEETING", "MEETING"), CALL: ("VOXIMPLANT_CALL", "CALL"),
             TASK: ("TASKS_TASK", "TASK"), EMAIL: ("CRM_EMAIL", "EMAIL"),
             TODO: ("CRM_TODO", "TODO")}
# cumulative type mixes
LEAD_MIX = ((0.66, CALL), (0.80, EMAIL), (0.95, TODO), (1.0, MEETING))
FURNITURE_MIX = ((0.46, CALL), (0.61, EMAIL), (0.80, TODO), (0.88, MEETING), (1.0, TASK))
REAL_ESTATE_MIX = ((0.42, CALL), (0.72, MEETING), (0.81, EMAIL), (0.93, TODO), (1.0, TASK))
MEAN_PER_LEAD = 1.0
MEAN_PER_DEAL = (1.2, 2.0)  # furniture, real estate
OVERDUE_SHARE = 0.05

_TODO_SUBJECTS = ("Call back the client", "Send the commercial offer", "Confirm delivery date",
                  "Send the contract draft", "Clarify the budget", "Follow up after the visit")
_TASK_SUBJECTS = ("Prepare delivery documents", "Check stock availability",
                  "Agree on the payment schedule", "Order from the factory",
                  "Prepare the sale and purchase agreement")
_EMAIL_SUBJECTS = ("Commercial offer", "Re: order details", "Invoice for payment",
                   "Apartment layouts and prices", "Re: delivery time", "Contract draft")
_FURNITURE_MEETINGS = ("Showroom visit", "Measurement at the client's home",
                       "Kitchen design consultation")
_LOCATIONS = ("Leningradsky showroom", "Khimki showroom", "Client's home")


@dataclass
class IdBlock:
    """A reserved, contiguous id range of one rendering task; exhausted means stop adding."""

    next: int
    limit: int

    def take(self) -> int | None:
        if self.next > self.limit:
            return None
        value = self.next
        self.next += 1
        return value


@dataclass
class Party:
    """Who the activity is with: telephony entity, phone, display name."""

    entity_type: str | None
    entity_id: int | None
    phone: str | None
    name: str


def _pick(mix: tuple[tuple[float, int], ...], x: float) -> int:
    for threshold, kind in mix:
        if x < threshold:
            return kind
    return mix[-1][1]


def activity_count(mean: float, r: random.Random) -> int:
    """Activities of one record: geometric-like, many records have none or one."""
    x = r.random()
    n = 0
    p_more = mean / (1.0 + mean)
    while x < p_more and n < 12:
        n += 1
        x = r.random()
    return n


class ActivityRenderer:
    """Renders the activities (and call statistics) of one rendering task."""

    def __init__(self, clock: Clock, sink, acts: IdBlock, calls: IdBlock, call_salt: int,
                 r: random.Random) -> None:
        self.clock = clock
        self.sink = sink
        self.acts = acts
        self.calls = calls
        self.call_salt = call_salt
        self.r = r
        self.now = clock.now
        self.count = 0
        self.call_count = 0
        self.overdue = 0

    def render(self, owner_type: int, owner_id: int, t0: int, t_end: int, is_open: bool,
               n: int, mix: tuple, responsible: int, party: Party, portal_line: int,
               showing_subject: str | None) -> tuple[int, int]:
        """Render `n` activities; returns (last activity time, its responsible) or (0, 0)."""
        r = self.r
        rnd = r.random
        iso = self.clock.iso
        now = self.now
        last_t, last_by = 0, 0
        span = max(0, t_end - t0)
        for _ in range(n):
            kind = _pick(mix, rnd())
            if kind == CALL:
                stat_id = self.calls.next if self.calls.next <= self.calls.limit else None
                if stat_id is None:
                    kind = TODO
            act_id = self.acts.take()
            if act_id is None:
                break
            planned = is_open and kind != CALL and rnd() < 0.25
            if planned:
                day = (now + int(rnd() * 14 * DAY)) // DAY
            else:
                day = (t0 + int(rnd() * span)) // DAY
            start = day * DAY + random_second_of_day(r)
            if start < t0:
                start = t0 + int(rnd() * 3600)
            if not planned and start > now:
                start = now - int(rnd() * 3600)
            user = responsible
            provider, provider_type = PROVIDERS[kind]
            direction = "0"
            settings: object = []
            origin_id = None
            associated = "0"
            location = ""
            subject: str
            notify_type, notify_value = "0", "0"
            if kind == CALL:
                self.calls.next += 1
                outgoing = rnd() < (0.45 if owner_type == OWNER_LEAD else 0.65)
                outcome = CallOutcome(outgoing, r)
                if outcome.call_type == "4":
                    provider_type = "CALLBACK"
                direction = "2" if outgoing else "1"
                end = start + outcome.duration
                deadline = start
                created = end + 3 + int(rnd() * 20)
                call_id = call_id_text(stat_id, self.clock.base_unix + start, self.call_salt)
                origin_id = "VI_" + call_id
                if outcome.missed:
                    settings = {"MISSED_CALL": True}
                    subject = f"Missed call {party.phone or party.name}"
                    completed = rnd() >= 0.4
                else:
                    subject = ("Outgoing call " if outgoing else "Incoming call ") + party.name
                    completed = True
                self.sink.add("voximplant.statistic.get.json", call_record(
                    stat_id, call_id, outcome, start, user, portal_line, party.phone,
                    party.entity_type, party.entity_id, act_id, self.clock, r))
                self.call_count += 1
            else:
                created = start - int(rnd() * 3 * DAY)
                if created < t0:
                    created = t0
                if kind == MEETING:
                    end = start + 3600
                    deadline = start
                    notify_type, notify_value = "1", "15"
                    if showing_subject:
                        subject = "Showing: " + showing_subject
                        location = showing_subject.split(", ")[-1] + ", sales office"
                    else:
                        subject = _FURNITURE_MEETINGS[int(rnd() * 3)]
                        location = _LOCATIONS[int(rnd() * 3)]
                elif kind == EMAIL:
                    direction = "2" if rnd() < 0.7 else "1"
                    end = deadline = start
                    subject = _EMAIL_SUBJECTS[int(rnd() * len(_EMAIL_SUBJECTS))]
                    if direction == "2":
                        subject = subject.replace("Re: ", "")
                elif kind == TASK:
                    end = deadline = start + int(DAY * (1 + rnd() * 4))
                    associated = str(200_000 + act_id)
                    subject = _TASK_SUBJECTS[int(rnd() * len(_TASK_SUBJECTS))]
                else:
                    end = deadline = start + int(rnd() * 2 * DAY)
                    subject = _TODO_SUBJECTS[int(rnd() * len(_TODO_SUBJECTS))]
                if deadline > now:
                    completed = False
                elif kind == EMAIL:
                    completed = True
                else:
                    completed = rnd() >= OVERDUE_SHARE
            if created > now:  # planned work is scheduled ahead, but was entered in the past
                # (spread by id, not by the rng, so the rest of the portal stays as it was)
                created = max(t0, now - (act_id * 7919) % (6 * 3600)) if t0 <= now else now
            if completed:
                done = max(created, end if end <= now else start)
                updated = min(now, done + int(rnd() * 7200))
                status = "2"
            else:
                updated = created
                status = "1"
                if deadline < now:
                    self.overdue += 1
            if updated < created:
                updated = created
            record = {
                "ID": str(act_id), "OWNER_ID": str(owner_id), "OWNER_TYPE_ID": str(owner_type),
                "TYPE_ID": str(kind), "PROVIDER_ID": provider, "PROVIDER_TYPE_ID": provider_type,
                "PROVIDER_GROUP_ID": None, "ASSOCIATED_ENTITY_ID": associated,
                "SUBJECT": subject, "CREATED": iso(created), "LAST_UPDATED": iso(updated),
                "START_TIME": iso(start), "END_TIME": iso(end), "DEADLINE": iso(deadline),
                "COMPLETED": "Y" if completed else "N", "STATUS": status,
                "RESPONSIBLE_ID": str(user), "PRIORITY": "3" if rnd() < 0.1 else "2",
                "NOTIFY_TYPE": notify_type, "NOTIFY_VALUE": notify_value, "DESCRIPTION": "",
                "DESCRIPTION_TYPE": "1", "DIRECTION": direction, "LOCATION": location,
                "SETTINGS": settings, "ORIGINATOR_ID": None, "ORIGIN_ID": origin_id,
                "AUTHOR_ID": str(user), "EDITOR_ID": str(user), "PROVIDER_PARAMS": [],
                "PROVIDER_DATA": None, "RESULT_MARK": "0", "RESULT_VALUE": None,
                "RESULT_SUM": None, "RESULT_CURRENCY_ID": None, "RESULT_STATUS": "0",
                "RESULT_STREAM": "0", "RESULT_SOURCE_ID": None, "AUTOCOMPLETE_RULE": "0",
            }
            self.sink.add("crm.activity.list.json", record)
            self.count += 1
            if start <= now and start > last_t:
                last_t, last_by = start, user
        return last_t, last_by
