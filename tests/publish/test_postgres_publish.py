"""PostgreSQL: dbt builds marts_build, publish swaps a copy in as `marts` in one transaction under
running BI queries; a BI role reads `marts` and nothing else; a DSN without a password works."""

from __future__ import annotations

import threading
import time

import psycopg2
import pytest
from click.testing import CliRunner
from psycopg2 import errors

from orchestration.cli.main import main
from orchestration.publish import PublishRefused, publish_marts, rollback
from orchestration.publish import postgres_schema
from pipelines.warehouse import WarehouseConfig
from tests.pipelines.conftest import extract
from tests.publish.conftest import build
from tests.support.fixtures import postgres_dsn  # noqa: F401 - the session's throwaway server (trust auth)

DATABASE = "publish_marts"
BI_ROLE = "bi_reader"


def query(dsn: str, sql: str, parameters: tuple = ()) -> list[tuple]:
    connection = psycopg2.connect(dsn)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(sql, parameters or None)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


@pytest.fixture(scope="module")
def pg_warehouse(tiny_portal, serve_module, postgres_dsn, tmp_path_factory, dbt_artifacts):  # noqa: F811
    """The tiny portal extracted and built on PostgreSQL through a DSN without a password."""
    query(postgres_dsn, "select 1")
    admin = psycopg2.connect(postgres_dsn)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"drop database if exists {DATABASE}")
        cursor.execute(f"drop role if exists {BI_ROLE}")
        cursor.execute(f"drop role if exists {postgres_schema.BI_GROUP}")
        cursor.execute(f"create database {DATABASE}")
    admin.close()
    dsn = postgres_dsn.rsplit("/", 1)[0] + f"/{DATABASE}"
    assert ":" not in dsn.split("//")[1].split("@")[0], "the DSN must carry no password"
    warehouse = WarehouseConfig(destination="postgres", postgres_dsn=dsn,
                                pipelines_dir=tmp_path_factory.mktemp("pg-publish-pipelines"))
    extract(serve_module(tiny_portal), warehouse)
    result = build(warehouse)
    assert result.success, result.summary
    return warehouse, dsn


def bi_dsn(dsn: str) -> str:
    return dsn.replace("//loader@", f"//{BI_ROLE}@")


def test_a_dsn_without_password_extracts_and_builds_into_marts_build(pg_warehouse):
    _, dsn = pg_warehouse
    [(deals,)] = query(dsn, "select count(*) from raw_bitrix24.deals")
    assert deals == 150
    [(marts,)] = query(dsn, "select count(*) from information_schema.tables where table_schema = 'marts_build'")
    assert marts >= 35
    assert query(dsn, "select success from quality.dbt_builds order by started_at desc limit 1") == [(True,)]
    assert not query(dsn, "select 1 from pg_namespace where nspname = 'marts'")  # nothing published yet


def test_bi_role_reads_the_published_marts_and_nothing_else(pg_warehouse):
    warehouse, dsn = pg_warehouse
    created = CliRunner().invoke(main, ["publish", "--destination", "postgres", "--postgres-dsn", dsn,
                                        "--create-bi-role", BI_ROLE])
    assert created.exit_code == 0, created.output
    assert f"postgresql://{BI_ROLE}@127.0.0.1:" in created.output
    published = CliRunner().invoke(main, ["publish", "--destination", "postgres", "--postgres-dsn", dsn])
    assert published.exit_code == 0, published.output
    assert "swapped in" in published.output and f"BI reads schema marts: postgresql://{BI_ROLE}@" in published.output
    [(built,)] = query(dsn, "select count(*) from marts_build.fct_deals")
    assert query(bi_dsn(dsn), "select count(*) from marts.fct_deals") == [(built,)]
    assert query(bi_dsn(dsn), "select count(*) from fct_deals") == [(built,)]  # search_path is marts
    [(comment,)] = query(bi_dsn(dsn), "select obj_description('marts.fct_deals'::regclass, 'pg_class')")
    assert comment.startswith("One row per deal (crm.deal.list)")
    [(column_comment,)] = query(bi_dsn(dsn), "select col_description('marts.fct_deals'::regclass, 1)")
    assert column_comment
    for relation in ("raw_bitrix24.deals", "staging.stg_bitrix24__deals", "intermediate.int_deals_enriched",
                     "marts_build.fct_deals", "quality.dbt_builds"):
        with pytest.raises(errors.InsufficientPrivilege):
            query(bi_dsn(dsn), f"select * from {relation} limit 1")
    for statement in ("insert into marts.dim_sources select * from marts.dim_sources",
                      "create table marts.mine (id int)", "create table public.mine (id int)",
                      "delete from marts.dim_sources", "drop table marts.dim_sources"):
        with pytest.raises((errors.InsufficientPrivilege, errors.ReadOnlySqlTransaction)):
            query(bi_dsn(dsn), statement)
        # read-only sessions by default, and no privilege to write even when asked for read-write
        with pytest.raises(errors.InsufficientPrivilege):
            query(bi_dsn(dsn), "set transaction read write; " + statement)


def test_swap_under_long_bi_queries_delays_and_never_breaks(pg_warehouse, monkeypatch):
    warehouse, dsn = pg_warehouse
    monkeypatch.setattr(postgres_schema, "LOCK_TIMEOUT", "300ms")
    publish_marts(warehouse)
    [(rows,)] = query(dsn, "select count(*) from marts.funnel_stage_entries")
    # a long query running across the swap
    answers: list = []

    def long_query() -> None:
        try:
            answers.extend(query(bi_dsn(dsn), "select count(*), pg_sleep(3) from marts.funnel_stage_entries"))
        except Exception as error:  # noqa: BLE001 - the test fails on it below
            answers.append(error)

    reader = threading.Thread(target=long_query)
    reader.start()
    time.sleep(0.5)
    result = publish_marts(warehouse)
    reader.join()
    assert answers == [(rows, "")], answers
    assert result.engine == "postgres" and "swapped in" in result.summary
    # a BI session that keeps a transaction open on a version: two publishes later that version is
    # retired; dropping it waits for the session, then is left for later; the session is not broken
    session = psycopg2.connect(bi_dsn(dsn))
    with session.cursor() as cursor:
        cursor.execute("select count(*) from marts.funnel_stage_entries")
        assert cursor.fetchone() == (rows,)
        publish_marts(warehouse)
        held = publish_marts(warehouse)
        assert "old version(s) still read, dropped later" in held.summary and "waited" in held.summary, held.summary
        cursor.execute("select count(*) from marts.funnel_stage_entries")  # the newest version, same rows
        assert cursor.fetchone() == (rows,)
    session.close()
    publish_marts(warehouse)
    assert not query(dsn, "select nspname from pg_namespace where nspname like 'marts_retired_%'")
    assert query(bi_dsn(dsn), "select count(*) from marts.funnel_stage_entries") == [(rows,)]  # grants kept


def test_refused_after_a_failed_marts_gate_and_rolled_back(pg_warehouse):
    warehouse, dsn = pg_warehouse
    publish_marts(warehouse)
    [(current,)] = query(dsn, "select obj_description('marts'::regnamespace, 'pg_namespace')")
    [(previous,)] = query(dsn, "select obj_description('marts_previous'::regnamespace, 'pg_namespace')")
    [(build_id,)] = query(dsn, "select invocation_id from quality.dbt_builds order by started_at desc limit 1")
    query(dsn, """create table quality.gate_runs (run_id varchar, gate varchar, portal_id varchar,
        dbt_invocation_id varchar, started_at timestamptz, finished_at timestamptz, success boolean, errors integer,
        warnings integer, report_path varchar)""")
    try:
        query(dsn, "insert into quality.gate_runs values ('run-9', 'marts', 'tiny', %s, now(), now(), false, 3, 0, "
                   "'report.html')", (build_id,))
        with pytest.raises(PublishRefused, match=r"the marts gate failed \(run run-9; portal tiny: 3 error"):
            publish_marts(warehouse)
        assert query(dsn, "select obj_description('marts'::regnamespace, 'pg_namespace')") == [(current,)]
    finally:
        query(dsn, "drop table quality.gate_runs")
    assert rollback(warehouse) == f"rolled back: schema marts is again the version {previous}"
    assert query(bi_dsn(dsn), "select count(*) > 0 from marts.fct_deals") == [(True,)]


def test_a_bad_dsn_is_one_line_naming_the_setting(tmp_path):
    for command in (["transform"], ["publish"]):
        result = CliRunner().invoke(main, [*command, "--destination", "postgres", "--postgres-dsn",
                                           "postgresql://loader:s3cret@127.0.0.1:5432"])
        assert result.exit_code == 1
        assert result.output.strip().splitlines()[-1] == (
            "Error: --postgres-dsn / DESTINATION__POSTGRES__CREDENTIALS: 'postgresql://loader:***@127.0.0.1:5432' "
            "names no database (…/database)")
        assert "s3cret" not in result.output and "Traceback" not in result.output
