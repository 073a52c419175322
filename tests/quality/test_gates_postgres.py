"""The same gates on PostgreSQL: the plan/fact portal extracted and built on the session's server,
validated in SQL there (psycopg2), passing as on DuckDB; a broken load fails naming its records."""

from __future__ import annotations

import psycopg2
import pytest

from expectations.gates import run_gate
from pipelines.inputs import InputFiles, load_inputs
from tests.dbt.dbt_runner import statuses
from tests.dbt.test_postgres_build import build_on, fresh_database
from tests.pipelines.conftest import extract
from tests.quality.conftest import PORTAL_NOW


@pytest.fixture(scope="module")
def postgres_warehouse(planfact_portal, serve_module, postgres_dsn, tmp_path_factory):
    dsn, warehouse = fresh_database(postgres_dsn, "gates", tmp_path_factory)
    extract(serve_module(planfact_portal), warehouse)
    load_inputs(warehouse, InputFiles.from_directory(planfact_portal / "inputs"))
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("CRM_WAREHOUSE_QUALITY_DIR", str(tmp_path_factory.mktemp("pg-quality")))
        build = build_on(warehouse, tmp_path_factory.mktemp("pg-gates-dbt"), monkeypatch)
        assert build.success, statuses(build)
        yield dsn, warehouse, monkeypatch


def test_both_gates_pass_on_postgres_as_on_duckdb(postgres_warehouse):
    _, warehouse, _ = postgres_warehouse
    raw = run_gate(warehouse, "raw", now=PORTAL_NOW)
    marts = run_gate(warehouse, "marts")
    assert (raw.success, raw.failures) == (True, [])
    assert (marts.success, marts.failures, marts.expectations) == (True, [], 41)


def test_a_broken_load_fails_on_postgres_naming_table_column_and_records(postgres_warehouse):
    dsn, warehouse, _ = postgres_warehouse
    connection = psycopg2.connect(dsn)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("update raw_bitrix24.deals set opportunity = -1 where id = 5")
        cursor.execute("update marts_build.fct_leads set source_id = 'FAIR' where lead_id = 2")
    try:
        raw = run_gate(warehouse, "raw", now=PORTAL_NOW)
        marts = run_gate(warehouse, "marts")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("update raw_bitrix24.deals set opportunity = 5000000 where id = 5")
        connection.close()
    assert not raw.success
    [amount] = raw.failures
    assert (amount.check, amount.table, amount.column, amount.sample_record_ids, amount.sample_owner_ids) == (
        "amounts", "deals", "opportunity", ["5"], ["4"])
    [dimension] = marts.failures
    assert (dimension.table, dimension.column, dimension.severity, dimension.sample_record_ids) == (
        "fct_leads", "source_id", "warning", ["2"])
