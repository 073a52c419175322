{#
    The items (deals, leads) each standard period's funnels count, per mode (reference §7.2):
    classic counts an item with at least one real entry in the period, conversion any entry. Flags
    say whether the counted entries include a success or a failure stage — the employee grids of
    §7.4–7.5 count those ("converted", "junk", "won", "lost").
#}
with

stage_periods as (

    select * from {{ ref('int_funnel_stage_periods') }}

),

modes as (

    select 'classic' as funnel_mode
    union all
    select 'conversion' as funnel_mode

),

counted as (

    select
        stage_periods.*,
        modes.funnel_mode
    from stage_periods
    cross join modes
    where modes.funnel_mode = 'conversion'
        or stage_periods.has_real_entry

),

final as (

    select
        period_key,
        funnel_mode,
        portal_id,
        entity_type,
        owner_key,
        owner_pipeline_id,
        max(assigned_user_id) as assigned_user_id,
        max(case when is_return_customer then 1 else 0 end) = 1 as is_return_customer,
        max(amount_account) as amount_account,
        max(case when stage_semantics = 'success' then 1 else 0 end) = 1 as has_success_entry,
        max(case when stage_semantics = 'failure' then 1 else 0 end) = 1 as has_failure_entry
    from counted
    group by period_key, funnel_mode, portal_id, entity_type, owner_key, owner_pipeline_id

)

select * from final
