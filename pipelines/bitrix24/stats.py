"""Counters of one extraction, for the progress display and the summary."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


RECONCILE = "reconcile "


@dataclass
class EntityCounters:
    rows: int = 0
    requests: int = 0
    issues: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def rate(self) -> float:
        end = self.finished or time.monotonic()
        return self.rows / max(end - self.started, 1e-9)


class ExtractionStats:
    def __init__(self) -> None:
        self.entities: dict[str, EntityCounters] = {}
        self.started = time.monotonic()
        self.failed_attempts: dict[str, int] = {}  # reason -> attempts the transport retries
        self._lock = threading.Lock()

    def note_failed_attempt(self, reason: str) -> None:
        with self._lock:
            self.failed_attempts[reason] = self.failed_attempts.get(reason, 0) + 1

    def retry_note(self) -> str:
        """"retrying after HTTP 500 x3, ConnectionError x1" while attempts fail; "" otherwise."""
        with self._lock:
            failed = sorted(self.failed_attempts.items(), key=lambda item: -item[1])
        return "retrying after " + ", ".join(f"{reason} x{count}" for reason, count in failed) if failed else ""

    def _entity(self, name: str) -> EntityCounters:
        counters = self.entities.get(name)
        if counters is None:
            with self._lock:
                counters = self.entities.setdefault(name, EntityCounters())
        return counters

    def add(self, name: str, rows: int = 0, requests: int = 0, issues: int = 0) -> None:
        counters = self._entity(name)
        with self._lock:
            counters.rows += rows
            counters.requests += requests
            counters.issues += issues

    def finish(self, name: str) -> None:
        self._entity(name).finished = time.monotonic()

    @property
    def rows(self) -> int:
        """Rows extracted (the IDs read by the deletion pass are counted apart)."""
        return sum(counters.rows for name, counters in self.entities.items() if not name.startswith(RECONCILE))

    @property
    def reconciled_ids(self) -> int:
        return sum(counters.rows for name, counters in self.entities.items() if name.startswith(RECONCILE))

    @property
    def issues(self) -> int:
        return sum(counters.issues for counters in self.entities.values())
