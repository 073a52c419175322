"""The same load into a real PostgreSQL server gives the same tables (server from tests/support)."""

from __future__ import annotations

import psycopg2
import pytest

from pipelines.warehouse import WarehouseConfig
from tests.pipelines.conftest import extract
from tests.pipelines.raw_compare import TABLES, Db, compare_table


@pytest.fixture(scope="module")
def postgres_load(tiny_portal, serve_module, postgres_dsn, tmp_path_factory):
    sandbox = serve_module(tiny_portal)
    # dlt insists on a password; the throwaway server trusts loopback connections and ignores it
    dsn = postgres_dsn.replace("://loader@", "://loader:unused@")
    warehouse = WarehouseConfig(destination="postgres", postgres_dsn=dsn,
                                pipelines_dir=tmp_path_factory.mktemp("pg-pipelines"))
    result = extract(sandbox, warehouse, reconcile=True)
    connection = psycopg2.connect(postgres_dsn)
    yield result, Db(connection)
    connection.close()


@pytest.mark.parametrize("table", sorted(TABLES))
def test_postgres_table_equals_fixture(postgres_load, tiny_portal, table):
    result, db = postgres_load
    assert compare_table(db, "raw_bitrix24", tiny_portal, table, result.portal_id) == []


def test_postgres_has_the_same_tables_and_types_as_duckdb(postgres_load):
    _, db = postgres_load
    columns = db.columns("raw_bitrix24", "deals")
    assert columns["id"] == "BIGINT" and columns["opportunity"] == "DECIMAL"
    assert columns["date_modify"] == "TIMESTAMP WITH TIME ZONE" and columns["closedate"] == "DATE"
    _, tables = db.query("select table_name from information_schema.tables where table_schema = 'raw_bitrix24'")
    names = {name for (name,) in tables}
    assert set(TABLES) | {"deal_product_rows", "statuses", "field_metadata", "portals", "portal_ids"} <= names
