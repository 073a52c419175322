/*
    Classic mode counts real entries only, conversion mode real and supposed ones: on every stage
    of every period a classic count above the conversion count is a bug. Returns the offending cells.
*/
with

deal_cells as (

    select
        'deal' as entity_type, portal_id, period_type, period_start, pipeline_id, stage_id, funnel_mode,
        deal_count as item_count, total_deal_count as total_count
    from {batch} as guarded

),

lead_cells as (

    select
        'lead' as entity_type, portal_id, period_type, period_start, cast(null as bigint) as pipeline_id, stage_id,
        funnel_mode, lead_count as item_count, total_lead_count as total_count
    from {marts}.lead_funnel_by_period

),

cells as (

    select * from deal_cells
    union all
    select * from lead_cells

),

final as (

    select
        classic.entity_type,
        classic.portal_id,
        classic.period_type,
        classic.period_start,
        classic.pipeline_id,
        classic.stage_id,
        classic.item_count as classic_count,
        conversion.item_count as conversion_count,
        classic.total_count as classic_total,
        conversion.total_count as conversion_total
    from cells as classic
    inner join cells as conversion
        on classic.entity_type = conversion.entity_type
        and classic.portal_id = conversion.portal_id
        and classic.period_type = conversion.period_type
        and classic.period_start = conversion.period_start
        and coalesce(classic.pipeline_id, -1) = coalesce(conversion.pipeline_id, -1)
        and classic.stage_id = conversion.stage_id
    where classic.funnel_mode = 'classic'
        and conversion.funnel_mode = 'conversion'
        and (classic.item_count > conversion.item_count or classic.total_count > conversion.total_count)

)

select * from final
