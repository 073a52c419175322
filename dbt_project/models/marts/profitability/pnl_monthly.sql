{#
    The sales P&L by month and manager (docs/marts.md): revenue and cost of goods of the deals won
    in the month (CLOSEDATE; deal_profitability), gross margin, the cost to serve of the activities
    and calls the manager completed in the month (whatever the deal's outcome: lost deals cost too),
    net margin. One row per portal × month × manager with revenue or costs; the company's P&L is the
    sum over managers. Amounts in the account currency.
#}
with

revenue as (

    select
        portal_id,
        cast({{ dbt.date_trunc('month', 'close_date') }} as date) as month_start,
        assigned_user_id as user_id,
        count(*) as won_deal_count,
        sum(revenue) as revenue,
        sum(cost_of_goods) as cost_of_goods
    from {{ ref('deal_profitability') }}
    where close_date is not null
    group by 1, 2, 3

),

costs as (

    select
        portal_id,
        cast({{ dbt.date_trunc('month', 'held_date') }} as date) as month_start,
        responsible_user_id as user_id,
        count(*) as activity_count,
        sum(cost_to_serve) as cost_to_serve
    from {{ ref('int_activity_costs') }}
    group by 1, 2, 3

),

users as (

    select * from {{ ref('dim_users') }}

),

measured as (

    select
        coalesce(revenue.portal_id, costs.portal_id) as portal_id,
        coalesce(revenue.month_start, costs.month_start) as month_start,
        coalesce(revenue.user_id, costs.user_id) as user_id,
        coalesce(revenue.won_deal_count, 0) as won_deal_count,
        cast(coalesce(revenue.revenue, 0) as decimal(20, 2)) as revenue,
        cast(coalesce(revenue.cost_of_goods, 0) as decimal(20, 2)) as cost_of_goods,
        coalesce(costs.activity_count, 0) as activity_count,
        cast(coalesce(costs.cost_to_serve, 0) as decimal(20, 2)) as cost_to_serve
    from revenue
    full outer join costs
        on revenue.portal_id = costs.portal_id
        and revenue.month_start = costs.month_start
        and coalesce(revenue.user_id, -1) = coalesce(costs.user_id, -1)

),

final as (

    select
        measured.portal_id || ':' || cast(measured.month_start as {{ dbt.type_string() }}) || ':'
            || cast(coalesce(measured.user_id, 0) as {{ dbt.type_string() }}) as pnl_monthly_key,
        measured.portal_id,
        measured.month_start,
        measured.user_id,
        users.user_name,
        users.department_id,
        users.department_name,
        measured.won_deal_count,
        measured.revenue,
        measured.cost_of_goods,
        measured.revenue - measured.cost_of_goods as gross_margin,
        measured.activity_count,
        measured.cost_to_serve,
        measured.revenue - measured.cost_of_goods - measured.cost_to_serve as net_margin,
        cast(round(100.0 * (measured.revenue - measured.cost_of_goods - measured.cost_to_serve)
            / nullif(measured.revenue, 0), 1) as decimal(10, 1)) as net_margin_pct
    from measured
    left join users
        on measured.portal_id = users.portal_id
        and measured.user_id = users.user_id

)

select * from final
