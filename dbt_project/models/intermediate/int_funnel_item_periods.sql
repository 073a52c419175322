{#
    The items (deals, leads) each standard period's funnels count, per mode (reference §7.2):
    classic counts an item with at least one real entry in the period, conversion any entry. Flags
    say whether the counted entries include a success or a failure stage — the employee grids of
    §7.4–7.5 count those ("converted", "junk", "won", "lost") — and the funnel totals are counts of
    these rows. One pass over int_funnel_stage_periods gives both modes.
#}
{{ config(materialized='table') }}

with

stage_periods as (

    select * from {{ ref('int_funnel_stage_periods') }}

),

items as (

    select
        period_key,
        portal_id,
        entity_type,
        owner_key,
        owner_pipeline_id,
        max(assigned_user_id) as assigned_user_id,
        max(case when is_return_customer then 1 else 0 end) = 1 as is_return_customer,
        max(amount_account) as amount_account,
        max(case when has_real_entry then 1 else 0 end) = 1 as has_real_entry,
        max(case when stage_semantics = 'success' then 1 else 0 end) = 1 as has_success_entry,
        max(case when stage_semantics = 'failure' then 1 else 0 end) = 1 as has_failure_entry,
        max(case when stage_semantics = 'success' and has_real_entry then 1 else 0 end) = 1 as has_real_success_entry,
        max(case when stage_semantics = 'failure' and has_real_entry then 1 else 0 end) = 1 as has_real_failure_entry
    from stage_periods
    group by period_key, portal_id, entity_type, owner_key, owner_pipeline_id

),

final as (

    select
        period_key, 'conversion' as funnel_mode, portal_id, entity_type, owner_key, owner_pipeline_id,
        assigned_user_id, is_return_customer, amount_account, has_success_entry, has_failure_entry
    from items

    union all

    select
        period_key, 'classic' as funnel_mode, portal_id, entity_type, owner_key, owner_pipeline_id,
        assigned_user_id, is_return_customer, amount_account,
        has_real_success_entry as has_success_entry,
        has_real_failure_entry as has_failure_entry
    from items
    where has_real_entry

)

select * from final
