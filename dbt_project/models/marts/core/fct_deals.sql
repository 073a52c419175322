{#
    One row per deal with every dimension resolved and every decoded custom field as a column, so
    any report can be filtered by any field and drilled down to the deals behind it. Recurring-deal
    templates and deleted deals stay in (flagged): Bitrix24's reports drop them, and so do ours.

    Incremental (macros/incremental_facts.sql): a run rewrites the deals loaded since the last one
    and the deals whose user, stage, source, customer, currency rate or portal time zone has
    changed.
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

{# what int_deals_enriched and the joins below look up, for the incremental runs' comparison #}
{%- set lookups = [
    currency_rate_lookup(),
    column_lookup('(' ~ account_currencies(ref('stg_bitrix24__currencies')) ~ ')', {'portal_id': 'portal_id'},
                  {'account_currency_id': 'base_currency_id'}),
    portal_date_lookup('created_at', 'created_date'),
    {'keys': ['stage_key'], 'columns': ['probability_pct', 'pipeline_name', 'stage_name', 'stage_position',
                                        'forecast_probability_pct'],
     'relation': 'stages',
     'on': 'seen.stage_key = lookup.stage_key',
     'compare': {'pipeline_name': 'lookup.pipeline_name', 'stage_name': 'lookup.stage_name',
                 'stage_position': 'lookup.stage_position',
                 'forecast_probability_pct': 'coalesce(seen.probability_pct, lookup.stage_probability_pct)'}},
    user_lookup('assigned_user_id', {'assigned_user_name': 'user_name', 'department_id': 'department_id',
                                     'department_name': 'department_name', 'is_assigned_user_active': 'is_active'}),
    column_lookup('sources', {'portal_id': 'portal_id', 'source_id': 'source_id'}, {'source_name': 'source_name'}),
    column_lookup('customers', {'customer_key': 'customer_key'},
                  {'customer_type': 'customer_type', 'customer_name': 'customer_name'}),
] %}
{{ incremental_fact_records('staged_deals', ref('stg_bitrix24__deals'), 'deal_key', lookups, ref('int_deals_enriched')) }}

{# as int_deals_enriched: the deals to write only #}
deals as (

    {{ enriched_deals('staged_deals') }}

),

final as (

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
                as decimal(18, 2))
        end as weighted_open_amount_account,
        {{ run_started_timestamp() }} as built_at
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

)

select * from final
