"""Self-test of the throwaway PostgreSQL server used by the database tests (tests/support/)."""

from __future__ import annotations

import time

import psycopg2
import pytest

from tests.support.fixtures import postgres_dsn  # noqa: F401 - the fixture, for standalone use
from tests.support.postgres_server import TemporaryPostgres, port_open, postgres_available


@pytest.fixture
def require_postgres() -> None:
    available, reason = postgres_available()
    if not available:
        pytest.skip(f"PostgreSQL unavailable: {reason}")


@pytest.mark.timeout(60)
def test_temporary_postgres_round_trip_and_shutdown(require_postgres: None) -> None:
    started = time.monotonic()
    with TemporaryPostgres() as pg:
        startup = time.monotonic() - started
        port, directory = pg.port, pg.directory
        assert pg.dsn == f"postgresql://loader@127.0.0.1:{port}/warehouse"
        assert port_open(port)
        connection = psycopg2.connect(pg.dsn)
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute("CREATE TABLE deals (id integer PRIMARY KEY, title text, amount numeric(12, 2))")
                cursor.execute("INSERT INTO deals VALUES (%s, %s, %s)", (7, "Сделка «Ёж» ✓", "1234.50"))
                cursor.execute("SELECT id, title, amount::text, current_database(), current_user FROM deals")
                assert cursor.fetchall() == [(7, "Сделка «Ёж» ✓", "1234.50", "warehouse", "loader")]
                cursor.execute("SHOW fsync")
                assert cursor.fetchone() == ("off",)
                cursor.execute("SHOW server_encoding")
                assert cursor.fetchone() == ("UTF8",)
        finally:
            connection.close()
    assert pg.process is None
    assert not port_open(port), "the server still listens after the with block"
    assert not directory.exists(), "the cluster directory was not removed"
    assert startup < 20, f"start-up took {startup:.1f}s"


@pytest.mark.timeout(60)
def test_postgres_dsn_fixture(postgres_dsn: str) -> None:  # noqa: F811 - the imported fixture
    assert postgres_dsn.startswith("postgresql://loader@127.0.0.1:")
    assert postgres_dsn.endswith("/warehouse")
    connection = psycopg2.connect(postgres_dsn)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT 40 + 2")
            assert cursor.fetchone() == (42,)
    finally:
        connection.close()


def test_listens_on_loopback_only(postgres_dsn: str) -> None:  # noqa: F811
    connection = psycopg2.connect(postgres_dsn)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW listen_addresses")
            assert cursor.fetchone() == ("127.0.0.1",)
    finally:
        connection.close()
