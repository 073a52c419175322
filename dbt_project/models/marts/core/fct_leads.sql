{# One row per lead with every dimension resolved and every decoded custom field as a column. #}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='lead_key',
        on_schema_change='sync_all_columns',
    )
}}
with

leads as (

    select * from {{ ref('int_leads_enriched') }}

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

all_leads as not materialized (

    select
        leads.*,
        stages.stage_name,
        stages.funnel_position as stage_position,
        leads.stage_semantics = 'success' as is_converted,
        leads.stage_semantics = 'failure' as is_junk,
        users.user_name as assigned_user_name,
        users.department_id,
        users.department_name,
        users.is_active as is_assigned_user_active,
        sources.source_name
    from leads
    left join stages
        on leads.stage_key = stages.stage_key
    left join users
        on leads.portal_id = users.portal_id
        and leads.assigned_user_id = users.user_id
    left join sources
        on leads.portal_id = sources.portal_id
        and leads.source_id = sources.source_id

),

{# the rate too: a lead of amount 0 keeps its amount when the rate changes, and the funnels read the rate #}
{{ incremental_fact_rows('all_leads', 'lead_key', [
    'rate_to_account_currency',
    'amount_account',
    'created_date',
    'stage_name',
    'stage_position',
    'assigned_user_name',
    'department_id',
    'department_name',
    'is_assigned_user_active',
    'source_name',
], ref('int_leads_enriched')) }}

select * from final
