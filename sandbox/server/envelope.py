"""Response envelopes and errors exactly as reference §1.3–1.4 describes them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


class ApiError(Exception):
    """An error the portal answers with `{"error": code, "error_description": text}`."""

    def __init__(self, code: Any, description: str, status: int = 400, **extra: Any) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.status = status
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "error_description": self.description, **self.extra}


# The errors the sandbox raises, by name, so handlers and tests share one definition.
def method_not_found() -> ApiError:
    return ApiError("ERROR_METHOD_NOT_FOUND", "Method not found!", 404)


def no_auth() -> ApiError:
    return ApiError("NO_AUTH_FOUND", "Wrong authorization data", 401)


def wrong_transport() -> ApiError:
    return ApiError("INTERNAL_WRONG_TRANSPORT", "Wrong transport!", 500)


def query_limit_exceeded() -> ApiError:
    return ApiError("QUERY_LIMIT_EXCEEDED", "Too many requests", 503)


def operation_time_limit() -> ApiError:
    return ApiError("OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit.", 429)


def internal_error() -> ApiError:
    return ApiError("INTERNAL_SERVER_ERROR", "Internal server error", 500)


def legacy_error(description: str) -> ApiError:
    """Legacy `crm.*` methods throw RestException with an empty code: HTTP 400, `"error": ""`."""
    return ApiError("", description, 400)


def invalid_arg(description: str) -> ApiError:
    """New D7 controllers (`crm.item.*`, `crm.stagehistory.list`, `crm.category.*`)."""
    return ApiError("INVALID_ARG_VALUE", description, 400)


@dataclass
class MethodResult:
    """What a method returns before the envelope: `result`, paging and its simulated cost."""

    result: Any
    total: int | None = None
    next: int | None = None
    cost: float = 0.0  # simulated seconds of server work (reported as time.processing)
    extra_time: dict[str, Any] = field(default_factory=dict)


def time_block(
    started: float,
    processing: float,
    tz: timezone,
    operating: float | None = None,
    operating_reset_at: int | None = None,
) -> dict[str, Any]:
    finished = max(time.time(), started + 0.000001)
    block: dict[str, Any] = {
        "start": started,
        "finish": finished,
        "duration": finished - started,
        "processing": processing,
        "date_start": datetime.fromtimestamp(started, tz).replace(microsecond=0).isoformat(),
        "date_finish": datetime.fromtimestamp(finished, tz).replace(microsecond=0).isoformat(),
    }
    if operating_reset_at is not None:
        block["operating_reset_at"] = operating_reset_at
    if operating is not None:
        block["operating"] = operating
    return block


def success_body(outcome: MethodResult, time_info: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"result": outcome.result}
    if outcome.next is not None:
        body["next"] = outcome.next
    if outcome.total is not None:
        body["total"] = outcome.total
    body["time"] = time_info
    return body
