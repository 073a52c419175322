{#
    Which customers make money (docs/marts.md): per customer (the deal's company, else its contact —
    dim_customers), the won deals' revenue, cost of goods and gross margin (deal_profitability), the
    cost to serve of those deals plus that of the activities on the customer's own contact or
    company record, and the net margin. One row per customer with at least one won deal or served
    activity; amounts in the account currency.
#}
with

deals as (

    select
        customer_key,
        count(*) as won_deal_count,
        min(close_date) as first_won_date,
        max(close_date) as last_won_date,
        sum(revenue) as revenue,
        sum(cost_of_goods) as cost_of_goods,
        sum(cost_to_serve) as deal_cost_to_serve
    from {{ ref('deal_profitability') }}
    where customer_key is not null
    group by customer_key

),

direct_costs as (

    select
        customer_key,
        sum(cost_to_serve) as customer_cost_to_serve
    from {{ ref('int_activity_costs') }}
    where customer_key is not null
    group by customer_key

),

customers as (

    select * from {{ ref('dim_customers') }}

),

measured as (

    select
        customers.customer_key,
        customers.portal_id,
        customers.customer_type,
        customers.customer_name,
        coalesce(deals.won_deal_count, 0) as won_deal_count,
        deals.first_won_date,
        deals.last_won_date,
        cast(coalesce(deals.revenue, 0) as decimal(20, 2)) as revenue,
        cast(coalesce(deals.cost_of_goods, 0) as decimal(20, 2)) as cost_of_goods,
        cast(coalesce(deals.deal_cost_to_serve, 0) + coalesce(direct_costs.customer_cost_to_serve, 0)
            as decimal(20, 2)) as cost_to_serve
    from customers
    left join deals
        on customers.customer_key = deals.customer_key
    left join direct_costs
        on customers.customer_key = direct_costs.customer_key
    where deals.customer_key is not null
        or direct_costs.customer_key is not null

),

final as (

    select
        *,
        revenue - cost_of_goods as gross_margin,
        cast(round(100.0 * (revenue - cost_of_goods) / nullif(revenue, 0), 1) as decimal(10, 1)) as gross_margin_pct,
        revenue - cost_of_goods - cost_to_serve as net_margin,
        cast(round(100.0 * (revenue - cost_of_goods - cost_to_serve) / nullif(revenue, 0), 1) as decimal(10, 1))
            as net_margin_pct
    from measured

)

select * from final
