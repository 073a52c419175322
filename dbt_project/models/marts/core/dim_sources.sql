{# One row per lead/deal source (crm.status.list, ENTITY_ID = 'SOURCE'). #}
with

statuses as (

    select * from {{ ref('stg_bitrix24__statuses') }}
    where dictionary_id = 'SOURCE'
        and not is_deleted

),

final as (

    select
        portal_id || ':' || status_id as source_key,
        portal_id,
        status_id as source_id,
        status_name as source_name,
        sort_order
    from statuses

)

select * from final
