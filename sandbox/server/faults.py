"""Injected faults: what a real portal and the network between do to an extractor.

Spec string (CLI `--faults`): comma-separated `name=rate` pairs, rates in [0, 1]:
`latency=0.1:250` (10% of requests wait 250 ms), `error500=0.02` (HTTP 500 INTERNAL_SERVER_ERROR),
`drop=0.01` (connection closed without an answer), `truncate=0.01` (a 200 whose JSON body is cut
short), `storm=0.05` (503 QUERY_LIMIT_EXCEEDED although the bucket has room: a limit storm).
Decisions are a pure function of (seed, request number), so a run is reproducible.
"""

from __future__ import annotations

import enum
import hashlib
import threading
from dataclasses import dataclass


class Fault(str, enum.Enum):
    NONE = "none"
    ERROR_500 = "error500"
    DROP = "drop"
    TRUNCATE = "truncate"
    STORM = "storm"


@dataclass(frozen=True)
class FaultConfig:
    latency_rate: float = 0.0
    latency_ms: float = 200.0
    error500_rate: float = 0.0
    drop_rate: float = 0.0
    truncate_rate: float = 0.0
    storm_rate: float = 0.0
    seed: int = 0

    @property
    def any(self) -> bool:
        return any((self.latency_rate, self.error500_rate, self.drop_rate, self.truncate_rate, self.storm_rate))

    @classmethod
    def parse(cls, spec: str | None, seed: int = 0) -> "FaultConfig":
        if not spec or spec.strip().lower() in ("off", "none"):
            return cls(seed=seed)
        values: dict[str, float] = {}
        for part in spec.split(","):
            name, _, raw = part.strip().partition("=")
            name = name.strip().lower()
            if not raw:
                raise ValueError(f"fault {name!r} needs a rate, e.g. {name}=0.05")
            if name == "latency":
                rate, _, millis = raw.partition(":")
                values["latency_rate"] = _rate(name, rate)
                if millis:
                    values["latency_ms"] = float(millis)
            elif name in ("error500", "drop", "truncate", "storm"):
                values[f"{name}_rate"] = _rate(name, raw)
            else:
                raise ValueError(f"unknown fault {name!r}; known: latency, error500, drop, truncate, storm")
        return cls(seed=seed, **values)


def _rate(name: str, raw: str) -> float:
    rate = float(raw)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"fault rate for {name} must be between 0 and 1, got {raw}")
    return rate


class FaultInjector:
    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self._counter = 0
        self._lock = threading.Lock()
        self.injected: dict[str, int] = {fault.value: 0 for fault in Fault if fault is not Fault.NONE}
        self.injected["latency"] = 0

    def _draws(self) -> tuple[float, float]:
        with self._lock:
            self._counter += 1
            number = self._counter
        digest = hashlib.blake2b(f"{self.config.seed}:{number}".encode(), digest_size=16).digest()
        first = int.from_bytes(digest[:8], "big") / 2**64
        second = int.from_bytes(digest[8:], "big") / 2**64
        return first, second

    def decide(self) -> tuple[Fault, float]:
        """The fault for the next request and the extra latency (seconds) to add."""
        if not self.config.any:
            return Fault.NONE, 0.0
        fault_draw, latency_draw = self._draws()
        latency = self.config.latency_ms / 1000 if latency_draw < self.config.latency_rate else 0.0
        if latency:
            self.injected["latency"] += 1
        threshold = 0.0
        for fault, rate in (
            (Fault.ERROR_500, self.config.error500_rate),
            (Fault.DROP, self.config.drop_rate),
            (Fault.TRUNCATE, self.config.truncate_rate),
            (Fault.STORM, self.config.storm_rate),
        ):
            threshold += rate
            if fault_draw < threshold:
                self.injected[fault.value] += 1
                return fault, latency
        return Fault.NONE, latency
