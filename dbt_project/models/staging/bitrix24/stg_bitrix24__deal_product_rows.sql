with

source as (

    {{ bitrix24_source('deal_product_rows') }}

),

live_rows as (

    {# tombstones: rows the deal no longer has (the extractor reloads a changed deal's rows) #}
    select * from source
    where not coalesce(_deleted, false)

),

renamed as (

    select

        ---------- ids
        {{ bitrix24_key('id') }} as deal_product_row_key,
        portal_id,
        id as deal_product_row_id,
        owner_id as deal_id,
        {{ bitrix24_nullif_zero('product_id') }} as product_id,
        store_id,
        reserve_id,

        ---------- strings
        owner_type,
        product_name,
        original_product_name,
        measure_name,
        case discount_type_id
            when 1 then 'amount'
            when 2 then 'percent'
        end as discount_type,
        xml_id,

        ---------- numerics
        price,
        price_exclusive,
        price_netto,
        price_brutto,
        price_account as price_in_account_currency,
        quantity,
        price * quantity as line_amount,
        discount_type_id,
        discount_rate,
        discount_sum as discount_amount,
        tax_rate,
        measure_code,
        sort as sort_order,
        type as product_type_id,
        reserve_quantity,

        ---------- booleans
        tax_included as is_tax_included,
        customized as is_customized,

        ---------- dates
        date_reserve_end as reserve_end_date,

        ---------- load metadata
        coalesce(_is_deleted, false) as is_deleted,
        _deleted_at as deleted_at,
        _load_issues as load_issues

    from live_rows

)

select * from renamed
