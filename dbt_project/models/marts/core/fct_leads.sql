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

stages as (

    select * from {{ ref('dim_stages') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

sources as (

    select * from {{ ref('dim_sources') }}

),

{# what int_leads_enriched and the joins below look up, for the incremental runs' comparison (the
   rate too: a lead of amount 0 keeps its amount when the rate changes, and the funnels read the rate) #}
{%- set lookups = [
    currency_rate_lookup(),
    portal_date_lookup('created_at', 'created_date'),
    portal_date_lookup('closed_at', 'closed_date'),
    column_lookup('stages', {'stage_key': 'stage_key'}, {'stage_name': 'stage_name', 'stage_position': 'funnel_position'}),
    user_lookup('assigned_user_id', {'assigned_user_name': 'user_name', 'department_id': 'department_id',
                                     'department_name': 'department_name', 'is_assigned_user_active': 'is_active'}),
    column_lookup('sources', {'portal_id': 'portal_id', 'source_id': 'source_id'}, {'source_name': 'source_name'}),
] %}
{{ incremental_fact_records('staged_leads', ref('stg_bitrix24__leads'), 'lead_key', lookups, ref('int_leads_enriched')) }}

{# as int_leads_enriched: the leads to write only #}
leads as (

    {{ enriched_leads('staged_leads') }}

),

final as (

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
        sources.source_name,
        {{ run_started_timestamp() }} as built_at
    from leads
    left join stages
        on leads.stage_key = stages.stage_key
    left join users
        on leads.portal_id = users.portal_id
        and leads.assigned_user_id = users.user_id
    left join sources
        on leads.portal_id = sources.portal_id
        and leads.source_id = sources.source_id

)

select * from final
