{#
    One row per product row of a deal, with its revenue and its cost of goods in the account
    currency. Revenue = (list price − discount) × quantity, before tax (PRICE_NETTO − DISCOUNT_SUM
    per unit, i.e. PRICE_EXCLUSIVE); cost of goods = the catalogue's purchase price × quantity.
    Both convert with the portal's current rates (as fct_deals' amounts). Rows of deleted deals
    are left out (removed rows already are, by staging).
#}
with

product_rows as (

    select * from {{ ref('stg_bitrix24__deal_product_rows') }}

),

deals as (

    {# fct_deals: the built table (int_deals_enriched is a view over the raw layer) #}
    select * from {{ ref('fct_deals') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

currencies as (

    select * from {{ ref('stg_bitrix24__currencies') }}

),

final as (

    select
        product_rows.deal_product_row_key,
        product_rows.portal_id,
        product_rows.deal_product_row_id,
        deals.deal_key,
        product_rows.deal_id,
        products.product_key,
        product_rows.product_id,
        coalesce(products.product_name, product_rows.product_name) as product_name,
        product_rows.measure_name,
        product_rows.quantity,
        deals.currency_id,
        product_rows.price_netto as list_price,
        coalesce(product_rows.discount_amount, 0) as unit_discount,
        product_rows.price as price,
        product_rows.tax_rate,
        {{ to_account_currency(
            '(product_rows.price_netto - coalesce(product_rows.discount_amount, 0)) * product_rows.quantity',
            'deals.rate_to_account_currency') }} as revenue_account,
        {{ to_account_currency('coalesce(product_rows.discount_amount, 0) * product_rows.quantity',
            'deals.rate_to_account_currency') }} as discount_account,
        {{ to_account_currency('products.purchase_price', 'purchase_currencies.rate_to_base') }}
            as unit_purchase_price_account,
        {{ to_account_currency('products.purchase_price * product_rows.quantity', 'purchase_currencies.rate_to_base') }}
            as cost_of_goods_account,
        deals.stage_semantics = 'success' as is_deal_won,
        deals.close_date as deal_close_date,
        deals.pipeline_id,
        deals.assigned_user_id,
        deals.customer_key
    from product_rows
    inner join deals
        on product_rows.portal_id = deals.portal_id
        and product_rows.deal_id = deals.deal_id
    left join products
        on product_rows.portal_id = products.portal_id
        and product_rows.product_id = products.product_id
    left join currencies as purchase_currencies
        on products.portal_id = purchase_currencies.portal_id
        and products.purchase_currency_id = purchase_currencies.currency_id
    where not deals.is_deleted

)

select * from final
