"""The short report the main job ends with: the latest month's deal funnel, read from the marts."""

from __future__ import annotations

from contextlib import closing

from pipelines.warehouse import WarehouseConfig

FUNNEL_QUERY = """
    select pipeline_id, pipeline_name, stage_name, funnel_mode, deal_count, conversion_pct, amount_account,
           average_spent_seconds, total_deal_count, total_amount_account, period_label
    from marts.deal_funnel_by_period
    where period_type = 'month'
      and period_start = (select max(period_start) from marts.deal_funnel_by_period where period_type = 'month')
    order by portal_id, pipeline_id, funnel_position, funnel_mode
"""


def connect(warehouse: WarehouseConfig):
    if warehouse.destination == "duckdb":
        import duckdb

        return duckdb.connect(str(warehouse.resolved_duckdb_path()), read_only=True)
    import psycopg2

    return psycopg2.connect(warehouse.postgres_dsn)


def funnel_summary(warehouse: WarehouseConfig) -> str:
    """The latest month's deal funnel per pipeline: classic and conversion counts, amount, days in stage."""
    with closing(connect(warehouse)) as connection:
        cursor = connection.cursor()
        cursor.execute(FUNNEL_QUERY)
        rows = cursor.fetchall()
    if not rows:
        return "deal funnel: no stage history in the warehouse"
    pipelines: dict[int, dict] = {}
    for pipeline_id, pipeline_name, stage, mode, count, pct, amount, seconds, total, total_amount, label in rows:
        pipeline = pipelines.setdefault(pipeline_id, {"name": pipeline_name, "stages": {}, "label": label})
        pipeline[mode] = (total, total_amount)
        pipeline["stages"].setdefault(stage, {})[mode] = (count, pct, amount, seconds)
    lines = []
    for pipeline in pipelines.values():
        total, amount = pipeline.get("conversion", (0, 0))
        lines.append(f"deal funnel {pipeline['label']}, {pipeline['name']}: {total:,} deals, {float(amount):,.0f} "
                     f"(classic {pipeline.get('classic', (0, 0))[0]:,})")
        lines.append(f"  {'stage':<28}{'classic':>9}{'with conv.':>12}{'conv. %':>9}{'avg days':>10}")
        for stage, modes in pipeline["stages"].items():
            classic = modes.get("classic", (0, None, 0, None))
            conversion = modes.get("conversion", (0, None, 0, None))
            days = f"{classic[3] / 86400:.1f}" if classic[3] is not None else ""
            pct = f"{conversion[1]:.2f}" if conversion[1] is not None else ""
            lines.append(f"  {str(stage)[:27]:<28}{classic[0]:>9,}{conversion[0]:>12,}{pct:>9}{days:>10}")
    return "\n".join(lines)
