/*
    The won and lost amounts of sales_trends_by_period (all users, scope 'all') equal the sums of
    fct_deals over the same deals — success or failure stage, CLOSEDATE in the period — and the
    funnels' total amounts equal fct_deals' amounts of the deals they count. Returns mismatches.
*/
with

deals as (

    select * from {marts}.fct_deals
    where not is_deleted
        and not coalesce(is_recurring, false)

),

periods as (

    select * from {intermediate}.int_report_periods

),

trends as (

    select
        portal_id, period_type, period_start, pipeline_id,
        sum(won_amount_account) as won_amount,
        sum(lost_amount_account) as lost_amount
    from {batch} as guarded
    where customer_scope = 'all'
    group by 1, 2, 3, 4

),

/* summed per close day first, then per period: ~1 M deals x their 3 periods otherwise */
closed_deals_by_day as (

    select
        portal_id, pipeline_id, close_date,
        sum(case when is_won then amount_account else 0 end) as won_amount,
        sum(case when is_lost then amount_account else 0 end) as lost_amount
    from deals
    where coalesce(assigned_user_id, 0) <> 0
    group by portal_id, pipeline_id, close_date

),

from_deals as (

    select
        closed_deals_by_day.portal_id, periods.period_type, periods.period_start, closed_deals_by_day.pipeline_id,
        sum(closed_deals_by_day.won_amount) as won_amount,
        sum(closed_deals_by_day.lost_amount) as lost_amount
    from closed_deals_by_day
    inner join periods
        on closed_deals_by_day.close_date between periods.period_start and periods.period_end
    group by 1, 2, 3, 4

),

trend_mismatches as (

    select
        'sales_trends_by_period' as mart,
        from_deals.portal_id, from_deals.period_type, from_deals.period_start, from_deals.pipeline_id,
        from_deals.won_amount - coalesce(trends.won_amount, 0) as difference
    from from_deals
    left join trends
        on from_deals.portal_id = trends.portal_id
        and from_deals.period_type = trends.period_type
        and from_deals.period_start = trends.period_start
        and from_deals.pipeline_id = trends.pipeline_id
    where from_deals.won_amount <> coalesce(trends.won_amount, 0)
        or from_deals.lost_amount <> coalesce(trends.lost_amount, 0)

),

/*
    The funnel's total amount: the deals with an entry in the period, their amounts from fct_deals.
    A deal's entries share its close date, so its earliest entry decides: one row per deal and
    pipeline, each joined to its amount once. (Were the close dates of a deal ever to differ, it
    would be counted twice and fail.) A deal is in a period when it entered on or before the end and
    did not close before the start: summed per period as (amounts entered by the end) - (amounts
    closed before the start), from sums per day, as in assert_funnel_totals_equal_distinct_items;
    a deal that closes before it first entered is matched to its periods one by one. Deals by
    portal_id and id: integers group and join faster than the key strings.
*/
deal_spans as (

    select
        spans.portal_id, spans.owner_pipeline_id, spans.close_date, spans.first_entered_date,
        deals.amount_account
    from (
        select portal_id, owner_pipeline_id, owner_id, close_date, min(entered_date) as first_entered_date
        from {marts}.funnel_stage_entries
        where entity_type = 'deal'
        group by portal_id, owner_pipeline_id, owner_id, close_date
    ) as spans
    inner join deals
        on spans.portal_id = deals.portal_id
        and spans.owner_id = deals.deal_id

),

entered_by_day as (

    select portal_id, owner_pipeline_id, first_entered_date as day, sum(amount_account) as amount
    from deal_spans
    where close_date >= first_entered_date
    group by portal_id, owner_pipeline_id, first_entered_date

),

closed_by_day as (

    select portal_id, owner_pipeline_id, close_date as day, sum(amount_account) as amount
    from deal_spans
    where close_date >= first_entered_date
    group by portal_id, owner_pipeline_id, close_date

),

signed_amounts as (

    select entered_by_day.portal_id, periods.period_type, periods.period_start, entered_by_day.owner_pipeline_id,
        entered_by_day.amount
    from entered_by_day
    inner join periods
        on entered_by_day.day <= periods.period_end

    union all

    select closed_by_day.portal_id, periods.period_type, periods.period_start, closed_by_day.owner_pipeline_id,
        -closed_by_day.amount
    from closed_by_day
    inner join periods
        on closed_by_day.day < periods.period_start

    union all

    select deal_spans.portal_id, periods.period_type, periods.period_start, deal_spans.owner_pipeline_id,
        deal_spans.amount_account
    from deal_spans
    inner join periods
        on deal_spans.first_entered_date <= periods.period_end
        and deal_spans.close_date >= periods.period_start
    where deal_spans.close_date < deal_spans.first_entered_date

),

funnel_amounts as (

    select portal_id, period_type, period_start, owner_pipeline_id as pipeline_id, sum(amount) as amount
    from signed_amounts
    group by portal_id, period_type, period_start, owner_pipeline_id

),

funnel_mismatches as (

    select
        'deal_funnel_by_period' as mart,
        funnel.portal_id, funnel.period_type, funnel.period_start, funnel.pipeline_id,
        funnel.total_amount_account - coalesce(funnel_amounts.amount, 0) as difference
    from (
        select distinct portal_id, period_type, period_start, pipeline_id, total_amount_account
        from {marts}.deal_funnel_by_period
        where funnel_mode = 'conversion'
    ) as funnel
    left join funnel_amounts
        on funnel.portal_id = funnel_amounts.portal_id
        and funnel.period_type = funnel_amounts.period_type
        and funnel.period_start = funnel_amounts.period_start
        and funnel.pipeline_id = funnel_amounts.pipeline_id
    where funnel.total_amount_account <> coalesce(funnel_amounts.amount, 0)

)

select * from trend_mismatches
union all
select * from funnel_mismatches
