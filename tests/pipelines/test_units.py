"""Small pieces of the extractor, with exact expected values."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from pipelines.bitrix24.keyset import ListQuery
from pipelines.bitrix24.pacing import OperatingBudget, PacingConfig, RequestPacer
from pipelines.bitrix24.php_query import build_query, command
from pipelines.bitrix24.record_types import FieldType, RecordTyper
from pipelines.bitrix24.webhook import Webhook, WebhookError


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_pacer_spends_the_burst_then_waits_exactly_for_the_drain():
    clock = FakeClock()
    pacer = RequestPacer(PacingConfig(burst=50, requests_per_second=2.0, safety=2), clock=clock, sleep=clock.sleep)
    for _ in range(48):
        pacer.acquire()
    assert clock.now == 1000.0  # the burst (less the safety slots) goes out at once
    for _ in range(10):
        pacer.acquire()
    assert clock.now == pytest.approx(1005.0)  # then 2 requests a second
    assert pacer.requests == 58 and pacer.waited == pytest.approx(5.0)


def test_pacer_backs_off_when_the_portal_says_the_bucket_is_full():
    clock = FakeClock()
    pacer = RequestPacer(PacingConfig(burst=10, requests_per_second=2.0, safety=0), clock=clock, sleep=clock.sleep)
    pacer.acquire()
    pacer.throttled_by_portal()
    pacer.acquire()
    assert clock.now == pytest.approx(1000.5) and pacer.throttled == 1


def test_operating_budget_holds_a_method_until_its_window_resets():
    clock = FakeClock()
    budget = OperatingBudget(PacingConfig(operating_budget=480), clock=clock, sleep=clock.sleep)
    budget.report("crm.deal.list", 100.0, 1600)
    budget.wait_for("crm.deal.list")
    assert clock.now == 1000.0
    budget.report("crm.deal.list", 440.0, 1600)
    budget.wait_for("crm.deal.list")
    assert clock.now == 1600.0 and budget.held_seconds == 600.0


def test_webhook_parsing_and_redaction():
    webhook = Webhook.parse("https://acme.bitrix24.ru/rest/7/s3cr3t/")
    assert (webhook.host, webhook.user_id, webhook.token, webhook.portal_host) == ("acme.bitrix24.ru", 7, "s3cr3t", "acme.bitrix24.ru")
    assert webhook.redacted == "https://acme.bitrix24.ru/rest/7/***/"
    assert webhook.scrub("GET https://acme.bitrix24.ru/rest/7/s3cr3t/x failed") == "GET https://acme.bitrix24.ru/rest/7/***/x failed"
    with pytest.raises(WebhookError, match="not of the form") as error:
        Webhook.parse("https://acme.bitrix24.ru/rest/s3cr3t")
    assert "s3cr3t" not in str(error.value)


def test_batch_command_encoding_keeps_references():
    assert build_query({"filter": {">ID": "$result[p00][49][ID]", "STAGE_ID": ["NEW", "WON"]}, "start": -1}) == (
        "filter[%3EID]=$result[p00][49][ID]&filter[STAGE_ID][0]=NEW&filter[STAGE_ID][1]=WON&start=-1")
    assert command("crm.deal.productrows.get", {"id": 5}) == "crm.deal.productrows.get?id=5"


def test_list_query_pages_and_references():
    query = ListQuery("crm.stagehistory.list", wrapper="items", params={"entityTypeId": 2})
    assert query.page_params(10) == {"entityTypeId": 2, "filter": {">ID": 10}, "order": {"ID": "ASC"}, "start": -1}
    assert query.reference("p03") == "$result[p03][items][49][ID]"
    departments = ListQuery("department.get", filter_param="", order_style="sort")
    assert departments.page_params(3) == {">ID": 3, "SORT": "ID", "ORDER": "ASC", "start": -1}


def test_record_typer_converts_and_reports():
    typer = RecordTyper("deals", "ID", {"ID": FieldType.INT, "OPPORTUNITY": FieldType.DECIMAL,
                                        "CLOSED": FieldType.BOOL, "DATE_MODIFY": FieldType.DATETIME,
                                        "CLOSEDATE": FieldType.DATE, "PROBABILITY": FieldType.INT,
                                        "TITLE": FieldType.TEXT})
    row, issues = typer({"ID": "5", "OPPORTUNITY": "15000.50", "CLOSED": "Y", "DATE_MODIFY": "2025-01-20T16:30:00+03:00",
                         "CLOSEDATE": "2025-02-01T00:00:00+03:00", "PROBABILITY": "ten", "TITLE": 42, "EXTRA": "x"})
    assert row == {"ID": 5, "OPPORTUNITY": Decimal("15000.50"), "CLOSED": True,
                   "DATE_MODIFY": datetime(2025, 1, 20, 16, 30, tzinfo=timezone(timedelta(hours=3))),
                   "CLOSEDATE": date(2025, 2, 1), "PROBABILITY": None, "TITLE": "42", "EXTRA": "x"}
    assert issues == [("PROBABILITY", "ten", "bigint")]


def test_background_requests_yield_to_waiting_list_pages():
    import threading

    pacer = RequestPacer(PacingConfig(burst=3, requests_per_second=20.0, safety=0))
    order: list[str] = []
    for _ in range(3):
        pacer.acquire()  # the bucket is full now

    def background() -> None:
        with pacer.background():
            pacer.acquire()
            order.append("product rows")

    def urgent() -> None:
        pacer.acquire()
        order.append("list page")

    first = threading.Thread(target=urgent)
    first.start()
    time_to_queue = threading.Event()
    time_to_queue.wait(0.01)
    second = threading.Thread(target=background)
    second.start()
    first.join(5)
    second.join(5)
    assert order == ["list page", "product rows"]
