"""A plain HTTP helper for sandbox tests (the conformance tests use the real SDKs instead)."""

from __future__ import annotations

from typing import Any

import requests

SESSION = requests.Session()


def call(sandbox, method: str, params: dict[str, Any] | None = None, **kwargs) -> requests.Response:
    return SESSION.post(sandbox.webhook_url + method + ".json", json=params or {}, timeout=30, **kwargs)


def result(sandbox, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    response = call(sandbox, method, params)
    assert response.status_code == 200, response.text
    return response.json()


def ids(body: dict[str, Any], key: str = "ID") -> list[int]:
    rows = body["result"]
    if isinstance(rows, dict):
        rows = next(iter(rows.values()))
    return [int(row[key]) for row in rows]
