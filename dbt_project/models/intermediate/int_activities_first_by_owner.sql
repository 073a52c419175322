{#
    The first activity (call, meeting, e-mail, task…) of every CRM record that has one: one row per
    portal × owner entity type × owner id, with when it was created, its type and who was
    responsible. The time-to-first-action mart measures a deal's reaction time from it. "First" is
    by creation time (ties: the lower activity id); deleted activities do not count (a record whose
    activities were all deleted keeps a row with no first activity). Only the activity's owner
    (OWNER_TYPE_ID/OWNER_ID) is used, not its other bindings.

    Incremental: a run recomputes only the records that have an activity loaded, or marked deleted,
    since the last run (by dlt's load id and the deletion time), replacing their rows.
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='owner_scope_key',
        on_schema_change='sync_all_columns',
    )
}}

with

activities as (

    select
        portal_id,
        activity_id,
        owner_entity_type,
        owner_id,
        activity_type,
        responsible_user_id,
        created_at,
        is_deleted,
        loaded_at_epoch,
        deleted_at
    from {{ ref('stg_bitrix24__activities') }}
    where owner_entity_type is not null
        and owner_id is not null

),

{% if is_incremental_with_documented_columns() %}
built as (

    select portal_id, max(last_loaded_at_epoch) as last_loaded_at_epoch, max(last_deleted_at) as last_deleted_at
    from {{ this }}
    group by portal_id

),

changed_owners as (

    select distinct activities.portal_id, activities.owner_entity_type, activities.owner_id
    from activities
    left join built
        on activities.portal_id = built.portal_id
    where built.portal_id is null
        or activities.loaded_at_epoch > built.last_loaded_at_epoch
        or activities.deleted_at > coalesce(built.last_deleted_at, cast('1970-01-01' as timestamp))

),

scoped as (

    select activities.*
    from activities
    inner join changed_owners
        on activities.portal_id = changed_owners.portal_id
        and activities.owner_entity_type = changed_owners.owner_entity_type
        and activities.owner_id = changed_owners.owner_id

),
{% else %}
scoped as (

    select * from activities

),
{% endif %}

numbered as (

    select
        scoped.*,
        row_number() over (
            partition by portal_id, owner_entity_type, owner_id
            order by case when is_deleted or created_at is null then 1 else 0 end, created_at, activity_id
        ) as activity_number,
        count(case when is_deleted or created_at is null then null else 1 end) over (
            partition by portal_id, owner_entity_type, owner_id
        ) as activity_count,
        max(loaded_at_epoch) over (partition by portal_id, owner_entity_type, owner_id) as last_loaded_at_epoch,
        max(deleted_at) over (partition by portal_id, owner_entity_type, owner_id) as last_deleted_at
    from scoped

),

final as (

    select
        {{ scoped_key('portal_id', 'owner_entity_type', 'owner_id') }} as owner_scope_key,
        portal_id || ':' || cast(owner_id as {{ dbt.type_string() }}) as owner_key,
        portal_id,
        owner_entity_type,
        owner_id,
        case when activity_count > 0 then activity_id end as first_activity_id,
        case when activity_count > 0 then activity_type end as first_activity_type,
        case when activity_count > 0 then responsible_user_id end as first_activity_responsible_user_id,
        activity_count,
        case when activity_count > 0 then created_at end as first_activity_at,
        last_loaded_at_epoch,
        last_deleted_at,
        {{ run_started_timestamp() }} as built_at
    from numbered
    where activity_number = 1

)

select * from final
