{#
    One row per activity (call, meeting, e-mail, task…) with its business kind (call / meeting /
    showing, from the activity rules of business_rules.yml), its owner record, the responsible user
    and portal-local dates. Deleted activities stay in, flagged. An activity is done on the day it
    was held (start, else created), planned for its deadline day (else its start), and overdue when
    not completed and its deadline had passed at the last extraction.

    Incremental (macros/incremental_facts.sql): a run rewrites the activities loaded since the
    last one and those whose kind (the activity rules), user, overdue state (the extraction
    time moved on) or portal time zone has changed.
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='activity_key',
        on_schema_change='sync_all_columns',
    )
}}
with

activities as (

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

{# the first matching rule (lowest priority number) names the activity's kind #}
matched_rules as (

    select
        activities.portal_id,
        activities.activity_id,
        min(rules.rule_priority) as rule_priority
    from activities
    inner join rules
        on activities.activity_type = rules.activity_type
        and (
            rules.subject_starts_with is null
            or substr(activities.subject, 1, length(rules.subject_starts_with)) = rules.subject_starts_with
        )
    group by activities.portal_id, activities.activity_id

),

all_activities as not materialized (

    select
        activities.activity_key,
        activities.portal_id,
        activities.activity_id,
        activities.activity_type,
        rules.activity_kind,
        activities.owner_entity_type,
        activities.owner_id,
        case when activities.owner_entity_type = 'deal'
            then activities.portal_id || ':' || cast(activities.owner_id as {{ dbt.type_string() }})
        end as deal_key,
        case when activities.owner_entity_type = 'lead'
            then activities.portal_id || ':' || cast(activities.owner_id as {{ dbt.type_string() }})
        end as lead_key,
        activities.responsible_user_id,
        users.user_name as responsible_user_name,
        users.department_id,
        users.department_name,
        users.is_active as is_responsible_user_active,
        activities.direction,
        activities.activity_status,
        activities.subject,
        activities.is_completed,
        activities.is_missed_call,
        not activities.is_completed
            and coalesce(activities.deadline_at < portals.extracted_at, false) as is_overdue,
        activities.created_at,
        activities.start_at,
        activities.end_at,
        activities.deadline_at,
        {{ portal_local_date('activities.created_at', 'coalesce(portals.utc_offset_minutes, 0)') }} as created_date,
        {{ portal_local_date('coalesce(activities.start_at, activities.created_at)',
            'coalesce(portals.utc_offset_minutes, 0)') }} as held_date,
        {{ portal_local_date('coalesce(activities.deadline_at, activities.start_at, activities.created_at)',
            'coalesce(portals.utc_offset_minutes, 0)') }} as due_date,
        activities.is_deleted,
        activities.deleted_at,
        activities.loaded_at_epoch
    from activities
    left join matched_rules
        on activities.portal_id = matched_rules.portal_id
        and activities.activity_id = matched_rules.activity_id
    left join rules
        on matched_rules.rule_priority = rules.rule_priority
    left join portals
        on activities.portal_id = portals.portal_id
    left join users
        on activities.portal_id = users.portal_id
        and activities.responsible_user_id = users.user_id

),

{{ incremental_fact_rows('all_activities', 'activity_key', [
    'activity_kind',
    'responsible_user_name',
    'department_id',
    'department_name',
    'is_responsible_user_active',
    'is_overdue',
    'created_date',
], none) }}

select * from final
