"""The quality gates (expectations/gates.py: run_gate, the step `crm-warehouse validate` runs) as
blocking asset checks: the raw gate on each raw table, per portal, after the extraction and before
dbt; the marts gate on each mart after the dbt build and before publishing. A table with a failed
error-severity expectation fails its check, and everything downstream of it is skipped.

Seam: when `expectations.gates` is not installed the checks are not defined (GATES_AVAILABLE),
rather than passing without having looked at anything.
"""

import importlib.util
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import dagster as dg

from orchestration.defs.raw import RAW_KEYS, portal_for, portal_id_of
from orchestration.defs.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.portals import PortalConfig

GATES_AVAILABLE = importlib.util.find_spec("expectations.gates") is not None


def sandbox_clock(portals: Sequence[PortalConfig], warehouse: WarehouseResource) -> datetime | None:
    """A generated sandbox portal lives at its own clock (portal.json `now`): the gates' freshness
    and future-date bounds use it when every portal checked is a sandbox; the wall clock otherwise."""
    from orchestration.steps import sandbox_clock as portal_clock, sandbox_portal_dir

    if not portals or any(portal.sandbox is None for portal in portals):
        return None
    return max(portal_clock(sandbox_portal_dir(warehouse.path(warehouse.data_dir), portal.sandbox, portal.seed))
               for portal in portals)


def _table(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def gate_check_results(result: Any, keys: Sequence[dg.AssetKey], check_name: str,
                       selected: Any = None) -> Iterator[dg.AssetCheckResult]:
    """One result per checked table: failed when an error-severity expectation on it failed."""
    report = dg.MetadataValue.path(str(result.report_path))
    for key in keys:
        if selected is not None and dg.AssetCheckKey(key, check_name) not in selected:
            continue
        mine = [failure for failure in result.failures if _table(failure.table) == key.path[-1]]
        errors = [failure for failure in mine if failure.severity == "error"]
        lines = [f"{failure.severity}: {failure.column or ''} {failure.expectation} — {failure.observed}"
                 + (f" (records {', '.join(failure.sample_record_ids[:5])})" if failure.sample_record_ids else "")
                 for failure in mine[:10]]
        yield dg.AssetCheckResult(
            asset_key=key, check_name=check_name, passed=not errors,
            severity=dg.AssetCheckSeverity.ERROR,
            description="\n".join(lines) if lines else None,
            metadata={"errors": len(errors), "warnings": len(mine) - len(errors), "quality_report": report,
                      "gate_errors": result.errors, "gate_warnings": result.warnings},
        )


def raw_gate_check(portals: Sequence[PortalConfig]) -> dg.AssetChecksDefinition:
    @dg.multi_asset_check(
        name="raw_quality_gate", pool=WAREHOUSE_POOL, can_subset=True, description="Great Expectations raw gate (expectations/)",
        specs=[dg.AssetCheckSpec("raw_quality_gate", asset=key, blocking=True) for key in RAW_KEYS],
    )
    def raw_quality_gate(context: dg.AssetCheckExecutionContext,
                         warehouse: WarehouseResource) -> Iterator[dg.AssetCheckResult]:
        """The raw gate over the run's portal."""
        from expectations.gates import run_gate

        portal = portal_for(context, portals)
        result = run_gate(warehouse.config(), "raw", portal_ids=[portal_id_of(portal)],
                          now=sandbox_clock([portal], warehouse))
        for line in result.summary_lines():
            context.log.info(line)
        yield from gate_check_results(result, RAW_KEYS, "raw_quality_gate", context.selected_asset_check_keys)

    return raw_quality_gate


def marts_gate_check(mart_keys: Sequence[dg.AssetKey], portals: Sequence[PortalConfig]) -> dg.AssetChecksDefinition:
    @dg.multi_asset_check(
        name="marts_quality_gate", pool=WAREHOUSE_POOL, can_subset=True, description="Great Expectations marts gate (expectations/)",
        specs=[dg.AssetCheckSpec("marts_quality_gate", asset=key, blocking=True) for key in mart_keys],
    )
    def marts_quality_gate(context: dg.AssetCheckExecutionContext,
                           warehouse: WarehouseResource) -> Iterator[dg.AssetCheckResult]:
        """The marts gate over every portal."""
        from expectations.gates import run_gate

        result = run_gate(warehouse.config(), "marts", now=sandbox_clock(portals, warehouse))
        for line in result.summary_lines():
            context.log.info(line)
        yield from gate_check_results(result, mart_keys, "marts_quality_gate", context.selected_asset_check_keys)

    return marts_quality_gate
