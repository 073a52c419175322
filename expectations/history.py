"""What the gates remember in the warehouse's `quality` schema: each gate run, its failed expectations
(with sample records) and each raw table's live row count. The volume checks compare with it, the
steward's report shows since when something fails, and publishing reads the last marts gate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from expectations.results import Failure
from expectations.warehouse_sql import QUALITY_SCHEMA

Q = QUALITY_SCHEMA
DDL = (
    f"create schema if not exists {Q}",
    f"""create table if not exists {Q}.gate_runs (
        run_id varchar(64), gate varchar(16), portal_id varchar(255), dbt_invocation_id varchar(64),
        started_at timestamp with time zone, finished_at timestamp with time zone, success boolean,
        errors integer, warnings integer, report_path varchar(1024))""",
    f"""create table if not exists {Q}.gate_failures (
        run_id varchar(64), gate varchar(16), portal_id varchar(255), check_name varchar(32),
        expectation varchar(255), table_name varchar(255), column_name varchar(255), severity varchar(16),
        unexpected_count bigint, element_count bigint, observed varchar(1024), sample_record_ids varchar(2048),
        sample_owner_ids varchar(2048))""",
    f"""create table if not exists {Q}.raw_table_volumes (
        run_id varchar(64), portal_id varchar(255), table_name varchar(255), live_rows bigint,
        checked_at timestamp with time zone)""",
)


@dataclass(frozen=True)
class GateRun:
    run_id: str
    gate: str
    portal_id: str
    started_at: datetime
    finished_at: datetime
    success: bool
    errors: int
    warnings: int
    report_path: str
    dbt_invocation_id: str | None = None


def ensure_tables(connection: sa.Connection) -> None:
    for statement in DDL:
        connection.execute(sa.text(statement))


def table_exists(connection: sa.Connection, schema: str, table: str) -> bool:
    return sa.inspect(connection).has_table(table, schema=schema)


def last_passing_volumes(connection: sa.Connection, portal_id: str) -> dict[str, int]:
    """Each raw table's live rows at the portal's last raw gate run that passed."""
    if not table_exists(connection, Q, "raw_table_volumes"):
        return {}
    rows = connection.execute(sa.text(f"""
        with last_passed as (
            select run_id from {Q}.gate_runs
            where gate = 'raw' and portal_id = :portal and success
            order by finished_at desc limit 1
        )
        select volumes.table_name, volumes.live_rows
        from {Q}.raw_table_volumes as volumes
        inner join last_passed on volumes.run_id = last_passed.run_id
        where volumes.portal_id = :portal"""), {"portal": portal_id})
    return {table: int(count) for table, count in rows}


def latest_dbt_invocation(connection: sa.Connection) -> str | None:
    """The newest `dbt build` recorded by the project's on-run-end hook (quality.dbt_builds), if any."""
    if not table_exists(connection, Q, "dbt_builds"):
        return None
    return connection.execute(sa.text(
        f"select invocation_id from {Q}.dbt_builds order by started_at desc limit 1")).scalar()


def record_run(connection: sa.Connection, run: GateRun, failures: list[Failure], volumes: dict[str, int]) -> None:
    connection.execute(sa.text(f"""insert into {Q}.gate_runs values (:run_id, :gate, :portal_id,
        :dbt_invocation_id, :started_at, :finished_at, :success, :errors, :warnings, :report_path)"""),
        run.__dict__)
    if failures:
        connection.execute(sa.text(f"""insert into {Q}.gate_failures values (:run_id, :gate, :portal_id,
            :check_name, :expectation, :table_name, :column_name, :severity, :unexpected_count, :element_count,
            :observed, :sample_record_ids, :sample_owner_ids)"""),
            [{"run_id": run.run_id, "gate": run.gate, "portal_id": failure.portal_id or run.portal_id, **failure.row()}
             for failure in failures])
    if volumes:
        connection.execute(sa.text(f"insert into {Q}.raw_table_volumes values (:run_id, :portal_id, :table_name, "
                                   f":live_rows, :checked_at)"),
                           [{"run_id": run.run_id, "portal_id": run.portal_id, "table_name": table,
                             "live_rows": count, "checked_at": run.finished_at} for table, count in volumes.items()])
