{#
    The cost to serve of every completed activity, at the rates of business_rules.yml: the rate of
    its activity type, plus, for a call logged on it, the call's billed minutes × the call-minute
    rate. One row per completed, not deleted activity, with the record it serves (deal, or the
    customer for activities on a contact or company), its responsible user and the day it was held.

    Incremental by activity (three profitability marts and their tests read it; as a view each read
    joined the activities with the calls again): a run rewrites the activities fct_activities
    rewrote since this table's newest row (built_at), and those whose billed minutes or rates are
    not what their row holds — a call logged, edited, moved or deleted, a rate changed in
    business_rules.yml — found by the facts' lookups over the built rows
    (macros/incremental_facts.sql). The post-hook drops those of the activities fct_activities
    rewrote since the previous build that are now deleted or not completed.
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='activity_key',
        on_schema_change='sync_all_columns',
        post_hook="delete from {{ this }} where activity_key in (select activity_key from {{ ref('fct_activities') }}
            where (is_deleted or not is_completed) and built_at > (select coalesce(max(built_at), cast('1900-01-01' as
            {{ dbt.type_timestamp() }})) from {{ this }} where built_at < {{ run_started_timestamp() }}))",
    )
}}
{#- asked once: each asking reads the built table's columns from the catalogue #}
{%- set incremental = is_incremental_with_documented_columns() %}
with

calls as (

    select
        portal_id,
        activity_id,
        cast(sum(billed_minutes) as {{ dbt.type_bigint() }}) as billed_minutes
    from {{ ref('fct_calls') }}
    where not is_deleted
        and activity_id is not null
    group by portal_id, activity_id

),

rates as (

    select * from {{ ref('stg_inputs__cost_rates') }}

),

{% if incremental %}
{%- set lookups = [
    {'keys': ['activity_type'], 'columns': ['activity_cost'],
     'relation': "(select activity_type, rate from rates where cost_kind = 'activity')",
     'on': 'seen.activity_type = lookup.activity_type', 'compare': {'activity_cost': 'coalesce(lookup.rate, 0)'}},
    {'keys': ['portal_id', 'activity_id'], 'columns': ['billed_minutes', 'call_minutes_cost'],
     'relation': "(select calls.*, minute_rates.rate as minute_rate from calls
                   left join rates as minute_rates on minute_rates.cost_kind = 'call_minute')",
     'by_record': true,
     'on': 'seen.portal_id = lookup.portal_id and seen.activity_id = lookup.activity_id',
     'compare': {'billed_minutes': 'coalesce(lookup.billed_minutes, 0)',
                 'call_minutes_cost': 'coalesce(lookup.billed_minutes, 0) * coalesce(lookup.minute_rate, 0)'}},
] %}
changed_activities as materialized (

    select activity_key from {{ ref('fct_activities') }}
    where built_at > {{ newest_built_at(this) }}
    {%- for lookup in lookups %}

    union

    {{ built_records_with_changed_lookup('activity_key', lookup) }}
    {%- endfor %}

),
{% endif %}

activities as (

    select * from {{ ref('fct_activities') }}
    where not is_deleted
        and is_completed
        {%- if incremental %}
        and activity_key in (select activity_key from changed_activities)
        {%- endif %}

),

final as (

    select
        activities.activity_key,
        activities.portal_id,
        activities.activity_id,
        activities.activity_type,
        activities.deal_key,
        case activities.owner_entity_type
            when 'contact' then activities.portal_id || ':contact:' || cast(activities.owner_id as {{ dbt.type_string() }})
            when 'company' then activities.portal_id || ':company:' || cast(activities.owner_id as {{ dbt.type_string() }})
        end as customer_key,
        activities.responsible_user_id,
        activities.held_date,
        coalesce(calls.billed_minutes, 0) as billed_minutes,
        coalesce(activity_rates.rate, 0) as activity_cost,
        coalesce(calls.billed_minutes, 0) * coalesce(minute_rates.rate, 0) as call_minutes_cost,
        coalesce(activity_rates.rate, 0) + coalesce(calls.billed_minutes, 0) * coalesce(minute_rates.rate, 0)
            as cost_to_serve,
        {{ run_started_timestamp() }} as built_at
    from activities
    left join calls
        on activities.portal_id = calls.portal_id
        and activities.activity_id = calls.activity_id
    left join rates as activity_rates
        on activity_rates.cost_kind = 'activity'
        and activities.activity_type = activity_rates.activity_type
    left join rates as minute_rates
        on minute_rates.cost_kind = 'call_minute'

)

select * from final
