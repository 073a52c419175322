"""Telephony: `voximplant.statistic.get` records for call activities.

Every call activity has one statistic record and vice versa: CALL_ID matches the activity's
ORIGIN_ID `VI_<CALL_ID>`, CRM_ACTIVITY_ID points back at the activity. Outcomes follow call
direction (incoming calls get missed, outgoing ones hit busy or unavailable numbers); missed and
failed calls last 0 seconds.
"""

from __future__ import annotations

import math
import random

from .clock import Clock
from .rng import mix

OUTGOING, INCOMING, REDIRECT, CALLBACK = "1", "2", "3", "4"
FAIL_REASONS = {"200": "", "304": "Skipped call", "603": "Call declined", "603-S": "Decline self",
                "486": "Busy", "480": "Temporarily unavailable", "404": "Invalid number",
                "503": "Service unavailable"}
# cumulative thresholds -> failure code
_INCOMING_CODES = ((0.76, "200"), (0.97, "304"), (1.0, "603-S"))
_OUTGOING_CODES = ((0.68, "200"), (0.77, "486"), (0.85, "480"), (0.92, "603"), (0.97, "304"),
                   (0.99, "404"), (1.0, "503"))
# lines of the furniture store, the real-estate office and the call center
PORTAL_NUMBERS = ("+74957775500", "+74957775600", "+74957775700")
COST_PER_MINUTE = 1.2


class CallOutcome:
    """What happened on the line; computed before the activity so both records agree."""

    __slots__ = ("call_type", "code", "duration", "missed")

    def __init__(self, outgoing: bool, r: random.Random) -> None:
        rnd = r.random
        if outgoing:
            self.call_type = CALLBACK if rnd() < 0.06 else OUTGOING
            table = _OUTGOING_CODES
        else:
            self.call_type = REDIRECT if rnd() < 0.07 else INCOMING
            table = _INCOMING_CODES
        x = rnd()
        code = table[-1][1]
        for threshold, c in table:
            if x < threshold:
                code = c
                break
        self.code = code
        if code == "200":
            self.duration = min(3600, max(4, int(95 * math.exp(0.9 * r.gauss(0.0, 1.0)))))
        else:
            self.duration = 0
        self.missed = code == "304" and not outgoing


def call_id_text(stat_id: int, unix_start: int, salt: int) -> str:
    """A voximplant-like CALL_ID, unique per statistic record."""
    return f"{mix(stat_id, salt):016X}.{unix_start}.{stat_id + 11_000_000}"


def call_record(stat_id: int, call_id: str, outcome: CallOutcome, start: int, user: int,
                portal_line: int, phone: str | None, entity_type: str | None,
                entity_id: int | None, activity_id: int, clock: Clock,
                r: random.Random) -> dict:
    """One `voximplant.statistic.get` record (string-typed, RECORD_FILE_ID an int)."""
    ok = outcome.code == "200"
    recorded = ok and r.random() < 0.85
    cost = 0.0
    if ok and outcome.call_type in (OUTGOING, CALLBACK):
        cost = math.ceil(outcome.duration / 60) * COST_PER_MINUTE
    number = phone if phone else f"+7495{mix(stat_id, 7) % 10_000_000:07d}"
    return {
        "ID": str(stat_id),
        "PORTAL_USER_ID": str(user),
        "PORTAL_NUMBER": PORTAL_NUMBERS[portal_line],
        "PHONE_NUMBER": number,
        "CALL_ID": call_id,
        "EXTERNAL_CALL_ID": None,
        "CALL_CATEGORY": "external",
        "CALL_LOG": None,
        "CALL_DURATION": str(outcome.duration),
        "CALL_START_DATE": clock.iso(start),
        "CALL_RECORD_URL": None,
        "CALL_VOTE": str(1 + int(r.random() * 5)) if ok and r.random() < 0.1 else None,
        "COST": f"{cost:.4f}",
        "COST_CURRENCY": "RUB",
        "CALL_FAILED_CODE": outcome.code,
        "CALL_FAILED_REASON": FAIL_REASONS[outcome.code],
        "CRM_ENTITY_TYPE": entity_type,
        "CRM_ENTITY_ID": str(entity_id) if entity_id else None,
        "CRM_ACTIVITY_ID": str(activity_id),
        "REST_APP_ID": None,
        "REST_APP_NAME": None,
        "TRANSCRIPT_ID": None,
        "TRANSCRIPT_PENDING": "N",
        "SESSION_ID": str(3_800_000_000 + stat_id),
        "REDIAL_ATTEMPT": None,
        "COMMENT": None,
        "RECORD_DURATION": str(outcome.duration) if recorded else None,
        "RECORD_FILE_ID": 50_000 + stat_id if recorded else None,
        "CALL_TYPE": outcome.call_type,
    }
