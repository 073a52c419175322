{#
    "Top grossing clients" (financialrating.php, reference §7.9), per standard period and pipeline:
    won deals (success stage) with CLOSEDATE in the period, grouped by the deal's company or, for
    deals without one, its contact; the top 25 by won amount. total_deal_count: the client's deals
    in work in the period (DATE_CREATE <= end and CLOSEDATE null or >= start). The previous period
    is the portal's [start − (end − start), start] — for January, 2 December to 1 January.
#}
with

deals as (

    select * from {{ ref('int_deals_enriched') }}
    where not is_deleted
        and not coalesce(is_recurring, false)
        and customer_key is not null

),

periods as (

    select * from {{ ref('int_report_periods') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

won as (

    select
        periods.period_key,
        deals.portal_id,
        deals.pipeline_id,
        deals.customer_key,
        sum(case when deals.close_date >= periods.period_start then 1 else 0 end) as won_deal_count,
        sum(case when deals.close_date >= periods.period_start then deals.amount_account else 0 end)
            as won_amount_account,
        sum(case when deals.close_date <= periods.period_start then 1 else 0 end) as previous_won_deal_count,
        sum(case when deals.close_date <= periods.period_start then deals.amount_account else 0 end)
            as previous_won_amount_account
    from deals
    inner join periods
        on deals.close_date >= periods.rating_previous_start
        and deals.close_date <= periods.period_end
    where deals.stage_semantics = 'success'
    group by periods.period_key, deals.portal_id, deals.pipeline_id, deals.customer_key

),

in_work as (

    select
        periods.period_key,
        deals.portal_id,
        deals.pipeline_id,
        deals.customer_key,
        count(*) as total_deal_count
    from deals
    inner join periods
        on deals.created_date <= periods.period_end
        and coalesce(deals.close_date, cast('3000-12-12' as date)) >= periods.period_start
    group by periods.period_key, deals.portal_id, deals.pipeline_id, deals.customer_key

),

ranked as (

    select
        won.*,
        coalesce(in_work.total_deal_count, 0) as total_deal_count,
        row_number() over (
            partition by won.period_key, won.portal_id, won.pipeline_id
            order by won.won_amount_account desc, won.customer_key
        ) as client_rank
    from won
    left join in_work
        on won.period_key = in_work.period_key
        and won.portal_id = in_work.portal_id
        and won.pipeline_id = in_work.pipeline_id
        and won.customer_key = in_work.customer_key
    where won.won_deal_count > 0

),

final as (

    select
        ranked.portal_id || ':' || ranked.period_key || ':' || cast(ranked.pipeline_id as {{ dbt.type_string() }})
            || ':' || ranked.customer_key as top_client_key,
        ranked.portal_id,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.period_label,
        ranked.pipeline_id,
        ranked.client_rank,
        ranked.customer_key,
        customers.customer_type,
        customers.customer_id,
        customers.customer_name,
        ranked.won_deal_count,
        ranked.won_amount_account,
        ranked.total_deal_count,
        periods.rating_previous_start as previous_period_start,
        periods.period_start as previous_period_end,
        ranked.previous_won_deal_count,
        ranked.previous_won_amount_account
    from ranked
    inner join periods
        on ranked.period_key = periods.period_key
    left join customers
        on ranked.customer_key = customers.customer_key
    where ranked.client_rank <= 25

)

select * from final
