"""The portal's two limits (reference §3), configurable and deterministic.

1. Request intensity: a leaky bucket per client address. Each HTTP request (a whole `batch`
   counts once) adds one; the bucket drains `drain_per_second`; a request arriving when it holds
   `burst` or more is refused with 503 QUERY_LIMIT_EXCEEDED.
2. Operating time: per (webhook, method), the simulated processing seconds of the last 10
   one-minute baskets; once they exceed the budget (480 s) the method answers 429
   OPERATION_TIME_LIMIT until the oldest basket expires. `time_scale` shrinks the window so a
   test sees a 10-minute window pass in 10 s (scale 60) without changing the reported costs.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class LimitConfig:
    enabled: bool = False
    burst: int = 50
    drain_per_second: float = 2.0
    operating_enabled: bool = False
    operating_budget: float = 480.0  # simulated seconds per window
    operating_window: float = 600.0  # simulated seconds: 10 baskets of 60 s
    operating_basket: float = 60.0
    time_scale: float = 1.0  # simulated seconds per wall-clock second
    cost_latency: bool = False  # also sleep the simulated processing time (scaled)

    @classmethod
    def cloud(cls, time_scale: float = 1.0, operating: bool = True) -> "LimitConfig":
        return cls(enabled=True, operating_enabled=operating, time_scale=time_scale, cost_latency=operating)

    @classmethod
    def off(cls) -> "LimitConfig":
        return cls()


class LeakyBucket:
    def __init__(self, burst: int, drain_per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst = burst
        self.drain_per_second = drain_per_second
        self._clock = clock
        self._levels: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def admit(self, client: str) -> bool:
        """True if the request may run (and is counted); False if the bucket is full."""
        now = self._clock()
        with self._lock:
            level, stamp = self._levels.get(client, (0.0, now))
            level = max(0.0, level - (now - stamp) * self.drain_per_second)
            if level + 1 > self.burst:
                self._levels[client] = (level, now)
                return False
            self._levels[client] = (level + 1, now)
            return True


class OperatingTimeLimiter:
    """Sliding window of one-minute baskets of simulated processing time per (webhook, method)."""

    def __init__(self, config: LimitConfig, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self._clock = clock
        self._baskets: dict[tuple[str, str], deque[list[float]]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _simulated_now(self) -> float:
        return self._clock() * self.config.time_scale

    def _expire(self, baskets: deque[list[float]], now: float) -> None:
        while baskets and baskets[0][0] + self.config.operating_window <= now:
            baskets.popleft()

    def check(self, webhook: str, method: str) -> bool:
        """True if `method` may run now; False while its window is over budget."""
        if not self.config.operating_enabled:
            return True
        now = self._simulated_now()
        with self._lock:
            baskets = self._baskets[(webhook, method)]
            self._expire(baskets, now)
            return sum(basket[1] for basket in baskets) <= self.config.operating_budget

    def record(self, webhook: str, method: str, seconds: float) -> tuple[float, int]:
        """Adds a call's cost; returns (operating, operating_reset_at) as the API reports them."""
        now = self._simulated_now()
        with self._lock:
            baskets = self._baskets[(webhook, method)]
            self._expire(baskets, now)
            if baskets and now < baskets[-1][0] + self.config.operating_basket:
                baskets[-1][1] += seconds
            else:
                baskets.append([now, seconds])
            operating = sum(basket[1] for basket in baskets)
            reset_simulated = baskets[0][0] + self.config.operating_window
        # Reported as a Unix timestamp on the wall clock, when the oldest basket frees.
        reset_at = int(reset_simulated / self.config.time_scale) + 1
        return operating, reset_at
