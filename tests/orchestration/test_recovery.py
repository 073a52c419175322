"""The first contact fails in seconds with one clear line; once the portal answered, transient
failures are retried (by the extractor, then by Dagster) and progress says so; a fault that never
clears fails naming the portal and the entity."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import duckdb
import orjson
import pytest

from orchestration.definitions import build_definitions
from orchestration.defs.raw import RAW_KEYS
from orchestration.portals import PortalConfig
from pipelines.bitrix24.preflight import PreflightError, check_webhook
from pipelines.bitrix24.webhook import Webhook
from sandbox.server.faults import FaultConfig, FaultInjector
from tests.conftest import TOKEN
from tests.orchestration.conftest import warehouse_in

CLI = str(Path(sys.executable).parent / "crm-warehouse")


def run_cli(*args: str, cwd: Path, timeout: float = 120) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    process = subprocess.run([CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                             env={**os.environ, "RUNTIME__LOG_LEVEL": "ERROR"})
    return process, time.monotonic() - started


def test_nothing_listening_fails_in_seconds_with_one_line(tmp_path: Path) -> None:
    process, seconds = run_cli("extract", "--webhook-url", "http://127.0.0.1:9/rest/1/abc/",
                               "--warehouse", str(tmp_path / "warehouse.duckdb"), cwd=tmp_path)
    assert process.returncode == 1
    assert seconds < 15
    errors = [line for line in process.stderr.splitlines() if line.strip()]
    assert errors == ["Error: portal 127.0.0.1:9 is unreachable: connection refused; "
                      "check the host and port of the webhook URL"]
    assert "rows/s" not in process.stderr  # no progress of an extraction that never started


def test_a_wrong_token_is_named_without_showing_it(tmp_path: Path, mini_portal: Path, serve) -> None:
    sandbox = serve(mini_portal)
    wrong = sandbox.webhook_url.replace(TOKEN, "not-the-token")
    process, seconds = run_cli("extract", "--webhook-url", wrong, "--warehouse", str(tmp_path / "warehouse.duckdb"),
                               cwd=tmp_path)
    assert process.returncode == 1 and seconds < 15
    assert f"Error: portal 127.0.0.1:{sandbox.http.port} refused the webhook (INVALID_CREDENTIALS, HTTP 403): " \
           "the user id or token of the webhook URL is wrong or revoked" in process.stderr
    assert "not-the-token" not in process.stdout + process.stderr


class ScopeLimitedPortal(BaseHTTPRequestHandler):
    """Answers `batch` as a portal whose webhook lacks the telephony scope."""

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        commands = json.loads(self.rfile.read(length))["cmd"]
        results = {key: [] for key in commands if key != "telephony"}
        body = {"result": {"result": results, "result_error": {"telephony": {"error": "insufficient_scope",
                                                                             "error_description": ""}},
                           "result_total": [], "result_next": [], "result_time": []}}
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


def test_a_missing_scope_is_named() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScopeLimitedPortal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(PreflightError) as raised:
            check_webhook(Webhook.parse(f"http://127.0.0.1:{server.server_port}/rest/1/secret-token/"))
    finally:
        server.shutdown()
    assert raised.value.kind == "scope" and not raised.value.transient
    assert str(raised.value) == (f"portal 127.0.0.1:{server.server_port}: the webhook lacks access to telephony "
                                 "(voximplant.statistic.get: insufficient_scope); add the scope(s) in the "
                                 "webhook's settings in Bitrix24")


def test_progress_says_it_is_retrying_and_why(tmp_path: Path, tiny_portal: Path, serve) -> None:
    # every request waits 0.3 s (progress prints every 2 s); one in five fails with HTTP 500
    sandbox = serve(tiny_portal, faults=FaultConfig(latency_rate=1.0, latency_ms=300, error500_rate=0.2, seed=3))
    process, _ = run_cli("extract", "--webhook-url", sandbox.webhook_url, "--requests-per-second", "0",
                         "--warehouse", str(tmp_path / "warehouse.duckdb"), cwd=tmp_path, timeout=600)
    assert process.returncode == 0, process.stderr
    retrying = [line for line in process.stderr.splitlines() if "retrying after HTTP 500 x" in line]
    assert retrying, process.stderr
    assert sandbox.api.faults.injected["error500"] > 0


class FaultWindow:
    """Switches the sandbox's fault injection on after `start` requests (the pre-flight has been
    answered) and off again after `stop` (None: the fault never clears)."""

    def __init__(self, sandbox, start: int, stop: int | None, faults: FaultConfig) -> None:
        self.sandbox, self.start, self.stop, self.faults = sandbox, start, stop, faults
        self.requests = 0
        self._lock = threading.Lock()
        sandbox.api.after_request.append(self)

    def __call__(self) -> None:
        with self._lock:
            self.requests += 1
            if self.requests == self.start:
                self.sandbox.api.faults = FaultInjector(self.faults)
            elif self.stop is not None and self.requests == self.stop:
                self.sandbox.api.faults = FaultInjector(FaultConfig())


@pytest.fixture
def faulty_portal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A portal entry (not a sandbox entry) whose webhook secret points at a sandbox the test serves."""
    monkeypatch.setenv("SOURCES__BITRIX24__MAX_ATTEMPTS", "2")  # the extractor gives up quickly
    monkeypatch.setenv("CRM_WAREHOUSE_RETRY_SECONDS", "0.5")
    monkeypatch.setenv("CRM_WAREHOUSE_EXTRACTION_RETRIES", "2")
    portal = PortalConfig(name="faulty", portal_id="faulty.example", requests_per_second=0)
    warehouse = warehouse_in(tmp_path)
    defs = build_definitions([portal], warehouse)
    job = defs.resolve_job_def("pipeline").get_subset(asset_selection=set(RAW_KEYS))

    def extract(sandbox) -> dg.ExecuteInProcessResult:
        monkeypatch.setenv("PORTALS__FAULTY__WEBHOOK_URL", sandbox.webhook_url)
        with dg.instance_for_test() as instance:
            return job.execute_in_process(partition_key="faulty", instance=instance, raise_on_error=False)

    return extract, warehouse


def _attempts(result: dg.ExecuteInProcessResult) -> int:
    return 1 + sum(1 for event in result.all_events if event.event_type_value == "STEP_UP_FOR_RETRY")


def test_a_run_retries_through_faults_and_completes(faulty_portal, tiny_portal: Path, serve,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    extract, warehouse = faulty_portal
    # the portal answers the pre-flight, then fails every request for a while, then recovers
    sandbox = serve(tiny_portal)
    FaultWindow(sandbox, start=1, stop=4, faults=FaultConfig(error500_rate=1.0))
    result = extract(sandbox)
    assert result.success
    assert _attempts(result) == 2  # the first extraction gave up (2 calls failed); Dagster ran it again
    deals = len(orjson.loads((tiny_portal / "crm.deal.list.json").read_bytes()))
    with duckdb.connect(warehouse.duckdb_path, read_only=True) as connection:
        loaded = connection.execute("select portal_id, count(*) from raw_bitrix24.deals group by 1").fetchall()
    assert loaded == [("faulty.example", deals)]
    # a steady light fault rate is absorbed by the extractor's own retries (its default 12 attempts)
    monkeypatch.setenv("SOURCES__BITRIX24__MAX_ATTEMPTS", "12")
    steady = serve(tiny_portal, faults=FaultConfig(error500_rate=0.1, truncate_rate=0.05, seed=5))
    again = extract(steady)
    assert again.success and _attempts(again) == 1
    assert steady.api.faults.injected["error500"] + steady.api.faults.injected["truncate"] > 0


def test_a_fault_that_never_clears_fails_naming_portal_and_entity(faulty_portal, tiny_portal: Path, serve) -> None:
    extract, _ = faulty_portal
    sandbox = serve(tiny_portal)
    FaultWindow(sandbox, start=1, stop=None, faults=FaultConfig(error500_rate=1.0))
    result = extract(sandbox)
    assert not result.success
    assert _attempts(result) == 3  # the first run and CRM_WAREHOUSE_EXTRACTION_RETRIES=2 more
    [failure] = [event for event in result.all_events if event.event_type_value == "STEP_FAILURE"]
    description = failure.event_specific_data.error.message
    assert "portal faulty.example, entity " in description
    entity = failure.event_specific_data.user_failure_data.metadata["entity"].value
    assert entity in {key.path[-1] for key in RAW_KEYS}
    assert "INTERNAL_SERVER_ERROR" in description and "(gave up after 3 attempts)" in description
    assert TOKEN not in description
