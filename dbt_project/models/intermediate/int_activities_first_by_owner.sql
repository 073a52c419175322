{#
    The first activity (call, meeting, e-mail, task…) of every CRM record that has one: one row per
    portal × owner entity type × owner id, with when it was created, its type and who was
    responsible. The time-to-first-action mart measures a deal's reaction time from it. "First" is
    by creation time (ties: the lower activity id); deleted activities do not count. Only the
    activity's owner (OWNER_TYPE_ID/OWNER_ID) is used, not its other bindings.
#}
with

activities as (

    select
        portal_id,
        activity_id,
        owner_entity_type,
        owner_id,
        activity_type,
        responsible_user_id,
        created_at
    from {{ ref('stg_bitrix24__activities') }}
    where not is_deleted
        and owner_entity_type is not null
        and owner_id is not null
        and created_at is not null

),

numbered as (

    select
        activities.*,
        row_number() over (
            partition by portal_id, owner_entity_type, owner_id
            order by created_at, activity_id
        ) as activity_number,
        count(*) over (partition by portal_id, owner_entity_type, owner_id) as activity_count
    from activities

),

final as (

    select
        portal_id || ':' || owner_entity_type || ':' || cast(owner_id as {{ dbt.type_string() }})
            as owner_scope_key,
        portal_id || ':' || cast(owner_id as {{ dbt.type_string() }}) as owner_key,
        portal_id,
        owner_entity_type,
        owner_id,
        activity_id as first_activity_id,
        activity_type as first_activity_type,
        responsible_user_id as first_activity_responsible_user_id,
        activity_count,
        created_at as first_activity_at
    from numbered
    where activity_number = 1

)

select * from final
