{#
    One row per telephony call (voximplant.statistic.get) with the user, the CRM record it was
    logged on, the outcome and the portal-local day and hour it started. Billed minutes are the
    started minutes of an answered call (the cost-to-serve rate applies to them).

    Incremental: a run rewrites the calls loaded since the last one and the calls whose user or
    portal time zone has changed, found from the built rows' own columns before any call is looked
    up (macros/fact_lookups_over_built_rows.sql).
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='call_key',
        on_schema_change='sync_all_columns',
    )
}}
{%- set compared_columns = ['user_name', 'department_id', 'department_name', 'started_date', 'started_hour'] %}
with

staged_calls as (

    select * from {{ ref('stg_bitrix24__calls') }}

),

portals as (

    select * from {{ ref('stg_bitrix24__portals') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

{# the looked-up columns over each base (macros/fact_lookups_over_built_rows.sql) #}
{% set bases = fact_lookup_bases('calls') %}
{% for base in bases %}
{{ fact_base_records(base, bases, 'staged_calls', 'call_key', compared_columns) }}

{{ base }}_looked_up as not materialized (

    select
        {{ base }}.call_key,
        {{ base }}.portal_id,
        {{ base }}.call_id,
        {{ base }}.activity_id,
        {{ base }}.user_id,
        users.user_name,
        users.department_id,
        users.department_name,
        {{ base }}.crm_entity_type,
        {{ base }}.crm_entity_id,
        case when {{ base }}.crm_entity_type = 'deal'
            then {{ base }}.portal_id || ':' || cast({{ base }}.crm_entity_id as {{ dbt.type_string() }})
        end as deal_key,
        {{ base }}.call_type,
        {{ base }}.direction,
        {{ base }}.status_code,
        {{ base }}.failure_reason,
        {{ base }}.is_answered,
        {{ base }}.is_missed,
        {{ base }}.duration_seconds,
        case when {{ base }}.is_answered
            then cast(ceil(coalesce({{ base }}.duration_seconds, 0) / 60.0) as {{ dbt.type_bigint() }})
            else 0
        end as billed_minutes,
        {{ base }}.cost,
        {{ base }}.cost_currency_id,
        {{ base }}.started_at,
        {{ portal_local_date(base ~ '.started_at', 'coalesce(portals.utc_offset_minutes, 0)') }} as started_date,
        cast(extract(hour from {{ portal_local_timestamp(base ~ '.started_at', 'coalesce(portals.utc_offset_minutes, 0)') }})
            as integer) as started_hour,
        {{ base }}.is_deleted,
        {{ base }}.deleted_at,
        {{ base }}.loaded_at_epoch
        {{- built_fact_values(base, compared_columns) }}
    from {{ base }}
    left join portals
        on {{ base }}.portal_id = portals.portal_id
    left join users
        on {{ base }}.portal_id = users.portal_id
        and {{ base }}.user_id = users.user_id

),
{% endfor %}

final as (

    select *, {{ run_started_timestamp() }} as built_at from calls_looked_up

)

select * from final
