{#
    One row per deal with every dimension resolved and every decoded custom field as a column, so
    any report can be filtered by any field and drilled down to the deals behind it. Recurring-deal
    templates and deleted deals stay in (flagged): Bitrix24's reports drop them, and so do ours.

    Incremental (macros/incremental_facts.sql): a run rewrites the deals loaded since the last one
    and the deals whose user, stage, source, customer or currency rate has changed.
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='deal_key',
        on_schema_change='sync_all_columns',
    )
}}

with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

stages as (

    select * from {{ ref('dim_stages') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

sources as (

    select * from {{ ref('dim_sources') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

all_deals as not materialized (

    select
        deals.*,
        stages.pipeline_name,
        stages.stage_name,
        stages.stage_position,
        deals.stage_semantics = 'success' as is_won,
        deals.stage_semantics = 'failure' as is_lost,
        users.user_name as assigned_user_name,
        users.department_id,
        users.department_name,
        users.is_active as is_assigned_user_active,
        sources.source_name,
        customers.customer_type,
        customers.customer_name,
        coalesce(deals.probability_pct, stages.stage_probability_pct) as forecast_probability_pct,
        case when deals.stage_semantics = 'process' then
            cast(round(deals.amount_account * coalesce(deals.probability_pct, stages.stage_probability_pct) / 100.0, 2)
                as decimal(20, 2))
        end as weighted_open_amount_account
    from deals
    left join stages
        on deals.stage_key = stages.stage_key
    left join users
        on deals.portal_id = users.portal_id
        and deals.assigned_user_id = users.user_id
    left join sources
        on deals.portal_id = sources.portal_id
        and deals.source_id = sources.source_id
    left join customers
        on deals.customer_key = customers.customer_key

),

{{ incremental_fact_rows('all_deals', 'deal_key', [
    'rate_to_account_currency', 'amount_account', 'account_currency_id', 'created_date', 'pipeline_name',
    'stage_name', 'stage_position', 'assigned_user_name', 'department_id', 'department_name',
    'is_assigned_user_active', 'source_name', 'customer_type', 'customer_name', 'forecast_probability_pct',
], ref('int_deals_enriched')) }}

select * from final
