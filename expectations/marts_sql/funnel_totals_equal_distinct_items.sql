/*
    Each funnel's total is the number of distinct items with an entry in the period, recounted here
    straight from funnel_stage_entries with the period rule of reference §7.2 (entered on or before
    the end, not closed before the start). Returns the funnels whose totals disagree.
*/
with

/*
    Deals of a pipeline the portal no longer lists have no funnel (no stage order to place them in):
    data_quality_records flags them (unknown_pipeline) and they are not recounted here.
*/
entries as (

    select guarded.*
    from {batch} as guarded
    left join {marts}.dim_pipelines as pipelines
        on guarded.portal_id = pipelines.portal_id
        and guarded.owner_pipeline_id = pipelines.pipeline_id
    where guarded.entity_type = 'lead' or pipelines.pipeline_id is not null

),

periods as (

    select * from {intermediate}.int_report_periods

),

/*
    An item's entries share its close date, so "some entry in the period" reduces to its earliest
    entry (real entries only, for classic) and that date: one row per item and mode instead of one
    per entry. (Were the close dates of an item ever to differ, it would be counted twice and fail.)
    Items by portal_id, entity_type and owner_id: integers group faster than the owner_key strings.
*/
item_spans as (

    select
        portal_id,
        entity_type,
        owner_pipeline_id,
        owner_id,
        close_date,
        min(entered_date) as first_entered_date,
        min(case when not is_supposed then entered_date end) as first_real_entered_date
    from entries
    group by portal_id, entity_type, owner_pipeline_id, owner_id, close_date

),

mode_spans as (

    select portal_id, entity_type, owner_pipeline_id, 'conversion' as funnel_mode, first_entered_date, close_date
    from item_spans

    union all

    select portal_id, entity_type, owner_pipeline_id, 'classic' as funnel_mode, first_real_entered_date, close_date
    from item_spans
    where first_real_entered_date is not null

),

/*
    An item is in a period when it entered on or before the period's end and did not close before
    its start. Counted per period as (items entered by the end) - (items closed before the start),
    from counts per day: the second set lies inside the first for an item that does not close before
    it first entered; the few that do are matched to their periods one by one. Joining every item to
    every period it spans was ~15 M rows on the large portal.
*/
entered_by_day as (

    select portal_id, entity_type, owner_pipeline_id, funnel_mode, first_entered_date as day, count(*) as item_count
    from mode_spans
    where close_date >= first_entered_date
    group by portal_id, entity_type, owner_pipeline_id, funnel_mode, first_entered_date

),

closed_by_day as (

    select portal_id, entity_type, owner_pipeline_id, funnel_mode, close_date as day, count(*) as item_count
    from mode_spans
    where close_date >= first_entered_date
    group by portal_id, entity_type, owner_pipeline_id, funnel_mode, close_date

),

signed_counts as (

    select entered_by_day.portal_id, entered_by_day.entity_type, periods.period_type, periods.period_start,
        entered_by_day.owner_pipeline_id, entered_by_day.funnel_mode, entered_by_day.item_count
    from entered_by_day
    inner join periods
        on entered_by_day.day <= periods.period_end

    union all

    select closed_by_day.portal_id, closed_by_day.entity_type, periods.period_type, periods.period_start,
        closed_by_day.owner_pipeline_id, closed_by_day.funnel_mode, -closed_by_day.item_count
    from closed_by_day
    inner join periods
        on closed_by_day.day < periods.period_start

    union all

    select mode_spans.portal_id, mode_spans.entity_type, periods.period_type, periods.period_start,
        mode_spans.owner_pipeline_id, mode_spans.funnel_mode, 1
    from mode_spans
    inner join periods
        on mode_spans.first_entered_date <= periods.period_end
        and mode_spans.close_date >= periods.period_start
    where mode_spans.close_date < mode_spans.first_entered_date

),

recounted as (

    select portal_id, entity_type, period_type, period_start, owner_pipeline_id, funnel_mode,
        sum(item_count) as item_count
    from signed_counts
    group by portal_id, entity_type, period_type, period_start, owner_pipeline_id, funnel_mode

),

reported as (

    select distinct
        portal_id, 'deal' as entity_type, period_type, period_start, pipeline_id as owner_pipeline_id, funnel_mode,
        total_deal_count as item_count
    from {marts}.deal_funnel_by_period

    union all

    select distinct
        portal_id, 'lead' as entity_type, period_type, period_start, cast(null as bigint) as owner_pipeline_id,
        funnel_mode, total_lead_count as item_count
    from {marts}.lead_funnel_by_period

),

final as (

    select
        coalesce(reported.portal_id, recounted.portal_id) as portal_id,
        coalesce(reported.entity_type, recounted.entity_type) as entity_type,
        coalesce(reported.period_type, recounted.period_type) as period_type,
        coalesce(reported.period_start, recounted.period_start) as period_start,
        coalesce(reported.owner_pipeline_id, recounted.owner_pipeline_id) as pipeline_id,
        coalesce(reported.funnel_mode, recounted.funnel_mode) as funnel_mode,
        reported.item_count as reported_count,
        recounted.item_count as recounted_count
    from reported
    full outer join recounted
        on reported.portal_id = recounted.portal_id
        and reported.entity_type = recounted.entity_type
        and reported.period_type = recounted.period_type
        and reported.period_start = recounted.period_start
        and coalesce(reported.owner_pipeline_id, -1) = coalesce(recounted.owner_pipeline_id, -1)
        and reported.funnel_mode = recounted.funnel_mode
    where coalesce(reported.item_count, 0) <> coalesce(recounted.item_count, 0)

)

select * from final
