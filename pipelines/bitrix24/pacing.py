"""Keeping the request budget busy without overdrawing it.

A cloud portal counts requests in a leaky bucket (burst 50, draining 2/s; reference §3.1) and
each method's processing time over 10 minutes (480 s; §3.2). `RequestPacer` mirrors the bucket on
our side so we wait exactly as long as the portal requires instead of collecting 503s;
`OperatingBudget` watches the `time.operating` the portal reports per method and holds a method
back before it is blocked. Both are shared by all threads of one extraction.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator


@dataclass(frozen=True)
class PacingConfig:
    burst: int = 50
    requests_per_second: float = 2.0
    safety: int = 2  # slots kept free for clock skew and other clients
    operating_budget: float = 480.0
    operating_reserve: float = 0.9  # hold a method back at 90% of its budget


class RequestPacer:
    def __init__(self, config: PacingConfig, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self._clock = clock
        self._sleep = sleep
        self._level = 0.0
        self._stamp = clock()
        self._lock = threading.Lock()
        self.requests = 0
        self.waited = 0.0
        self.throttled = 0  # 503 QUERY_LIMIT_EXCEEDED answers seen
        self._urgent_waiting = 0  # callers of acquire(urgent=True) currently queued
        self._local = threading.local()

    @contextlib.contextmanager
    def background(self) -> Iterator[None]:
        """Requests made inside yield their slot to any list page waiting for one (product rows,
        one call per deal, must not slow the 2,500-row pages down)."""
        self._local.background = True
        try:
            yield
        finally:
            self._local.background = False

    def _drain(self, now: float) -> None:
        self._level = max(0.0, self._level - (now - self._stamp) * self.config.requests_per_second)
        self._stamp = now

    def acquire(self) -> None:
        """Blocks until one more request fits in the portal's bucket, then takes the slot."""
        if self.config.requests_per_second <= 0:
            with self._lock:
                self.requests += 1
            return
        capacity = max(1, self.config.burst - self.config.safety)
        background = getattr(self._local, "background", False)
        queued = False
        try:
            while True:
                with self._lock:
                    now = self._clock()
                    self._drain(now)
                    yielding = background and self._urgent_waiting > 0
                    if self._level + 1 <= capacity and not yielding:
                        self._level += 1
                        self.requests += 1
                        return
                    if not background and not queued:
                        self._urgent_waiting += 1
                        queued = True
                    wait = max((self._level + 1 - capacity) / self.config.requests_per_second,
                               0.05 if yielding else 0.0)
                self.waited += wait
                self._sleep(wait)
        finally:
            if queued:
                with self._lock:
                    self._urgent_waiting -= 1

    def throttled_by_portal(self) -> None:
        """The portal said QUERY_LIMIT_EXCEEDED: its bucket is fuller than ours (another client)."""
        with self._lock:
            self._drain(self._clock())
            self._level = float(self.config.burst)
            self.throttled += 1


@dataclass
class OperatingBudget:
    """Per-method `time.operating` as last reported, and when the window frees."""

    config: PacingConfig
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    _state: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    held_seconds: float = 0.0

    def report(self, method: str, operating: float | None, reset_at: float | None) -> None:
        if operating is None:
            return
        with self._lock:
            self._state[method] = (float(operating), float(reset_at or 0))

    def wait_for(self, method: str) -> None:
        """Sleeps until `method` is back under its reserve (or its window has reset)."""
        with self._lock:
            operating, reset_at = self._state.get(method, (0.0, 0.0))
        if operating < self.config.operating_budget * self.config.operating_reserve:
            return
        delay = reset_at - self.clock()
        if delay > 0:
            self.held_seconds += delay
            self.sleep(delay)
        with self._lock:
            self._state.pop(method, None)
