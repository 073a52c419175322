{# One row per portal × entity × field of crm.<entity>.fields; column_name is the raw column. #}
with

source as (

    {{ bitrix24_source('field_metadata') }}

),

renamed as (

    select

        ---------- ids
        portal_id || ':' || entity || ':' || field as field_key,
        portal_id,
        entity,
        field as field_code,

        ---------- strings
        lower(field) as column_name,
        type as field_type,
        status_type as dictionary_id,
        title as field_title,
        coalesce({{ bitrix24_nullif_blank('label') }}, title) as field_label,
        items as list_items,

        ---------- booleans
        is_custom,
        is_required,
        is_read_only,
        is_multiple

    from source

)

select * from renamed
