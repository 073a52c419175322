{#
    One row per activity (call, meeting, e-mail, task…) with its business kind (call / meeting /
    showing, from the activity rules of business_rules.yml), its owner record, the responsible user
    and portal-local dates. Deleted activities stay in, flagged. An activity is done on the day it
    was held (start, else created), planned for its deadline day (else its start), and overdue when
    not completed and its deadline had passed at the last extraction.

    Incremental (macros/incremental_facts.sql): a run rewrites the activities loaded since the last
    one and those whose kind (the activity rules), user, overdue state (the extraction time moved
    on) or portal time zone has changed. The rows it replaces are retired (macros/retired_rows.sql):
    activity_overview subtracts them.
#}
{# meta.retired_columns: what activity_overview reads of the rows a run replaces #}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert+retire',
        unique_key='activity_key',
        on_schema_change='sync_all_columns',
        meta={'retired_columns': ['portal_id', 'responsible_user_id', 'activity_type', 'due_date', 'held_date',
                                  'is_completed', 'is_overdue', 'is_deleted', 'built_at']},
        post_hook="{{ reset_retired_rows() }}",
    )
}}
with

rules as (

    select * from {{ ref('stg_inputs__business_activity_rules') }}

),

portals as (

    select * from {{ ref('stg_bitrix24__portals') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

{# what the select below looks up, for the incremental runs' comparison; the three dates all move
   with the portal's time zone, and each may cross midnight alone #}
{%- set lookups = [
    {'keys': ['activity_type'], 'columns': ['subject', 'activity_kind'],
     'compare': {'activity_kind': '(select rules.activity_kind from rules where rules.rule_priority = ('
                 ~ 'select min(matching.rule_priority) from rules as matching where '
                 ~ activity_rule_matches('matching', 'seen') ~ '))'}},
    user_lookup('responsible_user_id', {'responsible_user_name': 'user_name', 'department_id': 'department_id',
                                        'department_name': 'department_name', 'is_responsible_user_active': 'is_active'}),
    {'keys': ['portal_id', 'deadline_at'], 'columns': ['is_completed', 'is_overdue'],
     'relation': 'portals', 'by_record': true,
     'on': 'seen.portal_id = lookup.portal_id',
     'compare': {'is_overdue': overdue('seen', 'lookup.extracted_at')}},
    {'keys': ['portal_id'], 'columns': ['created_at', 'start_at', 'deadline_at', 'created_date', 'held_date', 'due_date'],
     'relation': 'portals', 'by_record': true,
     'on': 'seen.portal_id = lookup.portal_id',
     'compare': activity_dates('seen', 'coalesce(lookup.utc_offset_minutes, 0)')},
] %}
{{ incremental_fact_records('activities', ref('stg_bitrix24__activities'), 'activity_key', lookups) }}

{# the first matching rule (lowest priority number) names the activity's kind #}
matched_rules as (

    select
        activities.portal_id,
        activities.activity_id,
        min(rules.rule_priority) as rule_priority
    from activities
    inner join rules
        on {{ activity_rule_matches('rules', 'activities') }}
    group by activities.portal_id, activities.activity_id

),

final as (

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
        {{ overdue('activities', 'portals.extracted_at') }} as is_overdue,
        activities.created_at,
        activities.start_at,
        activities.end_at,
        activities.deadline_at,
        {%- for column, date in activity_dates('activities', 'coalesce(portals.utc_offset_minutes, 0)').items() %}
        {{ date }} as {{ column }},
        {%- endfor %}
        activities.is_deleted,
        activities.deleted_at,
        activities.loaded_at_epoch,
        {{ run_started_timestamp() }} as built_at
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

)

select * from final

