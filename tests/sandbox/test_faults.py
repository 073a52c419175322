"""Injected faults: each one as a client sees it, and their determinism by seed."""

from __future__ import annotations

import time

import pytest
import requests

from sandbox.server.faults import FaultConfig
from tests.sandbox.api_client import call


def test_error500(serve, mini_portal):
    sandbox = serve(mini_portal, faults=FaultConfig(error500_rate=1.0))
    response = call(sandbox, "crm.deal.list")
    assert response.status_code == 500
    assert response.json() == {"error": "INTERNAL_SERVER_ERROR", "error_description": "Internal server error"}


def test_dropped_connection(serve, mini_portal):
    sandbox = serve(mini_portal, faults=FaultConfig(drop_rate=1.0))
    with pytest.raises(requests.ConnectionError):
        requests.post(sandbox.webhook_url + "crm.deal.list", json={}, timeout=10)


def test_truncated_json(serve, mini_portal):
    sandbox = serve(mini_portal, faults=FaultConfig(truncate_rate=1.0))
    response = requests.post(sandbox.webhook_url + "crm.deal.list", json={}, timeout=10)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    assert response.text.startswith('{"result":[')


def test_limit_storm(serve, mini_portal):
    sandbox = serve(mini_portal, faults=FaultConfig(storm_rate=1.0))
    response = call(sandbox, "crm.deal.list")
    assert (response.status_code, response.json()["error"]) == (503, "QUERY_LIMIT_EXCEEDED")


def test_latency(serve, mini_portal):
    sandbox = serve(mini_portal, faults=FaultConfig(latency_rate=1.0, latency_ms=300))
    started = time.monotonic()
    assert call(sandbox, "crm.deal.list").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_faults_are_deterministic_by_seed(serve, mini_portal):
    def outcomes(seed: int) -> list[int]:
        sandbox = serve(mini_portal, faults=FaultConfig(error500_rate=0.3, storm_rate=0.2, seed=seed))
        return [call(sandbox, "crm.currency.list").status_code for _ in range(40)]

    first, again, other = outcomes(7), outcomes(7), outcomes(8)
    assert first == again and first != other
    assert 4 <= first.count(500) <= 20 and first.count(503) >= 2


def test_fault_spec_parsing():
    config = FaultConfig.parse("error500=0.02, drop=0.01,truncate=0.03,storm=0.05,latency=0.1:250", seed=3)
    assert (config.error500_rate, config.drop_rate, config.truncate_rate, config.storm_rate) == (0.02, 0.01, 0.03, 0.05)
    assert (config.latency_rate, config.latency_ms, config.seed) == (0.1, 250.0, 3)
    with pytest.raises(ValueError, match="unknown fault 'boom'"):
        FaultConfig.parse("boom=0.1")
    with pytest.raises(ValueError, match="between 0 and 1"):
        FaultConfig.parse("drop=2")
