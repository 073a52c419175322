{#
    "Top grossing clients" (financialrating.php, reference §7.9), per standard period and pipeline:
    won deals (success stage) with CLOSEDATE in the period, grouped by the deal's company or, for
    deals without one, its contact; the top 25 by won amount. total_deal_count: the client's deals
    in work in the period (DATE_CREATE <= end and CLOSEDATE null or >= start). The previous period
    is the portal's [start − (end − start), start] — for January, 2 December to 1 January.
#}
with

deals as (

    {# fct_deals: the built table (int_deals_enriched is a view over the raw layer) #}
    select * from {{ ref('fct_deals') }}
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
        count(case when deals.close_date >= periods.period_start then 1 end) as won_deal_count,
        sum(case when deals.close_date >= periods.period_start then deals.amount_account else 0 end)
            as won_amount_account,
        count(case when deals.close_date <= periods.period_start then 1 end) as previous_won_deal_count,
        sum(case when deals.close_date <= periods.period_start then deals.amount_account else 0 end)
            as previous_won_amount_account
    from deals
    inner join periods
        on deals.close_date >= periods.rating_previous_start
        and deals.close_date <= periods.period_end
    where deals.stage_semantics = 'success'
    group by periods.period_key, deals.portal_id, deals.pipeline_id, deals.customer_key

),

ranked as (

    select
        won.*,
        row_number() over (
            partition by won.period_key, won.portal_id, won.pipeline_id
            order by won.won_amount_account desc, won.customer_key
        ) as client_rank
    from won
    where won.won_deal_count > 0

),

top_clients as (

    select * from ranked
    where client_rank <= 25

),

{# counted for the top clients only: a deal in work spans many periods, all clients' would be big #}
in_work as (

    select
        top_clients.period_key,
        top_clients.portal_id,
        top_clients.pipeline_id,
        top_clients.customer_key,
        count(*) as total_deal_count
    from top_clients
    inner join periods
        on top_clients.period_key = periods.period_key
    inner join deals
        on top_clients.portal_id = deals.portal_id
        and top_clients.pipeline_id = deals.pipeline_id
        and top_clients.customer_key = deals.customer_key
        and deals.created_date <= periods.period_end
        and coalesce(deals.close_date, cast('3000-12-12' as date)) >= periods.period_start
    group by top_clients.period_key, top_clients.portal_id, top_clients.pipeline_id, top_clients.customer_key

),

final as (

    select
        top_clients.portal_id || ':' || top_clients.period_key || ':' || cast(top_clients.pipeline_id as {{ dbt.type_string() }})
            || ':' || top_clients.customer_key as top_client_key,
        top_clients.portal_id,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.period_label,
        top_clients.pipeline_id,
        top_clients.client_rank,
        top_clients.customer_key,
        customers.customer_type,
        customers.customer_id,
        customers.customer_name,
        top_clients.won_deal_count,
        top_clients.won_amount_account,
        coalesce(in_work.total_deal_count, 0) as total_deal_count,
        periods.rating_previous_start as previous_period_start,
        periods.period_start as previous_period_end,
        top_clients.previous_won_deal_count,
        top_clients.previous_won_amount_account
    from top_clients
    inner join periods
        on top_clients.period_key = periods.period_key
    left join in_work
        on top_clients.period_key = in_work.period_key
        and top_clients.portal_id = in_work.portal_id
        and top_clients.pipeline_id = in_work.pipeline_id
        and top_clients.customer_key = in_work.customer_key
    left join customers
        on top_clients.customer_key = customers.customer_key

)

select * from final
