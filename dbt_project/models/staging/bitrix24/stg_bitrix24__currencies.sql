with

source as (

    {{ bitrix24_source('currencies') }}

),

renamed as (

    select

        ---------- ids
        portal_id || ':' || currency as currency_key,
        portal_id,
        currency as currency_id,

        ---------- strings
        full_name as currency_name,
        lid as language_id,
        format_string,
        dec_point as decimal_separator,
        thousands_sep as thousands_separator,

        ---------- numerics
        {# AMOUNT units of the base currency buy AMOUNT_CNT units of this one (KZT: 18.94 per 100) #}
        cast(amount as decimal(28, 10)) / nullif(amount_cnt, 0) as rate_to_base,
        amount as rate_amount,
        amount_cnt as rate_nominal,
        decimals,
        sort as sort_order,

        ---------- booleans
        base as is_base,

        ---------- timestamps
        date_update as rate_updated_at,

        ---------- load metadata
        coalesce(_is_deleted, false) as is_deleted,
        _deleted_at as deleted_at,
        _load_issues as load_issues

    from source

)

select * from renamed
