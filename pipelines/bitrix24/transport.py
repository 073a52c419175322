"""HTTP to one portal: dlt's retrying client and REST client, paced to the portal's limits.

dlt's `Client` retries 429/5xx answers and dropped connections with exponential back-off; we add
what a Bitrix24 portal needs on top: a 200 whose JSON is cut short is retried too, every attempt
waits for a slot in the portal's request bucket (`PacedAdapter`), 503 QUERY_LIMIT_EXCEEDED tells
the pacer the bucket is full, and nothing we raise or log carries the webhook token.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Callable

import orjson
from dlt.sources.helpers.requests import Client
from dlt.sources.helpers.rest_client import RESTClient
from requests import Response
from requests.adapters import HTTPAdapter

from pipelines.bitrix24.pacing import OperatingBudget, PacingConfig, RequestPacer
from pipelines.bitrix24.redaction import hide_from_logs
from pipelines.bitrix24.webhook import Webhook

logger = logging.getLogger("crm_warehouse.extract")


class Bitrix24Error(RuntimeError):
    """An error answer of the portal, named by method and code (never with the token)."""

    def __init__(self, method: str, code: Any, description: str, status: int | None = None) -> None:
        where = f"{method}: " if method else ""
        status_text = f" (HTTP {status})" if status else ""
        super().__init__(f"{where}{code or 'error'}: {description}{status_text}")
        self.method = method
        self.code = code
        self.description = description
        self.status = status


@dataclass(frozen=True)
class TransportConfig:
    timeout: float = 120.0
    max_attempts: int = 12
    backoff_factor: float = 0.5
    max_retry_delay: float = 60.0
    pacing: PacingConfig = PacingConfig()


class PacedAdapter(HTTPAdapter):
    """Every attempt, retries included, first takes a slot in the portal's request bucket; a failed
    attempt (dropped connection, 429, 5xx) is told to `on_failure`, so progress can say why a run
    is retrying (dlt's client retries it out of our sight)."""

    def __init__(self, pacer: RequestPacer, on_failure: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pacer = pacer
        self.on_failure = on_failure

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def, override]
        self.pacer.acquire()
        try:
            response = super().send(request, **kwargs)
        except Exception as error:
            self.on_failure(type(error).__name__)
            raise
        if response.status_code == 429 or response.status_code >= 500:
            self.on_failure(f"HTTP {response.status_code}")
        return response


class Bitrix24Transport:
    """One per extraction; thread-safe (each thread gets its own session)."""

    def __init__(self, webhook: Webhook, config: TransportConfig | None = None) -> None:
        self.webhook = webhook
        hide_from_logs(webhook.token)
        self.config = config or TransportConfig()
        self.pacer = RequestPacer(self.config.pacing)
        self.operating = OperatingBudget(self.config.pacing)
        # failed attempts by reason; the extraction points `on_retry` at its counters
        self.on_retry: Callable[[str], None] | None = None
        self._adapter = PacedAdapter(self.pacer, self._note_failure, pool_maxsize=16)
        self._local = threading.local()

    def _note_failure(self, reason: str) -> None:
        if self.on_retry is not None:
            self.on_retry(reason)

    # -- clients -------------------------------------------------------------------------------

    def _retry_predicate(self, response: Response | None, exception: BaseException | None) -> bool:
        """Retry truncated 200s; tell the pacer about 503s. The parsed body is kept on the response."""
        if response is None:
            return False
        if response.status_code == 503:
            self.pacer.throttled_by_portal()
            return True
        if response.status_code != 200:
            return False
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            self._note_failure("truncated answer")
            logger.warning("%s: truncated or invalid JSON answer (%d bytes), retrying",
                           response.request.path_url.rsplit("/", 1)[-1] if response.request else "?",
                           len(response.content))
            return True
        response.json = lambda **_: body  # type: ignore[method-assign]  # parse once, with orjson
        return False

    def rest_client(self) -> RESTClient:
        client = getattr(self._local, "client", None)
        if client is None:
            http = Client(
                request_timeout=self.config.timeout,
                raise_for_status=False,
                request_max_attempts=self.config.max_attempts,
                retry_condition=self._retry_predicate,
                request_backoff_factor=self.config.backoff_factor,
                request_max_retry_delay=self.config.max_retry_delay,
            )
            session = http.session
            session.mount("http://", self._adapter)
            session.mount("https://", self._adapter)
            session.headers.update({"User-Agent": "crm-warehouse/0.1 (dlt)", "Accept": "application/json"})
            client = RESTClient(base_url=self.webhook.base_url, session=session)
            self._local.client = client
        return client

    # -- calls ---------------------------------------------------------------------------------

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """One method call; returns the whole envelope (`result`, `total`, `next`, `time`)."""
        self.operating.wait_for(method)
        try:
            response = self.rest_client().post(method, json=params or {})
        except Exception as error:  # connection errors after all retries: scrub the URL
            raise Bitrix24Error(method, type(error).__name__, self.webhook.scrub(str(error))) from None
        body = self.checked_body(method, response)
        timing = body.get("time") or {}
        self.operating.report(method, timing.get("operating"), timing.get("operating_reset_at"))
        return body

    def checked_body(self, method: str, response: Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            raise Bitrix24Error(method, "INVALID_RESPONSE",
                                f"the portal's answer is not JSON after {self.config.max_attempts} attempts",
                                response.status_code) from None
        if response.status_code != 200 or (isinstance(body, dict) and "error" in body and "result" not in body):
            code = body.get("error") if isinstance(body, dict) else None
            description = body.get("error_description", "") if isinstance(body, dict) else ""
            raise Bitrix24Error(method, code, self.webhook.scrub(str(description)), response.status_code)
        return body
