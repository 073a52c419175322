"""The schedules ask for the right runs, and the input-file sensor rebuilds only what depends on
the file that changed."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import dagster as dg

from orchestration.definitions import build_definitions
from orchestration.portals import PortalConfig
from tests.orchestration.conftest import warehouse_in

PORTALS = [PortalConfig(name="alpha", portal_id="alpha.example", sandbox="tiny", seed=11),
           PortalConfig(name="beta", portal_id="beta.example", schedule="15 */2 * * *",
                        nightly_schedule="0 3 * * *", timezone="Europe/Moscow")]


def test_each_portal_has_an_incremental_and_a_nightly_run() -> None:
    defs = build_definitions(PORTALS)
    repository = defs.get_repository_def()
    schedules = {schedule.name: schedule for schedule in repository.schedule_defs}
    at = datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc)
    for name, portal, nightly in (("alpha_incremental", "alpha", False), ("alpha_nightly", "alpha", True),
                                  ("beta_incremental", "beta", False), ("beta_nightly", "beta", True)):
        schedule = schedules[name]
        assert schedule.job_name == "pipeline"
        assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
        with dg.build_schedule_context(scheduled_execution_time=at, repository_def=repository) as context:
            [request] = schedule.evaluate_tick(context).run_requests
        assert request.partition_key == portal
        assert request.tags["crm/run"] == ("nightly" if nightly else "incremental")
        reconcile = request.run_config.get("ops", {}).get("bitrix24_raw", {}).get("config", {}).get("reconcile")
        assert reconcile is (True if nightly else None)
    assert (schedules["alpha_incremental"].cron_schedule, schedules["alpha_incremental"].execution_timezone) == \
        ("0 * * * *", "UTC")
    assert (schedules["alpha_nightly"].cron_schedule, schedules["beta_nightly"].cron_schedule) == \
        ("30 2 * * *", "0 3 * * *")
    assert schedules["beta_nightly"].execution_timezone == "Europe/Moscow"


def _tick(defs: dg.Definitions, warehouse, cursor: str | None):
    sensor = defs.get_sensor_def("input_files_changed")
    with dg.build_sensor_context(cursor=cursor, definitions=defs, resources={"warehouse": warehouse}) as context:
        result = sensor.evaluate_tick(context)
    return result


def test_a_changed_input_file_rebuilds_only_what_depends_on_it(tmp_path: Path) -> None:
    warehouse = warehouse_in(tmp_path)
    inputs = Path(warehouse.inputs_dir)
    inputs.mkdir(parents=True)
    defs = build_definitions(PORTALS, warehouse)

    first = _tick(defs, warehouse, None)  # the first tick only remembers the files
    assert first.run_requests == [] and first.cursor is not None
    assert set(json.loads(first.cursor)) == {"sales_plans", "working_calendar", "business_rules"}
    unchanged = _tick(defs, warehouse, first.cursor)
    assert unchanged.run_requests == [] and "no input file changed" in unchanged.skip_message

    # a plan file appears in data/inputs: the plans and what depends on them
    (inputs / "sales_plans.csv").write_text("portal_id,month,scope,scope_id,metric,plan\n")
    plans = _tick(defs, warehouse, first.cursor)
    [request] = plans.run_requests
    selected = {key.to_user_string() for key in request.asset_selection}
    assert request.tags["crm/changed_inputs"] == "sales_plans"
    assert {"inputs/sales_plans", "staging/stg_inputs__sales_plans", "marts/sales_plan_fulfilment",
            "marts/required_daily_activities", "published/marts"} <= selected
    assert not selected & {"inputs/calendar_days", "inputs/cost_rates", "marts/fct_calls", "marts/fct_deals",
                           "marts/deal_funnel_by_period"}
    assert not any(key.startswith("bitrix24/") for key in selected)
    # the run can be built: the selection is a valid subset of the code location
    job = defs.resolve_implicit_global_asset_job_def().get_subset(asset_selection=set(request.asset_selection))
    assert job is not None

    # the working calendar changes (a copy of the template, then a holiday): the calendar's dependents
    template = Path(__file__).resolve().parents[2] / "data" / "templates" / "working_calendar.csv"
    (inputs / "working_calendar.csv").write_text(template.read_text())
    calendar = _tick(defs, warehouse, plans.cursor)
    [request] = calendar.run_requests
    selected = {key.to_user_string() for key in request.asset_selection}
    assert request.tags["crm/changed_inputs"] == "working_calendar"
    assert {"inputs/calendar_days", "marts/dim_dates", "marts/activity_plan_fact_daily"} <= selected
    assert "inputs/sales_plans" not in selected
    assert _tick(defs, warehouse, calendar.cursor).run_requests == []
