{#
    One row per telephony call (voximplant.statistic.get) with the user, the CRM record it was
    logged on, the outcome and the portal-local day and hour it started. Billed minutes are the
    started minutes of an answered call (the cost-to-serve rate applies to them).

    Incremental (macros/incremental_facts.sql): a run rewrites the calls loaded since the last one
    and the calls whose user or portal time zone has changed. The rows it replaces are retired
    (macros/retired_rows.sql): call_stats subtracts them.
#}
{# meta.retired_columns: what call_stats reads of the rows a run replaces #}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert+retire',
        unique_key='call_key',
        on_schema_change='sync_all_columns',
        meta={'retired_columns': ['portal_id', 'user_id', 'started_date', 'started_hour', 'direction', 'is_answered',
                                  'is_missed', 'duration_seconds', 'billed_minutes', 'cost', 'is_deleted', 'built_at']},
        post_hook="{{ reset_retired_rows() }}",
    )
}}
with

portals as (

    select * from {{ ref('stg_bitrix24__portals') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

{# what the select below looks up, for the incremental runs' comparison #}
{%- set lookups = [
    user_lookup('user_id', {'user_name': 'user_name', 'department_id': 'department_id', 'department_name': 'department_name'}),
    {'keys': ['portal_id'], 'columns': ['started_at', 'started_date', 'started_hour'],
     'relation': 'portals', 'by_record': true,
     'on': 'seen.portal_id = lookup.portal_id',
     'compare': {'started_date': portal_local_date('seen.started_at', 'coalesce(lookup.utc_offset_minutes, 0)'),
                 'started_hour': started_hour('seen.started_at', 'coalesce(lookup.utc_offset_minutes, 0)')}},
] %}
{{ incremental_fact_records('calls', ref('stg_bitrix24__calls'), 'call_key', lookups) }}

final as (

    select
        calls.call_key,
        calls.portal_id,
        calls.call_id,
        calls.activity_id,
        calls.user_id,
        users.user_name,
        users.department_id,
        users.department_name,
        calls.crm_entity_type,
        calls.crm_entity_id,
        case when calls.crm_entity_type = 'deal'
            then calls.portal_id || ':' || cast(calls.crm_entity_id as {{ dbt.type_string() }})
        end as deal_key,
        calls.call_type,
        calls.direction,
        calls.status_code,
        calls.failure_reason,
        calls.is_answered,
        calls.is_missed,
        calls.duration_seconds,
        case when calls.is_answered
            then cast(ceil(coalesce(calls.duration_seconds, 0) / 60.0) as {{ dbt.type_bigint() }})
            else 0
        end as billed_minutes,
        calls.cost,
        calls.cost_currency_id,
        calls.started_at,
        {{ portal_local_date('calls.started_at', 'coalesce(portals.utc_offset_minutes, 0)') }} as started_date,
        {{ started_hour('calls.started_at', 'coalesce(portals.utc_offset_minutes, 0)') }} as started_hour,
        calls.is_deleted,
        calls.deleted_at,
        calls.loaded_at_epoch,
        {{ run_started_timestamp() }} as built_at
    from calls
    left join portals
        on calls.portal_id = portals.portal_id
    left join users
        on calls.portal_id = users.portal_id
        and calls.user_id = users.user_id

)

select * from final
