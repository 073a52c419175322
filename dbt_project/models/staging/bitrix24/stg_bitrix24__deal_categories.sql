{# Deal pipelines ("categories" in the API); pipeline 0 is the default one. #}
with

source as (

    {{ bitrix24_source('deal_categories') }}

),

renamed as (

    select

        ---------- ids
        {{ bitrix24_key('id') }} as pipeline_key,
        portal_id,
        id as pipeline_id,

        ---------- strings
        name as pipeline_name,
        {{ bitrix24_nullif_blank('origin_id') }} as origin_id,
        {{ bitrix24_nullif_blank('originator_id') }} as originator_id,

        ---------- numerics
        entity_type_id,
        sort as sort_order,

        ---------- booleans
        is_default,

        ---------- load metadata
        coalesce(_is_deleted, false) as is_deleted,
        _deleted_at as deleted_at,
        _load_issues as load_issues

    from source

)

select * from renamed
