/*
    The profitability marts add up: per portal, the P&L's revenue, cost of goods and cost to serve
    equal those of deal_profitability and int_activity_costs; deal_profitability's revenue from
    product rows equals fct_deal_product_rows' revenue of the won deals; customer_profitability
    holds the revenue of every won deal whose customer is in dim_customers. Returns the figures that differ.
*/
with

deals as (

    select
        portal_id,
        sum(revenue) as revenue,
        sum(cost_of_goods) as cost_of_goods,
        sum(case when revenue_source = 'product_rows' then revenue else 0 end) as product_row_revenue,
        sum(case when customer_key in (select customer_key from {marts}.dim_customers) then revenue else 0 end)
            as customer_revenue
    from {marts}.deal_profitability
    where close_date is not null
    group by 1

),

rows_of_won_deals as (

    select product_rows.portal_id, sum(product_rows.revenue_account) as revenue
    from {marts}.fct_deal_product_rows as product_rows
    inner join {marts}.deal_profitability as won
        on product_rows.deal_key = won.deal_key
    where won.close_date is not null
    group by 1

),

costs as (

    select portal_id, sum(cost_to_serve) as cost_to_serve
    from {intermediate}.int_activity_costs
    group by 1

),

pnl as (

    select portal_id, sum(revenue) as revenue, sum(cost_of_goods) as cost_of_goods, sum(cost_to_serve) as cost_to_serve
    from {batch} as guarded
    group by 1

),

customers as (

    select portal_id, sum(revenue) as revenue
    from {marts}.customer_profitability
    group by 1

),

checks as (

    select pnl.portal_id, 'pnl revenue' as figure, pnl.revenue as found, coalesce(deals.revenue, 0) as expected
    from pnl left join deals on pnl.portal_id = deals.portal_id
    union all
    select pnl.portal_id, 'pnl cost of goods', pnl.cost_of_goods, coalesce(deals.cost_of_goods, 0)
    from pnl left join deals on pnl.portal_id = deals.portal_id
    union all
    select pnl.portal_id, 'pnl cost to serve', pnl.cost_to_serve, coalesce(costs.cost_to_serve, 0)
    from pnl left join costs on pnl.portal_id = costs.portal_id
    union all
    select deals.portal_id, 'product row revenue', deals.product_row_revenue, coalesce(rows_of_won_deals.revenue, 0)
    from deals left join rows_of_won_deals on deals.portal_id = rows_of_won_deals.portal_id
    union all
    select deals.portal_id, 'customer revenue', coalesce(customers.revenue, 0), deals.customer_revenue
    from deals left join customers on deals.portal_id = customers.portal_id

)

select * from checks
where found <> expected
