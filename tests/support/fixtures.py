"""pytest fixtures for the throwaway PostgreSQL server (tests/support/postgres_server.py).

Import the fixture where it is needed: ``from tests.support.fixtures import postgres_dsn  # noqa: F401``
(in tests/conftest.py for every test, or in one test module). Importing it in several places defines
several fixtures, but they share one server per session.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.support.postgres_server import TemporaryPostgres, postgres_available

_lock = threading.Lock()
_shared: TemporaryPostgres | None = None
_users = 0


def _acquire() -> TemporaryPostgres:
    global _shared, _users
    with _lock:
        if _shared is None:
            server = TemporaryPostgres(database="warehouse", user="loader")
            server.start()
            _shared = server
        _users += 1
        return _shared


def _release() -> None:
    global _shared, _users
    with _lock:
        _users -= 1
        if _users == 0 and _shared is not None:
            _shared.stop()
            _shared = None


@contextmanager
def shared_postgres() -> Iterator[TemporaryPostgres]:
    """The session's server, started on first use and stopped when its last user is done."""
    available, reason = postgres_available()
    if not available:
        pytest.skip(f"PostgreSQL unavailable: {reason}")
    server = _acquire()
    try:
        yield server
    finally:
        _release()


# Each fixture stands alone (no fixture depends on another), so importing just one of them suffices.
@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """DSN of the session's throwaway server: postgresql://loader@127.0.0.1:<port>/warehouse (trust auth).

    Skips the test with the reason when the PostgreSQL server binaries are not installed.
    """
    with shared_postgres() as server:
        yield server.dsn


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[TemporaryPostgres]:
    """The session's server object itself (.dsn, .connection_params(), .port) for tests needing more than the DSN."""
    with shared_postgres() as server:
        yield server
