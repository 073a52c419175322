"""The dbt project as assets (dagster-dbt): every model an asset, every dbt test an asset check
(error severity: blocking), keys `<schema>/<model>`; sources are the raw and input assets' keys.

The build is the one `crm-warehouse transform` runs (orchestration/transform.py: dbt_arguments and
dbt_environment), handed to dbt through dagster-dbt so each model and test reports as it finishes.
"""


from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import dagster as dg
from croniter import croniter
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from orchestration.defs.dbt_project import DBT_PROJECT
from orchestration.defs.resources import WAREHOUSE_POOL, OfflineDbtCliResource, WarehouseResource, environment
from orchestration.portals import PortalConfig
from orchestration.transform import PROJECT_DIR, dbt_arguments, dbt_environment


def schedule_period(cron: str) -> timedelta:
    """The interval between two ticks of a cron (the longest gap over a week's ticks)."""
    ticks = croniter(cron, datetime(2026, 1, 5, tzinfo=timezone.utc))
    times = [ticks.get_next(datetime) for _ in range(200)]
    return max(later - earlier for earlier, later in zip(times, times[1:]))


def marts_freshness(portals: Sequence[PortalConfig]) -> dg.FreshnessPolicy:
    """Stale after two missed periods of the slowest portal's incremental schedule."""
    period = max(schedule_period(portal.schedule) for portal in portals)
    return dg.FreshnessPolicy.time_window(fail_window=2 * period, warn_window=period + period / 2)


class CrmDbtTranslator(DagsterDbtTranslator):
    """Groups by layer (staging, intermediate, marts); marts carry the freshness policy."""

    def __init__(self, freshness: dg.FreshnessPolicy) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
        self.freshness = freshness

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest.get("nodes", {}).get(unique_id) or {}
        fqn = node.get("fqn") or []
        if node.get("resource_type") != "model" or len(fqn) < 2:
            return spec
        layer = fqn[1]
        spec = spec.replace_attributes(group_name=layer)
        if layer == "marts":
            spec = spec.replace_attributes(freshness_policy=self.freshness)
        return spec


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild incremental models from scratch (after a portal reload)


def table_row_counts(warehouse: WarehouseResource, keys: list[dg.AssetKey]) -> dict[dg.AssetKey, int]:
    """Rows of the built tables (views are not counted: counting runs them). One short connection,
    after dbt's process has ended (DuckDB lets one process write; stack notes P1, P3)."""
    from orchestration.summary import connect

    wanted = {(key.path[0], key.path[-1]): key for key in keys if len(key.path) == 2}
    counts: dict[dg.AssetKey, int] = {}
    if not wanted:
        return counts
    with connect(warehouse.config()) as connection:
        cursor = connection.cursor()
        cursor.execute("select table_schema, table_name from information_schema.tables "
                       "where table_type = 'BASE TABLE'")
        for schema, name in cursor.fetchall():
            key = wanted.get((schema, name))
            if key is not None:
                cursor.execute(f'select count(*) from "{schema}"."{name}"')
                counts[key] = int(cursor.fetchone()[0])
    return counts


def dbt_asset(portals: Sequence[PortalConfig]) -> dg.AssetsDefinition:
    """Every model of the dbt project; marts stale after two missed incremental runs."""

    @dbt_assets(manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT, name="dbt_models",
                dagster_dbt_translator=CrmDbtTranslator(marts_freshness(portals)), pool=WAREHOUSE_POOL, op_tags={"crm/step": "transform"})
    def dbt_models(context: dg.AssetExecutionContext, config: DbtBuildConfig, dbt: OfflineDbtCliResource,
                   warehouse: WarehouseResource) -> Iterator[Any]:
        """`dbt build` of the selected models and their tests (the whole project in a scheduled run)."""
        args = dbt_arguments("build", full_refresh=config.full_refresh)
        # the profile reads the warehouse from these (DBT_TARGET, DBT_DUCKDB_PATH or the PostgreSQL ones)
        variables = {name: value for name, value in dbt_environment(warehouse.config()).items()
                     if name.startswith("DBT_")}
        with environment(variables):
            invocation = dbt.cli(args, context=context, raise_on_error=False)
            # events are held until dbt has ended: the row counts read the warehouse dbt was writing
            events = list(invocation.stream())
        built = [context.asset_key_for_output(event.output_name) for event in events if isinstance(event, dg.Output)]
        counts = table_row_counts(warehouse, built) if invocation.is_successful() or built else {}
        docs = PROJECT_DIR / "target" / "index.html"
        for event in events:
            if isinstance(event, dg.Output):
                key = context.asset_key_for_output(event.output_name)
                extra: dict[str, Any] = {}
                if key in counts:
                    extra["dagster/row_count"] = counts[key]
                if docs.exists():
                    extra["dbt_docs"] = dg.MetadataValue.path(str(docs))
                yield event.with_metadata({**event.metadata, **extra}) if extra else event
            else:
                yield event
        if not invocation.is_successful():
            error = invocation.get_error()
            raise dg.Failure(description=f"dbt build failed: {error}" if error else "dbt build failed")

    return dbt_models
