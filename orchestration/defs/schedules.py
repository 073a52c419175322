"""One job runs the whole pipeline for one portal (a partition); each portal's schedules start it:
the incremental run (hourly by default) and the nightly run that also reconciles deletions. Cron
and time zone come from the portal's entry in orchestration/portals.toml."""

from collections.abc import Sequence
from typing import Any

import dagster as dg

from orchestration.portals import PortalConfig


def pipeline_job(portals: Sequence[PortalConfig]) -> Any:
    return dg.define_asset_job(
        "pipeline", selection=dg.AssetSelection.all(),  # partitioned by portal, as its raw tables
        description="One portal's extraction, the raw gate, the business inputs, the dbt build and its tests, "
                    "the marts gate and publishing. Runs are queued one at a time (dagster.yaml).",
        tags={"crm/job": "pipeline"},
    )
RECONCILE_CONFIG = {"ops": {"bitrix24_raw": {"config": {"reconcile": True}}}}


def portal_schedules(portal: PortalConfig, job: Any) -> list[dg.ScheduleDefinition]:
    def request(context: dg.ScheduleEvaluationContext, nightly: bool) -> dg.RunRequest:
        return dg.RunRequest(
            partition_key=portal.name, run_config=RECONCILE_CONFIG if nightly else {},
            tags={"crm/portal": portal.name, "crm/run": "nightly" if nightly else "incremental"},
        )

    @dg.schedule(name=f"{portal.name}_incremental", job=job, cron_schedule=portal.schedule,
                 execution_timezone=portal.timezone, default_status=dg.DefaultScheduleStatus.RUNNING,
                 description=f"Incremental run of portal {portal.name}: changes since the last run.")
    def incremental(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        return request(context, nightly=False)

    @dg.schedule(name=f"{portal.name}_nightly", job=job, cron_schedule=portal.nightly_schedule,
                 execution_timezone=portal.timezone, default_status=dg.DefaultScheduleStatus.RUNNING,
                 description=f"Nightly run of portal {portal.name}: incremental, plus deletion reconciliation.")
    def nightly(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        return request(context, nightly=True)

    return [incremental, nightly]

