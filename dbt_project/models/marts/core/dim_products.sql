{# One row per catalogue product, with its purchase price (cost of goods in the profitability marts). #}
with

products as (

    select * from {{ ref('stg_bitrix24__products') }}
    where not is_deleted

),

final as (

    select
        product_key,
        portal_id,
        product_id,
        product_name,
        product_code,
        section_id,
        purchase_price,
        purchase_currency_id,
        coalesce(is_active, false) as is_active
    from products

)

select * from final
