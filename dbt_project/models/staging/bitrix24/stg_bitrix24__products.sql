with

source as (

    {{ bitrix24_source('products') }}

),

renamed as (

    select

        ---------- ids
        {{ bitrix24_key('id') }} as product_key,
        portal_id,
        id as product_id,
        iblock_id as catalog_id,
        iblock_section_id as section_id,
        vat_id,
        created_by as created_by_user_id,
        modified_by as modified_by_user_id,

        ---------- strings
        name as product_name,
        code as product_code,
        xml_id,
        purchasing_currency as purchase_currency_id,
        quantity_trace as quantity_trace_mode,

        ---------- numerics
        type as product_type_id,
        purchasing_price as purchase_price,
        quantity as stock_quantity,
        quantity_reserved as reserved_quantity,
        measure as measure_code,
        sort as sort_order,

        ---------- booleans
        active as is_active,
        available = 'Y' as is_available,
        bundle = 'Y' as is_bundle,
        can_buy_zero = 'Y' as can_buy_without_stock,
        vat_included = 'Y' as is_vat_included,

        ---------- timestamps
        date_create as created_at,
        timestamp_x as modified_at,

        ---------- load metadata
        coalesce(_is_deleted, false) as is_deleted,
        _deleted_at as deleted_at,
        _load_issues as load_issues

    from source

)

select * from renamed
