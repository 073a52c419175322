"""One API request, transport-independent: auth, limits, faults, dispatch, envelope.

Kept apart from the HTTP layer so the exact same logic answers a real socket and a unit test.
"""

from __future__ import annotations

import hmac
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import orjson

from sandbox.server import envelope
from sandbox.server.batch import run_batch
from sandbox.server.envelope import ApiError, MethodResult
from sandbox.server.faults import Fault, FaultConfig, FaultInjector
from sandbox.server.limits import LeakyBucket, LimitConfig, OperatingTimeLimiter
from sandbox.server.methods import METHODS, CallContext
from sandbox.server.methods.listing import CostModel
from sandbox.server.params import BadRequest, decode_request, get_param
from sandbox.store.portal import PortalStore

_WEBHOOK_PATH = re.compile(r"^/rest/(?P<user>\d+)/(?P<token>[^/]+)/(?P<method>[^/]+)$")
_OAUTH_PATH = re.compile(r"^/rest/(?P<method>[^/]+)$")


@dataclass(frozen=True)
class ServerConfig:
    token: str
    user_id: int = 1
    limits: LimitConfig = field(default_factory=LimitConfig.off)
    faults: FaultConfig = field(default_factory=FaultConfig)
    cost_model: CostModel = field(default_factory=CostModel)


@dataclass
class Reply:
    status: int
    body: bytes
    fault: Fault = Fault.NONE
    latency: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Counters:
    requests: int = 0
    calls: int = 0  # method executions, batch sub-calls included
    rejected_rate: int = 0
    rejected_operating: int = 0
    errors: int = 0
    rows: int = 0  # records returned by list methods (a client's throughput, seen from the server)


def _json(payload: Any) -> bytes:
    return orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS)


class SandboxApi:
    """The portal's REST endpoint. `after_request` hooks live mode in."""

    def __init__(self, store: PortalStore, config: ServerConfig) -> None:
        self.store = store
        self.config = config
        self.bucket = LeakyBucket(config.limits.burst, config.limits.drain_per_second)
        self.operating = OperatingTimeLimiter(config.limits)
        self.faults = FaultInjector(config.faults)
        self.counters = Counters()
        self.after_request: list[Callable[[], None]] = []
        self._context = CallContext(store=store, cost_model=config.cost_model)
        self._lock = threading.Lock()

    # -- the request -----------------------------------------------------------------------------

    def handle(self, path: str, query: str, content_type: str, body: bytes, client: str) -> Reply:
        started = time.time()
        with self._lock:
            self.counters.requests += 1
        fault, latency = self.faults.decide()
        if fault is Fault.DROP:
            return Reply(status=0, body=b"", fault=fault, latency=latency)
        try:
            if fault is Fault.ERROR_500:
                raise envelope.internal_error()
            method, webhook = self._authenticate(path, query, content_type, body)
            if fault is Fault.STORM:
                raise envelope.query_limit_exceeded()
            if self.config.limits.enabled and not self.bucket.admit(client):
                with self._lock:
                    self.counters.rejected_rate += 1
                raise envelope.query_limit_exceeded()
            params = self._params(query, content_type, body)
            if method == "batch":
                outcome = run_batch(params, lambda sub, sub_params: self._call(webhook, sub, sub_params, time.time()))
                time_info = envelope.time_block(started, time.time() - started, self.store.tz)
            else:
                outcome, time_info = self._call(webhook, method, params, started)
            payload = envelope.success_body(outcome, time_info)
            status = 200
        except ApiError as failure:
            with self._lock:
                self.counters.errors += 1
            payload, status = failure.body(), failure.status
        finally:
            for hook in self.after_request:
                hook()
        reply = Reply(status=status, body=_json(payload), fault=fault, latency=latency)
        if fault is Fault.TRUNCATE and status == 200:
            reply.body = reply.body[: max(1, len(reply.body) // 2)]
        return reply

    def _authenticate(self, path: str, query: str, content_type: str, body: bytes) -> tuple[str, str]:
        """Returns (method, webhook id); wrong or missing credentials are refused before anything."""
        match = _WEBHOOK_PATH.match(path)
        if match:
            method = self._method_name(match.group("method"))
            user_ok = match.group("user") == str(self.config.user_id)
            token_ok = hmac.compare_digest(match.group("token").encode(), self.config.token.encode())
            if not (user_ok and token_ok):
                raise ApiError("INVALID_CREDENTIALS", "Invalid request credentials", 403)
            return method, match.group("user")
        match = _OAUTH_PATH.match(path)
        if match:
            method = self._method_name(match.group("method"))
            try:
                auth = get_param(decode_request(query, content_type, body), "auth")
            except BadRequest:
                auth = None
            if not auth:
                raise envelope.no_auth()
            if not hmac.compare_digest(str(auth).encode(), self.config.token.encode()):
                raise ApiError("invalid_token", "Unable to get application by token", 401)
            return method, "oauth"
        raise envelope.method_not_found()

    @staticmethod
    def _method_name(raw: str) -> str:
        """`crm.deal.List.json` -> `crm.deal.list`; only JSON transport is served."""
        name = raw.strip()
        stem, dot, suffix = name.rpartition(".")
        if dot and suffix.lower() in ("json", "xml"):
            if suffix.lower() == "xml":
                raise envelope.wrong_transport()
            name = stem
        return name.lower()

    @staticmethod
    def _params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
        try:
            return decode_request(query, content_type, body)
        except BadRequest as failure:
            raise ApiError("ERROR_ARGUMENT", str(failure), 400) from None

    # -- one method call (top level or inside batch) --------------------------------------------

    def _call(self, webhook: str, method: str, params: dict[str, Any], started: float) -> tuple[MethodResult, dict[str, Any]]:
        handler = METHODS.get(method)
        if handler is None:
            raise envelope.method_not_found()
        limits = self.config.limits
        if not self.operating.check(webhook, method):
            with self._lock:
                self.counters.rejected_operating += 1
            raise envelope.operation_time_limit()
        with self._lock:
            self.counters.calls += 1
        outcome = handler(self._context, params)
        listed = outcome.result
        if isinstance(listed, dict):  # wrapped lists: result.items, result.productRows...
            listed = next(iter(listed.values())) if len(listed) == 1 else None
        if isinstance(listed, list) and outcome.total is not None:
            with self._lock:
                self.counters.rows += len(listed)
        operating = reset_at = None
        if limits.operating_enabled:
            operating, reset_at = self.operating.record(webhook, method, outcome.cost)
            if limits.cost_latency and outcome.cost > 0:
                time.sleep(outcome.cost / limits.time_scale)
        time_info = envelope.time_block(started, outcome.cost, self.store.tz, operating, reset_at)
        return outcome, time_info

    def status(self) -> dict[str, Any]:
        return {
            "requests": self.counters.requests,
            "calls": self.counters.calls,
            "rejected_rate": self.counters.rejected_rate,
            "rejected_operating": self.counters.rejected_operating,
            "errors": self.counters.errors,
            "rows": self.counters.rows,
            "faults": dict(self.faults.injected),
        }
