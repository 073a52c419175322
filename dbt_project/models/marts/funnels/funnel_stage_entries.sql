{#
    Bitrix24's "stage history with supposed rows" with the owner's current attributes: the table
    every funnel reads (reference §7.1–7.3). One row per stage entry, real or supposed, of every
    deal and lead; recurring-deal templates and deleted records are left out, as in the portal.

    Any funnel for any period [from, to] (see docs/marts.md):
        where entered_date <= to and close_date >= from
          and (not is_supposed or <conversion mode>)
        count(distinct owner_key) per stage
#}
with

history as (

    select * from {{ ref('int_stage_history_with_supposed') }}

),

stages as (

    select * from {{ ref('dim_stages') }}

),

owners as (

    select * from {{ ref('int_funnel_owners') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

final as (

    select
        history.stage_entry_key,
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
        owners.current_stage_id,
        owners.amount_account,
        owners.assigned_user_id,
        users.user_name as assigned_user_name,
        users.department_id,
        users.department_name,
        owners.source_id,
        owners.is_return_customer
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
