"""The Dagster code location: one `Definitions` (pyproject.toml [tool.dagster] names this module).

    make ui            # the UI on http://127.0.0.1:3000 with the daemon (schedules, sensor, queue)

Assets: each portal's raw tables -> business inputs -> dbt models (tests as checks) -> published
marts; the quality gates as blocking checks. docs/operations.md is the runbook.
"""

from __future__ import annotations

import os

import dagster as dg

from collections.abc import Sequence

from orchestration.defs.dbt import dbt_asset
from orchestration.defs.dbt_project import DBT_PROJECT
from orchestration.defs.gates import GATES_AVAILABLE, marts_gate_check, raw_gate_check
from orchestration.defs.inputs import input_files_changed, inputs_asset
from orchestration.defs.publish import PUBLISH_AVAILABLE, published_marts_asset
from orchestration.defs.raw import raw_asset
from orchestration.defs.resources import OfflineDbtCliResource, WarehouseResource
from orchestration.defs.schedules import pipeline_job, portal_schedules
from orchestration.portals import PortalConfig, load_portals
from orchestration.transform import dbt_executable

# Nothing phones home (dagster.yaml turns Dagster's own telemetry off).
for _name, _value in (("DBT_SEND_ANONYMOUS_USAGE_STATS", "false"), ("RUNTIME__DLTHUB_TELEMETRY", "false"),
                      ("GX_ANALYTICS_ENABLED", "false"), ("DAGSTER_DISABLE_TELEMETRY", "1")):
    os.environ.setdefault(_name, _value)



def build_definitions(portals: Sequence[PortalConfig] | None = None,
                      warehouse: WarehouseResource | None = None) -> dg.Definitions:
    """The definitions for these portals (default: orchestration/portals.toml or the file named by
    CRM_WAREHOUSE_PORTALS) and this warehouse (default: data/warehouse.duckdb or the environment)."""
    portals = list(portals) if portals is not None else load_portals()
    dbt_models = dbt_asset(portals)
    mart_keys = sorted((spec.key for spec in dbt_models.specs if spec.group_name == "marts"),
                       key=lambda key: key.to_user_string())
    assets: list[dg.AssetsDefinition] = [raw_asset(portals), inputs_asset(portals), dbt_models]
    checks: list[dg.AssetChecksDefinition] = []
    if GATES_AVAILABLE:
        checks += [raw_gate_check(portals), marts_gate_check(mart_keys, portals)]
    if PUBLISH_AVAILABLE:
        assets.append(published_marts_asset(mart_keys))
    job = pipeline_job(portals)
    return dg.Definitions(
        # the steps run one after the other (one writer at a time), so a process per step buys no
        # parallelism and costs each step the imports of dlt, dbt and Great Expectations again
        executor=dg.in_process_executor,
        assets=assets,
        asset_checks=checks,
        jobs=[job],
        schedules=[schedule for portal in portals for schedule in portal_schedules(portal, job)],
        sensors=[input_files_changed],
        resources={
            "warehouse": warehouse or WarehouseResource.from_environment(),
            "dbt": OfflineDbtCliResource(project_dir=DBT_PROJECT, profiles_dir=str(DBT_PROJECT.profiles_dir),
                                         dbt_executable=dbt_executable()),
        },
    )


defs = build_definitions()
