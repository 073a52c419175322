{#
    How quickly each deal is first worked on: one row per deal, with its first activity (call,
    meeting, e-mail, task…) and the seconds and hours from the deal's creation to that activity's
    creation (null when the deal has no activity yet). BI aggregates it by outcome and owner
    (group by outcome, assigned_user_id): average or median reaction time, share without action.

    Incremental by deal: a run rewrites the deals whose fct_deals row or first activity was
    rewritten since this table's last build (their built_at is newer than its newest); the
    post-hook drops the deals since deleted or turned into recurring templates.
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='deal_key',
        on_schema_change='sync_all_columns',
        post_hook="delete from {{ this }} where deal_key in (select deal_key from {{ ref('fct_deals') }}
            where is_deleted or coalesce(is_recurring, false))",
    )
}}

with

deals as (

    select
        deal_key,
        portal_id,
        deal_id,
        pipeline_id,
        stage_id,
        assigned_user_id,
        source_id,
        pipeline_name,
        stage_name,
        assigned_user_name,
        source_name,
        case
            when is_won then 'won'
            when is_lost then 'lost'
            else 'open'
        end as outcome,
        created_date,
        created_at
    from {{ ref('fct_deals') }}
    where not is_deleted
        and not coalesce(is_recurring, false)

),

first_activities as (

    select * from {{ ref('int_activities_first_by_owner') }}
    where owner_entity_type = 'deal'

),

{% if is_incremental_with_documented_columns() %}
changed_deals as materialized (

    select deal_key from {{ ref('fct_deals') }}
    where built_at > {{ newest_built_at(this) }}

    union

    {# owner_key of a deal's row is its deal_key (portal_id:deal_id) #}
    select owner_key from first_activities
    where built_at > {{ newest_built_at(this) }}

),

scoped_deals as (

    select * from deals
    where deal_key in (select deal_key from changed_deals)

),
{% else %}
scoped_deals as (

    select * from deals

),
{% endif %}

joined as (

    select
        scoped_deals.*,
        first_activities.first_activity_id,
        first_activities.first_activity_responsible_user_id,
        first_activities.first_activity_type,
        first_activities.activity_count,
        first_activities.first_activity_at,
        cast(
            {{ dbt.datediff('scoped_deals.created_at', 'first_activities.first_activity_at', 'second') }}
            as {{ dbt.type_bigint() }}
        ) as seconds_to_first_activity
    from scoped_deals
    left join first_activities
        on scoped_deals.portal_id = first_activities.portal_id
        and scoped_deals.deal_id = first_activities.owner_id

),

final as (

    select
        deal_key,
        portal_id,
        deal_id,
        pipeline_id,
        stage_id,
        assigned_user_id,
        source_id,
        first_activity_id,
        first_activity_responsible_user_id,
        pipeline_name,
        stage_name,
        assigned_user_name,
        source_name,
        outcome,
        first_activity_type,
        coalesce(activity_count, 0) as activity_count,
        seconds_to_first_activity,
        seconds_to_first_activity / 3600.0 as hours_to_first_activity,
        first_activity_id is not null as has_activity,
        created_date,
        created_at,
        first_activity_at,
        {{ run_started_timestamp() }} as built_at
    from joined

)

select * from final
