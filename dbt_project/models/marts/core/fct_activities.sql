{#
    One row per activity (call, meeting, e-mail, task…) with its business kind (call / meeting /
    showing, from the activity rules of business_rules.yml), its owner record, the responsible user
    and portal-local dates. Deleted activities stay in, flagged. An activity is done on the day it
    was held (start, else created), planned for its deadline day (else its start), and overdue when
    not completed and its deadline had passed at the last extraction.

    Incremental: a run rewrites the activities loaded since the last one and those whose kind (the
    activity rules), user, overdue state (the extraction time moved on) or portal time zone has
    changed. The looked-up columns are computed first over the built rows, from their own columns
    (what their kind, user, overdue state and date would be now), to find those; then over the
    records to rewrite only (macros/fact_lookups_over_built_rows.sql; comparing every staged
    activity, looked up, with its built row cost 3.8 s, this 1.75 s).
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='activity_key',
        on_schema_change='sync_all_columns',
    )
}}
{#- every column a lookup gives; the three dates all move with the portal's time zone, each may cross midnight alone #}
{%- set compared_columns = ['activity_kind', 'responsible_user_name', 'department_id', 'department_name',
                            'is_responsible_user_active', 'is_overdue', 'created_date', 'held_date', 'due_date'] %}
with

staged_activities as (

    select * from {{ ref('stg_bitrix24__activities') }}

),

rules as (

    select * from {{ ref('stg_inputs__business_activity_rules') }}

),

portals as (

    select * from {{ ref('stg_bitrix24__portals') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

{# the looked-up columns over each base (macros/fact_lookups_over_built_rows.sql) #}
{% set bases = fact_lookup_bases('activities') %}
{% for base in bases %}
{{ fact_base_records(base, bases, 'staged_activities', 'activity_key', compared_columns) }}

{# the first matching rule (lowest priority number) names the activity's kind #}
{{ base }}_matched_rules as (

    select
        {{ base }}.portal_id,
        {{ base }}.activity_id,
        min(rules.rule_priority) as rule_priority
    from {{ base }}
    inner join rules
        on {{ base }}.activity_type = rules.activity_type
        and (
            rules.subject_starts_with is null
            or substr({{ base }}.subject, 1, length(rules.subject_starts_with)) = rules.subject_starts_with
        )
    group by {{ base }}.portal_id, {{ base }}.activity_id

),

{{ base }}_looked_up as not materialized (

    select
        {{ base }}.activity_key,
        {{ base }}.portal_id,
        {{ base }}.activity_id,
        {{ base }}.activity_type,
        rules.activity_kind,
        {{ base }}.owner_entity_type,
        {{ base }}.owner_id,
        case when {{ base }}.owner_entity_type = 'deal'
            then {{ base }}.portal_id || ':' || cast({{ base }}.owner_id as {{ dbt.type_string() }})
        end as deal_key,
        case when {{ base }}.owner_entity_type = 'lead'
            then {{ base }}.portal_id || ':' || cast({{ base }}.owner_id as {{ dbt.type_string() }})
        end as lead_key,
        {{ base }}.responsible_user_id,
        users.user_name as responsible_user_name,
        users.department_id,
        users.department_name,
        users.is_active as is_responsible_user_active,
        {{ base }}.direction,
        {{ base }}.activity_status,
        {{ base }}.subject,
        {{ base }}.is_completed,
        {{ base }}.is_missed_call,
        not {{ base }}.is_completed
            and coalesce({{ base }}.deadline_at < portals.extracted_at, false) as is_overdue,
        {{ base }}.created_at,
        {{ base }}.start_at,
        {{ base }}.end_at,
        {{ base }}.deadline_at,
        {{ portal_local_date(base ~ '.created_at', 'coalesce(portals.utc_offset_minutes, 0)') }} as created_date,
        {{ portal_local_date('coalesce(' ~ base ~ '.start_at, ' ~ base ~ '.created_at)',
            'coalesce(portals.utc_offset_minutes, 0)') }} as held_date,
        {{ portal_local_date('coalesce(' ~ base ~ '.deadline_at, ' ~ base ~ '.start_at, ' ~ base ~ '.created_at)',
            'coalesce(portals.utc_offset_minutes, 0)') }} as due_date,
        {{ base }}.is_deleted,
        {{ base }}.deleted_at,
        {{ base }}.loaded_at_epoch
        {{- built_fact_values(base, compared_columns) }}
    from {{ base }}
    left join {{ base }}_matched_rules
        on {{ base }}.portal_id = {{ base }}_matched_rules.portal_id
        and {{ base }}.activity_id = {{ base }}_matched_rules.activity_id
    left join rules
        on {{ base }}_matched_rules.rule_priority = rules.rule_priority
    left join portals
        on {{ base }}.portal_id = portals.portal_id
    left join users
        on {{ base }}.portal_id = users.portal_id
        and {{ base }}.responsible_user_id = users.user_id

),
{% endfor %}

final as (

    select *, {{ run_started_timestamp() }} as built_at from activities_looked_up

)

select * from final
