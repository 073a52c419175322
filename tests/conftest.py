"""Shared fixtures: portals (hand-written and built in code) and running sandbox servers."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import orjson
import pytest

# Nothing may phone home during tests.
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")  # dlt: warnings about all-null columns are noise here

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _crm_warehouse_logger_restored():
    """A command run in-process (CliRunner) configures our logger for a terminal: its own stderr
    handler, no propagation. Put back after each test, so a later test's caplog sees our warnings."""
    logger = logging.getLogger("crm_warehouse")
    handlers, propagate, level = logger.handlers[:], logger.propagate, logger.level
    yield
    logger.handlers[:] = handlers
    logger.propagate = propagate
    logger.setLevel(level)
TOKEN = "test-token-0123"


@pytest.fixture(scope="session")
def mini_portal() -> Path:
    """A small portal written by hand in the fixture format (DESIGN.md §4)."""
    return FIXTURES / "portals" / "mini"


def write_array(path: Path, records: list[dict]) -> None:
    path.write_bytes(b"[\n" + b",\n".join(orjson.dumps(record) for record in records) + b"\n]\n")


@pytest.fixture(scope="session")
def tiny_portal(tmp_path_factory) -> Path:
    """A generated `tiny` portal (150 deals), seed 11: the raw data of extraction and dbt tests."""
    from sandbox.generator import generate_portal

    portal = tmp_path_factory.mktemp("tiny-portal")
    generate_portal(portal, seed=11, scale="tiny")
    return portal


@pytest.fixture(scope="session")
def paged_portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 leads (IDs 1..120, every third in status JUNK) and 130 lead stage-history rows."""
    portal = tmp_path_factory.mktemp("paged")
    leads = [
        {"ID": str(i), "TITLE": f"Lead {i}", "STATUS_ID": "JUNK" if i % 3 == 0 else "NEW",
         "OPPORTUNITY": f"{i * 100}.00", "DATE_MODIFY": f"2025-01-{1 + i % 28:02d}T10:00:00+03:00"}
        for i in range(1, 121)
    ]
    write_array(portal / "crm.lead.list.json", leads)
    history = [
        {"ID": i, "TYPE_ID": 1, "OWNER_ID": i, "CREATED_TIME": "2025-01-01T10:00:00+03:00",
         "STATUS_SEMANTIC_ID": "P", "STATUS_ID": "NEW"}
        for i in range(1, 131)
    ]
    write_array(portal / "crm.stagehistory.list.lead.json", history)
    return portal


def _serving():
    from sandbox.server.app import SandboxOptions, start_sandbox

    running = []

    def start(portal: Path, **options):
        options.setdefault("token", TOKEN)
        sandbox = start_sandbox(portal, SandboxOptions(**options))
        running.append(sandbox)
        return sandbox

    yield start
    for sandbox in running:
        sandbox.stop()


@pytest.fixture
def serve():
    """Starts sandbox servers for a test and stops them afterwards: `serve(portal, **options)`."""
    yield from _serving()


@pytest.fixture(scope="module")
def serve_module():
    """Like `serve`, for read-only servers shared by a module's tests."""
    yield from _serving()
from tests.support.fixtures import postgres_dsn, postgres_server  # noqa: E402,F401
