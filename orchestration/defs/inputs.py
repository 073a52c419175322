"""The business inputs (plans, working calendar, business rules) as assets, and the sensor that
rebuilds what depends on an input file when it changes.

The assets call the step `crm-warehouse inputs load` calls (orchestration/steps.py:
load_business_inputs). The files are checked together and loaded together (one file refers to
another's portals and stages), so every load writes all six tables; a run started by the sensor
selects the changed file's tables and what depends on them only, and each table's data version is
its file's hash, so an unchanged file's tables stay up to date.
"""

import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import dagster as dg

from orchestration.defs.raw import SOURCE, sandbox_plan_files
from orchestration.defs.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.portals import PortalConfig

INPUTS_SOURCE = "inputs"  # the dbt source's name and the schema
# Which tables each input file fills (pipelines/inputs/load.py).
FILE_TABLES: dict[str, tuple[str, ...]] = {
    "sales_plans": ("sales_plans",),
    "working_calendar": ("calendar_days",),
    "business_rules": ("business_event_stages", "business_activity_rules", "business_deal_fields", "cost_rates"),
}
TABLE_FILE = {table: name for name, tables in FILE_TABLES.items() for table in tables}
INPUT_KEYS = [dg.AssetKey([INPUTS_SOURCE, table]) for table in TABLE_FILE]
# The raw tables the inputs are checked against (pipelines/inputs/reference.py).
REFERENCE_KEYS = [dg.AssetKey([SOURCE, table]) for table in
                  ("users", "departments", "deal_categories", "statuses", "field_metadata")]


def default_plans(portals: Sequence[PortalConfig], warehouse: WarehouseResource) -> Path | None:
    """Without a plan file of the user's, the sandbox portals' derived plans (as `crm-warehouse
    run` uses); several sandbox entries: their plans in one file."""
    files = [path for path in sandbox_plan_files(portals, warehouse) if path.exists()]
    if len(files) <= 1:
        return files[0] if files else None
    combined = warehouse.path(warehouse.data_dir) / "sandbox" / "sales_plans.csv"
    lines = files[0].read_text().splitlines(keepends=True)
    for path in files[1:]:  # the rows only: no comments, no second header
        rows = [line for line in path.read_text().splitlines(keepends=True) if not line.startswith("#")]
        lines += rows[1:]
    combined.write_text("".join(lines))
    return combined


def watched_files(warehouse: WarehouseResource) -> dict[str, Path | None]:
    """The file each input comes from now: data/inputs/, else the template (no plan file: None)."""
    from orchestration.steps import input_files

    files = input_files(warehouse.path(warehouse.inputs_dir))
    return {"sales_plans": files.sales_plans, "working_calendar": files.working_calendar,
            "business_rules": files.business_rules}


def file_version(path: Path | None) -> str:
    """The file's identity for change detection: its path and content hash."""
    if path is None or not path.exists():
        return "none"
    return hashlib.sha256(str(path).encode() + b"\0" + path.read_bytes()).hexdigest()[:16]


def inputs_asset(portals: Sequence[PortalConfig]) -> dg.AssetsDefinition:
    """The business inputs; a sandbox entry's derived plans stand in for a missing plan file."""

    @dg.multi_asset(
        name="business_inputs", pool=WAREHOUSE_POOL, can_subset=True, op_tags={"crm/step": "inputs"},
        specs=[dg.AssetSpec(key, group_name="inputs", kinds={"dlt", "csv"} if TABLE_FILE[key.path[-1]] != "business_rules"
                            else {"dlt", "yaml"}, deps=REFERENCE_KEYS, skippable=True,
                            description=f"inputs.{key.path[-1]}, from the {TABLE_FILE[key.path[-1]]} file (docs/inputs.md)")
               for key in INPUT_KEYS],
    )
    def business_inputs(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> Iterator[dg.MaterializeResult]:
        """Checks the input files against the extracted portals and loads them (all or nothing)."""
        from orchestration.steps import describe_inputs, load_business_inputs
        from pipelines.inputs import InputError

        plans = default_plans(portals, warehouse)
        try:
            loaded = load_business_inputs(warehouse.config(), warehouse.path(warehouse.inputs_dir), plans)
        except InputError as error:
            raise dg.Failure(description=f"inputs not loaded, nothing changed:\n{error}") from None
        context.log.info(f"inputs: {describe_inputs(loaded)}")
        files = {"sales_plans": loaded.files.sales_plans, "working_calendar": loaded.files.working_calendar,
                 "business_rules": loaded.files.business_rules}
        rows = {"sales_plans": loaded.plans, "calendar_days": loaded.calendar_days,
                "business_event_stages": len(loaded.rules.event_stages),
                "business_activity_rules": len(loaded.rules.activity_rules),
                "business_deal_fields": len(loaded.rules.deal_fields)}
        for key in INPUT_KEYS:
            if key not in context.selected_asset_keys:
                continue
            table = key.path[-1]
            path = files[TABLE_FILE[table]]
            metadata: dict[str, object] = {"file": dg.MetadataValue.path(str(path)) if path else "none"}
            if table in rows:
                metadata["rows_loaded"] = rows[table]
            yield dg.MaterializeResult(asset_key=key, metadata=metadata,
                                       data_version=dg.DataVersion(file_version(path)))

    return business_inputs


def changed_run_request(changed: list[str], asset_graph) -> dg.RunRequest:
    """A run of the changed files' tables and everything downstream of them, nothing else."""
    keys = [dg.AssetKey([INPUTS_SOURCE, table]) for name in changed for table in FILE_TABLES[name]]
    selected = dg.AssetSelection.assets(*keys).downstream().resolve(asset_graph)
    return dg.RunRequest(asset_selection=sorted(selected, key=lambda key: key.to_user_string()),
                         tags={"crm/changed_inputs": ",".join(changed)})


@dg.sensor(name="input_files_changed", minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING,
           target=dg.AssetSelection.assets(*INPUT_KEYS).downstream(),
           description="Watches data/inputs/ (and the templates a missing file falls back to); when a file "
                       "changes, rebuilds that file's tables and what depends on them.")
def input_files_changed(context: dg.SensorEvaluationContext, warehouse: WarehouseResource) -> dg.SensorResult | dg.SkipReason:
    current = {name: file_version(path) for name, path in watched_files(warehouse).items()}
    if context.cursor is None:
        return dg.SensorResult(skip_reason=dg.SkipReason(f"watching {len(current)} input files"),
                               cursor=json.dumps(current))
    previous = json.loads(context.cursor)
    changed = [name for name in FILE_TABLES if current.get(name) != previous.get(name)]
    if not changed:
        return dg.SkipReason("no input file changed")
    request = changed_run_request(changed, context.repository_def.asset_graph)
    return dg.SensorResult(run_requests=[request], cursor=json.dumps(current))
