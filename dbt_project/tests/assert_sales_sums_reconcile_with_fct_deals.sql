{#
    The won and lost amounts of sales_trends_by_period (all users, scope 'all') equal the sums of
    fct_deals over the same deals — success or failure stage, CLOSEDATE in the period — and the
    funnels' total amounts equal fct_deals' amounts of the deals they count. Returns mismatches.
#}
with

deals as (

    select * from {{ ref('fct_deals') }}
    where not is_deleted
        and not coalesce(is_recurring, false)

),

periods as (

    select * from {{ ref('int_report_periods') }}

),

trends as (

    select
        portal_id, period_type, period_start, pipeline_id,
        sum(won_amount_account) as won_amount,
        sum(lost_amount_account) as lost_amount
    from {{ ref('sales_trends_by_period') }}
    where customer_scope = 'all'
    group by 1, 2, 3, 4

),

from_deals as (

    select
        deals.portal_id, periods.period_type, periods.period_start, deals.pipeline_id,
        sum(case when deals.is_won then deals.amount_account else 0 end) as won_amount,
        sum(case when deals.is_lost then deals.amount_account else 0 end) as lost_amount
    from deals
    inner join periods
        on deals.close_date between periods.period_start and periods.period_end
    where coalesce(deals.assigned_user_id, 0) <> 0
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

{#
    The funnel's total amount: the deals with an entry in the period, their amounts from fct_deals.
    A deal's entries share its close date, so its earliest entry decides: one row per deal and
    pipeline, each joined to its amount once and then to its periods. (Were the close dates of a
    deal ever to differ, it would be counted twice and fail.)
#}
deal_spans as (

    select portal_id, owner_pipeline_id, owner_key, close_date, min(entered_date) as first_entered_date
    from {{ ref('funnel_stage_entries') }}
    where entity_type = 'deal'
    group by portal_id, owner_pipeline_id, owner_key, close_date

),

funnel_amounts as (

    select
        deal_spans.portal_id, periods.period_type, periods.period_start, deal_spans.owner_pipeline_id as pipeline_id,
        sum(deals.amount_account) as amount
    from deal_spans
    inner join deals
        on deal_spans.owner_key = deals.deal_key
    inner join periods
        on deal_spans.first_entered_date <= periods.period_end
        and deal_spans.close_date >= periods.period_start
    group by 1, 2, 3, 4

),

funnel_mismatches as (

    select
        'deal_funnel_by_period' as mart,
        funnel.portal_id, funnel.period_type, funnel.period_start, funnel.pipeline_id,
        funnel.total_amount_account - coalesce(funnel_amounts.amount, 0) as difference
    from (
        select distinct portal_id, period_type, period_start, pipeline_id, total_amount_account
        from {{ ref('deal_funnel_by_period') }}
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
