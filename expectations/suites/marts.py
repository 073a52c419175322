"""The marts gate: does the product keep its promises? Runs after the dbt build, before publishing.

Invariants across marts that BI users rely on (SQL in expectations/marts_sql/, one file each: the
rows it returns are the broken promises) and every fact row's dimensions found. Model logic, keys and
contracts stay dbt tests (docs/quality.md says which check lives where)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import great_expectations.expectations as gxe

from expectations.config import GateConfig
from expectations.suites import GateAsset
from expectations.warehouse_sql import INTERMEDIATE_SCHEMA, MARTS_SCHEMA

SQL_DIR = Path(__file__).resolve().parents[1] / "marts_sql"
# invariant file -> the mart it guards (its `{batch}`)
INVARIANTS = {
    "funnel_totals_equal_distinct_items": "funnel_stage_entries",
    "classic_funnel_never_exceeds_conversion": "deal_funnel_by_period",
    "plan_facts_reconcile_with_fact_tables": "sales_plan_fulfilment",
    "sales_sums_reconcile_with_fct_deals": "sales_trends_by_period",
    "profitability_reconciles": "pnl_monthly",
}


@dataclass(frozen=True)
class Dimension:
    """`mart.column` must find its row in `dimension.key` of the same portal (NULL and 0 mean none)."""

    mart: str
    column: str
    dimension: str
    key: str
    condition: str = ""  # on the dimension's rows, e.g. customer_type = 'company'


DIMENSIONS = (
    Dimension("fct_deals", "pipeline_id", "dim_pipelines", "pipeline_id"),
    Dimension("fct_deals", "stage_key", "dim_stages", "stage_key"),
    Dimension("fct_deals", "assigned_user_id", "dim_users", "user_id"),
    Dimension("fct_deals", "source_id", "dim_sources", "source_id"),
    Dimension("fct_deals", "company_id", "dim_customers", "customer_id", "customer_type = 'company'"),
    Dimension("fct_deals", "contact_id", "dim_customers", "customer_id", "customer_type = 'contact'"),
    Dimension("fct_leads", "stage_key", "dim_stages", "stage_key"),
    Dimension("fct_leads", "assigned_user_id", "dim_users", "user_id"),
    Dimension("fct_leads", "source_id", "dim_sources", "source_id"),
    Dimension("fct_activities", "responsible_user_id", "dim_users", "user_id"),
    Dimension("fct_calls", "user_id", "dim_users", "user_id"),
    Dimension("fct_deal_product_rows", "product_key", "dim_products", "product_key"),
    Dimension("funnel_stage_entries", "stage_key", "dim_stages", "stage_key"),
    Dimension("funnel_stage_entries", "assigned_user_id", "dim_users", "user_id"),
    Dimension("deal_funnel_by_period", "pipeline_id", "dim_pipelines", "pipeline_id"),
    Dimension("deal_funnel_by_period", "stage_id", "dim_stages", "stage_id", "entity_type = 'deal'"),
    Dimension("lead_funnel_by_period", "stage_id", "dim_stages", "stage_id", "entity_type = 'lead'"),
    Dimension("sales_funnel_by_period", "pipeline_id", "dim_pipelines", "pipeline_id"),
    Dimension("sales_trends_by_period", "pipeline_id", "dim_pipelines", "pipeline_id"),
    Dimension("sales_trends_by_period", "assigned_user_id", "dim_users", "user_id"),
    Dimension("sales_period_comparison", "pipeline_id", "dim_pipelines", "pipeline_id"),
    Dimension("sales_employee_performance_by_period", "pipeline_id", "dim_pipelines", "pipeline_id"),
    Dimension("sales_employee_performance_by_period", "assigned_user_id", "dim_users", "user_id"),
    Dimension("lead_employee_performance_by_period", "assigned_user_id", "dim_users", "user_id"),
    Dimension("top_clients_by_period", "pipeline_id", "dim_pipelines", "pipeline_id"),
    Dimension("manager_rating_by_period", "pipeline_id", "dim_pipelines", "pipeline_id"),
    Dimension("manager_rating_by_period", "assigned_user_id", "dim_users", "user_id"),
    Dimension("activity_plan_fact_daily", "user_id", "dim_users", "user_id"),
    Dimension("required_daily_activities", "user_id", "dim_users", "user_id"),
    Dimension("data_quality_records", "assigned_user_id", "dim_users", "user_id"),
    Dimension("dim_customers", "assigned_user_id", "dim_users", "user_id"),
    Dimension("dim_customers", "company_id", "dim_customers", "customer_id", "customer_type = 'company'"),
    Dimension("dim_users", "department_id", "dim_departments", "department_id"),
    Dimension("dim_departments", "parent_department_id", "dim_departments", "department_id"),
    Dimension("dim_departments", "head_user_id", "dim_users", "user_id"),
    Dimension("dim_stages", "pipeline_id", "dim_pipelines", "pipeline_id"),
)
# the columns that name a record and its owner in each mart checked for dimensions
RECORD_COLUMNS = {"fct_deals": ("deal_id", "assigned_user_id"), "fct_leads": ("lead_id", "assigned_user_id"),
                  "fct_activities": ("activity_id", "responsible_user_id"), "fct_calls": ("call_id", "user_id"),
                  "funnel_stage_entries": ("owner_id", "assigned_user_id"), "dim_customers": ("customer_id", "assigned_user_id"),
                  "dim_users": ("user_id", "user_id"), "data_quality_records": ("record_id", "assigned_user_id")}


def invariant_query(name: str, marts_schema: str = MARTS_SCHEMA, batch: str | None = None) -> str:
    """An invariant's SQL: the rows that break it. `batch` stands for the guarded mart (GE's `{batch}`,
    aliased `guarded` in the file); by default the mart's own table."""
    return (SQL_DIR / f"{name}.sql").read_text().format(
        batch=batch or f"{marts_schema}.{INVARIANTS[name]}", marts=marts_schema, intermediate=INTERMEDIATE_SCHEMA)


def build_marts_assets(config: GateConfig, marts_schema: str = MARTS_SCHEMA) -> list[GateAsset]:
    assets: dict[str, GateAsset] = {}

    def asset_of(mart: str) -> GateAsset:
        if mart not in assets:
            record, owner = RECORD_COLUMNS.get(mart, (None, None))
            gate_record_id = f"cast({record} as varchar)" if record else "cast(null as varchar)"
            owner_id = f"cast({owner} as varchar)" if owner else "cast(null as varchar)"
            assets[mart] = GateAsset(name=f"marts {mart}", portal_id="", table=mart,
                                     query=f"select *, {gate_record_id} as gate_record_id, {owner_id} as gate_owner_id "
                                           f"from {marts_schema}.{mart}")
        return assets[mart]

    for name, mart in INVARIANTS.items():
        sql = invariant_query(name, marts_schema, batch="{batch}")
        asset_of(mart).expect(gxe.UnexpectedRowsExpectation, check="invariants", severity=config.severity("invariants"),
                              unexpected_rows_query=sql, what=name.replace("_", " "))
    for dimension in DIMENSIONS:
        condition = f" and dimension.{dimension.condition}" if dimension.condition else ""
        column = dimension.column
        # keys (stage_key, product_key) carry the portal; ids are per portal
        portal_join = "" if column.endswith("_key") else " and dimension.portal_id = batch.portal_id"
        empty = f" and cast(batch.{column} as varchar) <> '0'" if column.endswith("_id") else ""
        query = (f"select batch.gate_record_id, batch.gate_owner_id, batch.portal_id, batch.{column} from {{batch}} as batch "
                 f"left join {marts_schema}.{dimension.dimension} as dimension "
                 f"on dimension.{dimension.key} = batch.{column}{portal_join}{condition} "
                 f"where batch.{column} is not null{empty} and dimension.{dimension.key} is null")
        asset_of(dimension.mart).expect(gxe.UnexpectedRowsExpectation, check="dimensions", column=column,
                                        severity=config.severity("dimensions"), unexpected_rows_query=query,
                                        what=f"found in {dimension.dimension}")
    return list(assets.values())
