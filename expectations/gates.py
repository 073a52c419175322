"""`run_gate`: one quality gate over the warehouse, the step `crm-warehouse validate`, the main job and
Dagster's blocking checks call. GE runs every expectation as SQL in the warehouse (DuckDB through
expectations/duckdb_dialect.py, PostgreSQL through psycopg2); only metric values and a few sample rows
come back to Python."""

from __future__ import annotations

import contextlib
import io
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, Sequence

import sqlalchemy as sa

from expectations import history
from expectations.config import GateConfig, load_config
from expectations.results import Failure, failure_from_result
from expectations.suites import GateAsset
from expectations.warehouse_sql import QUALITY_SCHEMA, RAW_SCHEMA, connection_url, create_engine, report_dir
from pipelines.warehouse import WarehouseConfig

Gate = Literal["raw", "marts"]
SAMPLE_ROWS = 10


@dataclass
class GateResult:
    gate: str
    success: bool  # no error-severity expectation failed
    errors: int
    warnings: int
    expectations: int
    seconds: float
    report_path: Path
    failures: list[Failure] = field(default_factory=list)
    run_ids: list[str] = field(default_factory=list)

    def summary_lines(self, worst: int = 5) -> list[str]:
        verdict = "passed" if self.success else "FAILED"
        lines = [f"{self.gate} gate {verdict}: {self.expectations} expectations, {self.errors} errors, "
                 f"{self.warnings} warnings ({self.seconds:.1f}s)"]
        ranked = sorted(self.failures, key=lambda failure: (failure.severity != "error", -(failure.unexpected_count or 0)))
        for failure in ranked[:worst]:
            where = f"{failure.table}.{failure.column}" if failure.column else failure.table
            portal = f"[{failure.portal_id}] " if failure.portal_id else ""
            shown = [record if len(record) <= 60 else record[:57] + "..." for record in failure.sample_record_ids[:3]]
            samples = f"; records {', '.join(shown)}" if shown else ""
            lines.append(f"  {failure.severity:7} {portal}{where}: {failure.expectation} — {failure.observed}{samples}")
        if len(ranked) > worst:
            lines.append(f"  … and {len(ranked) - worst} more in the report")
        lines.append(f"  report: {self.report_path}")
        return lines


def run_gate(warehouse: WarehouseConfig, gate: Gate, portal_ids: Sequence[str] | None = None,
             now: datetime | None = None, config_path: Path | None = None) -> GateResult:
    """Validates the warehouse; records the run in `quality.*` and rebuilds the steward's report.

    `now` is the gate's clock for freshness and future-date bounds (a generated sandbox portal's own
    clock; the wall clock otherwise)."""
    from expectations.report import build_report
    from expectations.suites.marts import build_marts_assets
    from expectations.suites.raw import build_raw_assets

    from orchestration.publish.step import built_marts_schema

    config = load_config(config_path)
    marts = built_marts_schema(warehouse)  # the build's marts, not the published copy
    clock = now or datetime.now(timezone.utc)
    started = time.monotonic()
    started_at = datetime.now(timezone.utc)
    engine = create_engine(warehouse)
    site = report_dir(warehouse)
    failures: list[Failure] = []
    counted = errors = warnings = 0
    run_ids: list[str] = []
    # Held open for the whole gate: GE's unpooled connections then reuse this open database instead
    # of opening (and, on close, checkpointing) the DuckDB file for each query.
    anchor = engine.connect()
    try:
        with engine.begin() as connection:
            history.ensure_tables(connection)
            invocation = history.latest_dbt_invocation(connection) if gate == "marts" else None
            scopes = _portals(connection, portal_ids) if gate == "raw" else [""]
            plans = []
            for portal in scopes:
                if gate == "raw":
                    previous = history.last_passing_volumes(connection, portal)
                    plans.append((portal, build_raw_assets(connection, config, portal, clock, previous)))
                else:
                    plans.append((portal, build_marts_assets(config, marts)))
        for portal, assets in plans:
            with engine.begin() as connection:
                for asset in assets:  # dropped first: PostgreSQL replaces a view only if its columns stay
                    connection.execute(sa.text(f"drop view if exists {QUALITY_SCHEMA}.{asset.view}"))
                    connection.execute(sa.text(f"create view {QUALITY_SCHEMA}.{asset.view} as {asset.query}"))
            results = _validate(warehouse, assets)
            portal_failures, volumes = _failures_and_volumes(engine, assets, results)
            portal_errors = sum(failure.severity == "error" for failure in portal_failures)
            portal_warnings = len(portal_failures) - portal_errors
            run = history.GateRun(run_id=f"{started_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}", gate=gate,
                                  portal_id=portal, started_at=started_at, finished_at=datetime.now(timezone.utc),
                                  success=portal_errors == 0, errors=portal_errors, warnings=portal_warnings,
                                  report_path=str(site / "index.html"), dbt_invocation_id=invocation)
            with engine.begin() as connection:
                history.record_run(connection, run, portal_failures, volumes)
            _keep_results(site, run.run_id, results)
            failures += portal_failures
            errors += portal_errors
            warnings += portal_warnings
            counted += sum(len(asset.expectations) for asset in assets)
            run_ids.append(run.run_id)
        build_report(engine, site, config, marts)
    finally:
        anchor.close()
        engine.dispose()
    return GateResult(gate=gate, success=errors == 0, errors=errors, warnings=warnings, expectations=counted,
                      seconds=time.monotonic() - started, report_path=site / "index.html", failures=failures,
                      run_ids=run_ids)


def _portals(connection: sa.Connection, portal_ids: Sequence[str] | None) -> list[str]:
    known = [row[0] for row in connection.execute(sa.text(
        f"select distinct portal_id from {RAW_SCHEMA}.portals order by 1"))]
    if portal_ids:
        unknown = sorted(set(portal_ids) - set(known))
        if unknown:
            raise ValueError(f"no raw data for portal(s) {', '.join(unknown)}; the warehouse has {', '.join(known) or 'none'}")
        return list(portal_ids)
    return known


def _validate(warehouse: WarehouseConfig, assets: list[GateAsset]) -> dict[str, object]:
    """One GE checkpoint over every asset of the gate; results by asset name."""
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    if warehouse.destination == "postgres":
        source = context.data_sources.add_postgres(name="warehouse", connection_string=connection_url(warehouse),
                                                   create_temp_table=False)
    else:  # GE has no DuckDB datasource: the generic SQL one, on the buffered dialect
        source = context.data_sources.add_sql(name="warehouse", connection_string=connection_url(warehouse),
                                              create_temp_table=False)
    definitions = []
    with contextlib.redirect_stdout(io.StringIO()):  # GE prints setup notes on stdout
        for asset in assets:
            batch = source.add_table_asset(name=asset.name, table_name=asset.view, schema_name=QUALITY_SCHEMA
                                           ).add_batch_definition_whole_table("all")
            suite = context.suites.add(gx.ExpectationSuite(name=asset.name, expectations=asset.expectations))
            definitions.append(context.validation_definitions.add(
                gx.ValidationDefinition(name=asset.name, data=batch, suite=suite)))
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name="gate", validation_definitions=definitions,
            result_format={"result_format": "SUMMARY", "unexpected_index_column_names": ["gate_record_id", "gate_owner_id"],
                           "partial_unexpected_count": SAMPLE_ROWS}))
        outcome = checkpoint.run()
    return {result.suite_name: result for result in outcome.run_results.values()}


def _failures_and_volumes(engine: sa.Engine, assets: list[GateAsset], results: dict) -> tuple[list[Failure], dict[str, int]]:
    by_name = {asset.name: asset for asset in assets}
    failures: list[Failure] = []
    volumes: dict[str, int] = {}
    for name, suite_result in results.items():
        asset = by_name[name]
        for result in suite_result.results:
            meta = result.expectation_config.meta or {}
            if meta.get("check") == "volume" and result.result and "observed_value" in result.result:
                volumes[asset.table] = int(result.result["observed_value"])
            if result.success:
                continue
            samples = None
            query = getattr(result.expectation_config, "kwargs", {}).get("unexpected_rows_query")
            if query:
                # as GE substitutes a table asset's batch: its name (the query aliases it)
                samples = _sample_rows(engine, query.replace("{batch}", f"{QUALITY_SCHEMA}.{asset.view}"))
            failures.append(failure_from_result(result, samples))
    return failures, volumes


def _sample_rows(engine: sa.Engine, query: str) -> list[dict]:
    """The first rows a failed SQL expectation returned, for the report (GE's SUMMARY keeps none)."""
    with engine.connect() as connection:
        rows = connection.execute(sa.text(f"select * from ({query}) as unexpected limit {SAMPLE_ROWS}")).mappings()
        return [_describe_row(dict(row)) for row in rows]


def _describe_row(row: dict) -> dict:
    """Rows of invariants have no record id: the whole row names the broken cell."""
    if "gate_record_id" not in row:
        row = {"gate_record_id": " ".join(f"{key}={value}" for key, value in row.items()), **row}
    return row


def _keep_results(site: Path, run_id: str, results: dict) -> None:
    """GE's own validation results of the run, kept as JSON beside the report."""
    folder = site / "runs" / run_id
    folder.mkdir(parents=True, exist_ok=True)
    for name, result in results.items():
        (folder / (name.replace(" ", "__").replace("/", "_") + ".json")).write_text(
            json.dumps(result.to_json_dict(), default=str, indent=1))
