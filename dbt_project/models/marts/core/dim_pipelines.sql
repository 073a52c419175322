{# One row per deal pipeline ("category"); pipeline 0 is the portal's general pipeline. #}
with

pipelines as (

    select * from {{ ref('stg_bitrix24__deal_categories') }}
    where not is_deleted

),

final as (

    select
        pipeline_key,
        portal_id,
        pipeline_id,
        pipeline_name,
        coalesce(is_default, false) as is_default,
        sort_order
    from pipelines

)

select * from final
