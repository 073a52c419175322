"""The leaky-bucket request limit and the operating-time limit with the server cost model."""

from __future__ import annotations

import time

from sandbox.server.limits import LimitConfig
from sandbox.server.methods.listing import CostModel
from tests.sandbox.api_client import call


def test_burst_beyond_50_gets_503_query_limit_exceeded(serve, mini_portal):
    sandbox = serve(mini_portal, limits=LimitConfig(enabled=True, burst=50, drain_per_second=2.0))
    statuses = [call(sandbox, "crm.currency.list").status_code for _ in range(55)]
    # 50 pass instantly; the drain may free one more slot while the burst is sent.
    assert statuses[:50] == [200] * 50
    assert statuses.count(503) >= 4
    refused = call(sandbox, "crm.currency.list")
    assert refused.status_code == 503
    assert refused.json() == {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}


def test_drain_rate_holds_at_two_requests_per_second(serve, mini_portal):
    sandbox = serve(mini_portal, limits=LimitConfig(enabled=True, burst=50, drain_per_second=2.0))
    while call(sandbox, "crm.currency.list").status_code == 200:
        pass
    admitted, started = 0, time.monotonic()
    while time.monotonic() - started < 3.0:
        if call(sandbox, "crm.currency.list").status_code == 200:
            admitted += 1
        time.sleep(0.02)
    assert 5 <= admitted <= 7  # 2/s over 3 s


def test_a_batch_counts_once(serve, mini_portal):
    sandbox = serve(mini_portal, limits=LimitConfig(enabled=True, burst=3, drain_per_second=0.001))
    cmd = {f"c{index}": "crm.currency.list" for index in range(50)}
    assert [call(sandbox, "batch", {"cmd": cmd}).status_code for _ in range(4)] == [200, 200, 200, 503]


def test_cost_model_counts_rows_and_offsets(serve, paged_portal):
    sandbox = serve(paged_portal, cost_model=CostModel(base=0.5, per_counted_row=0.01, per_skipped_row=0.001),
                    limits=LimitConfig(operating_enabled=True))
    processing = lambda params: call(sandbox, "crm.lead.list", params).json()["time"]["processing"]  # noqa: E731
    assert processing({}) == 0.5 + 120 * 0.01
    assert processing({"start": 100}) == 0.5 + 120 * 0.01 + 100 * 0.001
    assert processing({"start": -1}) == 0.5


def test_operating_time_limit_blocks_a_method_until_the_window_frees_it(serve, paged_portal):
    # Every counted call costs 100 simulated seconds; 600x time scale makes the 10-minute window 1 s.
    sandbox = serve(
        paged_portal,
        cost_model=CostModel(base=100.0, per_counted_row=0.0, per_skipped_row=0.0),
        limits=LimitConfig(operating_enabled=True, operating_budget=480, time_scale=600, cost_latency=False),
    )
    bodies = [call(sandbox, "crm.lead.list", {"select": ["ID"]}) for _ in range(6)]
    assert [body.status_code for body in bodies] == [200, 200, 200, 200, 200, 429]
    assert bodies[4].json()["time"]["operating"] == 500.0
    assert bodies[4].json()["time"]["operating_reset_at"] >= int(time.time())
    assert bodies[5].json() == {"error": "OPERATION_TIME_LIMIT",
                                "error_description": "Method is blocked due to operation time limit."}
    # Other methods are not blocked; the blocked one frees when its window passes.
    assert call(sandbox, "crm.stagehistory.list", {"entityTypeId": 1}).status_code == 200
    time.sleep(1.1)
    assert call(sandbox, "crm.lead.list", {"select": ["ID"]}).status_code == 200


def test_operating_limit_inside_batch_is_per_sub_call(serve, paged_portal):
    sandbox = serve(
        paged_portal,
        cost_model=CostModel(base=200.0, per_counted_row=0.0, per_skipped_row=0.0),
        limits=LimitConfig(operating_enabled=True, operating_budget=480, time_scale=1.0),
    )
    cmd = {f"p{index}": "crm.lead.list?select[]=ID" for index in range(4)}
    body = call(sandbox, "batch", {"cmd": cmd}).json()["result"]
    assert list(body["result"]) == ["p0", "p1", "p2"]
    assert body["result_error"] == {"p3": {"error": "OPERATION_TIME_LIMIT",
                                           "error_description": "Method is blocked due to operation time limit."}}
    assert body["result_time"]["p2"]["operating"] == 600.0
