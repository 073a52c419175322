{#
    Bitrix24's "stage history with supposed rows" with the owner's current attributes: the table
    every funnel reads (reference §7.1–7.3). One row per stage entry, real or supposed, of every
    deal and lead; recurring-deal templates and deleted records are left out, as in the portal.

    Any funnel for any period [from, to] (see docs/marts.md):
        where entered_date <= to and close_date >= from
          and (not is_supposed or <conversion mode>)
        count(distinct owner_key) per stage

    Incremental (delete+insert by item): a run rebuilds the items int_stage_history_with_supposed
    rewrote since the table's newest row (a newer stage transition) and the items whose current
    attributes, or their user's or stages' names, changed since (int_funnel_owners stamps the
    items whose attributes it rewrote; macros/incremental_facts.sql); the post-hook drops the
    items the funnels no longer count.
#}
-- depends_on: {{ ref('stg_bitrix24__deals') }}, {{ ref('stg_bitrix24__leads') }}  (the post-hook reads them)
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='owner_scope_key',
        on_schema_change='sync_all_columns',
        post_hook="{{ delete_rows_of_dropped_funnel_owners(kept_by=ref('int_funnel_owners')) }}",
    )
}}

with

{# not materialized: incremental runs read it twice, and DuckDB would first copy all of it #}
all_history as not materialized (

    select * from {{ ref('int_stage_history_with_supposed') }}

),

stages as (

    select * from {{ ref('dim_stages') }}

),

owners as not materialized (

    select * from {{ ref('int_funnel_owners') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

{% if is_incremental_with_documented_columns() %}
{# the user's and stage's names the rows carry (macros/incremental_facts.sql) #}
{%- set lookups = [
    user_lookup('assigned_user_id', {'assigned_user_name': 'user_name', 'department_id': 'department_id',
                                     'department_name': 'department_name'}),
    column_lookup('stages', {'stage_key': 'stage_key'}, {'stage_name': 'stage_name', 'funnel_position': 'funnel_position'}),
] %}
{# the items whose attributes or names changed; those with a newer transition come below #}
changed_owners as materialized (

    {# int_funnel_owners stamps the items whose attributes it rewrote #}
    select owner_scope_key from owners where built_at > {{ newest_built_at(this) }}
    {%- for lookup in lookups %}

    union

    {{ built_records_with_changed_lookup('owner_scope_key', lookup) }}
    {%- endfor %}

),

{#
    int_stage_history_with_supposed rewrites every row of an item with a newer transition and
    stamps them (built_at): those rows are newer than this table's. A filter with an OR keeps
    DuckDB from hashing all 7 M history rows to probe them with the few changed items (it chose
    to, for a plain IN: 1.1 s).
#}
history as (

    select *
    from all_history
    where built_at > {{ newest_built_at(this) }}
        or owner_scope_key in (select owner_scope_key from changed_owners)

),
{% else %}
history as (

    select * from all_history

),
{% endif %}

final as (

    select
        history.stage_entry_key,
        history.owner_scope_key,
        history.portal_id,
        history.entity_type,
        owners.owner_key,
        history.owner_id,
        owners.owner_pipeline_id,
        history.pipeline_id,
        history.stage_id,
        history.stage_key,
        stages.stage_name,
        history.stage_semantics,
        stages.funnel_position,
        history.is_supposed,
        history.transition_type,
        history.event_id,
        history.entered_at,
        history.entered_date,
        history.close_date,
        history.spent_seconds,
        {# a run rewrites every entry of the items it touches, so the next real entry is at hand here #}
        case when not history.is_supposed then
            lead(history.entered_date) over (
                partition by history.owner_scope_key, history.is_supposed
                order by history.entered_at, history.event_id
            )
        end as left_date,
        owners.current_stage_id,
        owners.amount_account,
        owners.assigned_user_id,
        users.user_name as assigned_user_name,
        users.department_id,
        users.department_name,
        owners.source_id,
        owners.is_return_customer,
        {{ run_started_timestamp() }} as built_at
    from history
    inner join owners
        on history.portal_id = owners.portal_id
        and history.entity_type = owners.entity_type
        and history.owner_id = owners.owner_id
    left join stages
        on history.stage_key = stages.stage_key
    left join users
        on owners.portal_id = users.portal_id
        and owners.assigned_user_id = users.user_id

)

select * from final
