{#
    What each won deal earned once costs are counted (docs/marts.md): revenue from its product rows
    ((list price − discount) × quantity, before tax; the deal amount when it has no rows), cost of
    goods from the catalogue's purchase prices, gross margin, the cost to serve of its completed
    activities and calls at the business rules' rates, net margin. One row per won deal (no deleted
    deals, no recurring templates); amounts in the account currency.
#}
with

deals as (

    select * from {{ ref('fct_deals') }}
    where is_won
        and not is_deleted
        and not coalesce(is_recurring, false)

),

product_rows as (

    select
        deal_key,
        count(*) as product_row_count,
        sum(revenue_account) as revenue,
        sum(coalesce(cost_of_goods_account, 0)) as cost_of_goods
    from {{ ref('fct_deal_product_rows') }}
    group by deal_key

),

costs as (

    select
        deal_key,
        count(*) as activity_count,
        sum(billed_minutes) as billed_minutes,
        sum(cost_to_serve) as cost_to_serve
    from {{ ref('int_activity_costs') }}
    where deal_key is not null
    group by deal_key

),

measured as (

    select
        deals.deal_key,
        deals.portal_id,
        deals.deal_id,
        deals.deal_title,
        deals.pipeline_id,
        deals.pipeline_name,
        deals.assigned_user_id,
        deals.assigned_user_name,
        deals.department_id,
        deals.department_name,
        deals.customer_key,
        deals.customer_name,
        deals.close_date,
        case when product_rows.deal_key is null then 'deal_amount' else 'product_rows' end as revenue_source,
        cast(coalesce(product_rows.revenue, deals.amount_account) as decimal(20, 2)) as revenue,
        cast(coalesce(product_rows.cost_of_goods, 0) as decimal(20, 2)) as cost_of_goods,
        coalesce(costs.activity_count, 0) as activity_count,
        cast(coalesce(costs.billed_minutes, 0) as {{ dbt.type_bigint() }}) as billed_call_minutes,
        cast(coalesce(costs.cost_to_serve, 0) as decimal(20, 2)) as cost_to_serve
    from deals
    left join product_rows
        on deals.deal_key = product_rows.deal_key
    left join costs
        on deals.deal_key = costs.deal_key

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
