"""Whether the warehouse may be published now: the one rule every publish obeys (DESIGN.md §4)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Query = Callable[[str], list[tuple]]


class PublishRefused(RuntimeError):
    """Publishing was refused; the message says why and what to do. BI keeps the version it has."""


@dataclass(frozen=True)
class Verdict:
    dbt_invocation_id: str
    marts_gate_run_id: str | None  # None while the gates are not installed (no quality.gate_runs)
    note: str  # what was checked, for the command's output


def publish_verdict(query: Query, quality: str = "quality") -> Verdict:
    """The build to publish, or PublishRefused saying why not.

    The newest dbt invocation that writes tables (quality.dbt_builds, newest by started_at, so a killed
    or running build counts) must have finished green, and the newest marts gate run (every row of it,
    one per portal) must have passed on exactly that build (quality.gate_runs, gate = 'marts').
    Until the gates are installed (no quality.gate_runs table) the green build alone suffices, and the
    note says so. `query` runs SQL on the warehouse; `quality` is the schema, qualified if need be.
    """
    if not _table_exists(query, quality, "dbt_builds"):
        raise PublishRefused("no dbt build recorded in the warehouse (quality.dbt_builds): "
                             "run `crm-warehouse transform` first")
    builds = query(f"select invocation_id, finished_at, success from {quality}.dbt_builds "
                   "order by started_at desc limit 1")
    if not builds:
        raise PublishRefused("no dbt build recorded in the warehouse: run `crm-warehouse transform` first")
    invocation_id, finished_at, success = builds[0]
    if finished_at is None:
        raise PublishRefused(f"the newest dbt build ({invocation_id}) has not finished: it is still running "
                             "or was killed; publish after a build that completes")
    if not success:
        raise PublishRefused(f"the newest dbt build ({invocation_id}) failed (an error, failed test or skipped "
                             "model, or a `dbt run` without tests); BI keeps the version it has")
    if not _table_exists(query, quality, "gate_runs"):
        return Verdict(invocation_id, None, f"dbt build {invocation_id} green (no marts gate installed yet)")
    gate_rows = query(f"""
        select run_id, portal_id, dbt_invocation_id, success, errors, report_path
        from {quality}.gate_runs
        where gate = 'marts' and run_id = (
            select run_id from {quality}.gate_runs where gate = 'marts' order by started_at desc limit 1)""")
    if not gate_rows:
        raise PublishRefused(f"no marts gate has run on dbt build {invocation_id}: "
                             "run `crm-warehouse validate --gate marts`")
    run_id = gate_rows[0][0]
    stale = sorted({str(row[2]) for row in gate_rows if row[2] != invocation_id})
    if stale:
        raise PublishRefused(f"the newest marts gate run ({run_id}) checked dbt build {', '.join(stale)}, not the "
                             f"newest build {invocation_id}: run `crm-warehouse validate --gate marts`")
    failed = [row for row in gate_rows if not row[3]]
    if failed:
        details = "; ".join(f"portal {row[1]}: {row[4]} error(s)" for row in failed)
        raise PublishRefused(f"the marts gate failed (run {run_id}; {details}; report {failed[0][5]}); "
                             "BI keeps the version it has")
    return Verdict(invocation_id, run_id, f"dbt build {invocation_id} green, marts gate run {run_id} passed")


def _table_exists(query: Query, quality: str, table: str) -> bool:
    catalog, _, schema = quality.rpartition(".")
    condition = f" and table_catalog = '{catalog}'" if catalog else ""
    return bool(query("select 1 from information_schema.tables "
                      f"where table_schema = '{schema}' and table_name = '{table}'{condition}"))
