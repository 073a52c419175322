"""Check the input files against the warehouse and load them, each as one replaced table of the
`inputs` schema: the unit `crm-warehouse inputs load`, the main job and (later) Dagster call.
Nothing is written unless every file is valid."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dlt

from pipelines.inputs.business_rules import BusinessRules, read_business_rules
from pipelines.inputs.errors import InputError, InputErrors, raise_all
from pipelines.inputs.reference import WarehouseReference, read_reference
from pipelines.inputs.sales_plans import PlanRow, read_sales_plans
from pipelines.inputs.working_calendar import CalendarDay, read_working_calendar
from pipelines.warehouse import WarehouseConfig

INPUTS_DATASET = "inputs"
DEFAULT_INPUTS_DIR = Path("data/inputs")
TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "data" / "templates"
FILE_NAMES = {"sales_plans": "sales_plans.csv", "working_calendar": "working_calendar.csv",
              "business_rules": "business_rules.yml"}


@dataclass(frozen=True)
class InputFiles:
    """Where each input comes from: the inputs directory, else the template of the same name for
    the calendar and the rules (no plans without a plan file: the plans template is only a header)."""
    sales_plans: Path | None
    working_calendar: Path
    business_rules: Path

    @classmethod
    def from_directory(cls, directory: Path = DEFAULT_INPUTS_DIR, templates: Path = TEMPLATES_DIR) -> "InputFiles":
        def pick(name: str, fallback: bool = True) -> Path | None:
            own = directory / FILE_NAMES[name]
            return own if own.exists() else (templates / FILE_NAMES[name] if fallback else None)
        return cls(pick("sales_plans", fallback=False), pick("working_calendar"), pick("business_rules"))


@dataclass(frozen=True)
class LoadedInputs:
    plans: int
    calendar_days: int
    rules: BusinessRules
    files: InputFiles


def read_inputs(files: InputFiles, reference: WarehouseReference) -> tuple[list[PlanRow], list[CalendarDay], BusinessRules]:
    """Every file parsed and checked; the problems of all files are reported together."""
    errors: list[InputError] = []

    def read(path: Path | None, reader, *args):
        if path is None:
            return []
        if not path.exists():
            errors.append(InputError(path, None, "file not found"))
            return None
        try:
            return reader(path, *args)
        except InputErrors as problems:
            errors.extend(problems.errors)
        except InputError as problem:
            errors.append(problem)
        return None

    plans = read(files.sales_plans, read_sales_plans, reference)
    calendar = read(files.working_calendar, read_working_calendar)
    rules = read(files.business_rules, read_business_rules, reference)
    raise_all(errors)
    return plans, calendar, rules


def load_inputs(warehouse: WarehouseConfig, files: InputFiles) -> LoadedInputs:
    pipeline = dlt.pipeline(pipeline_name="business_inputs", destination=warehouse.destination_factory(),
                            dataset_name=INPUTS_DATASET, pipelines_dir=str(warehouse.pipelines_dir))
    with pipeline.sql_client() as client:
        def query(sql: str):
            with client.execute_query(sql) as cursor:
                return cursor.fetchall()
        try:
            reference = read_reference(query)
        except Exception as error:  # no raw tables yet
            raise InputError(files.business_rules.parent, None,
                             f"the warehouse has no extracted portal to check the inputs against ({error})") from None
    plans, calendar, rules = read_inputs(files, reference)
    # Inputs are re-read whole each time: a package left by a failed load is stale, not pending work.
    pipeline.abort_packages()
    pipeline.run(_resources(plans, calendar, rules, files))
    return LoadedInputs(len(plans), len(calendar), rules, files)


def _resources(plans: list[PlanRow], calendar: list[CalendarDay], rules: BusinessRules, files: InputFiles):
    def table(name: str, rows: list[dict], columns: dict[str, str]):
        hints = {column: {"data_type": kind, "nullable": True} for column, kind in columns.items()}
        for column in hints:
            if hints[column]["data_type"] == "decimal":
                hints[column].update(precision=20, scale=4)
        return dlt.resource(rows, name=name, write_disposition="replace", columns=hints)

    plan_file = str(files.sales_plans) if files.sales_plans else None
    return [
        table("sales_plans", [
            {"portal_id": row.portal_id, "month_start": row.month_start, "scope": row.scope,
             "scope_id": row.scope_id, "metric": row.metric, "plan": row.plan,
             "source_file": plan_file, "source_line": row.line} for row in plans],
            {"portal_id": "text", "month_start": "date", "scope": "text", "scope_id": "text", "metric": "text",
             "plan": "decimal", "source_file": "text", "source_line": "bigint"}),
        table("calendar_days", [{"day": day.day, "is_working_day": day.is_working_day, "name": day.name}
                                for day in calendar],
              {"day": "date", "is_working_day": "bool", "name": "text"}),
        table("business_event_stages", [{"event": event, "stage_id": stage} for event, stage in rules.event_stages],
              {"event": "text", "stage_id": "text"}),
        table("business_activity_rules", [
            {"priority": rule.priority, "kind": rule.kind, "activity_type": rule.activity_type,
             "subject_starts_with": rule.subject_starts_with} for rule in rules.activity_rules],
            {"priority": "bigint", "kind": "text", "activity_type": "text", "subject_starts_with": "text"}),
        table("business_deal_fields", [{"portal_id": portal, "role": role, "field_code": code}
                                       for portal, role, code in rules.deal_fields],
              {"portal_id": "text", "role": "text", "field_code": "text"}),
        table("cost_rates", [{"cost_kind": "activity", "activity_type": kind, "rate": rate}
                             for kind, rate in rules.activity_rates.items()]
              + [{"cost_kind": "call_minute", "activity_type": None, "rate": rules.call_minute_rate}],
              {"cost_kind": "text", "activity_type": "text", "rate": "decimal"}),
    ]
