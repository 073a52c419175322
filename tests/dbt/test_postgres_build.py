"""The same dbt project builds on PostgreSQL (tests green) and gives the same marts as on DuckDB.

The funnel portal is loaded into its own database on the session's throwaway server, built with the
project's `postgres` target, and every mart is compared row by row with the DuckDB build.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import duckdb
import psycopg2
import pytest

from pipelines.warehouse import WarehouseConfig
from tests.dbt.dbt_runner import dbt, incremental_models_took_their_incremental_branch, statuses
from tests.pipelines.conftest import extract

DATABASE = "funnel_marts"


@pytest.fixture(scope="module")
def postgres_build(funnel_portal, serve_module, postgres_dsn, tmp_path_factory):
    admin = psycopg2.connect(postgres_dsn)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"drop database if exists {DATABASE}")
        cursor.execute(f"create database {DATABASE}")
    admin.close()
    dsn = postgres_dsn.rsplit("/", 1)[0] + f"/{DATABASE}"
    # dlt insists on a password; the throwaway server trusts loopback connections and ignores it
    warehouse = WarehouseConfig(destination="postgres", postgres_dsn=dsn.replace("://loader@", "://loader:unused@"),
                                pipelines_dir=tmp_path_factory.mktemp("pg-pipelines"))
    extract(serve_module(funnel_portal), warehouse)
    from orchestration.transform import dbt_environment

    directory = tmp_path_factory.mktemp("pg-dbt")
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name, value in dbt_environment(warehouse).items():
            if name.startswith("DBT_"):
                monkeypatch.setenv(name, value)
        result = dbt(["build"], directory / "unused.duckdb", directory, monkeypatch, target="postgres")
        # a scheduled run: the incremental models take their incremental branch on PostgreSQL too
        # (the marts compared below are those of this second build)
        again = dbt(["build"], directory / "unused.duckdb", directory, monkeypatch, target="postgres")
    connection = psycopg2.connect(dsn)
    yield result, connection, again
    connection.close()


def normalized(value):
    if isinstance(value, (Decimal, float)):
        return round(float(value), 4)
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


def test_build_is_green_on_postgres(postgres_build):
    result, _, _ = postgres_build
    by_status = statuses(result)
    assert result.success, {k: v for k, v in by_status.items() if k not in ("success", "pass")}
    assert len(by_status["success"]) >= 45 and len(by_status["pass"]) >= 300
    assert sum(name.startswith("not_null_columns_") for name in by_status["pass"]) >= 60


def test_an_incremental_build_is_green_on_postgres(postgres_build):
    _, _, again = postgres_build
    assert again.success, {k: v for k, v in statuses(again).items() if k not in ("success", "pass")}
    assert len(incremental_models_took_their_incremental_branch(again)) == 13


def test_every_mart_equals_the_duckdb_build(postgres_build, funnel_warehouse):
    _, connection, _ = postgres_build
    duck = duckdb.connect(str(funnel_warehouse), read_only=True)
    marts = [row[0] for row in duck.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
    assert len(marts) >= 25
    for mart in marts:
        columns = [row[0] for row in duck.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ? "
            "and data_type not in ('JSON') and column_name not in ('loaded_at_epoch', 'built_at') "
            "order by ordinal_position", [mart]).fetchall()]  # load ids and build times differ by run
        select = ", ".join(f'"{column}"' for column in columns)
        expected = sorted((tuple(normalized(v) for v in row) for row in
                           duck.execute(f"select {select} from marts.{mart}").fetchall()), key=repr)
        with connection.cursor() as cursor:
            cursor.execute(f"select {select} from marts.{mart}")
            actual = sorted((tuple(normalized(v) for v in row) for row in cursor.fetchall()), key=repr)
        assert actual == expected, mart
    duck.close()
